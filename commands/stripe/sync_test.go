package stripecmd

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
)

func i64(n int64) *int64 { return &n }

func TestDiffCatalog(t *testing.T) {
	sProducts := []apiclient.ProductInput{
		{ID: "prod_new", Name: "New", Active: true, Metadata: map[string]string{}},
		{ID: "prod_same", Name: "Same", Description: "d", Active: true, Metadata: map[string]string{}},
		{ID: "prod_changed", Name: "Changed", Active: false, Metadata: map[string]string{"tier": "gold"}},
	}
	sPrices := []apiclient.PriceInput{
		{ID: "price_same", ProductID: "prod_same", Active: true, Currency: "usd", UnitAmount: i64(900), Type: "recurring", Interval: "month", IntervalCount: 1, Metadata: map[string]string{}},
		{ID: "price_amount", ProductID: "prod_same", Active: true, Currency: "usd", UnitAmount: i64(1000), Type: "recurring", Interval: "month", IntervalCount: 1},
		{ID: "price_new", ProductID: "prod_new", Active: true, Currency: "eur", UnitAmount: i64(500), Type: "one_time", Nickname: "Setup fee"},
	}
	cProducts := []apiclient.BillingProduct{
		{ID: "prod_same", Name: "Same", Description: "d", Active: true}, // nil metadata == {}
		{ID: "prod_changed", Name: "Changed", Active: true},
		{ID: "prod_gone", Name: "Gone", Active: true},
		{ID: "prod_archived", Name: "Archived", Active: false},
	}
	cPrices := []apiclient.BillingPrice{
		{ID: "price_same", ProductID: "prod_same", Active: true, Currency: "USD", UnitAmount: i64(900), Type: "recurring", Interval: "month", IntervalCount: 1, PlanID: "pro"},
		{ID: "price_amount", ProductID: "prod_same", Active: true, Currency: "usd", UnitAmount: i64(900), Type: "recurring", Interval: "month", IntervalCount: 1},
		{ID: "price_gone", ProductID: "prod_gone", Active: true, Currency: "usd", UnitAmount: i64(100), Type: "recurring", Interval: "year", IntervalCount: 1},
	}
	p := diffCatalog(sProducts, sPrices, cProducts, cPrices)
	got := []string{}
	for _, c := range p.result.Changes {
		got = append(got, c.Action+" "+c.Kind+" "+c.ID+" "+c.Name+" "+strings.Join(c.Fields, ","))
	}
	want := []string{
		"create product prod_new New ",
		"update product prod_changed Changed active,metadata",
		"update price price_amount Same 10.00 USD / month unitAmount",
		"create price price_new Setup fee ",
		"archive price price_gone Gone 1.00 USD / year ",
		"archive product prod_gone Gone ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := p.result.Summary; s != (syncSummary{Created: 2, Updated: 2, Archived: 2, Unchanged: 2}) || s.String() != "2 created, 2 updated, 2 archived, 2 unchanged" {
		t.Errorf("summary = %+v", s)
	}
	if len(p.products) != 2 || len(p.prices) != 2 || !reflect.DeepEqual(p.archivePrice, []string{"price_gone"}) || !reflect.DeepEqual(p.archiveProduct, []string{"prod_gone"}) {
		t.Errorf("plan = %+v", p)
	}

	// Applying the plan makes the next diff empty.
	var cp2 []apiclient.BillingProduct
	for _, sp := range sProducts {
		cp2 = append(cp2, apiclient.BillingProduct{ID: sp.ID, Name: sp.Name, Description: sp.Description, Active: sp.Active, Metadata: sp.Metadata})
	}
	cp2 = append(cp2, apiclient.BillingProduct{ID: "prod_gone", Name: "Gone", Active: false})
	var cpr2 []apiclient.BillingPrice
	for _, sp := range sPrices {
		cpr2 = append(cpr2, apiclient.BillingPrice{ID: sp.ID, ProductID: sp.ProductID, Active: sp.Active, Currency: sp.Currency, UnitAmount: sp.UnitAmount,
			Type: sp.Type, Interval: sp.Interval, IntervalCount: sp.IntervalCount, LookupKey: sp.LookupKey, Nickname: sp.Nickname})
	}
	again := diffCatalog(sProducts, sPrices, cp2, cpr2)
	if len(again.result.Changes) != 0 || again.result.Summary.Unchanged != 6 {
		t.Errorf("second diff = %+v", again.result)
	}
}

