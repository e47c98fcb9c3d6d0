package catalog

import (
	"fmt"
	"strings"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// billingError turns a missing billing family into exit 9.
func billingError(err error) error {
	if cmdutil.IsRouteMissing(err) {
		return &cmdutil.UnavailableError{Feature: "the dashboard's billing routes (/api/admin/billing, family \"billing\")",
			Hint: "the application beside Kernia must implement the billing family of docs/dashboard-api.yaml"}
	}
	return err
}

// formatAmount renders minor units: 2000 usd → "20.00 USD" (zero-decimal currencies too).
func formatAmount(amount *int64, currency string) string {
	if amount == nil {
		return ""
	}
	cur := strings.ToUpper(currency)
	switch strings.ToLower(currency) {
	case "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf":
		return fmt.Sprintf("%d %s", *amount, cur)
	}
	sign := ""
	a := *amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, a/100, a%100, cur)
}

func formatInterval(p apiclient.BillingPrice) string {
	switch {
	case p.Interval == "":
		return "one-time"
	case p.IntervalCount > 1:
		return fmt.Sprintf("every %d %ss", p.IntervalCount, p.Interval)
	}
	return p.Interval
}

// priceView is a catalog price with its amount and interval readable.
type priceView struct {
	apiclient.BillingPrice
	Amount string `json:"amount"`
	Every  string `json:"every"`
}

func viewPrice(p apiclient.BillingPrice) priceView {
	return priceView{BillingPrice: p, Amount: formatAmount(p.UnitAmount, p.Currency), Every: formatInterval(p)}
}

// featureView is a feature as printed: "featureKey", not "key" (which output redacts as a
// secret name).
type featureView struct {
	FeatureKey     string         `json:"featureKey"`
	Name           string         `json:"name"`
	Kind           string         `json:"kind"`
	IncludedAmount *int64         `json:"includedAmount"`
	ResetPeriod    *string        `json:"resetPeriod"`
	OverageAllowed bool           `json:"overageAllowed"`
	CreatedAt      apiclient.Time `json:"createdAt"`
}

func viewFeature(f apiclient.Feature) featureView {
	return featureView{FeatureKey: f.Key, Name: f.Name, Kind: f.Kind, IncludedAmount: f.IncludedAmount,
		ResetPeriod: f.ResetPeriod, OverageAllowed: f.OverageAllowed, CreatedAt: f.CreatedAt}
}

type planFeatureView struct {
	FeatureKey string `json:"featureKey"`
	Limit      *int64 `json:"limit"`
	Unlimited  bool   `json:"unlimited"`
	Enabled    bool   `json:"enabled"`
}

type planView struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Prices      []string          `json:"prices"`
	Features    []planFeatureView `json:"features"`
	Summary     string            `json:"summary"`
	CreatedAt   apiclient.Time    `json:"createdAt"`
}

func viewPlan(p apiclient.Plan) planView {
	v := planView{ID: p.ID, Name: p.Name, Description: p.Description, Prices: p.Prices, Features: []planFeatureView{}, CreatedAt: p.CreatedAt}
	if v.Prices == nil {
		v.Prices = []string{}
	}
	var parts []string
	for _, f := range p.Features {
		v.Features = append(v.Features, planFeatureView{FeatureKey: f.Key, Limit: f.Limit, Unlimited: f.Limit == nil, Enabled: f.Enabled})
		var s string
		switch {
		case !f.Enabled:
			s = f.Key + "=off"
		case f.Limit == nil:
			s = f.Key + "=unlimited"
		default:
			s = fmt.Sprintf("%s=%d", f.Key, *f.Limit)
		}
		parts = append(parts, s)
	}
	v.Summary = strings.Join(parts, ", ")
	return v
}
