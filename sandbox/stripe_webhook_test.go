package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

const testWebhookSecret = "whsec_sandboxTestSecret0123456789"

func (e *testEnv) setWebhookSecret(secret string) {
	e.t.Helper()
	e.adminDo("POST", "/api/auth/admin/config/stripe", mustJSON(map[string]any{"value": map[string]any{
		"apiKey": "sk_test_sandbox", "webhookSecret": secret, "mode": "test"}}))
}

func sign(payload, secret string, t int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.%s", t, payload)
	return hex.EncodeToString(mac.Sum(nil))
}

func (e *testEnv) webhook(payload, header string) *resp {
	e.t.Helper()
	if header == "" {
		return e.call("POST", "/api/auth/stripe/webhook", payload, "")
	}
	return e.call("POST", "/api/auth/stripe/webhook", payload, "", "Stripe-Signature: "+header)
}

// postEvent signs payload with the test secret at the server clock and
// expects {"received":true}.
func (e *testEnv) postEvent(payload string) {
	e.t.Helper()
	now := e.clock.Now().Unix()
	r := e.webhook(payload, fmt.Sprintf("t=%d,v1=%s", now, sign(payload, testWebhookSecret, now)))
	if r.status != 200 || string(r.body) != `{"received":true}` {
		e.t.Fatalf("webhook: %d %s", r.status, r.body)
	}
}

// subscriptionEvent is a Stripe event around a subscription object (period
// on the item, as in recent API versions).
func subscriptionEvent(evtID, typ, subID, customer, status, priceID string, start, end int64, metadata map[string]any) string {
	if metadata == nil {
		metadata = map[string]any{}
	}
	return mustJSON(map[string]any{
		"id": evtID, "object": "event", "type": typ, "created": start,
		"data": map[string]any{"object": map[string]any{
			"id": subID, "object": "subscription", "customer": customer, "status": status,
			"cancel_at_period_end": false, "metadata": metadata,
			"items": map[string]any{"object": "list", "data": []any{map[string]any{
				"id": "si_1", "quantity": 1, "current_period_start": start, "current_period_end": end,
				"price": map[string]any{"id": priceID, "object": "price", "recurring": map[string]any{"interval": "month"}},
			}}},
		}},
	})
}

