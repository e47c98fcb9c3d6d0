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

func newCmdPlans(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plans <command>",
		Short: "Create, list and view plans and set their feature limits",
		Long: heredoc.Doc(`
			A plan is a named set of feature limits. Prices map to plans
			('kernia-admin catalog map PRICE --plan PLAN'), so a subscription to any of a
			plan's prices (monthly or annual) grants the plan's limits.
		`),
	}
	cmd.AddCommand(newCmdPlansCreate(f, nil), newCmdPlansList(f, nil), newCmdPlansView(f, nil), newCmdPlansSetFeature(f, nil))
	return cmd
}

func planListSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Name", Field: "name"},
		{Header: "Prices", Field: "prices"},
		{Header: "Features", Field: "summary"},
	}}
}

func planDetailSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Name", Field: "name"},
		{Header: "Description", Field: "description"},
		{Header: "Prices", Field: "prices"},
		{Header: "Features", Field: "summary"},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
	}}
}

type plansCreateOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Input  apiclient.PlanInput
	DryRun bool
}

func newCmdPlansCreate(f *cmdutil.Factory, runF func(*plansCreateOptions) error) *cobra.Command {
	opts := &plansCreateOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a plan",
		Long: heredoc.Doc(`
			Create a plan. --id is optional (the server picks one otherwise); an id that is
			taken exits with 6.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin catalog plans create --id pro --name Pro --description "For teams"
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Input.Name == "" {
				return cmdutil.FlagErrorf("--name is required")
			}
			if opts.Input.ID != "" && !featureKeyRE.MatchString(opts.Input.ID) {
				return cmdutil.FlagErrorf("invalid --id %q: use 1-64 lower-case letters, digits, _ . : -", opts.Input.ID)
			}
			if runF != nil {
				return runF(opts)
			}
			return plansCreateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.ID, "id", "", "Plan `ID` (default: chosen by the server)")
	fl.StringVar(&opts.Input.Name, "name", "", "Plan `NAME` (required)")
	fl.StringVar(&opts.Input.Description, "description", "", "Description")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func plansCreateRun(ctx context.Context, opts *plansCreateOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	p, _, err := c.Billing().CreatePlan(ctx, opts.Input)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return billingError(err)
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "Created plan %s\n", p.ID)
	}
	return output.PrintObject(opts.IO, opts.Format, planDetailSpec(), opts.Now, viewPlan(*p))
}

type plansListOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
}

func newCmdPlansList(f *cmdutil.Factory, runF func(*plansListOptions) error) *cobra.Command {
	opts := &plansListOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List plans with their prices and feature limits",
		Example: heredoc.Doc(`
			$ kernia-admin catalog plans list
			$ kernia-admin catalog plans list --json --jq '.[].id'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return plansListRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func plansListRun(ctx context.Context, opts *plansListOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	plans, _, err := c.Billing().Plans(ctx)
	if err != nil {
		return billingError(err)
	}
	list := output.NewList(opts.IO, opts.Format, planListSpec(), opts.Now)
	for _, p := range plans {
		if err := list.Add(viewPlan(p)); err != nil {
			return err
		}
	}
	return list.Close()
}

type plansViewOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	ID string
}

func newCmdPlansView(f *cmdutil.Factory, runF func(*plansViewOptions) error) *cobra.Command {
	opts := &plansViewOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "view PLAN",
		Short: "Show one plan",
		Example: heredoc.Doc(`
			$ kernia-admin catalog plans view pro
			$ kernia-admin catalog plans view pro --json --jq .features
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return plansViewRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func plansViewRun(ctx context.Context, opts *plansViewOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	p, _, err := c.Billing().Plan(ctx, opts.ID)
	if err != nil {
		return billingError(err)
	}
	return output.PrintObject(opts.IO, opts.Format, planDetailSpec(), opts.Now, viewPlan(*p))
}

type plansSetFeatureOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Input  apiclient.PlanFeatureInput
	DryRun bool
}

func newCmdPlansSetFeature(f *cmdutil.Factory, runF func(*plansSetFeatureOptions) error) *cobra.Command {
	opts := &plansSetFeatureOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	var (
		limit               int64
		unlimited, disabled bool
	)
	cmd := &cobra.Command{
		Use:   "set-feature PLAN FEATURE (--limit N | --unlimited) [--disabled]",
		Short: "Set a plan's limit for a feature",
		Long: heredoc.Doc(`
			Set what a plan grants of a feature: --limit N (per reset period for metered
			features), or --unlimited. --disabled keeps the feature in the plan but off.
			For a boolean feature, give --unlimited (on) or --disabled (off).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin catalog plans set-feature pro api_calls --limit 10000
			$ kernia-admin catalog plans set-feature pro sso --unlimited
			$ kernia-admin catalog plans set-feature free sso --unlimited --disabled
		`),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input.PlanID, opts.Input.FeatureKey = args[0], args[1]
			hasLimit := cmd.Flags().Changed("limit")
			switch {
			case hasLimit && unlimited:
				return cmdutil.FlagErrorf("--limit and --unlimited cannot be used together")
			case !hasLimit && !unlimited && !disabled:
				return cmdutil.FlagErrorf("give --limit N or --unlimited (or --disabled)")
			case hasLimit && limit < 0:
				return cmdutil.FlagErrorf("invalid --limit %d: must not be negative", limit)
			}
			if hasLimit {
				opts.Input.Limit = &limit
			}
			enabled := !disabled
			opts.Input.Enabled = &enabled
			if runF != nil {
				return runF(opts)
			}
			return plansSetFeatureRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&limit, "limit", 0, "Limit `N` (per period for metered features)")
	fl.BoolVar(&unlimited, "unlimited", false, "No limit")
	fl.BoolVar(&disabled, "disabled", false, "Keep the feature in the plan, turned off")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func plansSetFeatureRun(ctx context.Context, opts *plansSetFeatureOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	p, _, err := c.Billing().SetPlanFeature(ctx, opts.Input)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return billingError(err)
	}
	return output.PrintObject(opts.IO, opts.Format, planDetailSpec(), opts.Now, viewPlan(*p))
}
