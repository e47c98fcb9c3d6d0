package catalog

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

func newCmdFeatures(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "features <command>",
		Short: "Create and list billable features",
		Long: heredoc.Doc(`
			Features are what plans grant. Each has a kind:
			  boolean   on or off (an SSO add-on)
			  metered   counted usage that resets (API calls a month)
			  seats     a count of members
			  quantity  a count of things (projects)
		`),
	}
	cmd.AddCommand(newCmdFeaturesCreate(f, nil), newCmdFeaturesList(f, nil))
	return cmd
}

func featureSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Key", Field: "featureKey"},
		{Header: "Name", Field: "name"},
		{Header: "Kind", Field: "kind"},
		{Header: "Included", Field: "includedAmount"},
		{Header: "Reset", Field: "resetPeriod"},
		{Header: "Overage", Field: "overageAllowed", Kind: output.Bool},
	}}
}

type featuresCreateOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Input  apiclient.FeatureInput
	DryRun bool
}

var featureKeyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.:-]{0,63}$`)

func newCmdFeaturesCreate(f *cmdutil.Factory, runF func(*featuresCreateOptions) error) *cobra.Command {
	opts := &featuresCreateOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	var included int64
	var reset string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a feature",
		Long: heredoc.Doc(`
			Create a feature. --key is its stable identifier (lower case letters, digits,
			_ . : -), --kind one of boolean, metered, seats, quantity. For counted kinds,
			--included is the amount included by default and --reset the period after which
			usage starts again (month, year or never); --overage allows use beyond the limit
			(flagged in 'kernia-admin entitlements list'). An existing key exits with 6.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin catalog features create --key api_calls --name "API calls" --kind metered --reset month --overage
			$ kernia-admin catalog features create --key sso --name "Single sign-on" --kind boolean
			$ kernia-admin catalog features create --key seats --name Seats --kind seats --included 3
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			in := &opts.Input
			if !featureKeyRE.MatchString(in.Key) {
				return cmdutil.FlagErrorf("invalid --key %q: use 1-64 lower-case letters, digits, _ . : - (starting with a letter or digit)", in.Key)
			}
			if in.Name == "" {
				in.Name = in.Key
			}
			switch in.Kind {
			case "boolean", "metered", "seats", "quantity":
			default:
				return cmdutil.FlagErrorf("invalid --kind %q: use boolean, metered, seats or quantity", in.Kind)
			}
			if cmd.Flags().Changed("included") {
				if in.Kind == "boolean" {
					return cmdutil.FlagErrorf("--included does not apply to a boolean feature")
				}
				if included < 0 {
					return cmdutil.FlagErrorf("invalid --included %d: must not be negative", included)
				}
				in.IncludedAmount = &included
			}
			switch reset {
			case "":
			case "month", "year", "never":
				if in.Kind == "boolean" {
					return cmdutil.FlagErrorf("--reset does not apply to a boolean feature")
				}
				r := reset
				in.ResetPeriod = &r
			default:
				return cmdutil.FlagErrorf("invalid --reset %q: use month, year or never", reset)
			}
			if in.OverageAllowed && in.Kind == "boolean" {
				return cmdutil.FlagErrorf("--overage does not apply to a boolean feature")
			}
			if runF != nil {
				return runF(opts)
			}
			return featuresCreateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.Key, "key", "", "Feature `KEY` (required)")
	fl.StringVar(&opts.Input.Name, "name", "", "Display `NAME` (default: the key)")
	fl.StringVar(&opts.Input.Kind, "kind", "", "boolean, metered, seats or quantity (required)")
	fl.Int64Var(&included, "included", 0, "Amount included by default (`N`)")
	fl.StringVar(&reset, "reset", "", "Usage reset period: month, year or never")
	fl.BoolVar(&opts.Input.OverageAllowed, "overage", false, "Allow use beyond the limit")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	_ = cmd.MarkFlagRequired("key")
	_ = cmd.MarkFlagRequired("kind")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func featuresCreateRun(ctx context.Context, opts *featuresCreateOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	feat, _, err := c.Billing().CreateFeature(ctx, opts.Input)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return billingError(err)
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "Created feature %s\n", feat.Key)
	}
	return output.PrintObject(opts.IO, opts.Format, featureSpec(), opts.Now, viewFeature(*feat))
}

type featuresListOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
}

func newCmdFeaturesList(f *cmdutil.Factory, runF func(*featuresListOptions) error) *cobra.Command {
	opts := &featuresListOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List features",
		Example: heredoc.Doc(`
			$ kernia-admin catalog features list
			$ kernia-admin catalog features list --json --jq 'map(.featureKey)'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return featuresListRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func featuresListRun(ctx context.Context, opts *featuresListOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	feats, _, err := c.Billing().Features(ctx)
	if err != nil {
		return billingError(err)
	}
	list := output.NewList(opts.IO, opts.Format, featureSpec(), opts.Now)
	for _, f := range feats {
		if err := list.Add(viewFeature(f)); err != nil {
			return err
		}
	}
	return list.Close()
}