func TestStripeWebhookSignature(t *testing.T) {
	e := newEnv(t)
	payload := `{"id":"evt_sig","object":"event","type":"invoice.paid","data":{"object":{}}}`
	now := e.clock.Now().Unix()
	good := fmt.Sprintf("t=%d,v1=%s", now, sign(payload, testWebhookSecret, now))

	m := e.expectErr(e.webhook(payload, good), 400, "INVALID_SIGNATURE")
	if m["message"] != "webhook secret not configured" {
		t.Fatalf("no secret: %v", m)
	}
	e.setWebhookSecret(testWebhookSecret)

	for _, c := range []struct{ header, message string }{
		{"", "missing Stripe-Signature header"},
		{fmt.Sprintf("t=%d", now), "missing t or v1 component"},
		{"v1=" + sign(payload, testWebhookSecret, now), "missing t or v1 component"},
		{"t=soon,v1=" + sign(payload, testWebhookSecret, now), "bad timestamp"},
		{fmt.Sprintf("t=%d,v1=%s", now-301, sign(payload, testWebhookSecret, now-301)), "timestamp outside tolerance"},
		{fmt.Sprintf("t=%d,v1=%s", now+301, sign(payload, testWebhookSecret, now+301)), "timestamp outside tolerance"},
		{fmt.Sprintf("t=%d,v1=%s", now, sign(payload, "whsec_wrong", now)), "signature mismatch"},
		// v0 is not a v1 signature.
		{fmt.Sprintf("t=%d,v0=%s", now, sign(payload, testWebhookSecret, now)), "missing t or v1 component"},
	} {
		m := e.expectErr(e.webhook(payload, c.header), 400, "INVALID_SIGNATURE")
		if m["message"] != c.message {
			t.Errorf("header %q: message %v, want %q", c.header, m["message"], c.message)
		}
	}
	// A body changed after signing.
	m = e.expectErr(e.webhook(strings.Replace(payload, "evt_sig", "evt_sig2", 1), good), 400, "INVALID_SIGNATURE")
	if m["message"] != "signature mismatch" {
		t.Errorf("tampered: %v", m)
	}

	ok := func(body, header string) {
		t.Helper()
		r := e.webhook(body, header)
		if r.status != 200 || string(r.body) != `{"received":true}` {
			t.Fatalf("header %q: %d %s", header, r.status, r.body)
		}
	}
	ok(payload, good)
	// Within tolerance, both directions.
	ok(payload, fmt.Sprintf("t=%d,v1=%s", now-299, sign(payload, testWebhookSecret, now-299)))
	ok(payload, fmt.Sprintf("t=%d,v1=%s", now+299, sign(payload, testWebhookSecret, now+299)))
	// Several v1 values (secret rotation): any one matching is enough; spaces tolerated.
	ok(payload, fmt.Sprintf("t=%d, v1=%s, v1=%s", now, sign(payload, "whsec_old", now), sign(payload, testWebhookSecret, now)))
	// stripe-go's own signer (what the CLI uses) is accepted.
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: testWebhookSecret,
		Timestamp: e.clock.Now()})
	ok(payload, signed.Header)
	// And the sandbox's signature verifies with stripe-go.
	if err := webhook.ValidatePayloadIgnoringTolerance([]byte(payload), good, testWebhookSecret); err != nil {
		t.Fatalf("stripe-go rejects the sandbox signature: %v", err)
	}

	// Signed but not a JSON object: INVALID_REQUEST.
	for _, body := range []string{`not json`, `[1,2]`, `{"a":1} trailing`} {
		e.expectErr(e.webhook(body, fmt.Sprintf("t=%d,v1=%s", now, sign(body, testWebhookSecret, now))), 400, "INVALID_REQUEST")
	}
	// An Origin header (a browser) is still checked like any POST.
	e.expectErr(e.call("POST", "/api/auth/stripe/webhook", payload, "", "Stripe-Signature: "+good, "Origin: https://evil.example"),
		403, "FORBIDDEN")

	// Every delivery is recorded, never with the body or the secret.
	h := e.adminDo("GET", "/api/admin/billing/webhooks/health", "")
	assertFields(t, "health", h, map[string]any{"received24h": num(18), "accepted24h": num(5), "rejected24h": num(13),
		"handlerErrors24h": num(0), "lastReceivedAt": num(now), "lastAcceptedAt": num(now), "webhookSecretConfigured": true,
		"endpointPath": "/api/auth/stripe/webhook"})
	recent := h["recent"].([]any)
	if len(recent) != 18 {
		t.Fatalf("recent %d", len(recent))
	}
	first := recent[0].(map[string]any)
	assertFields(t, "newest", first, map[string]any{"status": "rejected", "errorCode": "INVALID_REQUEST", "eventId": nil})
	var sawAccepted bool
	for _, x := range recent {
		d := x.(map[string]any)
		if d["status"] == "accepted" {
			sawAccepted = true
			assertFields(t, "accepted", d, map[string]any{"eventId": "evt_sig", "type": "invoice.paid", "handled": false, "errorCode": nil})
		}
	}
	if !sawAccepted {
		t.Error("no accepted delivery in recent")
	}
	if id, _ := first["id"].(string); id == "" {
		t.Error("delivery without id")
	}
	var leaked int
	if err := e.s.db.QueryRow(`SELECT count(*) FROM stripeWebhookDelivery WHERE coalesce(errorMessage, '') LIKE '%whsec%'
		OR coalesce(errorMessage, '') LIKE '%invoice.paid%'`).Scan(&leaked); err != nil || leaked != 0 {
		t.Errorf("delivery rows hold secret or body (%d, %v)", leaked, err)
	}

	// 24 h later the counters are empty, the last-seen times remain.
	e.clock.Advance(25 * time.Hour)
	h = e.adminDo("GET", "/api/admin/billing/webhooks/health", "")
	assertFields(t, "health later", h, map[string]any{"received24h": num(0), "accepted24h": num(0), "rejected24h": num(0),
		"lastReceivedAt": num(now), "lastAcceptedAt": num(now)})
	if len(h["recent"].([]any)) != 18 {
		t.Errorf("recent later %v", h["recent"])
	}
}

