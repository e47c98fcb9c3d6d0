// Package email implements `kernia-admin email`: the email clients a Kernia server sends
// mail through, configured without ever losing a stored secret.
package email

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdEmail returns the email command group.
func NewCmdEmail(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "email <command>",
		Short: "Configure and test the email clients (SMTP, Resend, Postmark)",
		Long: heredoc.Doc(`
			List, configure, remove and test the email clients stored by the server's
			admin-config plugin.

			Secrets (SMTP passwords, Resend API keys, Postmark server tokens) are never shown:
			reads print "********", with a fingerprint ("******** (hmac:1a2b3c4d)") when the
			server's dashboard gives one. They are read from stdin, an environment variable or
			a prompt, never from a flag.

			Nothing is lost. Kernia stores the whole client list as one document and shows
			secrets only as "********", so rewriting the list naively would replace every other
			client's secret with the asterisks. kernia-admin therefore uses the dashboard's
			per-client routes (/api/admin/email/...) when the server has them. Against a server
			with only Kernia's whole-document route it writes only when no stored secret would
			be overwritten; otherwise it stops with exit 6 and asks for the secrets again with
			--secrets-file FILE, a JSON or YAML file mapping client id to {field: secret}:

			  smtp-main:
			    password: "..."
			  resend-eu:
			    apiKey: "re_..."
		`),
	}
	cmd.AddCommand(
		newCmdList(f, nil),
		newCmdView(f, nil),
		newCmdSetSMTP(f, nil),
		newCmdSetResend(f, nil),
		newCmdSetPostmark(f, nil),
		newCmdRemove(f, nil),
		newCmdTest(f, nil),
	)
	return cmd
}
