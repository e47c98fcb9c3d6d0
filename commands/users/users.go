// Package users implements `kernia-admin users`.
package users

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdUsers returns the users command group.
func NewCmdUsers(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users <command>",
		Short: "Search, view, create, ban, impersonate and delete users",
		Long: heredoc.Doc(`
			Manage users through the server's admin plugin.

			A USER argument is a user id or an email address (an address is looked up first).
		`),
	}
	cmd.AddCommand(
		newCmdList(f, nil),
		newCmdView(f, nil),
		newCmdCreate(f, nil),
		newCmdUpdate(f, nil),
		newCmdSetRole(f, nil),
		newCmdSetPassword(f, nil),
		newCmdBan(f, nil),
		newCmdUnban(f, nil),
		newCmdDelete(f, nil),
		newCmdImpersonate(f, nil),
		newCmdStopImpersonating(f, nil),
	)
	return cmd
}
