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

type trackOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Ref            string
	Feature        string
	Quantity       int64
	IdempotencyKey string
	At             string
	DryRun         bool

	occurredAt *int64
}

func newCmdTrack(f *cmdutil.Factory, runF func(*trackOptions) error) *cobra.Command {
	opts := &trackOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "track REF FEATURE --quantity N --idempotency-key KEY",
		Short: "Record usage of a feature (the dashboard's usage route)",
		Long: heredoc.Doc(`
			Record N units of FEATURE used by REF, through the dashboard's usage route
			(POST /api/admin/billing/usage) — what an application calls as its users consume
			metered features; here for corrections, imports and tests. --idempotency-key
			makes it safe to repeat: the server counts a key once, and a repeat is reported
			as a duplicate. --at backdates the event (a date, RFC 3339 time or duration ago).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin entitlements track ada@example.com api_calls --quantity 120 --idempotency-key import-2026-11-01
			$ kernia-admin entitlements track org_123 exports --quantity 1 --idempotency-key "$(uuidgen)" --at 2d
		`),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref, opts.Feature = args[0], args[1]
			if opts.Quantity <= 0 {
				return cmdutil.FlagErrorf("--quantity must be a positive number")
			}
			opts.IdempotencyKey = strings.TrimSpace(opts.IdempotencyKey)
			if opts.IdempotencyKey == "" {
				return cmdutil.FlagErrorf("--idempotency-key is required: it makes recording safe to repeat")
			}
			if opts.At != "" {
				t, err := parseWhen("--at", opts.At, opts.Now(), true)
				if err != nil {
					return err
				}
				sec := t.Unix()
				opts.occurredAt = &sec
			}
			if runF != nil {
				return runF(opts)
			}
			return trackRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&opts.Quantity, "quantity", 0, "Units used (`N`, required)")
	fl.StringVar(&opts.IdempotencyKey, "idempotency-key", "", "Unique `KEY` of this usage (required)")
	fl.StringVar(&opts.At, "at", "", "When the usage occurred (default now): 2026-11-01, an RFC 3339 time, or 2d ago")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

type trackView struct {
	apiclient.UsageEvent
	Duplicate bool `json:"duplicate"`
}

func trackSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Reference", Field: "referenceId"},
		{Header: "Feature", Field: "featureKey"},
		{Header: "Quantity", Field: "quantity"},
		{Header: "Idempotency key", Field: "idempotencyKey"},
		{Header: "Occurred", Field: "occurredAt", Kind: output.Time},
		{Header: "Duplicate", Field: "duplicate", Kind: output.Bool},
	}}
}

func trackRun(ctx context.Context, opts *trackOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	ref, err := resolveRef(ctx, c, opts.Ref)
	if err != nil {
		return err
	}
	ev, dup, _, err := c.Billing().TrackUsage(ctx, apiclient.UsageInput{ReferenceID: ref, FeatureKey: opts.Feature,
		Quantity: opts.Quantity, IdempotencyKey: opts.IdempotencyKey, OccurredAt: opts.occurredAt})
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return billingError(err)
	}
	if dup {
		fmt.Fprintf(opts.IO.ErrOut, "duplicate: idempotency key %s was already recorded; nothing counted\n", opts.IdempotencyKey)
	}
	return output.PrintObject(opts.IO, opts.Format, trackSpec(), opts.Now, trackView{UsageEvent: *ev, Duplicate: dup})
}
