// Package authmethods implements `kernia-admin auth-methods`: the sign-in methods a Kernia
// server lets through (its admin-config plugin's auth-methods document).
package authmethods

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdAuthMethods returns the auth-methods command group.
func NewCmdAuthMethods(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth-methods <command>",
		Short: "List, enable and disable sign-in methods",
		Long: heredoc.Doc(`
			Turn the server's sign-in methods on and off (Kernia's admin-config plugin).

			Kernia knows 13 methods: email-password, magic-link, email-otp, google, github,
			passkey, two-factor, username, phone-number, siwe, anonymous, one-tap and sso; a
			server may store others (further OAuth providers). A disabled method's routes answer
			403 AUTH_METHOD_DISABLED.

			Kernia replaces the whole stored document on every write, so enable, disable and
			toggle read the current map, change it, write the whole map back, and print what
			changed (METHOD, BEFORE, AFTER).
		`),
	}
	cmd.AddCommand(
		newCmdList(f, nil),
		newCmdEnable(f, nil),
		newCmdDisable(f, nil),
		newCmdToggle(f, nil),
	)
	return cmd
}
