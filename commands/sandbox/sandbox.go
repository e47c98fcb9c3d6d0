// Package sandbox implements `kernia-admin sandbox`: the local Kernia-compatible server.
package sandbox

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdSandbox returns the sandbox command group.
func NewCmdSandbox(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox <command>",
		Short: "Run a local Kernia-compatible server on SQLite",
		Long: heredoc.Doc(`
			The sandbox is a Kernia-compatible server backed by a SQLite file: the /api/auth routes
			kernia-admin uses, reproduced as a real Kernia server answers them, plus the /api/admin
			dashboard routes. A new database is seeded with 25 users, among them the built-in admin
			admin@sandbox.local (password sandbox-admin-password) and user@sandbox.local
			(password sandbox-user-password).

			Any command can also use a sandbox in-process, without a port:
			  kernia-admin --server sandbox:./demo.db users list
		`),
	}
	cmd.AddCommand(newCmdServe(f), newCmdSeed(f), newCmdReset(f))
	return cmd
}
