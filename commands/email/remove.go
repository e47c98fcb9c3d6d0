package email

import (
	"context"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

type removeOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Confirm   func(context.Context, cmdutil.ConfirmOptions) error
	Scrubber  *redact.Scrubber
	Format    output.Format

	ID          string
	Yes         bool
	DryRun      bool
	SecretsFile string
}

func newCmdRemove(f *cmdutil.Factory, runF func(*removeOptions) error) *cobra.Command {
	opts := &removeOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now, Confirm: f.Confirm, Scrubber: f.Scrubber}
	cmd := &cobra.Command{
		Use:     "remove ID",
		Aliases: []string{"rm"},
		Short:   "Remove an email client",
		Long: heredoc.Doc(`
			Remove the email client ID and its stored secret. Asks for confirmation on a
			terminal; --yes is required otherwise.

			Against a server with only Kernia's whole-document route, the other clients' secrets
			must be re-supplied with --secrets-file (see 'kernia-admin email --help').
		`),
		Example: heredoc.Doc(`
			$ kernia-admin email remove old-smtp --yes
			$ kernia-admin email remove old-smtp --dry-run
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := validateID(opts.ID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return removeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask for confirmation")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	cmd.Flags().StringVar(&opts.SecretsFile, "secrets-file", "", "Re-supply other clients' secrets from `FILE` (only for servers without the dashboard's email routes)")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

type removeResult struct {
	ID      string `json:"id"`
	Removed bool   `json:"removed"`
}

func removeSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Removed", Field: "removed", Kind: output.Bool},
	}}
}

func removeRun(ctx context.Context, opts *removeOptions) error {
	secrets, err := loadSecretsFile(opts.SecretsFile, opts.Scrubber)
	if err != nil {
		return err
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	entries, err := st.list(ctx)
	if err != nil {
		return err
	}
	doc := make([]map[string]any, 0, len(entries))
	found := false
	for _, e := range entries {
		if str(e.Fields, "id") == opts.ID {
			found = true
			continue
		}
		cp := make(map[string]any, len(e.Fields))
		for k, v := range e.Fields {
			cp[k] = v
		}
		doc = append(doc, cp)
	}
	if !found {
		return notFound(opts.ID)
	}
	if !st.dashboard {
		// Check before asking: a refusal should not come after a "yes".
		lost, unused := resupply(doc, secrets)
		if len(lost) > 0 {
			return lossError("remove email client "+opts.ID, lost)
		}
		warnUnused(opts.IO, unused)
	}
	if !opts.DryRun {
		if err := opts.Confirm(ctx, cmdutil.ConfirmOptions{Yes: opts.Yes, Action: "remove email client " + opts.ID}); err != nil {
			return err
		}
	}
	if st.dashboard {
		_, err = c.Admin.DeleteEmailClient(ctx, opts.ID)
	} else {
		_, _, err = c.AdminConfig().SetEmailClients(ctx, doc, apiclient.EmailSecretFields())
	}
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if cmdutil.IsNotFound(err) {
		return notFound(opts.ID)
	}
	if err != nil {
		return guardErr(err)
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "Removed email client %s\n", opts.ID)
	}
	return output.PrintObject(opts.IO, opts.Format, removeSpec(), opts.Now, removeResult{ID: opts.ID, Removed: true})
}
