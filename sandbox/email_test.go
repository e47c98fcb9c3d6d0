package sandbox

import (
	"context"
	"encoding/json"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/internal/smtpsink"
)

// upsertClient upserts one email client through the dashboard route.
func (e *testEnv) upsertClient(client string) map[string]any {
	e.t.Helper()
	return e.expect(e.call("POST", "/api/admin/email/clients/upsert", `{"client":`+client+`}`, e.admin), 200)
}

// raw returns the stored value and secretFields of key, decoded.
func (e *testEnv) raw(key string) (map[string]any, []string) {
	e.t.Helper()
	v, sf, err := e.s.AdminConfigRaw(context.Background(), key)
	if err != nil {
		e.t.Fatalf("AdminConfigRaw(%s): %v", key, err)
	}
	var value map[string]any
	var secrets []string
	if err := json.Unmarshal([]byte(v), &value); err != nil {
		e.t.Fatalf("stored value %q: %v", v, err)
	}
	if err := json.Unmarshal([]byte(sf), &secrets); err != nil {
		e.t.Fatalf("stored secretFields %q: %v", sf, err)
	}
	return value, secrets
}

// storedClient returns the stored (clear) client with id.
func (e *testEnv) storedClient(id string) map[string]any {
	e.t.Helper()
	doc, _ := e.raw(adminConfigEmailClients)
	for _, c := range doc["clients"].([]any) {
		if c := c.(map[string]any); c["id"] == id {
			return c
		}
	}
	e.t.Fatalf("client %s not stored", id)
	return nil
}

func rawText(e *testEnv, key string) string {
	e.t.Helper()
	v, sf, err := e.s.AdminConfigRaw(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	return v + "|" + sf
}

func noneOf(t *testing.T, what string, body []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(string(body), s) {
			t.Fatalf("%s leaks %q: %s", what, s, body)
		}
	}
}

