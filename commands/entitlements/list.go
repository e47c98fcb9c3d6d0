package entitlements

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

type listOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	User string
	Org  string
}

func newCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list (--user USER | --org ID)",
		Aliases: []string{"ls"},
		Short:   "List a user's or organization's entitlements",
		Long: heredoc.Doc(`
			For each feature: the plan's limit (empty when unlimited), extra granted by
			admins, used this period, the balance left, when usage resets, and whether usage
			has passed the limit (OVERAGE). The plan and the period are printed on stderr on
			a terminal; every row carries the plan id in JSON.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin entitlements list --user ada@example.com
			$ kernia-admin entitlements list --org org_123 --json
			$ kernia-admin entitlements list --user 7f3k... --jq 'map(select(.overage)) | map(.featureKey)'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (opts.User == "") == (opts.Org == "") {
				return cmdutil.FlagErrorf("give exactly one of --user USER or --org ID")
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "User `ID` or email")
	cmd.Flags().StringVar(&opts.Org, "org", "", "Organization `ID`")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func listRun(ctx context.Context, opts *listOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	ref := opts.Org
	if opts.User != "" {
		if ref, err = resolveRef(ctx, c, opts.User); err != nil {
			return err
		}
	}
	ents, _, err := c.Billing().Entitlements(ctx, ref)
	if err != nil {
		return billingError(err)
	}
	if opts.IO.IsStderrTTY() && !opts.Format.Machine() {
		plan := "no plan"
		if ents.Plan != nil {
			plan = fmt.Sprintf("plan %s (%s)", ents.Plan.Name, ents.Plan.ID)
		}
		period := ""
		if !ents.PeriodStart.IsZero() {
			period = fmt.Sprintf(", period %s – %s", ents.PeriodStart.UTC().Format(time.DateOnly), ents.PeriodEnd.UTC().Format(time.DateOnly))
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s: %s%s\n", ref, plan, period)
	}
	list := output.NewList(opts.IO, opts.Format, entitlementSpec(), opts.Now)
	for _, e := range ents.Entitlements {
		if err := list.Add(viewEntitlement(ents.ReferenceID, ents.Plan, e)); err != nil {
			return err
		}
	}
	return list.Close()
}
