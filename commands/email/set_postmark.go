package email

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

func newCmdSetPostmark(f *cmdutil.Factory, runF func(*setOptions) error) *cobra.Command {
	opts := newSetOptions(f, kindPostmark)
	cmd := &cobra.Command{
		Use:   "set-postmark ID",
		Short: "Create or update a Postmark email client",
		Long: heredoc.Doc(`
			Create the Postmark client ID, or update it: only the flags given change, and
			without a new server token the stored one is kept.

			The server token comes from stdin with --token-stdin, from $KERNIA_POSTMARK_TOKEN,
			or is asked for on a terminal. A new client needs --from and a token.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin email set-postmark postmark --from no-reply@example.com --token-stdin < postmark.token
			$ kernia-admin email set-postmark postmark --from billing@example.com
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
