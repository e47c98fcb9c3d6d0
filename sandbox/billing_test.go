package sandbox

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// ---- helpers ----

func (e *testEnv) adminDo(method, path, body string) map[string]any {
	e.t.Helper()
	return e.expect(e.call(method, path, body, e.admin), 200)
}

func (e *testEnv) feature(body string) map[string]any {
	e.t.Helper()
	return e.adminDo("POST", "/api/admin/billing/features", body)["feature"].(map[string]any)
}

func (e *testEnv) plan(body string) map[string]any {
	e.t.Helper()
	return e.adminDo("POST", "/api/admin/billing/plans", body)["plan"].(map[string]any)
}

func (e *testEnv) product(id string) map[string]any {
	e.t.Helper()
	return e.adminDo("POST", "/api/admin/billing/products/upsert", mustJSON(map[string]any{"id": id, "name": "Product " + id}))
}

// price upserts a price; interval "" makes a one_time price.
func (e *testEnv) price(id, product, interval string, amount int64) map[string]any {
	e.t.Helper()
	m := map[string]any{"id": id, "productId": product, "currency": "usd", "unitAmount": amount, "type": "one_time"}
	if interval != "" {
		m["type"], m["interval"] = "recurring", interval
	}
	return e.adminDo("POST", "/api/admin/billing/prices/upsert", mustJSON(m))
}

func (e *testEnv) entitlements(ref string) map[string]any {
	e.t.Helper()
	return e.adminDo("GET", "/api/admin/billing/entitlements?referenceId="+ref, "")
}

// entry returns the entitlement entry of feature key.
func entry(t *testing.T, view map[string]any, key string) map[string]any {
	t.Helper()
	for _, x := range view["entitlements"].([]any) {
		if m := x.(map[string]any); m["featureKey"] == key {
			return m
		}
	}
	t.Fatalf("no entitlement %s in %v", key, view)
	return nil
}

func num(v int64) float64 { return float64(v) }

func assertFields(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %#v, want %#v (all: %v)", what, k, got[k], w, got)
		}
	}
}

// ---- catalog ----

