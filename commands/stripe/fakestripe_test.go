package stripecmd

// These tests run the stripe commands against an httptest server on 127.0.0.1 that answers
// like Stripe's API. This is deliberate and limited to what nothing else can produce: the
// real Stripe cannot be reached from the tests, and stripe-mock (used by the acceptance
// scripts) accepts every key for every resource, always answers has_more=false and never has
// events whose delivery failed. So the fake answers only what stripe-mock cannot: HTTP 403
// for a restricted key's read probes, an events list with pending_webhooks > 0, and product
// and price lists paged over 3 pages with has_more / starting_after. The Kernia side is a
// second small httptest server with the dashboard billing routes the commands call.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

const (
	fakeRestrictedKey = "rk_test_51FakeRestrictedKeyXX9999"
	fakeSecretKey     = "sk_test_51FakeSecretKeyYYYYYY4242"
)

// loopbackServer starts an httptest server bound to 127.0.0.1 only.
func loopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// stripeForbidden is Stripe's answer to a restricted key lacking a permission.
func stripeForbidden(w http.ResponseWriter, perm string) {
	writeJSON(w, http.StatusForbidden, map[string]any{"error": map[string]any{
		"type": "invalid_request_error",
		"message": "The provided key 'rk_test_*******************9999' does not have the required permissions for this endpoint on account 'acct_1Fake'. " +
			"Having the '" + perm + "' permission would allow this request to continue.",
	}})
}

func stripeList(url string, data []map[string]any, hasMore bool) map[string]any {
	if data == nil {
		data = []map[string]any{}
	}
	return map[string]any{"object": "list", "url": url, "has_more": hasMore, "data": data}
}

// fakeStripe answers like Stripe. deny lists the resources (products, prices,
// webhook_endpoints, events) the key may not read (HTTP 403).
type fakeStripe struct {
	mu       sync.Mutex
	deny     map[string]bool
	endpoint string // the webhook endpoint URL Stripe knows
	events   []map[string]any
	cursors  map[string][]string // resource -> starting_after of each page requested
	eventQ   []string            // raw query of each events request
}

func (s *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("Authorization"); got != "Bearer "+fakeRestrictedKey && got != "Bearer "+fakeSecretKey {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"type": "invalid_request_error", "message": "Invalid API Key provided"}})
		return
	}
	resource := strings.TrimPrefix(r.URL.Path, "/v1/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deny[resource] {
		stripeForbidden(w, "rak_"+strings.TrimSuffix(resource, "s")+"_read")
		return
	}
	q := r.URL.Query()
	switch resource {
	case "account":
		writeJSON(w, http.StatusOK, map[string]any{"id": "acct_1Fake", "object": "account", "email": "billing@example.com"})
	case "products", "prices":
		if s.cursors == nil {
			s.cursors = map[string][]string{}
		}
		after := q.Get("starting_after")
		s.cursors[resource] = append(s.cursors[resource], after)
		// 5 objects over 3 pages: [1 2] [3 4] [5], whatever limit was asked.
		prefix := map[string]string{"products": "prod_", "prices": "price_"}[resource]
		pages := map[string][]int{"": {1, 2}, prefix + "2": {3, 4}, prefix + "4": {5}}
		idx, ok := pages[after]
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"type": "invalid_request_error", "message": "bad starting_after " + after}})
			return
		}
		var data []map[string]any
		for _, i := range idx {
			if resource == "products" {
				data = append(data, map[string]any{"id": fmt.Sprintf("prod_%d", i), "object": "product", "name": fmt.Sprintf("Product %d", i), "active": true, "metadata": map[string]any{}})
			} else {
				data = append(data, map[string]any{"id": fmt.Sprintf("price_%d", i), "object": "price", "product": fmt.Sprintf("prod_%d", i), "active": true,
					"currency": "usd", "unit_amount": 100 * i, "type": "recurring", "recurring": map[string]any{"interval": "month", "interval_count": 1}, "metadata": map[string]any{}})
			}
		}
		writeJSON(w, http.StatusOK, stripeList("/v1/"+resource, data, after != prefix+"4"))
	case "webhook_endpoints":
		writeJSON(w, http.StatusOK, stripeList("/v1/webhook_endpoints", []map[string]any{{
			"id": "we_1Fake", "object": "webhook_endpoint", "url": s.endpoint, "status": "enabled", "enabled_events": []string{"*"},
		}}, false))
	case "events":
		s.eventQ = append(s.eventQ, r.URL.RawQuery)
		writeJSON(w, http.StatusOK, stripeList("/v1/events", s.events, false))
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"type": "invalid_request_error", "message": "Unrecognized request URL"}})
	}
}

