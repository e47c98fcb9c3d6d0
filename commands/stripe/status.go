package stripecmd

import (
	"context"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type statusOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
}

func newCmdStatus(f *cmdutil.Factory, runF func(*statusOptions) error) *cobra.Command {
	opts := &statusOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the stored Stripe settings (redacted)",
		Long: heredoc.Doc(`
			Show what the server stores: the mode (test or live), whether a secret key and a
			webhook signing secret are set, and the publishable key (which is not a secret).
			The server never returns the secrets themselves.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin stripe status
			$ kernia-admin stripe status --jq .mode
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func statusRun(ctx context.Context, opts *statusOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	doc, _, err := c.AdminConfig().Stripe(ctx)
	if err != nil {
		return explain(err)
	}
	return output.PrintObject(opts.IO, opts.Format, statusSpec(), opts.Now, statusOf(doc))
}
