package entitlements

import (
	"context"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type viewOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Ref     string
	Feature string
}

func newCmdView(f *cmdutil.Factory, runF func(*viewOptions) error) *cobra.Command {
	opts := &viewOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "view REF FEATURE",
		Short: "Show one feature's entitlement for a user or organization",
		Long: heredoc.Doc(`
			Show one feature's entitlement for REF (a user id or email, or an organization
			id): limit, granted, used, balance, reset time and overage.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin entitlements view ada@example.com api_calls
			$ kernia-admin entitlements view org_123 seats --jq .balance
		`),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref, opts.Feature = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return viewRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func viewRun(ctx context.Context, opts *viewOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	ref, err := resolveRef(ctx, c, opts.Ref)
	if err != nil {
		return err
	}
	e, _, err := c.Billing().Entitlement(ctx, ref, opts.Feature)
	if err != nil {
		return billingError(err)
	}
	v := viewEntitlement(ref, nil, *e)
	// The plan id comes with the full list; fetch it for the detail view (best effort).
	if all, _, err := c.Billing().Entitlements(ctx, ref); err == nil && all.Plan != nil {
		v.PlanID = all.Plan.ID
	}
	return output.PrintObject(opts.IO, opts.Format, entitlementDetailSpec(), opts.Now, v)
}
