package catalog

import (
	"testing"

	"github.com/kernia-dev/kernia-admin/apiclient"
)

func i64(n int64) *int64 { return &n }

func TestFormatAmount(t *testing.T) {
	for _, tt := range []struct {
		amount *int64
		cur    string
		want   string
	}{
		{i64(2000), "usd", "20.00 USD"},
		{i64(5), "eur", "0.05 EUR"},
		{i64(1500), "jpy", "1500 JPY"},
		{i64(-250), "usd", "-2.50 USD"},
		{nil, "usd", ""},
	} {
		if got := formatAmount(tt.amount, tt.cur); got != tt.want {
			t.Errorf("formatAmount(%v, %s) = %q, want %q", tt.amount, tt.cur, got, tt.want)
		}
	}
	if got := formatInterval(apiclient.BillingPrice{Interval: "month", IntervalCount: 3}); got != "every 3 months" {
		t.Errorf("interval = %q", got)
	}
	if got := formatInterval(apiclient.BillingPrice{}); got != "one-time" {
		t.Errorf("one-time = %q", got)
	}
}

func TestViewPlan(t *testing.T) {
	v := viewPlan(apiclient.Plan{ID: "pro", Features: []apiclient.PlanFeature{
		{Key: "calls", Limit: i64(100), Enabled: true},
		{Key: "sso", Enabled: true},
		{Key: "seats", Limit: i64(3), Enabled: false},
	}})
	if v.Summary != "calls=100, sso=unlimited, seats=off" || v.Prices == nil || len(v.Features) != 3 ||
		v.Features[1].FeatureKey != "sso" || !v.Features[1].Unlimited || v.Features[0].Unlimited {
		t.Errorf("viewPlan = %+v", v)
	}
}
