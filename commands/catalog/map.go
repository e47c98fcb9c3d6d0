package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type mapOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	PriceID string
	PlanID  string
	DryRun  bool
}

func newCmdMap(f *cmdutil.Factory, runF func(*mapOptions) error) *cobra.Command {
	opts := &mapOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "map PRICE --plan PLAN",
		Short: "Map a price to a plan",
		Long: heredoc.Doc(`
			Map a catalog price to a plan: a subscription to the price grants the plan's
			feature limits. Several prices (monthly and annual, several currencies) can map
			to one plan; mapping a price again moves it.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin catalog map price_monthly --plan pro
			$ kernia-admin catalog map price_annual --plan pro
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PriceID = args[0]
			if opts.PlanID == "" {
				return cmdutil.FlagErrorf("--plan is required")
			}
			if runF != nil {
				return runF(opts)
			}
			return mapRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.PlanID, "plan", "", "Plan `ID` (required)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func mapRun(ctx context.Context, opts *mapOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	p, _, err := c.Billing().MapPrice(ctx, opts.PriceID, opts.PlanID)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return billingError(err)
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "Mapped %s to plan %s\n", p.ID, opts.PlanID)
	}
	return output.PrintObject(opts.IO, opts.Format, pricesSpec(), opts.Now, viewPrice(*p))
}
