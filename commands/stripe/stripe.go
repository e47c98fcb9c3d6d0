// Package stripecmd implements `kernia-admin stripe`: the Stripe settings stored by the
// server's admin-config plugin, key validation against Stripe, catalog sync and webhook health.
package stripecmd

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdStripe returns the stripe command group.
func NewCmdStripe(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stripe <command>",
		Short: "Stripe keys, catalog sync and webhook health",
		Long: heredoc.Doc(`
			Manage the Stripe settings document of the server's admin-config plugin (the
			secret or restricted key, the publishable key and the webhook signing secret),
			check a key against Stripe, copy Stripe's products and prices into the server's
			catalog, and check webhook delivery from both sides.

			Secrets are never shown and never taken from flags: they come from stdin, the
			environment (STRIPE_API_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET) or a
			prompt. Test and live keys are never mixed, and live keys need --live or a profile
			marked live.
		`),
	}
	cmd.AddCommand(
		newCmdStatus(f, nil),
		newCmdSetKeys(f, nil),
		newCmdValidate(f, nil),
		newCmdSync(f, nil),
		newCmdWebhooks(f, nil),
	)
	return cmd
}
