// Package sessions implements `kernia-admin sessions`.
package sessions

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdSessions returns the sessions command group.
func NewCmdSessions(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sessions <command>",
		Short: "List and revoke user sessions",
		Long: heredoc.Doc(`
			List and revoke sessions.

			One user's sessions come from the admin plugin (works on any Kernia server). Every
			user's sessions, and revoking by session id, use the dashboard's "sessions" route
			family under /api/admin when the server implements it.

			Kernia returns raw session tokens from the admin plugin; kernia-admin never prints
			them (not in tables, JSON, --jq results, errors or --debug traces).

			A USER argument is a user id or an email address.
		`),
	}
	cmd.AddCommand(
		newCmdList(f, nil),
		newCmdRevoke(f, nil),
		newCmdRevokeAll(f, nil),
	)
	return cmd
}