func TestStripeWebhookSubscriptions(t *testing.T) {
	e := newEnv(t)
	setupPro(e)
	e.setWebhookSecret(testWebhookSecret)
	now := e.clock.Now().Unix()
	start, end := now-3600, now+30*86400

	// customer.subscription.created with metadata.referenceId: an active row
	// mapped to plan "pro" through its price.
	e.postEvent(subscriptionEvent("evt_c", "customer.subscription.created", "sub_9", "cus_9", "active", "price_pro_m",
		start, end, map[string]any{"referenceId": e.userID}))
	subs := e.adminDo("GET", "/api/admin/billing/subscriptions?referenceId="+e.userID, "")["subscriptions"].([]any)
	if len(subs) != 1 {
		t.Fatalf("subscriptions %v", subs)
	}
	assertFields(t, "row", subs[0].(map[string]any), map[string]any{"referenceId": e.userID, "status": "active",
		"plan": "pro", "planId": "pro", "priceId": "price_pro_m", "stripeCustomerId": "cus_9", "stripeSubscriptionId": "sub_9",
		"periodStart": num(start), "periodEnd": num(end), "seats": num(1), "billingInterval": "month",
		"cancelAtPeriodEnd": false, "createdAt": num(now)})

	// The customer is now linked to the user: an update without metadata
	// resolves through it (legacy top-level period fields).
	e.clock.Advance(time.Minute)
	upd := mustJSON(map[string]any{"id": "evt_u", "type": "customer.subscription.updated", "data": map[string]any{
		"object": map[string]any{"id": "sub_9", "customer": "cus_9", "status": "past_due", "cancel_at_period_end": true,
			"current_period_start": start + 1, "current_period_end": end + 1,
			"items": map[string]any{"data": []any{map[string]any{"quantity": 3, "price": map[string]any{"id": "price_pro_m"}}}}}}})
	e.postEvent(upd)
	subs = e.adminDo("GET", "/api/admin/billing/subscriptions?status=past_due", "")["subscriptions"].([]any)
	if len(subs) != 1 {
		t.Fatalf("past_due %v", subs)
	}
	assertFields(t, "updated", subs[0].(map[string]any), map[string]any{"status": "past_due", "periodStart": num(start + 1),
		"cancelAtPeriodEnd": true, "seats": num(3), "createdAt": num(now), "updatedAt": num(now + 60)})

	// Kernia's /subscription/list: only active/trialing rows.
	if r := e.call("GET", "/api/auth/subscription/list", "", e.user); r.status != 200 || string(r.body) != `[]` {
		t.Fatalf("list past_due: %d %s", r.status, r.body)
	}
	e.postEvent(strings.Replace(upd, `"past_due"`, `"trialing"`, 1))
	r := e.call("GET", "/api/auth/subscription/list", "", e.user)
	var list []map[string]any
	if r.status != 200 || mustUnmarshal(r.body, &list) != nil || len(list) != 1 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	assertFields(t, "kernia row", list[0], map[string]any{"status": "trialing", "priceId": "price_pro_m", "plan": "pro"})
	limits := list[0]["limits"].(map[string]any)
	if limits["api.calls"] != num(100) || limits["sso"] != true || limits["seats"] != num(5) {
		t.Errorf("limits %v", limits)
	}
	// Deviation: another user's reference is refused; an admin may.
	other, email := e.createUser("other")
	otherTok, _ := e.signIn(email, "test-password-1")
	e.expectErr(e.call("GET", "/api/auth/subscription/list?referenceId="+e.userID, "", otherTok), 400, "REFERENCE_ID_NOT_ALLOWED")
	if r := e.call("GET", "/api/auth/subscription/list?referenceId="+e.userID, "", e.admin); r.status != 200 || !strings.HasPrefix(string(r.body), `[{`) {
		t.Fatalf("admin list: %d %s", r.status, r.body)
	}
	e.expectErr(e.call("GET", "/api/auth/subscription/list", "", ""), 401, "UNAUTHORIZED")

	// deleted → canceled, endedAt set.
	e.postEvent(subscriptionEvent("evt_d", "customer.subscription.deleted", "sub_9", "cus_9", "active", "price_pro_m", start, end, nil))
	subs = e.adminDo("GET", "/api/admin/billing/subscriptions?referenceId="+e.userID, "")["subscriptions"].([]any)
	assertFields(t, "deleted", subs[0].(map[string]any), map[string]any{"status": "canceled", "endedAt": num(now + 60)})

	// checkout.session.completed: links customer and records the
	// subscription as incomplete until a subscription event arrives.
	e.postEvent(mustJSON(map[string]any{"id": "evt_cs", "type": "checkout.session.completed", "data": map[string]any{
		"object": map[string]any{"id": "cs_1", "mode": "subscription", "customer": "cus_other", "subscription": "sub_other",
			"client_reference_id": other}}}))
	subs = e.adminDo("GET", "/api/admin/billing/subscriptions?referenceId="+other, "")["subscriptions"].([]any)
	if len(subs) != 1 {
		t.Fatalf("checkout %v", subs)
	}
	assertFields(t, "checkout", subs[0].(map[string]any), map[string]any{"status": "incomplete", "stripeCustomerId": "cus_other",
		"stripeSubscriptionId": "sub_other", "planId": nil})
	e.postEvent(subscriptionEvent("evt_oc", "customer.subscription.created", "sub_other", "cus_other", "active", "price_pro_m",
		start, end, nil))
	subs = e.adminDo("GET", "/api/admin/billing/subscriptions?referenceId="+other, "")["subscriptions"].([]any)
	if len(subs) != 1 || subs[0].(map[string]any)["status"] != "active" || subs[0].(map[string]any)["planId"] != "pro" {
		t.Fatalf("after checkout %v", subs)
	}
	if v := e.entitlements(other); v["plan"] == nil {
		t.Errorf("entitlements after checkout %v", v)
	}

	// A subscription nobody can be resolved for: logged, swallowed (200),
	// recorded as handler_error.
	e.postEvent(subscriptionEvent("evt_x", "customer.subscription.created", "sub_x", "cus_unknown", "active", "price_pro_m", start, end, nil))
	h := e.adminDo("GET", "/api/admin/billing/webhooks/health", "")
	assertFields(t, "health", h, map[string]any{"handlerErrors24h": num(1), "rejected24h": num(0), "accepted24h": num(6)})
	d := h["recent"].([]any)[0].(map[string]any)
	assertFields(t, "handler error", d, map[string]any{"status": "handler_error", "errorCode": "HANDLER_ERROR",
		"eventId": "evt_x", "type": "customer.subscription.created", "handled": true})
	if !strings.Contains(d["errorMessage"].(string), "cannot resolve the reference") {
		t.Errorf("errorMessage %v", d["errorMessage"])
	}
	if n := len(e.adminDo("GET", "/api/admin/billing/subscriptions?referenceId=", "")["subscriptions"].([]any)); n != 2 {
		t.Errorf("rows %d, want 2 (the failed event wrote nothing)", n)
	}
}

func mustUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
