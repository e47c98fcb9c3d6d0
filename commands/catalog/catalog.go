// Package catalog implements `kernia-admin catalog`: the server's billing catalog (products
// and prices mirrored from Stripe), features, plans and price-to-plan mapping, through the
// dashboard's billing routes (docs/dashboard-api.yaml, family "billing").
package catalog

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdCatalog returns the catalog command group.
func NewCmdCatalog(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog <command>",
		Short: "Products, prices, features and plans of the server's billing catalog",
		Long: heredoc.Doc(`
			The server's billing catalog, from the dashboard's billing routes (Kernia itself
			has none; see docs/dashboard-api.yaml):

			  products, prices   what 'kernia-admin stripe sync' copied from Stripe
			  features           what a plan can grant: boolean, metered, seats or quantity
			  plans              named bundles of feature limits; prices map to plans
			                     (monthly and annual prices can share one plan)

			A server without the billing routes exits with status 9.
		`),
	}
	cmd.AddCommand(
		newCmdProducts(f, nil),
		newCmdPrices(f, nil),
		newCmdFeatures(f),
		newCmdPlans(f),
		newCmdMap(f, nil),
	)
	return cmd
}
