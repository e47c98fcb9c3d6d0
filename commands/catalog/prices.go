package catalog

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type pricesOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Filter apiclient.PriceFilter
}

var currencyRE = regexp.MustCompile(`^[a-z]{3}$`)

func newCmdPrices(f *cmdutil.Factory, runF func(*pricesOptions) error) *cobra.Command {
	opts := &pricesOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	var active bool
	cmd := &cobra.Command{
		Use:   "prices",
		Short: "List the catalog's prices",
		Long: heredoc.Doc(`
			List the prices in the server's catalog, with the plan each is mapped to.
			Filters: --active (or --active=false), --product ID, --currency (ISO code, e.g.
			usd) and --interval (day, week, month, year, or one-time).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin catalog prices --active
			$ kernia-admin catalog prices --product prod_123 --interval year
			$ kernia-admin catalog prices --currency eur --json --jq 'map(.id)'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("active") {
				opts.Filter.Active = &active
			}
			opts.Filter.Currency = strings.ToLower(opts.Filter.Currency)
			if opts.Filter.Currency != "" && !currencyRE.MatchString(opts.Filter.Currency) {
				return cmdutil.FlagErrorf("invalid --currency %q: use a three-letter ISO code such as usd", opts.Filter.Currency)
			}
			switch opts.Filter.Interval {
			case "", "day", "week", "month", "year", "one-time":
			default:
				return cmdutil.FlagErrorf("invalid --interval %q: use day, week, month, year or one-time", opts.Filter.Interval)
			}
			if runF != nil {
				return runF(opts)
			}
			return pricesRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&active, "active", false, "Only active prices (--active=false: only archived)")
	fl.StringVar(&opts.Filter.Product, "product", "", "Only prices of product `ID`")
	fl.StringVar(&opts.Filter.Currency, "currency", "", "Only prices in `CURRENCY` (usd, eur, ...)")
	fl.StringVar(&opts.Filter.Interval, "interval", "", "Only prices billed every `INTERVAL`: day, week, month, year or one-time")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func pricesSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Product", Field: "productId"},
		{Header: "Amount", Field: "amount"},
		{Header: "Interval", Field: "every"},
		{Header: "Active", Field: "active", Kind: output.Bool},
		{Header: "Lookup key", Field: "lookupKey"},
		{Header: "Plan", Field: "planId"},
	}}
}

func pricesRun(ctx context.Context, opts *pricesOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	filter := opts.Filter
	oneTime := filter.Interval == "one-time"
	if oneTime {
		filter.Interval = "" // filtered here: the route filters recurring intervals
	}
	prices, _, err := c.Billing().Prices(ctx, filter)
	if err != nil {
		return billingError(err)
	}
	list := output.NewList(opts.IO, opts.Format, pricesSpec(), opts.Now)
	for _, p := range prices {
		if oneTime && p.Interval != "" {
			continue
		}
		if err := list.Add(viewPrice(p)); err != nil {
			return err
		}
	}
	return list.Close()
}