func TestAdminConfigKerniaRoutes(t *testing.T) {
	e := newEnv(t)
	if r := e.call("GET", "/api/auth/admin/config/email-clients", "", e.admin); string(r.body) != `{"clients":[]}` {
		t.Errorf("empty email-clients %d %s", r.status, r.body)
	}
	if r := e.call("GET", "/api/auth/admin/config/stripe", "", e.admin); string(r.body) != `{"stripe":{}}` {
		t.Errorf("empty stripe %d %s", r.status, r.body)
	}
	if _, _, err := e.s.AdminConfigRaw(context.Background(), "stripe"); err != ErrAdminConfigNotFound {
		t.Errorf("AdminConfigRaw on a missing key: %v", err)
	}
	m := e.expect(e.call("GET", "/api/auth/admin/config/auth-methods", "", e.admin), 200)
	if len(m["methods"].(map[string]any)) != 13 {
		t.Errorf("auth-methods %v", m)
	}

	// Redaction at any depth, falsy values shown, non-secrets in clear.
	doc := `{"value":{"clients":[{"id":"a","kind":"smtp","host":"mail.test","password":"p-one",
		"nested":{"token":"t-one","list":[{"secret":"s-one"},{"apiKey":""},{"apiKey":0},{"password":{"deep":"d-one"}}]}}],
		"other":{"apiKey":"k-top"}}}`
	r := e.call("POST", "/api/auth/admin/config/email-clients", doc, e.admin)
	m = e.expect(r, 200)
	noneOf(t, "email-clients POST", r.body, "p-one", "t-one", "s-one", "d-one")
	c := m["clients"].([]any)[0].(map[string]any)
	nested := c["nested"].(map[string]any)
	list := nested["list"].([]any)
	if c["password"] != redactionMarker || c["host"] != "mail.test" || nested["token"] != redactionMarker ||
		list[0].(map[string]any)["secret"] != redactionMarker || list[1].(map[string]any)["apiKey"] != "" ||
		list[2].(map[string]any)["apiKey"] != float64(0) || list[3].(map[string]any)["password"] != redactionMarker {
		t.Errorf("redaction %s", r.body)
	}
	if len(m) != 1 {
		t.Errorf("response keys %v (only clients expected)", keys(m))
	}
	r = e.call("GET", "/api/auth/admin/config/email-clients", "", e.admin)
	noneOf(t, "email-clients GET", r.body, "p-one", "t-one", "s-one", "d-one")
	// Values are stored in clear; no secretFields sent → stored [] (defaults).
	stored, sf := e.raw(adminConfigEmailClients)
	sc := stored["clients"].([]any)[0].(map[string]any)
	if sc["password"] != "p-one" || sc["nested"].(map[string]any)["token"] != "t-one" || len(sf) != 0 ||
		stored["other"].(map[string]any)["apiKey"] != "k-top" {
		t.Errorf("stored %v %v", stored, sf)
	}

	// The Kernia flaw: posting the marker back stores it.
	e.expect(e.call("POST", "/api/auth/admin/config/email-clients",
		`{"value":{"clients":[{"id":"a","kind":"smtp","password":"********"}]}}`, e.admin), 200)
	if got := e.storedClient("a")["password"]; got != redactionMarker {
		t.Errorf("Kernia route stored %v, want the marker (reproduced flaw)", got)
	}

	// Stripe: default secret fields, then a custom list replacing them.
	r = e.call("POST", "/api/auth/admin/config/stripe",
		`{"value":{"apiKey":"sk_test_A","webhookSecret":"whsec_A","publishableKey":"pk_test_A"}}`, e.admin)
	m = e.expect(r, 200)
	st := m["stripe"].(map[string]any)
	if st["apiKey"] != redactionMarker || st["webhookSecret"] != redactionMarker || st["publishableKey"] != "pk_test_A" {
		t.Errorf("stripe defaults %s", r.body)
	}
	r = e.call("POST", "/api/auth/admin/config/stripe",
		`{"value":{"apiKey":"sk_test_B","webhookSecret":"whsec_B"},"secretFields":["apiKey"]}`, e.admin)
	st = e.expect(r, 200)["stripe"].(map[string]any)
	if st["apiKey"] != redactionMarker || st["webhookSecret"] != "whsec_B" {
		t.Errorf("custom secretFields must replace the defaults: %s", r.body)
	}
	// Replace semantics: the previous document is gone entirely.
	r = e.call("POST", "/api/auth/admin/config/stripe", `{"value":{"publishableKey":"pk_test_C"}}`, e.admin)
	if string(r.body) != `{"stripe":{"publishableKey":"pk_test_C"}}` {
		t.Errorf("stripe replace %s", r.body)
	}
	if v, sf := e.raw(adminConfigStripe); len(v) != 1 || len(sf) != 0 {
		t.Errorf("stripe stored %v %v", v, sf)
	}
	// Empty body: value defaults to {}.
	if r := e.call("POST", "/api/auth/admin/config/stripe", "", e.admin); string(r.body) != `{"stripe":{}}` {
		t.Errorf("empty POST %s", r.body)
	}

	// auth-methods: replace, merge over defaults, unknown ids kept, no secret fields.
	e.expect(e.call("POST", "/api/auth/admin/config/auth-methods",
		`{"value":{"sso":{"enabled":true,"extra":1}},"secretFields":["extra"]}`, e.admin), 200)
	m = e.expect(e.call("POST", "/api/auth/admin/config/auth-methods",
		`{"value":{"okta":{"enabled":true,"label":"Okta"},"google":{"label":"G"}}}`, e.admin), 200)
	methods := m["methods"].(map[string]any)
	if methods["sso"].(map[string]any)["enabled"] != false || methods["sso"].(map[string]any)["extra"] != nil {
		t.Errorf("second POST did not replace the first: %v", methods["sso"])
	}
	if g := methods["google"].(map[string]any); g["label"] != "G" || g["enabled"] != false || len(methods) != 14 ||
		methods["okta"].(map[string]any)["label"] != "Okta" {
		t.Errorf("merge %v", methods)
	}
	if _, sf := e.raw(adminConfigAuthMethods); len(sf) != 0 {
		t.Errorf("auth-methods stored with secret fields %v", sf)
	}
	pub := e.expect(e.call("GET", "/api/auth/admin/config/public-auth", "", ""), 200)
	if pub["methods"].(map[string]any)["okta"] == nil {
		t.Error("public-auth does not show the stored map")
	}

	// Body validation.
	for _, b := range []string{`{"value":[1]}`, `{"value":"x"}`, `{"value":3}`, `{"value":{},"secretFields":"password"}`,
		`{"value":{},"secretFields":[1]}`, `[]`} {
		e.expectErr(e.call("POST", "/api/auth/admin/config/email-clients", b, e.admin), 400, "INVALID_REQUEST")
	}
	e.expectErr(e.call("POST", "/api/auth/admin/config/email-clients", `{"value":`, e.admin), 500, "INTERNAL")
	// There is no PUT.
	for _, p := range []string{"auth-methods", "email-clients", "stripe"} {
		r := e.call("PUT", "/api/auth/admin/config/"+p, `{"value":{}}`, e.admin)
		if r.status != 404 || string(r.body) != `{"code":"NOT_FOUND"}` {
			t.Errorf("PUT %s: %d %s", p, r.status, r.body)
		}
	}

	// owner passes admin_config's check but not the admin plugin's.
	id, email := e.createUser("owner")
	if _, err := e.s.db.Exec(`UPDATE "user" SET role = 'user,owner' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	owner, _ := e.signIn(email, "test-password-1")
	e.expect(e.call("GET", "/api/auth/admin/config/stripe", "", owner), 200)
	e.expectErr(e.call("GET", "/api/admin/overview", "", owner), 403, "ADMIN_REQUIRED")
	e.expectErr(e.call("GET", "/api/auth/admin/config/stripe", "", e.user), 403, "ADMIN_CONFIG_FORBIDDEN")
	e.expectErr(e.call("POST", "/api/auth/admin/config/stripe", `{}`, ""), 401, "UNAUTHORIZED")

	// Audit: one config.update per POST, never a secret.
	r = e.call("GET", "/api/admin/audit?action=config.update&limit=1000", "", e.admin)
	noneOf(t, "audit", r.body, "p-one", "sk_test_A", "whsec_B", "k-top")
	if a := e.expect(r, 200); a["total"] != float64(8) {
		t.Errorf("config.update events %v", a["total"])
	}
}

func TestGatedBy(t *testing.T) {
	defaults := map[string]map[string]any{}
	for _, m := range defaultAuthMethods() {
		defaults[m.id] = map[string]any{"enabled": m.enabled}
	}
	off := func(ids ...string) map[string]map[string]any {
		out := map[string]map[string]any{}
		for k, v := range defaults {
			out[k] = map[string]any{"enabled": v["enabled"]}
		}
		for _, id := range ids {
			out[id]["enabled"] = false
		}
		return out
	}
	cases := []struct {
		rel     string
		methods map[string]map[string]any
		want    string
	}{
		{"/sign-in/email", defaults, ""},
		{"/sign-in/email", off("email-password"), "email-password"},
		{"/sign-up/email", off("email-password"), "email-password"},
		{"/forget-password", off("email-password"), "email-password"},
		{"/forget-password/email-otp", off("email-password"), "email-password"},
		{"/forget-password/email-otp", defaults, "email-otp"},
		{"/reset-password", off("email-password"), "email-password"},
		{"/sign-in/emailx", off("email-password"), ""},
		{"/get-session", off("email-password"), ""},
		{"/sign-out", off("email-password"), ""},
		{"/sso", defaults, "sso"},
		{"/sso/register-provider", defaults, "sso"},
		{"/saml/acs/x", defaults, "sso"},
		{"/ssox", defaults, ""},
		{"/passkey/register", defaults, "passkey"},
		{"/passkeys", defaults, ""},
		{"/phone-number/send-otp", defaults, "phone-number"},
		{"/sign-in/phone-number", defaults, ""},
		{"/sign-in/social", defaults, ""},
		{"/sign-in/anonymous", defaults, "anonymous"},
		{"/one-tap/callback", defaults, "one-tap"},
		{"/siwe/nonce", defaults, "siwe"},
		{"/sign-in/username", defaults, "username"},
		{"/magic-link/verify", defaults, "magic-link"},
		{"/email-otp/change-email", defaults, "email-otp"},
		{"/admin/list-users", off("email-password"), ""},
		{"/api-key/create", defaults, ""},
		{"/scim/v2/Users", defaults, ""},
		{"/sso", map[string]map[string]any{"sso": {"enabled": "false"}}, ""}, // not exactly false
		{"/sso", map[string]map[string]any{"sso": {"label": "x"}}, ""},       // no enabled key
		{"/sso", map[string]map[string]any{"sso": {"enabled": nil}}, ""},
	}
	for _, c := range cases {
		if got := gatedBy(c.rel, c.methods); got != c.want {
			t.Errorf("gatedBy(%s) = %q, want %q", c.rel, got, c.want)
		}
	}
}

func TestAuthMethodGateOnTheWire(t *testing.T) {
	e := newEnv(t)
	signIn := mustJSON(map[string]string{"email": UserEmail, "password": UserPassword})
	e.expect(e.call("POST", "/api/auth/sign-in/email", signIn, ""), 200)
	e.expect(e.call("POST", "/api/auth/admin/config/auth-methods", `{"value":{"email-password":{"enabled":false}}}`, e.admin), 200)
	const disabled = `{"code":"AUTH_METHOD_DISABLED","message":"email-password is disabled."}`
	for _, c := range []struct{ path, body string }{
		{"/api/auth/sign-in/email", signIn},
		{"/api/auth/sign-up/email", `{"email":"new@test.example","password":"new-password-1","name":"N"}`},
	} {
		r := e.call("POST", c.path, c.body, "")
		if r.status != 403 || string(r.body) != disabled {
			t.Errorf("%s while disabled: %d %s", c.path, r.status, r.body)
		}
	}
	// Signed-in callers are gated too; other routes are not.
	if r := e.call("POST", "/api/auth/sign-in/email", signIn, e.admin); r.status != 403 {
		t.Errorf("sign-in with a bearer while disabled: %d", r.status)
	}
	e.expect(e.call("GET", "/api/auth/get-session", "", e.user), 200)
	e.expect(e.call("POST", "/api/auth/admin/list-users", `{}`, e.admin), 200)
	e.expect(e.call("GET", "/api/admin/overview", "", e.admin), 200)
	pub := e.expect(e.call("GET", "/api/auth/admin/config/public-auth", "", ""), 200)
	if pub["methods"].(map[string]any)["email-password"].(map[string]any)["enabled"] != false {
		t.Errorf("public-auth %v", pub)
	}
	// Malformed JSON is still a 500 (the gate runs after body decoding).
	e.expectErr(e.call("POST", "/api/auth/sign-in/email", `{`, ""), 500, "INTERNAL")
	// Unknown routes are still 404 even under a blocked prefix.
	if r := e.call("POST", "/api/auth/sso/no-such-route", `{}`, e.admin); string(r.body) != `{"code":"NOT_FOUND"}` {
		t.Errorf("unknown sso route %d %s", r.status, r.body)
	}
	// Only exactly false gates.
	e.expect(e.call("POST", "/api/auth/admin/config/auth-methods", `{"value":{"email-password":{"enabled":"no"}}}`, e.admin), 200)
	e.expect(e.call("POST", "/api/auth/sign-in/email", signIn, ""), 200)
	// Enabling again restores sign-in.
	e.expect(e.call("POST", "/api/auth/admin/config/auth-methods", `{"value":{"email-password":{"enabled":false}}}`, e.admin), 200)
	e.expectErr(e.call("POST", "/api/auth/sign-in/email", signIn, ""), 403, "AUTH_METHOD_DISABLED")
	e.expect(e.call("POST", "/api/auth/admin/config/auth-methods", `{"value":{"email-password":{"enabled":true}}}`, e.admin), 200)
	e.expect(e.call("POST", "/api/auth/sign-in/email", signIn, ""), 200)
	e.expect(e.call("POST", "/api/auth/sign-up/email", `{"email":"new@test.example","password":"new-password-1","name":"N"}`, ""), 200)
}

func TestEmailClientsDashboard(t *testing.T) {
	e := newEnv(t)
	const (
		smtpPass  = "smtp-pass-Q1"
		resendKey = "re_key_Q2"
		pmToken   = "pm-token-Q3"
	)
	secrets := []string{smtpPass, resendKey, pmToken}
	r := e.call("POST", "/api/admin/email/clients/upsert", `{"client":{"id":"main","kind":"smtp","from":"Ops <ops@test.example>",
		"host":"mail.test.example","port":587,"username":"ops","password":"`+smtpPass+`","tls":"starttls","note":"kept"}}`, e.admin)
	m := e.expect(r, 200)
	noneOf(t, "upsert", r.body, secrets...)
	c := m["client"].(map[string]any)
	if m["created"] != true || c["password"] != redactionMarker || c["host"] != "mail.test.example" || c["port"] != float64(587) ||
		c["note"] != "kept" {
		t.Errorf("upsert smtp %s", r.body)
	}
	fp := c["secrets"].(map[string]any)["password"].(map[string]any)
	if fp["set"] != true || fp["fingerprint"] != e.s.fingerprint(smtpPass) || !regexpFP(fp["fingerprint"]) {
		t.Errorf("fingerprint %v", fp)
	}
	e.upsertClient(`{"id":"re","kind":"resend","from":"re@test.example","apiKey":"` + resendKey + `"}`)
	e.upsertClient(`{"id":"pm","kind":"postmark","from":"pm@test.example","token":"` + pmToken + `"}`)

	// List: every client redacted with fingerprints.
	r = e.call("GET", "/api/admin/email/clients", "", e.admin)
	m = e.expect(r, 200)
	noneOf(t, "list", r.body, secrets...)
	list := m["clients"].([]any)
	if len(list) != 3 {
		t.Fatalf("%d clients", len(list))
	}
	want := map[string][2]string{"main": {"password", smtpPass}, "re": {"apiKey", resendKey}, "pm": {"token", pmToken}}
	for _, c := range list {
		c := c.(map[string]any)
		w := want[c["id"].(string)]
		sec := c["secrets"].(map[string]any)
		if c[w[0]] != redactionMarker || len(sec) != 1 || sec[w[0]].(map[string]any)["fingerprint"] != e.s.fingerprint(w[1]) {
			t.Errorf("listed client %v", c)
		}
	}
	// Kernia's own read redacts them too.
	noneOf(t, "kernia read", e.call("GET", "/api/auth/admin/config/email-clients", "", e.admin).body, secrets...)

	// Change one client's from without its secret; another's host with a null secret.
	m = e.upsertClient(`{"id":"re","kind":"resend","from":"new-from@test.example","secrets":{"apiKey":{"set":true}}}`)
	if m["created"] != false || m["client"].(map[string]any)["from"] != "new-from@test.example" {
		t.Errorf("update resend %v", m)
	}
	e.upsertClient(`{"id":"main","kind":"smtp","from":"ops@test.example","host":"smtp2.test.example","port":465,"tls":"tls",
		"username":"ops","password":null}`)
	for id, w := range want {
		if got := e.storedClient(id)[w[0]]; got != w[1] {
			t.Errorf("client %s: stored %s = %v, want the original", id, w[0], got)
		}
	}
	if sc := e.storedClient("main"); sc["host"] != "smtp2.test.example" || sc["note"] != nil {
		t.Errorf("replace one client: %v (absent non-secret keys are dropped)", sc)
	}
	if sc := e.storedClient("re"); sc["from"] != "new-from@test.example" || sc["secrets"] != nil {
		t.Errorf("from not updated or view key stored: %v", sc)
	}

	// Redaction markers are refused, anywhere, and nothing is stored.
	before := rawText(e, adminConfigEmailClients)
	for _, b := range []struct{ client, field string }{
		{`{"id":"main","kind":"smtp","from":"o@test.example","host":"h","port":25,"tls":"none","password":"********"}`, "password"},
		{`{"id":"re","kind":"resend","from":"o@test.example","apiKey":"***"}`, "apiKey"},
		{`{"id":"new","kind":"postmark","from":"o@test.example","token":"t","extra":{"secret":"********"}}`, "secret"},
	} {
		r := e.call("POST", "/api/admin/email/clients/upsert", `{"client":`+b.client+`}`, e.admin)
		m := e.expectErr(r, 400, "REDACTED_SECRET")
		if m["message"] != "refusing to store a redaction marker as "+b.field {
			t.Errorf("marker message %v", m["message"])
		}
	}
	// Validation.
	for _, b := range []string{
		`{"id":"bad id","kind":"resend","from":"o@test.example","apiKey":"k"}`,
		`{"id":"","kind":"resend","from":"o@test.example","apiKey":"k"}`,
		`{"id":"` + strings.Repeat("x", 65) + `","kind":"resend","from":"o@test.example","apiKey":"k"}`,
		`{"id":"x","kind":"sendgrid","from":"o@test.example","apiKey":"k"}`,
		`{"id":"x","kind":"resend","from":"not-an-address","apiKey":"k"}`,
		`{"id":"x","kind":"resend","from":"o@test.example"}`,
		`{"id":"x","kind":"resend","from":"o@test.example","apiKey":""}`,
		`{"id":"x","kind":"postmark","from":"o@test.example"}`,
		`{"id":"x","kind":"postmark","from":"o@test.example","token":42}`,
		`{"id":"x","kind":"smtp","from":"o@test.example","port":25,"tls":"none"}`,
		`{"id":"x","kind":"smtp","from":"o@test.example","host":"h","port":0,"tls":"none"}`,
		`{"id":"x","kind":"smtp","from":"o@test.example","host":"h","port":65536,"tls":"none"}`,
		`{"id":"x","kind":"smtp","from":"o@test.example","host":"h","port":"25","tls":"none"}`,
		`{"id":"x","kind":"smtp","from":"o@test.example","host":"h","port":25.5,"tls":"none"}`,
		`{"id":"x","kind":"smtp","from":"o@test.example","host":"h","port":25,"tls":"ssl"}`,
		`{"id":"x","kind":"smtp","from":"o@test.example","host":"h","port":25}`,
	} {
		e.expectErr(e.call("POST", "/api/admin/email/clients/upsert", `{"client":`+b+`}`, e.admin), 400, "INVALID_EMAIL_CLIENT")
	}
	e.expectErr(e.call("POST", "/api/admin/email/clients/upsert", `{}`, e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/admin/email/clients/upsert", `{"client":[]}`, e.admin), 400, "INVALID_REQUEST")
	if after := rawText(e, adminConfigEmailClients); after != before {
		t.Errorf("a refused upsert changed the stored document:\n%s\n%s", before, after)
	}

	// secretFields never shrink: a custom list stored through Kernia's route
	// is kept and extended with the defaults.
	doc, _ := e.raw(adminConfigEmailClients)
	e.expect(e.call("POST", "/api/auth/admin/config/email-clients",
		mustJSON(map[string]any{"value": doc, "secretFields": []string{"password", "privateKey"}}), e.admin), 200)
	e.upsertClient(`{"id":"pm","kind":"postmark","from":"pm2@test.example","privateKey":"pk-Q4"}`)
	_, sf := e.raw(adminConfigEmailClients)
	slices.Sort(sf)
	if strings.Join(sf, ",") != "apiKey,password,privateKey,secret,token" {
		t.Errorf("stored secretFields %v", sf)
	}
	if e.storedClient("pm")["token"] != pmToken || e.storedClient("pm")["privateKey"] != "pk-Q4" {
		t.Error("pm secrets")
	}
	noneOf(t, "kernia read", e.call("GET", "/api/auth/admin/config/email-clients", "", e.admin).body, append(secrets, "pk-Q4")...)

	// Delete.
	if r := e.call("POST", "/api/admin/email/clients/delete", `{"id":"pm"}`, e.admin); string(r.body) != `{"success":true}` {
		t.Fatalf("delete %d %s", r.status, r.body)
	}
	e.expectErr(e.call("POST", "/api/admin/email/clients/delete", `{"id":"pm"}`, e.admin), 404, "EMAIL_CLIENT_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/admin/email/clients/delete", `{}`, e.admin), 400, "INVALID_REQUEST")
	if n := len(e.expect(e.call("GET", "/api/admin/email/clients", "", e.admin), 200)["clients"].([]any)); n != 2 {
		t.Errorf("%d clients after delete", n)
	}
	if e.storedClient("main")["password"] != smtpPass || e.storedClient("re")["apiKey"] != resendKey {
		t.Error("delete touched another client's secret")
	}

	// Audit events, without secrets.
	r = e.call("GET", "/api/admin/audit?limit=1000", "", e.admin)
	noneOf(t, "audit", r.body, append(secrets, "pk-Q4")...)
	got := map[string]int{}
	for _, ev := range e.expect(r, 200)["events"].([]any) {
		got[ev.(map[string]any)["action"].(string)]++
	}
	if got[auditEmailClientUpsert] != 6 || got[auditEmailClientDelete] != 1 {
		t.Errorf("audit counts %v", got)
	}
}

func regexpFP(v any) bool {
	s, _ := v.(string)
	if !strings.HasPrefix(s, "hmac:") || len(s) != len("hmac:")+8 {
		return false
	}
	_, err := strconv.ParseUint(s[len("hmac:"):], 16, 64)
	return err == nil
}

func TestEmailTestDelivery(t *testing.T) {
	e := newEnv(t)
	sink, err := smtpsink.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	const pass = "sink-smtp-pass-Z9"
	e.upsertClient(`{"id":"local","kind":"smtp","from":"Sandbox <noreply@test.example>","host":"127.0.0.1","port":` +
		strconv.Itoa(sink.Port()) + `,"username":"mailer","password":"` + pass + `","tls":"none"}`)

	r := e.call("POST", "/api/admin/email/test", `{"id":"local","to":"ops@test.example"}`, e.admin)
	m := e.expect(r, 200)
	if m["delivered"] != true || m["kind"] != "smtp" || m["status"] != "sent" || m["outboxId"] == "" || m["error"] != nil {
		t.Fatalf("test %s", r.body)
	}
	msgs, err := sink.WaitFor(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := msgs[0]
	if got.From != "noreply@test.example" || len(got.To) != 1 || got.To[0] != "ops@test.example" || got.Username != "mailer" {
		t.Errorf("envelope %+v", got)
	}
	for _, want := range []string{"Subject: kernia-admin test message\n", "Message-ID: " + m["messageId"].(string) + "\n",
		`email client "local"`, "To: ops@test.example\n", "From: Sandbox <noreply@test.example>\n"} {
		if !strings.Contains(got.Data, want) {
			t.Errorf("message lacks %q:\n%s", want, got.Data)
		}
	}
	if strings.Contains(got.Data, pass) {
		t.Error("message holds the password")
	}

	// resend/postmark: simulated, never contacted.
	e.upsertClient(`{"id":"re","kind":"resend","from":"re@test.example","apiKey":"re_Z8"}`)
	m = e.expect(e.call("POST", "/api/admin/email/test", `{"id":"re","to":"ops@test.example"}`, e.admin), 200)
	if m["delivered"] != false || m["status"] != "simulated" || m["kind"] != "resend" || !strings.Contains(m["note"].(string), "simulated") {
		t.Errorf("simulated %v", m)
	}

	// SMTP failures: 502 and a failed outbox row.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	e.upsertClient(`{"id":"down","kind":"smtp","from":"d@test.example","host":"127.0.0.1","port":` + strconv.Itoa(closedPort) + `,"tls":"none"}`)
	r = e.call("POST", "/api/admin/email/test", `{"id":"down","to":"ops@test.example"}`, e.admin)
	m = e.expectErr(r, 502, "EMAIL_DELIVERY_FAILED")
	if !strings.Contains(m["message"].(string), "connect") || m["data"].(map[string]any)["outboxId"] == "" {
		t.Errorf("failure %s", r.body)
	}
	e.upsertClient(`{"id":"starttls","kind":"smtp","from":"d@test.example","host":"127.0.0.1","port":` +
		strconv.Itoa(sink.Port()) + `,"tls":"starttls","username":"u","password":"` + pass + `"}`)
	r = e.call("POST", "/api/admin/email/test", `{"id":"starttls","to":"ops@test.example"}`, e.admin)
	if m := e.expectErr(r, 502, "EMAIL_DELIVERY_FAILED"); !strings.Contains(m["message"].(string), "STARTTLS") {
		t.Errorf("starttls failure %s", r.body)
	}
	noneOf(t, "failure", r.body, pass)
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("sink has %d messages, want 1", n)
	}

	e.expectErr(e.call("POST", "/api/admin/email/test", `{"id":"nope","to":"ops@test.example"}`, e.admin), 404, "EMAIL_CLIENT_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/admin/email/test", `{"id":"local","to":"not an address"}`, e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/admin/email/test", `{"id":"local","to":"a@b.example\r\nBcc: x@y.example"}`, e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/admin/email/test", `{"id":"local"}`, e.admin), 400, "INVALID_REQUEST")

	// Outbox: newest first, every attempt, no secrets.
	r = e.call("GET", "/api/admin/email/outbox", "", e.admin)
	m = e.expect(r, 200)
	noneOf(t, "outbox", r.body, pass, "re_Z8")
	if m["total"] != float64(4) {
		t.Fatalf("outbox %s", r.body)
	}
	rows := m["messages"].([]any)
	var statuses []string
	for _, row := range rows {
		statuses = append(statuses, row.(map[string]any)["status"].(string))
	}
	if strings.Join(statuses, ",") != "failed,failed,simulated,sent" {
		t.Errorf("outbox statuses %v", statuses)
	}
	sent := rows[3].(map[string]any)
	if got := strings.Join(sortedKeys(sent), ","); got != "clientId,createdAt,error,from,id,kind,messageId,status,subject,to" {
		t.Errorf("outbox keys %s", got)
	}
	if sent["clientId"] != "local" || sent["to"] != "ops@test.example" || sent["subject"] != emailTestSubject || sent["error"] != nil ||
		sent["createdAt"] != float64(e.clock.Now().Unix()) {
		t.Errorf("sent row %v", sent)
	}
	if rows[0].(map[string]any)["error"] == nil {
		t.Error("failed row without error")
	}
	m = e.expect(e.call("GET", "/api/admin/email/outbox?limit=1&offset=3", "", e.admin), 200)
	if m["total"] != float64(4) || len(m["messages"].([]any)) != 1 || m["messages"].([]any)[0].(map[string]any)["status"] != "sent" {
		t.Errorf("outbox page %v", m)
	}
	all, err := e.s.Outbox(context.Background())
	if err != nil || len(all) != 4 || all[3].Status != OutboxSent || all[3].ID != sent["id"] {
		t.Errorf("Outbox() %v %v", all, err)
	}
	r = e.call("GET", "/api/admin/audit?action=email.test", "", e.admin)
	noneOf(t, "audit", r.body, pass, "re_Z8")
	if a := e.expect(r, 200); a["total"] != float64(4) {
		t.Errorf("email.test audit events %v", a["total"])
	}
}

func TestNoDashboard(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.NoDashboard = true })
	for _, rt := range e.s.Routes() {
		if strings.HasPrefix(rt.Path, dashboardPrefix) {
			t.Errorf("NoDashboard serves %s", rt.Path)
		}
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/admin/capabilities", ""},
		{"GET", "/api/admin/email/clients", ""},
		{"POST", "/api/admin/email/clients/upsert", `{"client":{"id":"x","kind":"resend","from":"a@test.example","apiKey":"k"}}`},
		{"POST", "/api/admin/email/test", `{"id":"x","to":"a@test.example"}`},
		{"GET", "/api/admin/sessions", ""},
	} {
		r := e.call(c.method, c.path, c.body, e.admin)
		if r.status != 404 || string(r.body) != `{"code":"NOT_FOUND"}` {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	// Kernia's routes remain.
	e.expect(e.call("POST", "/api/auth/admin/config/email-clients", `{"value":{"clients":[{"id":"x","password":"p"}]}}`, e.admin), 200)
	e.expect(e.call("POST", "/api/auth/admin/list-users", `{}`, e.admin), 200)
}
