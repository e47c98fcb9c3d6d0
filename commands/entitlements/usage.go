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

type usageOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Ref     string
	Feature string
	Since   string

	since time.Time
}

func newCmdUsage(f *cmdutil.Factory, runF func(*usageOptions) error) *cobra.Command {
	opts := &usageOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "usage REF [--feature FEATURE] [--since 7d]",
		Short: "Show a user's or organization's usage history",
		Long: heredoc.Doc(`
			List the usage events recorded for REF (a user id or email, or an organization
			id), newest first, optionally of one --feature and since a point in time (a date
			such as 2026-11-01, an RFC 3339 time, or a duration back from now such as 7d).
			The total quantity is printed on stderr (with --json, sum .quantity).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin entitlements usage ada@example.com --feature api_calls --since 7d
			$ kernia-admin entitlements usage org_123 --since 2026-11-01 --json
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if opts.Since != "" {
				t, err := parseWhen("--since", opts.Since, opts.Now(), true)
				if err != nil {
					return err
				}
				opts.since = t
			}
			if runF != nil {
				return runF(opts)
			}
			return usageRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Feature, "feature", "", "Only usage of `FEATURE`")
	cmd.Flags().StringVar(&opts.Since, "since", "", "Only usage since a date, time or duration ago (2026-11-01, 7d)")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func usageSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Occurred", Field: "occurredAt", Kind: output.Time},
		{Header: "Feature", Field: "featureKey"},
		{Header: "Quantity", Field: "quantity"},
		{Header: "Idempotency key", Field: "idempotencyKey"},
		{Header: "ID", Field: "id"},
	}}
}

func usageRun(ctx context.Context, opts *usageOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	ref, err := resolveRef(ctx, c, opts.Ref)
	if err != nil {
		return err
	}
	u, _, err := c.Billing().Usage(ctx, ref, opts.Feature, opts.since)
	if err != nil {
		return billingError(err)
	}
	list := output.NewList(opts.IO, opts.Format, usageSpec(), opts.Now)
	for _, e := range u.Events {
		if err := list.Add(e); err != nil {
			return err
		}
	}
	if err := list.Close(); err != nil {
		return err
	}
	if !opts.Format.Machine() {
		fmt.Fprintf(opts.IO.ErrOut, "total: %d in %d event(s)\n", u.Total, len(u.Events))
	}
	return nil
}