// fakeKernia serves the dashboard billing routes sync and webhooks call: an empty catalog
// that records upserts, and a healthy webhook record.
type fakeKernia struct {
	mu       sync.Mutex
	products []string
	prices   []string
}

func (k *fakeKernia) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var in struct {
		ID string `json:"id"`
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /api/admin/billing/products":
		writeJSON(w, http.StatusOK, map[string]any{"products": []any{}})
	case "GET /api/admin/billing/prices":
		writeJSON(w, http.StatusOK, map[string]any{"prices": []any{}})
	case "POST /api/admin/billing/products/upsert":
		_ = json.NewDecoder(r.Body).Decode(&in)
		k.products = append(k.products, in.ID)
		writeJSON(w, http.StatusOK, map[string]any{"product": map[string]any{"id": in.ID}, "created": true, "changed": true})
	case "POST /api/admin/billing/prices/upsert":
		_ = json.NewDecoder(r.Body).Decode(&in)
		k.prices = append(k.prices, in.ID)
		writeJSON(w, http.StatusOK, map[string]any{"price": map[string]any{"id": in.ID}, "created": true, "changed": true})
	case "GET /api/admin/billing/webhooks/health":
		now := time.Now().UTC().Format(time.RFC3339)
		writeJSON(w, http.StatusOK, map[string]any{"lastReceivedAt": now, "lastAcceptedAt": now, "received24h": 3, "accepted24h": 3, "recent": []any{}})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"code": "NOT_FOUND", "message": "no route " + r.URL.Path})
	}
}

type cmdResult struct {
	stdout, stderr string
	code           int
	err            error
}

// runStripeCmd runs a stripe command against the fakes with key in STRIPE_API_KEY.
func runStripeCmd(t *testing.T, stripeBase, kerniaBase, key string, newCmd func(*cmdutil.Factory) *cobra.Command, args ...string) cmdResult {
	t.Helper()
	ios, _, stdout, stderr := output.Test()
	env := map[string]string{"STRIPE_API_KEY": key, "STRIPE_API_BASE": stripeBase}
	f := &cmdutil.Factory{
		IOStreams: ios,
		Now:       time.Now,
		Getenv:    func(k string) string { return env[k] },
		Scrubber:  &redact.Scrubber{},
		Flags:     &cmdutil.GlobalFlags{},
		APIClient: func(opts ...apiclient.Option) (*apiclient.Client, error) {
			return apiclient.NewClient(kerniaBase, append([]apiclient.Option{apiclient.WithToken("test-admin-session")}, opts...)...)
		},
	}
	cmd := newCmd(f)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	res := cmdResult{stdout: stdout.String(), stderr: stderr.String(), err: err}
	if err != nil {
		res.code, _, _ = cmdutil.Describe(err, cmdutil.AuthContext{})
	}
	for _, s := range []string{res.stdout, res.stderr, fmt.Sprint(err)} {
		if strings.Contains(s, key) {
			t.Errorf("the Stripe key leaked: %s", s)
		}
	}
	return res
}

func validateCmd(f *cmdutil.Factory) *cobra.Command { return newCmdValidate(f, nil) }
func syncCmd(f *cmdutil.Factory) *cobra.Command     { return newCmdSync(f, nil) }
func webhooksCmd(f *cmdutil.Factory) *cobra.Command { return newCmdWebhooks(f, nil) }