func TestPriceName(t *testing.T) {
	for _, tt := range []struct {
		nick    string
		amount  *int64
		cur, iv string
		n       int64
		product string
		want    string
	}{
		{"Pro monthly", i64(1), "usd", "month", 1, "Pro", "Pro monthly"},
		{"", i64(2050), "usd", "month", 1, "Pro", "Pro 20.50 USD / month"},
		{"", i64(9000), "eur", "month", 3, "", "90.00 EUR / 3 months"},
		{"", nil, "usd", "", 0, "Seats", "Seats tiered USD"},
	} {
		if got := priceName(tt.nick, tt.amount, tt.cur, tt.iv, tt.n, tt.product); got != tt.want {
			t.Errorf("priceName = %q, want %q", got, tt.want)
		}
	}
}

func TestMissingEventsAndSameURL(t *testing.T) {
	if m := missingEvents([]string{"*"}); len(m) != 0 {
		t.Errorf("* = %v", m)
	}
	if m := missingEvents([]string{"customer.subscription.created", "charge.failed"}); strings.Join(m, ",") != "checkout.session.completed,customer.subscription.updated,customer.subscription.deleted" {
		t.Errorf("missing = %v", m)
	}
	if m := missingEvents(handledEvents()); len(m) != 0 {
		t.Errorf("all = %v", m)
	}
	if !sameURL("https://Auth.example.com/api/auth/stripe/webhook/", "https://auth.example.com/api/auth/stripe/webhook") {
		t.Error("trailing slash and host case should not matter")
	}
	if sameURL("https://auth.example.com/api/auth/stripe/webhook", "http://auth.example.com/api/auth/stripe/webhook") ||
		sameURL("https://auth.example.com/other", "https://auth.example.com/api/auth/stripe/webhook") {
		t.Error("different scheme or path matched")
	}
}

func TestBuildTestEvent(t *testing.T) {
	now := time.Unix(1700000000, 0)
	ev := buildTestEvent("customer.subscription.created", now, "0123456789abcdef", "user_1", "", "price_1", "active",
		&apiclient.BillingPrice{ID: "price_1", ProductID: "prod_1", Currency: "usd", UnitAmount: i64(2000), Interval: "year", IntervalCount: 1})
	b, err := json.Marshal(ev.body)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Data struct {
			Object struct {
				ID                 string            `json:"id"`
				Customer           string            `json:"customer"`
				Status             string            `json:"status"`
				Metadata           map[string]string `json:"metadata"`
				CurrentPeriodStart int64             `json:"current_period_start"`
				CurrentPeriodEnd   int64             `json:"current_period_end"`
				Items              struct {
					Data []struct {
						Price struct {
							ID        string `json:"id"`
							Product   string `json:"product"`
							Recurring struct {
								Interval string `json:"interval"`
							} `json:"recurring"`
						} `json:"price"`
					} `json:"data"`
				} `json:"items"`
			} `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	o := got.Data.Object
	if got.ID != "evt_test_0123456789abcdef" || got.Type != "customer.subscription.created" || o.ID != "sub_test_0123456789abcdef" ||
		o.Status != "active" || o.Metadata["referenceId"] != "user_1" || o.Customer != "cus_test_01234567" ||
		o.CurrentPeriodStart != 1700000000 || o.CurrentPeriodEnd != now.AddDate(1, 0, 0).Unix() ||
		len(o.Items.Data) != 1 || o.Items.Data[0].Price.ID != "price_1" || o.Items.Data[0].Price.Product != "prod_1" ||
		o.Items.Data[0].Price.Recurring.Interval != "year" {
		t.Errorf("event = %s", b)
	}
	del := buildTestEvent("customer.subscription.deleted", now, "0123456789abcdef", "", "cus_1", "", "active", nil)
	obj := del.body["data"].(map[string]any)["object"].(map[string]any)
	if obj["status"] != "canceled" || obj["ended_at"] != now.Unix() || obj["customer"] != "cus_1" {
		t.Errorf("deleted = %v", obj)
	}
	cs := buildTestEvent("checkout.session.completed", now, "0123456789abcdef", "user_1", "", "", "active", nil)
	obj = cs.body["data"].(map[string]any)["object"].(map[string]any)
	if obj["object"] != "checkout.session" || obj["client_reference_id"] != "user_1" || obj["subscription"] != "sub_test_0123456789abcdef" {
		t.Errorf("checkout = %v", obj)
	}
}
