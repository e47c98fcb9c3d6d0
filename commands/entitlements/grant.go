package entitlements

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type grantOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Ref     string
	Feature string
	Amount  int64
	Expires string
	Reason  string
	DryRun  bool

	expiresAt *int64
}

func newCmdGrant(f *cmdutil.Factory, runF func(*grantOptions) error) *cobra.Command {
	opts := &grantOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "grant REF FEATURE --amount N --reason TEXT [--expires 30d]",
		Short: "Grant extra allowance of a feature",
		Long: heredoc.Doc(`
			Add N to REF's allowance of FEATURE, on top of the plan's limit. The server
			records the reason and the acting admin. --expires ends the grant: a duration
			from now (30d, 12h), a date (2026-12-31) or an RFC 3339 time; without it the grant
			does not expire.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin entitlements grant ada@example.com api_calls --amount 5000 --reason "launch week" --expires 30d
			$ kernia-admin entitlements grant org_123 seats --amount 2 --reason "sales deal #881"
		`),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref, opts.Feature = args[0], args[1]
			if opts.Amount <= 0 {
				return cmdutil.FlagErrorf("--amount must be a positive number")
			}
			opts.Reason = strings.TrimSpace(opts.Reason)
			if opts.Reason == "" {
				return cmdutil.FlagErrorf("--reason is required: it is recorded with the grant")
			}
			if opts.Expires != "" {
				t, err := parseWhen("--expires", opts.Expires, opts.Now(), false)
				if err != nil {
					return err
				}
				if !t.After(opts.Now()) {
					return cmdutil.FlagErrorf("invalid --expires %q: it is in the past", opts.Expires)
				}
				sec := t.Unix()
				opts.expiresAt = &sec
			}
			if runF != nil {
				return runF(opts)
			}
			return grantRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&opts.Amount, "amount", 0, "Amount `N` to add (required)")
	fl.StringVar(&opts.Expires, "expires", "", "When the grant ends: 30d, 12h, 2026-12-31 or an RFC 3339 time")
	fl.StringVar(&opts.Reason, "reason", "", "Why (`TEXT`, required, recorded)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func grantSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Reference", Field: "referenceId"},
		{Header: "Feature", Field: "featureKey"},
		{Header: "Amount", Field: "amount"},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
		{Header: "Reason", Field: "reason"},
		{Header: "Granted by", Field: "grantedBy"},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
	}}
}

func grantRun(ctx context.Context, opts *grantOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	ref, err := resolveRef(ctx, c, opts.Ref)
	if err != nil {
		return err
	}
	g, _, err := c.Billing().Grant(ctx, apiclient.GrantInput{ReferenceID: ref, FeatureKey: opts.Feature, Amount: opts.Amount,
		ExpiresAt: opts.expiresAt, Reason: opts.Reason})
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return billingError(err)
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "Granted %d %s to %s\n", g.Amount, g.FeatureKey, ref)
	}
	return output.PrintObject(opts.IO, opts.Format, grantSpec(), opts.Now, g)
}