func TestFakeStripeRestrictedKeyWithoutReadAccess(t *testing.T) {
	fs := &fakeStripe{deny: map[string]bool{"products": true, "webhook_endpoints": true}}
	stripeSrv := loopbackServer(t, fs)
	kernia := &fakeKernia{}
	kerniaSrv := loopbackServer(t, kernia)
	fs.endpoint = kerniaSrv.URL + webhookPath

	// validate: the key works (exit 0) but the verdict names what it cannot read.
	res := runStripeCmd(t, stripeSrv.URL, kerniaSrv.URL, fakeRestrictedKey, validateCmd, "--json")
	if res.err != nil {
		t.Fatalf("validate: exit %d: %v", res.code, res.err)
	}
	var v validateView
	if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
		t.Fatalf("validate output: %v\n%s", err, res.stdout)
	}
	if !v.Valid || v.KeyType != "restricted" || v.Mode != "test" || v.AccountID != "acct_1Fake" {
		t.Errorf("validate view = %+v", v)
	}
	if want := "restricted: cannot read products, webhook_endpoints"; v.Access != want {
		t.Errorf("access = %q, want %q", v.Access, want)
	}
	reads := map[string]bool{}
	for _, p := range v.Permissions {
		reads[p.Resource] = p.Read
		if !p.Read && !strings.Contains(p.Detail, "does not have the required permissions") {
			t.Errorf("%s: detail %q", p.Resource, p.Detail)
		}
	}
	if want := map[string]bool{"products": false, "prices": true, "webhook_endpoints": false, "events": true}; fmt.Sprint(reads) != fmt.Sprint(want) {
		t.Errorf("permissions = %v, want %v", reads, want)
	}
	if want := "warning: the restricted key cannot read products, webhook_endpoints: stripe sync and stripe webhooks need read access"; !strings.Contains(res.stderr, want) {
		t.Errorf("stderr = %q, want %q", res.stderr, want)
	}

	// With every probe allowed, the verdict says so and nothing is printed on stderr.
	fs.mu.Lock()
	fs.deny = nil
	fs.mu.Unlock()
	res = runStripeCmd(t, stripeSrv.URL, kerniaSrv.URL, fakeRestrictedKey, validateCmd, "--jq", ".access")
	if res.err != nil || strings.TrimSpace(res.stdout) != "restricted: reads products, prices, webhook endpoints and events" || res.stderr != "" {
		t.Errorf("all readable: exit %d stdout %q stderr %q", res.code, res.stdout, res.stderr)
	}
	fs.mu.Lock()
	fs.deny = map[string]bool{"products": true, "webhook_endpoints": true}
	fs.mu.Unlock()

	// sync needs products: exit 4 (forbidden), nothing upserted.
	res = runStripeCmd(t, stripeSrv.URL, kerniaSrv.URL, fakeRestrictedKey, syncCmd)
	if res.code != cmdutil.ExitForbidden || !strings.Contains(res.err.Error(), "the Stripe key may not do this while listing products (HTTP 403)") {
		t.Errorf("sync: exit %d, err %v", res.code, res.err)
	}
	if len(kernia.products)+len(kernia.prices) != 0 {
		t.Errorf("sync upserted %v %v after a 403", kernia.products, kernia.prices)
	}

	// webhooks needs webhook endpoints: exit 4.
	res = runStripeCmd(t, stripeSrv.URL, kerniaSrv.URL, fakeRestrictedKey, webhooksCmd)
	if res.code != cmdutil.ExitForbidden || !strings.Contains(res.err.Error(), "the Stripe key may not do this while listing webhook endpoints (HTTP 403)") {
		t.Errorf("webhooks: exit %d, err %v", res.code, res.err)
	}
}

