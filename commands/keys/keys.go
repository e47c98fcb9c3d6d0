// Package keys implements `kernia-admin keys`.
package keys

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdKeys returns the keys command group.
func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys <command>",
		Short: "Create, list, rotate and revoke API keys",
		Long: heredoc.Doc(`
			Manage Kernia API keys (the kernia_api_key plugin).

			Your own keys go through Kernia's /api-key routes. Kernia cannot list or manage
			other users' keys and has no rotate, revoke or usage-history route: those use the
			dashboard's "keys" route family under /api/admin, and a server without it exits 9.

			A key's plaintext is printed exactly once, by 'keys create' and 'keys rotate' (also
			in --json); every other command shows only its first characters (start). Kernia's
			API-key timestamps are epoch milliseconds on the wire; kernia-admin shows them as
			times, and durations (rate-limit window, refill interval) in words in tables and in
			milliseconds in JSON.
		`),
	}
	cmd.AddCommand(
		newCmdCreate(f, nil),
		newCmdList(f, nil),
		newCmdView(f, nil),
		newCmdRotate(f, nil),
		newCmdRevoke(f, nil),
		newCmdUsage(f, nil),
	)
	return cmd
}
