package apiclient

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestBillingProductsAndUpsert(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/admin/billing/products", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"products": []any{map[string]any{"id": "prod_1", "name": "A", "active": true, "metadata": nil, "updatedAt": 1700000000}}})
	})
	f.mux.HandleFunc("POST /api/admin/billing/products/upsert", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"product": map[string]any{"id": "prod_1", "name": "B"}, "created": false, "changed": true})
	})
	active := true
	ps, _, err := f.client.Billing().Products(context.Background(), &active)
	if err != nil || len(ps) != 1 || ps[0].ID != "prod_1" || ps[0].UpdatedAt.Unix() != 1700000000 {
		t.Fatalf("Products = %+v, %v", ps, err)
	}
	p, res, _, err := f.client.Billing().UpsertProduct(context.Background(), ProductInput{ID: "prod_1", Name: "B"})
	if err != nil || p.Name != "B" || res.Created || !res.Changed {
		t.Fatalf("UpsertProduct = %+v %+v, %v", p, res, err)
	}
	reqs := f.wantRequests(2)
	if reqs[0].Query != "active=true" {
		t.Errorf("query = %q", reqs[0].Query)
	}
	// metadata is always an object, never null (the route refuses null)
	if !strings.Contains(string(reqs[1].Body), `"metadata":{}`) {
		t.Errorf("upsert body = %s", reqs[1].Body)
	}
	if reqs[1].Header.Get("Authorization") != "Bearer "+testToken {
		t.Errorf("upsert without the session")
	}
}

func TestBillingPricesFilterAndEmpty(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/admin/billing/prices", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"prices": nil})
	})
	inactive := false
	ps, _, err := f.client.Billing().Prices(context.Background(), PriceFilter{Active: &inactive, Product: "prod_1", Currency: "usd", Interval: "month"})
	if err != nil || ps == nil || len(ps) != 0 {
		t.Fatalf("Prices = %#v, %v (want an empty, non-nil slice)", ps, err)
	}
	q := f.wantRequests(1)[0].Query
	for _, want := range []string{"active=false", "product=prod_1", "currency=usd", "interval=month"} {
		if !strings.Contains(q, want) {
			t.Errorf("query %q lacks %s", q, want)
		}
	}
}

func TestBillingEntitlementShapes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/admin/billing/entitlements/get", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("feature") == "wrapped" {
			reply(w, 200, map[string]any{"referenceId": "u1", "entitlement": map[string]any{"featureKey": "wrapped", "limit": 5, "used": 7, "overage": true}})
			return
		}
		reply(w, 200, map[string]any{"featureKey": "bare", "limit": nil, "balance": nil, "used": 2})
	})
	e, _, err := f.client.Billing().Entitlement(context.Background(), "u1", "wrapped")
	if err != nil || e.FeatureKey != "wrapped" || e.Limit == nil || *e.Limit != 5 || !e.Overage {
		t.Fatalf("wrapped = %+v, %v", e, err)
	}
	e, _, err = f.client.Billing().Entitlement(context.Background(), "u1", "bare")
	if err != nil || e.FeatureKey != "bare" || e.Limit != nil || e.Used != 2 {
		t.Fatalf("bare = %+v, %v", e, err)
	}
}

func TestBillingUsageSinceAndTrack(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/admin/billing/usage", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"events": []any{map[string]any{"id": "e1", "quantity": 3, "occurredAt": 1700000000}}, "total": 3})
	})
	f.mux.HandleFunc("POST /api/admin/billing/usage", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"event": map[string]any{"id": "e1"}, "duplicate": true})
	})
	u, _, err := f.client.Billing().Usage(context.Background(), "u1", "calls", time.Unix(1699999000, 0))
	if err != nil || u.Total != 3 || len(u.Events) != 1 {
		t.Fatalf("Usage = %+v, %v", u, err)
	}
	_, dup, _, err := f.client.Billing().TrackUsage(context.Background(), UsageInput{ReferenceID: "u1", FeatureKey: "calls", Quantity: 1, IdempotencyKey: "k"})
	if err != nil || !dup {
		t.Fatalf("TrackUsage dup = %v, %v", dup, err)
	}
	reqs := f.wantRequests(2)
	if !strings.Contains(reqs[0].Query, "since=1699999000") || !strings.Contains(reqs[0].Query, "feature=calls") {
		t.Errorf("usage query = %q", reqs[0].Query)
	}
	var body map[string]any
	if err := json.Unmarshal(reqs[1].Body, &body); err != nil || body["idempotencyKey"] != "k" {
		t.Errorf("track body = %s", reqs[1].Body)
	}
	if _, ok := body["occurredAt"]; ok {
		t.Errorf("occurredAt sent although not given: %s", reqs[1].Body)
	}
}

func TestBillingRouteMissing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/admin/billing/webhooks/health", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 404, map[string]any{"code": "NOT_FOUND"})
	})
	_, _, err := f.client.Billing().WebhookHealth(context.Background())
	if ae := apiError(t, err); !ae.RouteMissing {
		t.Fatalf("want RouteMissing, got %+v", ae)
	}
}

func TestPostStripeWebhook(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("POST /api/auth/stripe/webhook", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Stripe-Signature") == "t=1,v1=bad" {
			reply(w, 400, map[string]any{"code": "INVALID_SIGNATURE", "message": "signature mismatch"})
			return
		}
		reply(w, 200, map[string]any{"received": true})
	})
	payload := []byte(`{"id":"evt_1","type":"customer.subscription.created"}`)
	res, _, err := f.client.Billing().PostStripeWebhook(context.Background(), payload, "t=1,v1=good")
	if err != nil || !res.Received {
		t.Fatalf("good = %+v, %v", res, err)
	}
	_, _, err = f.client.Billing().PostStripeWebhook(context.Background(), payload, "t=1,v1=bad")
	if ae := apiError(t, err); ae.Code != "INVALID_SIGNATURE" || ae.Message != "signature mismatch" || ae.Attempts != 1 {
		t.Fatalf("bad = %+v", ae)
	}
	reqs := f.wantRequests(2)
	if string(reqs[0].Body) != string(payload) {
		t.Errorf("the raw payload was not sent as is: %s", reqs[0].Body)
	}
	if reqs[0].Header.Get("Authorization") != "" || reqs[0].Header.Get("x-api-key") != "" {
		t.Errorf("the webhook carried credentials: %v", reqs[0].Header)
	}
}

func TestBillingDryRunSendsNoMutation(t *testing.T) {
	t.Parallel()
	var planned []PlannedRequest
	f := setup(t, WithDryRun(func(p PlannedRequest) { planned = append(planned, p) }))
	f.mux.HandleFunc("GET /api/admin/billing/products", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"products": []any{}})
	})
	if _, _, err := f.client.Billing().Products(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := f.client.Billing().UpsertProduct(context.Background(), ProductInput{ID: "p"})
	var dry *DryRunError
	if !asDryRun(err, &dry) {
		t.Fatalf("upsert in dry run = %v", err)
	}
	if _, err := f.client.Billing().ArchivePrice(context.Background(), "price_1"); !asDryRun(err, &dry) {
		t.Fatalf("archive in dry run = %v", err)
	}
	f.wantRequests(1)
	if len(planned) != 2 || !strings.HasSuffix(planned[0].Path, "/api/admin/billing/products/upsert") || !strings.HasSuffix(planned[1].Path, "/api/admin/billing/prices/archive") {
		t.Errorf("planned = %+v", planned)
	}
}

func asDryRun(err error, target **DryRunError) bool {
	d, ok := err.(*DryRunError)
	if ok {
		*target = d
	}
	return ok
}