func TestFakeStripeWebhooksFailedDeliveries(t *testing.T) {
	now := time.Now()
	fs := &fakeStripe{}
	stripeSrv := loopbackServer(t, fs)
	kerniaSrv := loopbackServer(t, &fakeKernia{})
	fs.endpoint = kerniaSrv.URL + webhookPath

	// Healthy first: the endpoint is right and no event is pending.
	res := runStripeCmd(t, stripeSrv.URL, kerniaSrv.URL, fakeSecretKey, webhooksCmd, "--json")
	if res.err != nil {
		t.Fatalf("healthy: exit %d: %v\n%s", res.code, res.err, res.stdout)
	}
	var v webhooksView
	if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
		t.Fatal(err)
	}
	if !v.Healthy || v.Verdict != "healthy" {
		t.Fatalf("verdict = %q", v.Verdict)
	}

	// Two recent events still pending delivery, one delivered, one pending but 2 days old.
	fs.mu.Lock()
	fs.events = []map[string]any{
		{"id": "evt_pending1", "object": "event", "type": "customer.subscription.updated", "created": now.Add(-time.Hour).Unix(), "pending_webhooks": 2},
		{"id": "evt_delivered", "object": "event", "type": "customer.subscription.created", "created": now.Add(-2 * time.Hour).Unix(), "pending_webhooks": 0},
		{"id": "evt_pending2", "object": "event", "type": "checkout.session.completed", "created": now.Add(-3 * time.Hour).Unix(), "pending_webhooks": 1},
		{"id": "evt_old", "object": "event", "type": "customer.subscription.deleted", "created": now.Add(-48 * time.Hour).Unix(), "pending_webhooks": 1},
	}
	fs.mu.Unlock()
	res = runStripeCmd(t, stripeSrv.URL, kerniaSrv.URL, fakeSecretKey, webhooksCmd)
	if res.code != cmdutil.ExitFailure {
		t.Fatalf("failed deliveries: exit %d, want 1 (err %v)", res.code, res.err)
	}
	wantDetail := "2 event(s) not delivered: evt_pending1 (customer.subscription.updated), evt_pending2 (checkout.session.completed)"
	if !strings.Contains(res.stdout, "stripe\tfailed deliveries (24h)\tfail\t"+wantDetail+"\n") {
		t.Errorf("check row missing:\n%s", res.stdout)
	}
	if !strings.Contains(res.stdout, "-\tverdict\tfail\tunhealthy: "+wantDetail+"\n") {
		t.Errorf("verdict row missing:\n%s", res.stdout)
	}
	if want := "Stripe webhooks are unhealthy: " + wantDetail; res.err == nil || res.err.Error() != want {
		t.Errorf("err = %v, want %q", res.err, want)
	}
	// Stripe was asked only for undelivered events of the last 24 hours.
	fs.mu.Lock()
	last := fs.eventQ[len(fs.eventQ)-1]
	fs.mu.Unlock()
	if !strings.Contains(last, "delivery_success=false") || !strings.Contains(last, "created[gte]=") {
		t.Errorf("events query = %q", last)
	}
}

func TestFakeStripeSyncPagesThrough(t *testing.T) {
	fs := &fakeStripe{}
	stripeSrv := loopbackServer(t, fs)
	kernia := &fakeKernia{}
	kerniaSrv := loopbackServer(t, kernia)

	res := runStripeCmd(t, stripeSrv.URL, kerniaSrv.URL, fakeSecretKey, syncCmd, "--json")
	if res.err != nil {
		t.Fatalf("sync: exit %d: %v", res.code, res.err)
	}
	// Every page was requested, each after the last object of the one before.
	for _, r := range []struct{ resource, prefix string }{{"products", "prod_"}, {"prices", "price_"}} {
		if got, want := fs.cursors[r.resource], []string{"", r.prefix + "2", r.prefix + "4"}; !slices.Equal(got, want) {
			t.Errorf("%s pages requested with starting_after %q, want %q", r.resource, got, want)
		}
	}
	// Every object of every page reached the server.
	if want := []string{"prod_1", "prod_2", "prod_3", "prod_4", "prod_5"}; !slices.Equal(kernia.products, want) {
		t.Errorf("products upserted = %v, want %v", kernia.products, want)
	}
	if want := []string{"price_1", "price_2", "price_3", "price_4", "price_5"}; !slices.Equal(kernia.prices, want) {
		t.Errorf("prices upserted = %v, want %v", kernia.prices, want)
	}
	var out syncResult
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}
	if out.Summary != (syncSummary{Created: 10}) || len(out.Changes) != 10 {
		t.Errorf("summary = %+v, %d changes", out.Summary, len(out.Changes))
	}
}