func TestBillingCatalogUpsert(t *testing.T) {
	e := newEnv(t)
	body := `{"id":"prod_A","name":"Pro","description":"Pro plan","active":true,"metadata":{"b":"2","a":"1"}}`
	m := e.adminDo("POST", "/api/admin/billing/products/upsert", body)
	if m["created"] != true || m["changed"] != true {
		t.Fatalf("first upsert %v", m)
	}
	p := m["product"].(map[string]any)
	assertFields(t, "product", p, map[string]any{"id": "prod_A", "name": "Pro", "description": "Pro plan", "active": true,
		"archivedAt": nil, "createdAt": num(e.clock.Now().Unix())})
	if md := p["metadata"].(map[string]any); md["a"] != "1" || md["b"] != "2" {
		t.Errorf("metadata %v", md)
	}
	// Identical (keys in another order): nothing changes.
	m = e.adminDo("POST", "/api/admin/billing/products/upsert",
		`{"metadata":{"a":"1","b":"2"},"active":true,"description":"Pro plan","name":"Pro","id":"prod_A"}`)
	if m["created"] != false || m["changed"] != false {
		t.Fatalf("identical upsert %v", m)
	}
	e.clock.Advance(time.Minute)
	m = e.adminDo("POST", "/api/admin/billing/products/upsert", `{"id":"prod_A","name":"Pro 2","description":"Pro plan","metadata":{"a":"1","b":"2"}}`)
	if m["created"] != false || m["changed"] != true || m["product"].(map[string]any)["name"] != "Pro 2" {
		t.Fatalf("changed upsert %v", m)
	}
	// "" description is read as null, twice the same.
	e.adminDo("POST", "/api/admin/billing/products/upsert", `{"id":"prod_B","name":"B","description":"","active":false}`)
	if m := e.adminDo("POST", "/api/admin/billing/products/upsert", `{"id":"prod_B","name":"B","description":"","active":false}`); m["changed"] != false ||
		m["product"].(map[string]any)["description"] != nil {
		t.Fatalf("prod_B %v", m)
	}
	list := e.adminDo("GET", "/api/admin/billing/products?active=true", "")["products"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != "prod_A" {
		t.Fatalf("active products %v", list)
	}
	if n := len(e.adminDo("GET", "/api/admin/billing/products", "")["products"].([]any)); n != 2 {
		t.Fatalf("all products %d", n)
	}
	e.expectErr(e.call("GET", "/api/admin/billing/products?active=maybe", "", e.admin), 400, "INVALID_REQUEST")

	// Archive: active=false, archivedAt; again: changed=false; upsert revives.
	m = e.adminDo("POST", "/api/admin/billing/products/archive", `{"id":"prod_A"}`)
	p = m["product"].(map[string]any)
	if m["changed"] != true || p["active"] != false || p["archivedAt"] != num(e.clock.Now().Unix()) {
		t.Fatalf("archive %v", m)
	}
	if m := e.adminDo("POST", "/api/admin/billing/products/archive", `{"id":"prod_A"}`); m["changed"] != false {
		t.Fatalf("archive again %v", m)
	}
	e.expectErr(e.call("POST", "/api/admin/billing/products/archive", `{"id":"prod_none"}`, e.admin), 404, "PRODUCT_NOT_FOUND")
	m = e.adminDo("POST", "/api/admin/billing/products/upsert", `{"id":"prod_A","name":"Pro 2","description":"Pro plan","metadata":{"a":"1","b":"2"}}`)
	if m["changed"] != true || m["product"].(map[string]any)["archivedAt"] != nil || m["product"].(map[string]any)["active"] != true {
		t.Fatalf("revive %v", m)
	}

	// Validation.
	for _, b := range []string{`{}`, `{"id":"x"}`, `{"id":"x","name":""}`, `{"id":"x","name":"n","active":"yes"}`,
		`{"id":"x","name":"n","metadata":[1]}`, `{"id":"x","name":"n","description":5}`} {
		e.expectErr(e.call("POST", "/api/admin/billing/products/upsert", b, e.admin), 400, "INVALID_REQUEST")
	}
}

func TestBillingPrices(t *testing.T) {
	e := newEnv(t)
	e.product("prod_A")
	e.expectErr(e.call("POST", "/api/admin/billing/prices/upsert",
		`{"id":"price_x","productId":"prod_none","currency":"usd","unitAmount":1,"type":"one_time"}`, e.admin), 404, "PRODUCT_NOT_FOUND")
	monthly := `{"id":"price_m","productId":"prod_A","active":true,"currency":"USD","unitAmount":2000,"type":"recurring",
		"interval":"month","intervalCount":1,"lookupKey":"pro_monthly","nickname":"Pro monthly","metadata":{}}`
	m := e.adminDo("POST", "/api/admin/billing/prices/upsert", monthly)
	if m["created"] != true || m["changed"] != true {
		t.Fatalf("create %v", m)
	}
	assertFields(t, "price", m["price"].(map[string]any), map[string]any{"currency": "usd", "unitAmount": num(2000),
		"type": "recurring", "interval": "month", "intervalCount": num(1), "lookupKey": "pro_monthly", "planId": nil})
	if m := e.adminDo("POST", "/api/admin/billing/prices/upsert", monthly); m["created"] != false || m["changed"] != false {
		t.Fatalf("identical %v", m)
	}
	// Annual, and a one-time price sent the way a client without null does.
	e.price("price_y", "prod_A", "year", 20000)
	oneTime := `{"id":"price_o","productId":"prod_A","active":true,"currency":"eur","unitAmount":500,"type":"one_time",
		"interval":"","intervalCount":0,"lookupKey":"","nickname":"","metadata":{}}`
	m = e.adminDo("POST", "/api/admin/billing/prices/upsert", oneTime)
	assertFields(t, "one_time", m["price"].(map[string]any), map[string]any{"interval": nil, "intervalCount": nil, "lookupKey": nil})
	if m := e.adminDo("POST", "/api/admin/billing/prices/upsert", oneTime); m["changed"] != false {
		t.Fatalf("one_time identical %v", m)
	}
	// Tiered prices have no unitAmount.
	e.adminDo("POST", "/api/admin/billing/prices/upsert",
		`{"id":"price_t","productId":"prod_A","currency":"usd","unitAmount":null,"type":"recurring","interval":"month","active":false}`)

	for _, b := range []string{
		`{"id":"p","productId":"prod_A","currency":"usd","type":"weekly"}`,
		`{"id":"p","productId":"prod_A","currency":"usd","type":"recurring"}`,
		`{"id":"p","productId":"prod_A","currency":"usd","type":"recurring","interval":"fortnight"}`,
		`{"id":"p","productId":"prod_A","currency":"usd","type":"one_time","interval":"month"}`,
		`{"id":"p","productId":"prod_A","currency":"dollars","type":"one_time"}`,
		`{"id":"p","productId":"prod_A","currency":"usd","type":"one_time","unitAmount":-1}`,
		`{"id":"p","productId":"prod_A","currency":"usd","type":"one_time","unitAmount":"100"}`,
		`{"id":"p","productId":"prod_A","currency":"usd","type":"one_time","unitAmount":1.5}`,
		`{"id":"p","productId":"prod_A","currency":"usd","type":"recurring","interval":"month","intervalCount":-2}`,
	} {
		r := e.call("POST", "/api/admin/billing/prices/upsert", b, e.admin)
		if m := e.expectErr(r, 400, "INVALID_REQUEST"); m["message"] == "INVALID_REQUEST" {
			t.Errorf("%s: no explanatory message", b)
		}
	}

	ids := func(q string) []string {
		var out []string
		for _, p := range e.adminDo("GET", "/api/admin/billing/prices"+q, "")["prices"].([]any) {
			out = append(out, p.(map[string]any)["id"].(string))
		}
		return out
	}
	for q, want := range map[string]string{
		"":                   "[price_m price_o price_t price_y]",
		"?active=true":       "[price_m price_o price_y]",
		"?active=false":      "[price_t]",
		"?interval=month":    "[price_m price_t]",
		"?interval=year":     "[price_y]",
		"?interval=one_time": "[price_o]",
		"?currency=EUR":      "[price_o]",
		"?product=prod_A&currency=usd&interval=month&active=true": "[price_m]",
		"?product=prod_none": "[]",
	} {
		if got := fmtList(ids(q)); got != want {
			t.Errorf("prices%s = %s, want %s", q, got, want)
		}
	}
	e.expectErr(e.call("GET", "/api/admin/billing/prices?interval=decade", "", e.admin), 400, "INVALID_REQUEST")

	// Monthly and annual share a plan; re-upserting keeps the mapping.
	e.plan(`{"id":"pro","name":"Pro"}`)
	if p := e.adminDo("POST", "/api/admin/billing/prices/map", `{"priceId":"price_m","planId":"pro"}`)["price"].(map[string]any); p["planId"] != "pro" {
		t.Fatalf("map %v", p)
	}
	e.adminDo("POST", "/api/admin/billing/prices/map", `{"priceId":"price_y","planId":"pro"}`)
	if m := e.adminDo("POST", "/api/admin/billing/prices/upsert", monthly); m["changed"] != false || m["price"].(map[string]any)["planId"] != "pro" {
		t.Fatalf("re-upsert lost mapping %v", m)
	}
	if got := fmtList(ids("?plan=pro")); got != "[price_m price_y]" {
		t.Errorf("prices of plan %s", got)
	}
	pl := e.adminDo("GET", "/api/admin/billing/plans/get?id=pro", "")["plan"].(map[string]any)
	if fmtAny(pl["prices"]) != "[price_m price_y]" {
		t.Errorf("plan prices %v", pl["prices"])
	}
	e.expectErr(e.call("POST", "/api/admin/billing/prices/map", `{"priceId":"price_none","planId":"pro"}`, e.admin), 404, "PRICE_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/admin/billing/prices/map", `{"priceId":"price_m","planId":"nope"}`, e.admin), 404, "PLAN_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/admin/billing/prices/map", `{"priceId":"price_m"}`, e.admin), 400, "INVALID_REQUEST")
	// planId null unmaps.
	if p := e.adminDo("POST", "/api/admin/billing/prices/map", `{"priceId":"price_y","planId":null}`)["price"].(map[string]any); p["planId"] != nil {
		t.Fatalf("unmap %v", p)
	}

	m = e.adminDo("POST", "/api/admin/billing/prices/archive", `{"id":"price_o"}`)
	if m["changed"] != true || m["price"].(map[string]any)["active"] != false || m["price"].(map[string]any)["archivedAt"] == nil {
		t.Fatalf("archive %v", m)
	}
	e.expectErr(e.call("POST", "/api/admin/billing/prices/archive", `{"id":"price_none"}`, e.admin), 404, "PRICE_NOT_FOUND")

	// Audit: one event per real change only.
	ev := e.adminDo("GET", "/api/admin/audit?action=billing.price.upsert", "")
	if ev["total"] != float64(4) {
		t.Errorf("billing.price.upsert events = %v, want 4", ev["total"])
	}
	ev = e.adminDo("GET", "/api/admin/audit?action=billing.price.map", "")
	if ev["total"] != float64(3) {
		t.Errorf("billing.price.map events = %v, want 3", ev["total"])
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}

