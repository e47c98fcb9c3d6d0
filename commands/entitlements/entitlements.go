// Package entitlements implements `kernia-admin entitlements`: what each user or organization
// is entitled to right now (plan limits plus grants minus usage in the current period),
// grants of extra allowance, and usage history, through the dashboard's billing routes.
package entitlements

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdEntitlements returns the entitlements command group.
func NewCmdEntitlements(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "entitlements <command>",
		Short: "What each customer is entitled to, grants and usage",
		Long: heredoc.Doc(`
			Entitlements are computed by the server for a reference (a user, or an
			organization): the active subscription's plan gives each feature's limit;
			admin grants add to it; usage in the current period is subtracted. A reference
			is a user id or email, or an organization id.

			These are the dashboard's billing routes (Kernia itself has none; see
			docs/dashboard-api.yaml). A server without them exits with status 9.
		`),
	}
	cmd.AddCommand(
		newCmdList(f, nil),
		newCmdView(f, nil),
		newCmdGrant(f, nil),
		newCmdUsage(f, nil),
		newCmdTrack(f, nil),
	)
	return cmd
}
