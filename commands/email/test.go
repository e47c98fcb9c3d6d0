package email

import (
	"context"
	"errors"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type testOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	ID     string
	To     string
	DryRun bool
}

func newCmdTest(f *cmdutil.Factory, runF func(*testOptions) error) *cobra.Command {
	opts := &testOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "test ID --to ADDRESS",
		Short: "Send a test message through an email client",
		Long: heredoc.Doc(`
			Send a test message to ADDRESS through the email client ID and report whether it
			was delivered. The server sends it (with the stored credentials) and records it in
			its outbox. This needs the dashboard's email routes: Kernia itself has no route
			that sends mail on request.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin email test smtp-main --to ops@example.com
			$ kernia-admin email test smtp-main --to ops@example.com --jq .delivered
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := validateID(opts.ID); err != nil {
				return err
			}
			if opts.To == "" {
				return cmdutil.FlagErrorf("--to ADDRESS is required")
			}
			if err := validateAddress("--to", opts.To); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return testRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "Recipient `ADDRESS`")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func testSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Delivered", Field: "delivered", Kind: output.Bool},
		{Header: "Kind", Field: "kind"},
		{Header: "Outbox ID", Field: "outboxId"},
		{Header: "Message ID", Field: "messageId"},
	}}
}

func testRun(ctx context.Context, opts *testOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	has, err := c.Admin.HasFamily(ctx, dashboardFamily)
	if err != nil {
		return err
	}
	if !has {
		return &cmdutil.UnavailableError{Feature: "sending a test email (the dashboard's email routes, /api/admin/email/test)",
			Hint: "Kernia has no route that sends mail on request; the application must implement the dashboard's email family (docs/dashboard-api.yaml)"}
	}
	res, _, err := c.Admin.TestEmailClient(ctx, opts.ID, opts.To)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	var ae *apiclient.APIError
	switch {
	case cmdutil.IsNotFound(err):
		return notFound(opts.ID)
	case errors.As(err, &ae) && ae.Code == "EMAIL_DELIVERY_FAILED":
		msg := ae.Message
		if msg == "" || msg == ae.Code {
			msg = "the mail server refused or could not be reached"
		}
		return cmdutil.Errorf(cmdutil.ExitFailure, "check the client's settings with `kernia-admin email view "+opts.ID+"`",
			"test message through %s not delivered: %s (EMAIL_DELIVERY_FAILED)", opts.ID, msg)
	case err != nil:
		return err
	}
	if err := output.PrintObject(opts.IO, opts.Format, testSpec(), opts.Now, res); err != nil {
		return err
	}
	if !res.Delivered {
		return cmdutil.Errorf(cmdutil.ExitFailure, "", "test message through %s was not delivered", opts.ID)
	}
	return nil
}