func fmtAny(v any) string {
	var s []string
	for _, x := range v.([]any) {
		s = append(s, x.(string))
	}
	return fmtList(s)
}

// ---- features and plans ----

func TestBillingFeaturesAndPlans(t *testing.T) {
	e := newEnv(t)
	f := e.feature(`{"key":"api.calls","name":"API calls","kind":"metered","includedAmount":1000,"resetPeriod":"month","overageAllowed":true}`)
	assertFields(t, "feature", f, map[string]any{"key": "api.calls", "kind": "metered", "includedAmount": num(1000),
		"resetPeriod": "month", "overageAllowed": true})
	e.feature(`{"key":"sso","name":"SSO","kind":"boolean","resetPeriod":null}`)
	e.feature(`{"key":"seats","name":"Seats","kind":"seats"}`)
	e.expectErr(e.call("POST", "/api/admin/billing/features", `{"key":"api.calls","name":"again","kind":"metered"}`, e.admin), 409, "FEATURE_EXISTS")
	for _, b := range []string{
		`{"key":"Bad Key","name":"x","kind":"metered"}`,
		`{"key":"x","name":"x","kind":"credits"}`,
		`{"key":"x","name":"x","kind":"boolean","includedAmount":1}`,
		`{"key":"x","name":"x","kind":"metered","resetPeriod":"week"}`,
		`{"key":"x","name":"x","kind":"metered","includedAmount":-1}`,
		`{"key":"x","kind":"metered"}`,
	} {
		e.expectErr(e.call("POST", "/api/admin/billing/features", b, e.admin), 400, "INVALID_REQUEST")
	}
	if l := e.adminDo("GET", "/api/admin/billing/features", "")["features"].([]any); len(l) != 3 ||
		l[0].(map[string]any)["key"] != "api.calls" {
		t.Fatalf("features %v", l)
	}

	p := e.plan(`{"name":"Pro Plan!","description":"The pro plan"}`)
	assertFields(t, "plan", p, map[string]any{"id": "pro-plan", "name": "Pro Plan!", "description": "The pro plan"})
	if fmtAny(p["prices"]) != "[]" || len(p["features"].([]any)) != 0 {
		t.Errorf("new plan %v", p)
	}
	e.expectErr(e.call("POST", "/api/admin/billing/plans", `{"name":"Pro plan"}`, e.admin), 409, "PLAN_EXISTS")
	e.expectErr(e.call("POST", "/api/admin/billing/plans", `{"id":"Bad Id","name":"x"}`, e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/admin/billing/plans", `{"name":"!!!"}`, e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("GET", "/api/admin/billing/plans/get?id=nope", "", e.admin), 404, "PLAN_NOT_FOUND")
	e.expectErr(e.call("GET", "/api/admin/billing/plans/get", "", e.admin), 400, "INVALID_REQUEST")

	set := func(b string) []any {
		return e.adminDo("POST", "/api/admin/billing/plans/set-feature", b)["plan"].(map[string]any)["features"].([]any)
	}
	// limit absent on a new row: the feature's includedAmount.
	fs := set(`{"planId":"pro-plan","featureKey":"api.calls"}`)
	assertFields(t, "default limit", fs[0].(map[string]any), map[string]any{"key": "api.calls", "limit": num(1000), "enabled": true})
	fs = set(`{"planId":"pro-plan","featureKey":"api.calls","limit":5000}`)
	assertFields(t, "limit", fs[0].(map[string]any), map[string]any{"limit": num(5000)})
	// limit absent on an existing row keeps it; enabled changes.
	fs = set(`{"planId":"pro-plan","featureKey":"api.calls","enabled":false}`)
	assertFields(t, "disable", fs[0].(map[string]any), map[string]any{"limit": num(5000), "enabled": false})
	fs = set(`{"planId":"pro-plan","featureKey":"api.calls","limit":null,"enabled":true}`)
	assertFields(t, "unlimited", fs[0].(map[string]any), map[string]any{"limit": nil, "enabled": true})
	fs = set(`{"planId":"pro-plan","featureKey":"sso","limit":null}`)
	if len(fs) != 2 {
		t.Fatalf("features %v", fs)
	}
	e.expectErr(e.call("POST", "/api/admin/billing/plans/set-feature", `{"planId":"pro-plan","featureKey":"sso","limit":3}`, e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/admin/billing/plans/set-feature", `{"planId":"pro-plan","featureKey":"seats","limit":-3}`, e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/admin/billing/plans/set-feature", `{"planId":"nope","featureKey":"seats"}`, e.admin), 404, "PLAN_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/admin/billing/plans/set-feature", `{"planId":"pro-plan","featureKey":"nope"}`, e.admin), 404, "FEATURE_NOT_FOUND")
	pl := e.adminDo("GET", "/api/admin/billing/plans", "")["plans"].([]any)
	if len(pl) != 1 || len(pl[0].(map[string]any)["features"].([]any)) != 2 {
		t.Fatalf("plans %v", pl)
	}
}

// ---- entitlements ----

// setupPro creates features, a plan "pro" with api.calls limit 100, sso on
// and seats 5, and a monthly price mapped to it.
func setupPro(e *testEnv) {
	e.t.Helper()
	e.feature(`{"key":"api.calls","name":"API calls","kind":"metered","resetPeriod":"month","overageAllowed":true}`)
	e.feature(`{"key":"sso","name":"SSO","kind":"boolean"}`)
	e.feature(`{"key":"seats","name":"Seats","kind":"seats"}`)
	e.feature(`{"key":"exports","name":"Exports","kind":"quantity"}`)
	e.plan(`{"id":"pro","name":"Pro"}`)
	e.adminDo("POST", "/api/admin/billing/plans/set-feature", `{"planId":"pro","featureKey":"api.calls","limit":100}`)
	e.adminDo("POST", "/api/admin/billing/plans/set-feature", `{"planId":"pro","featureKey":"sso"}`)
	e.adminDo("POST", "/api/admin/billing/plans/set-feature", `{"planId":"pro","featureKey":"seats","limit":5}`)
	e.product("prod_pro")
	e.price("price_pro_m", "prod_pro", "month", 2000)
	e.adminDo("POST", "/api/admin/billing/prices/map", `{"priceId":"price_pro_m","planId":"pro"}`)
}

func TestBillingEntitlements(t *testing.T) {
	e := newEnv(t)
	setupPro(e)
	e.setWebhookSecret(testWebhookSecret)
	now := e.clock.Now().Unix()
	start, end := now-86400, now+29*86400
	e.postEvent(subscriptionEvent("evt_1", "customer.subscription.created", "sub_1", "cus_1", "active", "price_pro_m",
		start, end, map[string]any{"referenceId": e.userID}))

	track := func(qty int64, key string, occurred ...int64) map[string]any {
		b := map[string]any{"referenceId": e.userID, "featureKey": "api.calls", "quantity": qty, "idempotencyKey": key}
		if len(occurred) > 0 {
			b["occurredAt"] = occurred[0]
		}
		return e.adminDo("POST", "/api/admin/billing/usage", mustJSON(b))
	}
	if m := track(60, "k1"); m["duplicate"] != false || m["event"].(map[string]any)["quantity"] != num(60) {
		t.Fatalf("track %v", m)
	}
	// Before the period: not counted.
	track(1000, "k-old", start-10)
	v := e.entitlements(e.userID)
	if v["plan"].(map[string]any)["id"] != "pro" || v["periodStart"] != num(start) || v["periodEnd"] != num(end) {
		t.Fatalf("view %v", v)
	}
	assertFields(t, "api.calls", entry(t, v, "api.calls"), map[string]any{"kind": "metered", "limit": num(100),
		"granted": num(0), "used": num(60), "balance": num(40), "overage": false, "overageAllowed": true,
		"resetAt": num(end), "usageSince": num(start), "enabled": true})
	assertFields(t, "sso", entry(t, v, "sso"), map[string]any{"enabled": true, "limit": nil, "balance": nil, "overage": false})
	assertFields(t, "seats", entry(t, v, "seats"), map[string]any{"limit": num(5), "used": num(0), "balance": num(5), "resetAt": nil})
	// Not on the plan: limit 0.
	assertFields(t, "exports", entry(t, v, "exports"), map[string]any{"enabled": false, "limit": num(0), "balance": num(0)})

	// Grant 10 (recorded with the acting admin), then one expiring soon.
	g := e.adminDo("POST", "/api/admin/billing/grants", mustJSON(map[string]any{"referenceId": e.userID,
		"featureKey": "api.calls", "amount": 10, "reason": "support ticket 42"}))["grant"].(map[string]any)
	adminID := e.adminID()
	assertFields(t, "grant", g, map[string]any{"grantedBy": adminID, "amount": num(10), "expiresAt": nil,
		"createdAt": num(now), "reason": "support ticket 42", "active": true})
	e.adminDo("POST", "/api/admin/billing/grants", mustJSON(map[string]any{"referenceId": e.userID,
		"featureKey": "api.calls", "amount": 500, "reason": "trial boost", "expiresAt": now + 100}))
	assertFields(t, "granted", entry(t, e.entitlements(e.userID), "api.calls"),
		map[string]any{"granted": num(510), "balance": num(550), "overage": false})
	e.clock.Advance(101 * time.Second)
	// Expired grant ignored.
	assertFields(t, "expired", entry(t, e.entitlements(e.userID), "api.calls"),
		map[string]any{"granted": num(10), "used": num(60), "balance": num(50), "overage": false})
	if gs := e.adminDo("GET", "/api/admin/billing/grants?referenceId="+e.userID+"&active=false", "")["grants"].([]any); len(gs) != 1 ||
		gs[0].(map[string]any)["amount"] != num(500) || gs[0].(map[string]any)["active"] != false {
		t.Fatalf("expired grants %v", gs)
	}
	if gs := e.adminDo("GET", "/api/admin/billing/grants?referenceId="+e.userID, "")["grants"].([]any); len(gs) != 2 {
		t.Fatalf("grants %v", gs)
	}

	// Usage past limit+granted: overage. Idempotent repeat not counted twice.
	track(55, "k2")
	if m := track(55, "k2"); m["duplicate"] != true {
		t.Fatalf("repeat %v", m)
	}
	e.expectErr(e.call("POST", "/api/admin/billing/usage", mustJSON(map[string]any{"referenceId": e.userID,
		"featureKey": "api.calls", "quantity": 56, "idempotencyKey": "k2"}), e.admin), 409, "IDEMPOTENCY_KEY_REUSED")
	one := e.adminDo("GET", "/api/admin/billing/entitlements/get?referenceId="+e.userID+"&feature=api.calls", "")
	assertFields(t, "overage", one, map[string]any{"featureKey": "api.calls", "used": num(115), "limit": num(100),
		"granted": num(10), "balance": num(-5), "overage": true, "referenceId": e.userID})
	assertFields(t, "wrapped", one["entitlement"].(map[string]any), map[string]any{"used": num(115), "overage": true})
	e.expectErr(e.call("GET", "/api/admin/billing/entitlements/get?referenceId=x&feature=nope", "", e.admin), 404, "FEATURE_NOT_FOUND")
	e.expectErr(e.call("GET", "/api/admin/billing/entitlements", "", e.admin), 400, "INVALID_REQUEST")

	// Usage history.
	u := e.adminDo("GET", "/api/admin/billing/usage?referenceId="+e.userID+"&feature=api.calls", "")
	if u["total"] != num(1115) || u["count"] != num(3) || len(u["events"].([]any)) != 3 {
		t.Fatalf("usage %v", u)
	}
	u = e.adminDo("GET", "/api/admin/billing/usage?referenceId="+e.userID+"&since="+itoa(start), "")
	if u["total"] != num(115) || u["count"] != num(2) {
		t.Fatalf("usage since %v", u)
	}

	// Validation.
	for _, b := range []map[string]any{
		{"referenceId": e.userID, "featureKey": "api.calls", "quantity": 0, "idempotencyKey": "z"},
		{"referenceId": e.userID, "featureKey": "api.calls", "quantity": -1, "idempotencyKey": "z"},
		{"referenceId": e.userID, "featureKey": "api.calls", "quantity": 1},
		{"referenceId": e.userID, "featureKey": "api.calls", "quantity": "1", "idempotencyKey": "z"},
	} {
		e.expectErr(e.call("POST", "/api/admin/billing/usage", mustJSON(b), e.admin), 400, "INVALID_REQUEST")
	}
	e.expectErr(e.call("POST", "/api/admin/billing/usage", `{"referenceId":"r","featureKey":"nope","quantity":1,"idempotencyKey":"z"}`, e.admin),
		404, "FEATURE_NOT_FOUND")
	for _, b := range []string{
		`{"referenceId":"r","featureKey":"api.calls","amount":0,"reason":"x"}`,
		`{"referenceId":"r","featureKey":"api.calls","amount":5}`,
		`{"referenceId":"r","featureKey":"api.calls","amount":5,"reason":"x","expiresAt":1}`,
	} {
		e.expectErr(e.call("POST", "/api/admin/billing/grants", b, e.admin), 400, "INVALID_REQUEST")
	}
	// Seats take negative quantities (a seat released).
	e.adminDo("POST", "/api/admin/billing/usage", mustJSON(map[string]any{"referenceId": e.userID, "featureKey": "seats", "quantity": 3, "idempotencyKey": "s1"}))
	e.adminDo("POST", "/api/admin/billing/usage", mustJSON(map[string]any{"referenceId": e.userID, "featureKey": "seats", "quantity": -1, "idempotencyKey": "s2"}))
	assertFields(t, "seats", entry(t, e.entitlements(e.userID), "seats"), map[string]any{"used": num(2), "balance": num(3)})

	// Audit records grants and usage with the acting admin.
	ev := e.adminDo("GET", "/api/admin/audit?action=billing.grant.create", "")["events"].([]any)
	if len(ev) != 2 || ev[0].(map[string]any)["actorId"] != adminID {
		t.Fatalf("grant audit %v", ev)
	}

	// Cancel: no active subscription, plan null, everything back to limit 0.
	e.postEvent(subscriptionEvent("evt_2", "customer.subscription.deleted", "sub_1", "cus_1", "active", "price_pro_m",
		start, end, nil))
	v = e.entitlements(e.userID)
	if v["plan"] != nil {
		t.Fatalf("plan after cancel %v", v["plan"])
	}
	assertFields(t, "after cancel", entry(t, v, "api.calls"), map[string]any{"limit": num(0), "granted": num(10),
		"enabled": true, "overage": true})
}

func TestBillingEntitlementsCalendarWindow(t *testing.T) {
	e := newEnv(t) // clock: 2025-06-01 12:00 UTC
	e.feature(`{"key":"api.calls","name":"API calls","kind":"metered"}`)
	june1 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Unix()
	july1 := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i, at := range []int64{june1 - 1, june1, e.clock.Now().Unix()} {
		e.adminDo("POST", "/api/admin/billing/usage", mustJSON(map[string]any{"referenceId": "org_1", "featureKey": "api.calls",
			"quantity": 7, "idempotencyKey": "c" + itoa(int64(i)), "occurredAt": at}))
	}
	v := e.entitlements("org_1")
	if v["plan"] != nil || v["periodStart"] != num(june1) || v["periodEnd"] != num(july1) {
		t.Fatalf("view %v", v)
	}
	assertFields(t, "calendar", entry(t, v, "api.calls"), map[string]any{"used": num(14), "limit": num(0),
		"balance": num(-14), "overage": true, "overageAllowed": false, "resetAt": num(july1), "usageSince": num(june1)})
}

func TestUsageWindow(t *testing.T) {
	month, year := "month", "year"
	metered := &billingFeature{Kind: "metered", ResetPeriod: &month}
	yearly := &billingFeature{Kind: "metered", ResetPeriod: &year}
	at := func(y int, m time.Month, d int) int64 { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() }
	// Annual subscription anchored Jan 31, monthly reset: clamped month slices.
	sub := &subscriptionRow{PeriodStart: ptr(at(2025, 1, 31)), PeriodEnd: ptr(at(2026, 1, 31))}
	st, en := usageWindow(metered, sub, at(2025, 3, 5))
	if *st != at(2025, 2, 28) || *en != at(2025, 3, 31) {
		t.Errorf("monthly slice %v..%v", time.Unix(*st, 0).UTC(), time.Unix(*en, 0).UTC())
	}
	st, en = usageWindow(yearly, sub, at(2025, 3, 5))
	if *st != at(2025, 1, 31) || *en != at(2026, 1, 31) {
		t.Errorf("yearly %v..%v", time.Unix(*st, 0).UTC(), time.Unix(*en, 0).UTC())
	}
	// Monthly subscription whose periodEnd is a little short: capped.
	sub = &subscriptionRow{PeriodStart: ptr(at(2025, 6, 1)), PeriodEnd: ptr(at(2025, 6, 30))}
	st, en = usageWindow(metered, sub, at(2025, 6, 10))
	if *st != at(2025, 6, 1) || *en != at(2025, 6, 30) {
		t.Errorf("capped %v..%v", *st, *en)
	}
	// Stale period (now after periodEnd): keeps slicing from the anchor.
	st, en = usageWindow(metered, sub, at(2025, 8, 15))
	if *st != at(2025, 8, 1) || *en != at(2025, 9, 1) {
		t.Errorf("stale %v..%v", time.Unix(*st, 0).UTC(), time.Unix(*en, 0).UTC())
	}
	// Seats default to never.
	if st, en := usageWindow(&billingFeature{Kind: "seats"}, sub, at(2025, 6, 10)); st != nil || en != nil {
		t.Errorf("seats window %v %v", st, en)
	}
	if got := addMonths(time.Date(2024, 1, 31, 5, 0, 0, 0, time.UTC), 1); !got.Equal(time.Date(2024, 2, 29, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("addMonths %v", got)
	}
}

func (e *testEnv) adminID() string {
	e.t.Helper()
	var id string
	if err := e.s.db.QueryRowContext(context.Background(), `SELECT id FROM "user" WHERE email = ?`, AdminEmail).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
