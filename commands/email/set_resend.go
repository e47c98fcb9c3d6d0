package email

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

func newCmdSetResend(f *cmdutil.Factory, runF func(*setOptions) error) *cobra.Command {
	opts := newSetOptions(f, kindResend)
	cmd := &cobra.Command{
		Use:   "set-resend ID",
		Short: "Create or update a Resend email client",
		Long: heredoc.Doc(`
			Create the Resend client ID, or update it: only the flags given change, and without
			a new API key the stored one is kept.

			The API key comes from stdin with --api-key-stdin, from $KERNIA_RESEND_API_KEY, or
			is asked for on a terminal. A new client needs --from and an API key.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin email set-resend resend-eu --from no-reply@example.com --api-key-stdin < resend.key
			$ kernia-admin email set-resend resend-eu --from "Acme <hello@example.com>"
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validateCommon(cmd, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return setRun(cmd.Context(), opts)
		},
	}
	addCommonFlags(cmd, opts)
	return cmd
}
