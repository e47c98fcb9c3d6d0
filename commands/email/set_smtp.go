package email

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

func newCmdSetSMTP(f *cmdutil.Factory, runF func(*setOptions) error) *cobra.Command {
	opts := newSetOptions(f, kindSMTP)
	cmd := &cobra.Command{
		Use:   "set-smtp ID",
		Short: "Create or update an SMTP email client",
		Long: heredoc.Doc(`
			Create the SMTP client ID, or update it: only the flags given change, and without a
			new password the stored one is kept.

			A new client needs --host, --port and --from (--tls defaults to starttls). With
			--username it needs a password too: from stdin with --password-stdin, from
			$KERNIA_SMTP_PASSWORD, or asked for on a terminal.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin email set-smtp smtp-main --host smtp.example.com --port 587 --username mailer --tls starttls --from no-reply@example.com --password-stdin < password.txt
			$ kernia-admin email set-smtp smtp-main --from "Acme <hello@example.com>"
			$ KERNIA_SMTP_PASSWORD=... kernia-admin email set-smtp smtp-main --username mailer2
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
	fl := cmd.Flags()
	fl.StringVar(&opts.Host, "host", "", "SMTP server `HOST`")
	fl.IntVar(&opts.Port, "port", 0, "SMTP server `PORT` (1-65535)")
	fl.StringVar(&opts.Username, "username", "", "SMTP user `NAME`")
	fl.StringVar(&opts.TLS, "tls", "", "TLS `MODE`: none, starttls or tls (default starttls for a new client)")
	addCommonFlags(cmd, opts)
	return cmd
}
