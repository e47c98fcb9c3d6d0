package stripecmd

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	stripe "github.com/stripe/stripe-go/v76"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type syncOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
	Stripe    *stripeAccess

	DryRun bool
}

func newCmdSync(f *cmdutil.Factory, runF func(*syncOptions) error) *cobra.Command {
	opts := &syncOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now, Stripe: newStripeAccess(f)}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Copy every Stripe product and price into the server's catalog",
		Long: heredoc.Docf(`
			Read every product and every price from Stripe (all pages), compare them with the
			server's catalog (the dashboard's billing routes) and make the catalog match:
			create what is new, update what changed (name, description, active, metadata;
			amount, currency, interval, lookup key, nickname), and archive what is active in
			the catalog but no longer exists in Stripe. Plans, features and price-to-plan
			mappings are the server's own and are kept.

			The diff is printed one change a line (ACTION create, update or archive; KIND
			product or price; ID; NAME), and a summary "N created, M updated, K archived,
			U unchanged" on stderr (in the JSON object with --json). A second run with nothing
			changed in Stripe reports zero changes. --dry-run prints the same diff and sends
			nothing to the server.

			%s
		`, stripeKeyHelp),
		Example: heredoc.Doc(`
			$ kernia-admin stripe sync --dry-run
			$ STRIPE_API_KEY=rk_live_... kernia-admin stripe sync --live
			$ kernia-admin stripe sync --json --jq .summary
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return syncRun(cmd.Context(), opts)
		},
	}
	opts.Stripe.addFlags(cmd)
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the diff, change nothing on the server")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

// syncChange is one line of the diff.
type syncChange struct {
	Action string   `json:"action"` // create, update, archive
	Kind   string   `json:"kind"`   // product, price
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Fields []string `json:"fields,omitempty"` // what an update changes
}

type syncSummary struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Archived  int `json:"archived"`
	Unchanged int `json:"unchanged"`
}

func (s syncSummary) String() string {
	return fmt.Sprintf("%d created, %d updated, %d archived, %d unchanged", s.Created, s.Updated, s.Archived, s.Unchanged)
}

type syncResult struct {
	DryRun  bool         `json:"dryRun"`
	Changes []syncChange `json:"changes"`
	Summary syncSummary  `json:"summary"`
}

func syncSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Action", Field: "action"},
		{Header: "Kind", Field: "kind"},
		{Header: "ID", Field: "id"},
		{Header: "Name", Field: "name"},
	}}
}

// syncPlan is what sync will do, computed from both sides.
type syncPlan struct {
	products       []apiclient.ProductInput
	prices         []apiclient.PriceInput
	archiveProduct []string
	archivePrice   []string
	result         syncResult
}

func syncRun(ctx context.Context, opts *syncOptions) error {
	k, err := opts.Stripe.open(opts.IO.In)
	if err != nil {
		return err
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}

	// Stripe: every product and price, all pages (the iterators fetch page after page).
	var sProducts []apiclient.ProductInput
	pit := k.Client.Products.List(&stripe.ProductListParams{ListParams: stripe.ListParams{Context: ctx, Limit: stripe.Int64(100)}})
	for pit.Next() {
		sProducts = append(sProducts, productFromStripe(pit.Product()))
	}
	if err := pit.Err(); err != nil {
		return opts.Stripe.stripeError("listing products", err)
	}
	var sPrices []apiclient.PriceInput
	prit := k.Client.Prices.List(&stripe.PriceListParams{ListParams: stripe.ListParams{Context: ctx, Limit: stripe.Int64(100)}})
	for prit.Next() {
		sPrices = append(sPrices, priceFromStripe(prit.Price()))
	}
	if err := prit.Err(); err != nil {
		return opts.Stripe.stripeError("listing prices", err)
	}

	// The server's catalog.
	cProducts, _, err := c.Billing().Products(ctx, nil)
	if err != nil {
		return billingError(err)
	}
	cPrices, _, err := c.Billing().Prices(ctx, apiclient.PriceFilter{})
	if err != nil {
		return billingError(err)
	}

	p := diffCatalog(sProducts, sPrices, cProducts, cPrices)
	p.result.DryRun = opts.DryRun

	// Apply: products before the prices that name them; archive prices before products.
	apply := func(what string, err error) error {
		if err == nil || plan.Handled(err) {
			return nil
		}
		return fmt.Errorf("%s: %w", what, billingError(err))
	}
	for _, in := range p.products {
		_, _, _, err := c.Billing().UpsertProduct(ctx, in)
		if err := apply("upserting product "+in.ID, err); err != nil {
			return err
		}
	}
	for _, in := range p.prices {
		_, _, _, err := c.Billing().UpsertPrice(ctx, in)
		if err := apply("upserting price "+in.ID, err); err != nil {
			return err
		}
	}
	for _, id := range p.archivePrice {
		_, err := c.Billing().ArchivePrice(ctx, id)
		if err := apply("archiving price "+id, err); err != nil {
			return err
		}
	}
	for _, id := range p.archiveProduct {
		_, err := c.Billing().ArchiveProduct(ctx, id)
		if err := apply("archiving product "+id, err); err != nil {
			return err
		}
	}

	if opts.Format.Machine() {
		if err := output.PrintObject(opts.IO, opts.Format, output.Spec{}, opts.Now, p.result); err != nil {
			return err
		}
	} else {
		list := output.NewList(opts.IO, opts.Format, syncSpec(), opts.Now)
		for _, ch := range p.result.Changes {
			if err := list.Add(ch); err != nil {
				return err
			}
		}
		if err := list.Close(); err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.ErrOut, p.result.Summary.String())
	}
	if opts.DryRun {
		plan.Note(opts.IO)
	}
	return nil
}

func productFromStripe(p *stripe.Product) apiclient.ProductInput {
	return apiclient.ProductInput{ID: p.ID, Name: p.Name, Description: p.Description, Active: p.Active, Metadata: nonNil(p.Metadata)}
}

func priceFromStripe(p *stripe.Price) apiclient.PriceInput {
	in := apiclient.PriceInput{ID: p.ID, Active: p.Active, Currency: string(p.Currency), Type: string(p.Type),
		LookupKey: p.LookupKey, Nickname: p.Nickname, Metadata: nonNil(p.Metadata)}
	if p.Product != nil {
		in.ProductID = p.Product.ID
	}
	if p.BillingScheme != stripe.PriceBillingSchemeTiered {
		amount := p.UnitAmount
		in.UnitAmount = &amount
	}
	if p.Recurring != nil {
		in.Interval, in.IntervalCount = string(p.Recurring.Interval), p.Recurring.IntervalCount
	}
	return in
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// diffCatalog compares Stripe with the catalog. It is pure: what to send and what to print.
func diffCatalog(sProducts []apiclient.ProductInput, sPrices []apiclient.PriceInput, cProducts []apiclient.BillingProduct, cPrices []apiclient.BillingPrice) *syncPlan {
	p := &syncPlan{result: syncResult{Changes: []syncChange{}}}
	have := map[string]apiclient.BillingProduct{}
	for _, cp := range cProducts {
		have[cp.ID] = cp
	}
	productName := map[string]string{}
	inStripe := map[string]bool{}
	for _, sp := range sProducts {
		inStripe[sp.ID] = true
		productName[sp.ID] = sp.Name
		cur, ok := have[sp.ID]
		if !ok {
			p.products = append(p.products, sp)
			p.result.Changes = append(p.result.Changes, syncChange{Action: "create", Kind: "product", ID: sp.ID, Name: sp.Name})
			p.result.Summary.Created++
			continue
		}
		if fields := productDiff(sp, cur); len(fields) > 0 {
			p.products = append(p.products, sp)
			p.result.Changes = append(p.result.Changes, syncChange{Action: "update", Kind: "product", ID: sp.ID, Name: sp.Name, Fields: fields})
			p.result.Summary.Updated++
			continue
		}
		p.result.Summary.Unchanged++
	}
	havePrice := map[string]apiclient.BillingPrice{}
	for _, cp := range cPrices {
		havePrice[cp.ID] = cp
	}
	for _, cp := range cProducts {
		if _, ok := productName[cp.ID]; !ok {
			productName[cp.ID] = cp.Name
		}
	}
	priceInStripe := map[string]bool{}
	for _, sp := range sPrices {
		priceInStripe[sp.ID] = true
		name := priceName(sp.Nickname, sp.UnitAmount, sp.Currency, sp.Interval, sp.IntervalCount, productName[sp.ProductID])
		cur, ok := havePrice[sp.ID]
		if !ok {
			p.prices = append(p.prices, sp)
			p.result.Changes = append(p.result.Changes, syncChange{Action: "create", Kind: "price", ID: sp.ID, Name: name})
			p.result.Summary.Created++
			continue
		}
		if fields := priceDiff(sp, cur); len(fields) > 0 {
			p.prices = append(p.prices, sp)
			p.result.Changes = append(p.result.Changes, syncChange{Action: "update", Kind: "price", ID: sp.ID, Name: name, Fields: fields})
			p.result.Summary.Updated++
			continue
		}
		p.result.Summary.Unchanged++
	}
	var archPrices []apiclient.BillingPrice
	for _, cp := range cPrices {
		if cp.Active && !priceInStripe[cp.ID] {
			archPrices = append(archPrices, cp)
		}
	}
	sort.Slice(archPrices, func(i, j int) bool { return archPrices[i].ID < archPrices[j].ID })
	for _, cp := range archPrices {
		p.archivePrice = append(p.archivePrice, cp.ID)
		p.result.Changes = append(p.result.Changes, syncChange{Action: "archive", Kind: "price", ID: cp.ID,
			Name: priceName(cp.Nickname, cp.UnitAmount, cp.Currency, cp.Interval, cp.IntervalCount, productName[cp.ProductID])})
		p.result.Summary.Archived++
	}
	var archProducts []apiclient.BillingProduct
	for _, cp := range cProducts {
		if cp.Active && !inStripe[cp.ID] {
			archProducts = append(archProducts, cp)
		}
	}
	sort.Slice(archProducts, func(i, j int) bool { return archProducts[i].ID < archProducts[j].ID })
	for _, cp := range archProducts {
		p.archiveProduct = append(p.archiveProduct, cp.ID)
		p.result.Changes = append(p.result.Changes, syncChange{Action: "archive", Kind: "product", ID: cp.ID, Name: cp.Name})
		p.result.Summary.Archived++
	}
	return p
}

func sameMeta(a, b map[string]string) bool {
	return len(a) == len(b) && (len(a) == 0 || maps.Equal(a, b))
}

func productDiff(s apiclient.ProductInput, c apiclient.BillingProduct) []string {
	var f []string
	if s.Name != c.Name {
		f = append(f, "name")
	}
	if s.Description != c.Description {
		f = append(f, "description")
	}
	if s.Active != c.Active {
		f = append(f, "active")
	}
	if !sameMeta(s.Metadata, c.Metadata) {
		f = append(f, "metadata")
	}
	return f
}

func priceDiff(s apiclient.PriceInput, c apiclient.BillingPrice) []string {
	var f []string
	add := func(changed bool, name string) {
		if changed {
			f = append(f, name)
		}
	}
	add(s.ProductID != c.ProductID, "productId")
	add(s.Active != c.Active, "active")
	add(!strings.EqualFold(s.Currency, c.Currency), "currency")
	add((s.UnitAmount == nil) != (c.UnitAmount == nil) || s.UnitAmount != nil && *s.UnitAmount != *c.UnitAmount, "unitAmount")
	add(s.Type != c.Type, "type")
	add(s.Interval != c.Interval, "interval")
	add(s.Interval != "" && s.IntervalCount != c.IntervalCount, "intervalCount")
	add(s.LookupKey != c.LookupKey, "lookupKey")
	add(s.Nickname != c.Nickname, "nickname")
	add(!sameMeta(s.Metadata, c.Metadata), "metadata")
	return f
}

// priceName is a readable name for a price: its nickname, else "Product 20.00 USD / month".
func priceName(nickname string, amount *int64, currency, interval string, count int64, product string) string {
	if nickname != "" {
		return nickname
	}
	var b strings.Builder
	if product != "" {
		b.WriteString(product + " ")
	}
	if amount != nil {
		fmt.Fprintf(&b, "%d.%02d %s", *amount/100, *amount%100, strings.ToUpper(currency))
	} else {
		b.WriteString("tiered " + strings.ToUpper(currency))
	}
	switch {
	case interval != "" && count > 1:
		fmt.Fprintf(&b, " / %d %ss", count, interval)
	case interval != "":
		b.WriteString(" / " + interval)
	}
	return b.String()
}

// billingError turns a missing billing family into exit 9.
func billingError(err error) error {
	if cmdutil.IsRouteMissing(err) {
		return &cmdutil.UnavailableError{Feature: "the dashboard's billing routes (/api/admin/billing, family \"billing\")",
			Hint: "the application beside Kernia must implement the billing family of docs/dashboard-api.yaml"}
	}
	return err
}
