package sandbox

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// ---- authz walk entries for API keys, SSO and SCIM (see authz_test.go) ----

type keySessionCase struct {
	body   func(e *testEnv, sessionID string) string
	unauth string
	query  func() string
}

// keySessionCases: the /api-key/* Session routes, called as the normal user.
func keySessionCases() map[string]keySessionCase {
	var getID string
	const unauth = "UNAUTHORIZED_SESSION"
	return map[string]keySessionCase{
		"POST /api/auth/api-key/create": {unauth: unauth, body: func(*testEnv, string) string { return `{"name":"authz"}` }},
		"GET /api/auth/api-key/list":    {unauth: unauth, body: func(*testEnv, string) string { return "" }},
		"GET /api/auth/api-key/get": {unauth: unauth, query: func() string { return "?id=" + getID },
			body: func(e *testEnv, _ string) string {
				getID = e.createKey(e.user, `{"name":"authz-get"}`)["id"].(string)
				return ""
			}},
		"POST /api/auth/api-key/update": {unauth: unauth, body: func(e *testEnv, _ string) string {
			id := e.createKey(e.user, `{"name":"authz-update"}`)["id"].(string)
			return mustJSON(map[string]any{"keyId": id, "name": "renamed"})
		}},
		"POST /api/auth/api-key/delete": {unauth: unauth, body: func(e *testEnv, _ string) string {
			id := e.createKey(e.user, `{"name":"authz-delete"}`)["id"].(string)
			return mustJSON(map[string]any{"keyId": id})
		}},
	}
}

func keySSOSCIMPublicCases() map[string]struct {
	path   string
	body   string
	status int
} {
	type pc = struct {
		path   string
		body   string
		status int
	}
	const v2 = "/api/auth/scim/v2"
	return map[string]pc{
		"POST /api/auth/api-key/verify":                      {"/api/auth/api-key/verify", `{"key":"nope"}`, 200},
		"POST /api/auth/api-key/delete-all-expired-api-keys": {"/api/auth/api-key/delete-all-expired-api-keys", "", 200},
		"POST " + v2 + "/Users":                              {v2 + "/Users", `{"userName":"a@test.example"}`, 401},
		"GET " + v2 + "/Users":                               {v2 + "/Users", "", 401},
		"GET " + v2 + "/Users/:userId":                       {v2 + "/Users/nope", "", 401},
		"PUT " + v2 + "/Users/:userId":                       {v2 + "/Users/nope", `{"userName":"a@test.example"}`, 401},
		"PATCH " + v2 + "/Users/:userId":                     {v2 + "/Users/nope", `{"Operations":[]}`, 401},
		"DELETE " + v2 + "/Users/:userId":                    {v2 + "/Users/nope", "", 401},
		"GET " + v2 + "/ServiceProviderConfig":               {v2 + "/ServiceProviderConfig", "", 200},
		"GET " + v2 + "/Schemas":                             {v2 + "/Schemas", "", 200},
		"GET " + v2 + "/Schemas/:schemaId":                   {v2 + "/Schemas/" + scimUserSchema, "", 200},
		"GET " + v2 + "/ResourceTypes":                       {v2 + "/ResourceTypes", "", 200},
		"GET " + v2 + "/ResourceTypes/:resourceTypeId":       {v2 + "/ResourceTypes/User", "", 200},
	}
}

func keySSOSCIMAdminCases() map[string]adminCase {
	const sso, dash, scim = "SSO_ADMIN_REQUIRED", "ADMIN_REQUIRED", "FORBIDDEN"
	var providerID, keyID string
	withProvider := func(body func(e *testEnv, id string) string) func(*testEnv) (string, string) {
		return func(e *testEnv) (string, string) {
			providerID = e.registerOIDC("https://authz-" + newID() + ".example")["id"].(string)
			return body(e, providerID), ""
		}
	}
	withDashKey := func(body func(id string) string) func(*testEnv) (string, string) {
		return func(e *testEnv) (string, string) {
			keyID = e.dashKey(mustJSON(map[string]any{"userId": e.userID, "name": "authz"}))["id"].(string)
			return body(keyID), ""
		}
	}
	return map[string]adminCase{
		"POST /api/auth/sso/register-provider": {forbidden: sso,
			prepare: withBody(`{"issuer":"https://authz-register.example","kind":"oidc","oidcConfig":{"clientId":"c","clientSecret":"s"}}`)},
		"POST /api/auth/sso/update-provider": {forbidden: sso,
			prepare: withProvider(func(_ *testEnv, id string) string { return mustJSON(map[string]any{"id": id, "name": "x"}) })},
		"POST /api/auth/sso/delete-provider": {forbidden: sso,
			prepare: withProvider(func(_ *testEnv, id string) string { return mustJSON(map[string]any{"id": id}) })},
		"GET /api/auth/sso/list-providers": {forbidden: sso, prepare: withBody("")},
		"GET /api/auth/sso/providers":      {forbidden: sso, prepare: withBody("")},
		"GET /api/auth/sso/get-provider": {forbidden: sso, prepare: withProvider(func(*testEnv, string) string { return "" }),
			queryFor: func(*testEnv) string { return "?providerId=" + providerID }},
		"POST /api/auth/sso/register-domain": {forbidden: sso, prepare: withProvider(func(_ *testEnv, id string) string {
			return mustJSON(map[string]any{"ssoProviderId": id, "domain": "authz-register.example"})
		})},
		"POST /api/auth/sso/verify-domain": {forbidden: sso, prepare: withProvider(func(e *testEnv, id string) string {
			m := e.expect(e.call("POST", "/api/auth/sso/register-domain",
				mustJSON(map[string]any{"ssoProviderId": id, "domain": "authz-verify.example"}), e.admin), 200)
			return mustJSON(map[string]any{"domain": "authz-verify.example", "token": m["token"]})
		})},

		"POST /api/auth/scim/generate-token":           {forbidden: scim, prepare: withBody(`{"providerId":"authz-gen"}`)},
		"GET /api/auth/scim/list-provider-connections": {forbidden: scim, prepare: withBody("")},
		"GET /api/auth/scim/get-provider-connection": {forbidden: scim, query: "?providerId=authz-get",
			prepare: func(e *testEnv) (string, string) { e.scimToken("authz-get"); return "", "" }},
		"POST /api/auth/scim/delete-provider-connection": {forbidden: scim,
			prepare: func(e *testEnv) (string, string) { e.scimToken("authz-del"); return `{"providerId":"authz-del"}`, "" }},

		"GET /api/admin/api-keys":         {forbidden: dash, prepare: withBody("")},
		"POST /api/admin/api-keys/create": {forbidden: dash, prepare: freshUser(map[string]any{"name": "authz"})},
		"POST /api/admin/api-keys/rotate": {forbidden: dash,
			prepare: withDashKey(func(id string) string { return mustJSON(map[string]any{"keyId": id}) })},
		"POST /api/admin/api-keys/revoke": {forbidden: dash,
			prepare: withDashKey(func(id string) string { return mustJSON(map[string]any{"keyId": id}) })},
		"GET /api/admin/api-keys/usage": {forbidden: dash, prepare: withDashKey(func(string) string { return "" }),
			queryFor: func(*testEnv) string { return "?keyId=" + keyID }},
		"GET /api/admin/sso/domains":      {forbidden: dash, prepare: withBody("")},
		"GET /api/admin/scim/directories": {forbidden: dash, prepare: withBody("")},
	}
}

// ---- helpers ----

// createKey creates a key through /api-key/create with token.
func (e *testEnv) createKey(token, body string) map[string]any {
	e.t.Helper()
	return e.expect(e.call("POST", "/api/auth/api-key/create", body, token), 200)
}

// dashKey creates a key through the dashboard route as the admin.
func (e *testEnv) dashKey(body string) map[string]any {
	e.t.Helper()
	return e.expect(e.call("POST", "/api/admin/api-keys/create", body, e.admin), 200)
}

// withKey calls with only an x-api-key header.
func (e *testEnv) withKey(method, path, body, key string) *resp {
	e.t.Helper()
	return e.call(method, path, body, "", "x-api-key: "+key)
}

func (e *testEnv) enableSSO() {
	e.t.Helper()
	e.expect(e.call("POST", "/api/auth/admin/config/auth-methods", `{"value":{"sso":{"enabled":true}}}`, e.admin), 200)
}

func (e *testEnv) registerOIDC(issuer string) map[string]any {
	e.t.Helper()
	m := e.expect(e.call("POST", "/api/auth/sso/register-provider", mustJSON(map[string]any{
		"issuer": issuer, "kind": "oidc",
		"oidcConfig": map[string]any{"issuer": issuer, "clientId": "client-1234", "clientSecret": "oidc-secret-value"},
	}), e.admin), 200)
	return m["provider"].(map[string]any)
}

func (e *testEnv) scimToken(providerID string) string {
	e.t.Helper()
	r := e.call("POST", "/api/auth/scim/generate-token", mustJSON(map[string]any{"providerId": providerID}), e.admin)
	return e.expect(r, 200)["scimToken"].(string)
}

func inum(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// ---- API key wire tests ----

var keyLettersRe = regexp.MustCompile(`^kn_[A-Za-z]{64}$`)

func TestAPIKeyCreateShapeAndStorage(t *testing.T) {
	e := newEnv(t)
	nowMs := e.clock.Now().UnixMilli()
	m := e.createKey(e.user, `{"name":"ci","prefix":"kn_","expiresIn":2592000}`)
	plain := m["key"].(string)
	if !keyLettersRe.MatchString(plain) {
		t.Fatalf("key %q is not prefix + 64 letters", plain)
	}
	if m["start"] != plain[:6] || m["prefix"] != "kn_" || m["name"] != "ci" || m["referenceId"] != e.userID {
		t.Errorf("start/prefix/name/referenceId: %v", m)
	}
	want := "configId,createdAt,enabled,expiresAt,id,key,lastRefillAt,lastRequest,metadata,name,permissions,prefix," +
		"rateLimitEnabled,rateLimitMax,rateLimitTimeWindow,referenceId,refillAmount,refillInterval,remaining,requestCount,start,updatedAt"
	if got := strings.Join(sortedKeys(m), ","); got != want {
		t.Errorf("keys\n got %s\nwant %s", got, want)
	}
	if inum(m["createdAt"]) != nowMs || inum(m["expiresAt"]) != nowMs+2592000*1000 {
		t.Errorf("ms timestamps: createdAt %v expiresAt %v (now %d ms)", m["createdAt"], m["expiresAt"], nowMs)
	}
	if inum(m["rateLimitTimeWindow"]) != 86400000 || inum(m["rateLimitMax"]) != 10 || m["rateLimitEnabled"] != true ||
		m["enabled"] != true || inum(m["requestCount"]) != 0 || m["remaining"] != nil || m["configId"] != "default" {
		t.Errorf("defaults %v", m)
	}
	// Stored: SHA-256 base64url, never the plaintext.
	var stored string
	if err := e.s.db.QueryRow(`SELECT key FROM apikey WHERE id = ?`, m["id"]).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != sha256B64(plain) || len(stored) != 43 {
		t.Errorf("stored %q, want sha256 base64url of the key", stored)
	}
	var n int
	e.s.db.QueryRow(`SELECT count(*) FROM apikey WHERE instr(key || coalesce(name,'') || coalesce(start,''), ?) > 0`, plain).Scan(&n)
	if n != 0 {
		t.Error("plaintext stored")
	}
	// Only create returns the plaintext.
	id := m["id"].(string)
	for _, r := range []*resp{
		e.call("GET", "/api/auth/api-key/get?id="+id, "", e.user),
		e.call("GET", "/api/auth/api-key/list", "", e.user),
		e.call("POST", "/api/auth/api-key/update", mustJSON(map[string]any{"keyId": id, "name": "ci2"}), e.user),
		e.call("GET", "/api/admin/api-keys", "", e.admin),
		e.call("GET", "/api/admin/api-keys/usage?keyId="+id, "", e.admin),
		e.call("GET", "/api/admin/audit", "", e.admin),
	} {
		e.expect(r, 200)
		if strings.Contains(string(r.body), plain) || strings.Contains(string(r.body), stored) || strings.Contains(string(r.body), `"key":"`) {
			t.Errorf("response leaks the key or hash: %s", r.body)
		}
	}
	// snake_case body works too.
	s := e.createKey(e.user, `{"name":"snake","expires_in":86400}`)
	if inum(s["expiresAt"]) != nowMs+86400000 || len(s["key"].(string)) != 64 {
		t.Errorf("snake body: %v", s)
	}
	list := e.expect(e.call("GET", "/api/auth/api-key/list", "", e.user), 200)
	if inum(list["total"]) != 2 || list["limit"] != nil || list["offset"] != nil || len(list["apiKeys"].([]any)) != 2 {
		t.Errorf("list %v", list)
	}
	// The admin's own list does not show the user's keys.
	if l := e.expect(e.call("GET", "/api/auth/api-key/list?limit=5&offset=0", "", e.admin), 200); inum(l["total"]) != 0 || inum(l["limit"]) != 5 {
		t.Errorf("admin list %v", l)
	}
}

func TestAPIKeyValidationErrors(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("a", 33)
	for _, c := range []struct {
		body, token string
		status      int
		code        string
	}{
		{`{"expiresIn":3600}`, e.user, 400, "EXPIRES_IN_IS_TOO_SMALL"},
		{`{"expiresIn":31622400}`, e.user, 400, "EXPIRES_IN_IS_TOO_LARGE"},
		{`{"name":"` + long + `"}`, e.user, 400, "INVALID_NAME_LENGTH"},
		{`{"prefix":"` + long + `"}`, e.user, 400, "INVALID_PREFIX_LENGTH"},
		{`{"metadata":{"a":1}}`, e.user, 400, "METADATA_DISABLED"},
		{`{"remaining":5}`, e.user, 400, "SERVER_ONLY_PROPERTY"},
		{`{"permissions":{"a":["b"]}}`, e.user, 400, "SERVER_ONLY_PROPERTY"},
		{`{"rateLimitMax":100}`, e.user, 400, "SERVER_ONLY_PROPERTY"},
		{`{"refill_interval":1000}`, e.user, 400, "SERVER_ONLY_PROPERTY"},
		{`{"userId":"someone-else"}`, e.user, 401, "UNAUTHORIZED_SESSION"},
		// Deviation: no anonymous create, even with a userId.
		{mustJSON(map[string]any{"userId": e.userID}), "", 401, "UNAUTHORIZED_SESSION"},
	} {
		r := e.call("POST", "/api/auth/api-key/create", c.body, c.token)
		if r.status != c.status || r.code(t) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.body, r.status, r.body, c.status, c.code)
		}
	}
	id := e.createKey(e.user, `{"name":"k"}`)["id"].(string)
	e.expectErr(e.call("GET", "/api/auth/api-key/get", "", e.user), 400, "KEY_NOT_FOUND")
	e.expectErr(e.call("GET", "/api/auth/api-key/get?id="+id, "", e.admin), 404, "KEY_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/auth/api-key/update", mustJSON(map[string]any{"keyId": id, "remaining": 3}), e.user), 400, "SERVER_ONLY_PROPERTY")
	e.expectErr(e.call("POST", "/api/auth/api-key/update", mustJSON(map[string]any{"keyId": id}), e.user), 400, "NO_VALUES_TO_UPDATE")
	e.expectErr(e.call("POST", "/api/auth/api-key/update", mustJSON(map[string]any{"keyId": id, "expiresIn": 0}), e.user), 400, "EXPIRES_IN_IS_TOO_SMALL")
	e.expectErr(e.call("POST", "/api/auth/api-key/update", mustJSON(map[string]any{"keyId": id, "name": "x"}), e.admin), 404, "KEY_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/auth/api-key/delete", mustJSON(map[string]any{"keyId": id}), e.admin), 404, "KEY_NOT_FOUND")
	if m := e.expect(e.call("POST", "/api/auth/api-key/delete", mustJSON(map[string]any{"keyId": id}), e.user), 200); m["success"] != true {
		t.Errorf("delete %v", m)
	}
	e.expectErr(e.call("GET", "/api/auth/api-key/get?id="+id, "", e.user), 404, "KEY_NOT_FOUND")
	if r := e.call("POST", "/api/auth/api-key/delete-all-expired-api-keys", "", ""); string(r.body) != `{"error":null,"success":true}` {
		t.Errorf("delete-all-expired %d %s", r.status, r.body)
	}
}

func TestAPIKeyAsSession(t *testing.T) {
	e := newEnv(t)
	adminKey := e.createKey(e.admin, `{"name":"admin-key","expiresIn":86400}`)
	key, keyID := adminKey["key"].(string), adminKey["id"].(string)

	m := e.expect(e.withKey("GET", "/api/auth/get-session", "", key), 200)
	sess := m["session"].(map[string]any)
	if sess["id"] != keyID || inum(sess["expiresAt"]) != inum(adminKey["expiresAt"]) || inum(sess["expiresAt"]) < 1e12 {
		t.Errorf("synthesized session %v (want id = key id, expiresAt in ms)", sess)
	}
	if m["user"].(map[string]any)["email"] != AdminEmail || strings.Contains(string(mustJSON(m)), key) {
		t.Errorf("get-session user %v", m)
	}
	// Admin plugin routes accept it (the owner must be an admin).
	e.expect(e.withKey("POST", "/api/auth/admin/list-users", `{}`, key), 200)
	userKey := e.createKey(e.user, `{"name":"user-key"}`)["key"].(string)
	e.expectErr(e.withKey("POST", "/api/auth/admin/list-users", `{}`, userKey), 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS")
	e.expect(e.withKey("GET", "/api/auth/api-key/list", "", userKey), 200)
	// requires_session routes do not (the hook runs after that check).
	for _, c := range [][2]string{{"GET", "/api/auth/list-sessions"}, {"POST", "/api/auth/revoke-sessions"},
		{"GET", "/api/auth/admin/config/auth-methods"}, {"POST", "/api/auth/scim/generate-token"},
		{"GET", "/api/auth/scim/list-provider-connections"}, {"GET", "/api/admin/overview"}} {
		body := ""
		if c[0] == "POST" {
			body = `{"providerId":"x"}`
		}
		e.expectErr(e.withKey(c[0], c[1], body, key), 401, "UNAUTHORIZED")
	}
	// Every use is counted.
	g := e.expect(e.call("GET", "/api/auth/api-key/get?id="+keyID, "", e.admin), 200)
	if inum(g["requestCount"]) != 2 || inum(g["lastRequest"]) != e.clock.Now().UnixMilli() {
		t.Errorf("after 2 uses (requires_session refusals happen before the hook): %v", g)
	}
	// Bad keys.
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", "short"), 403, "INVALID_API_KEY")
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", strings.Repeat("x", 64)), 401, "INVALID_API_KEY")
	e.expect(e.call("POST", "/api/auth/api-key/update", mustJSON(map[string]any{"keyId": keyID, "enabled": false}), e.admin), 200)
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", key), 401, "KEY_DISABLED")
	e.expect(e.call("POST", "/api/auth/api-key/update", mustJSON(map[string]any{"keyId": keyID, "enabled": true}), e.admin), 200)
	e.expect(e.withKey("GET", "/api/auth/get-session", "", key), 200)
	// Expired: refused and deleted.
	e.clock.Advance(24*time.Hour + time.Second)
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", key), 401, "KEY_EXPIRED")
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", key), 401, "INVALID_API_KEY")

	off := newEnv(t, func(o *Options) { o.NoAPIKeySessions = true })
	k := off.createKey(off.admin, `{"name":"x"}`)["key"].(string)
	if r := off.withKey("GET", "/api/auth/get-session", "", k); r.status != 200 || len(r.body) != 0 {
		t.Errorf("NoAPIKeySessions: %d %q", r.status, r.body)
	}
	off.expectErr(off.withKey("POST", "/api/auth/admin/list-users", `{}`, k), 401, "UNAUTHORIZED")
}

func TestAPIKeyRateLimitAndQuota(t *testing.T) {
	e := newEnv(t)
	rl := e.dashKey(mustJSON(map[string]any{"userId": e.userID, "rateLimitMax": 2, "rateLimitTimeWindow": 60000}))
	key := rl["key"].(string)
	e.expect(e.withKey("GET", "/api/auth/get-session", "", key), 200)
	e.clock.Advance(10 * time.Second)
	e.expect(e.withKey("GET", "/api/auth/get-session", "", key), 200)
	r := e.withKey("GET", "/api/auth/get-session", "", key)
	if r.status != 429 || string(r.body) != `{"code":"RATE_LIMITED","message":"Rate limit exceeded.","data":{"tryAgainIn":50000}}` {
		t.Fatalf("rate limited: %d %s", r.status, r.body)
	}
	if r.header.Get("Retry-After") != "" {
		t.Error("API-key 429 must not carry Retry-After")
	}
	u := e.expect(e.call("GET", "/api/admin/api-keys/usage?keyId="+rl["id"].(string), "", e.admin), 200)
	if inum(u["requestCount"]) != 2 || inum(u["windowRequests"]) != 2 || inum(u["windowStart"]) != e.clock.Now().UnixMilli()-10000 {
		t.Errorf("usage %v", u)
	}
	h := u["history"].([]any)
	if len(h) != 3 || inum(h[0].(map[string]any)["status"]) != 429 || h[0].(map[string]any)["path"] != "/get-session" ||
		inum(h[2].(map[string]any)["status"]) != 200 {
		t.Errorf("history %v", h)
	}
	e.clock.Advance(51 * time.Second)
	e.expect(e.withKey("GET", "/api/auth/get-session", "", key), 200)

	// remaining: two uses, then USAGE_EXCEEDED (and the key is deleted).
	q := e.dashKey(mustJSON(map[string]any{"userId": e.userID, "remaining": 2, "rateLimitEnabled": false}))
	qk := q["key"].(string)
	e.expect(e.withKey("GET", "/api/auth/get-session", "", qk), 200)
	e.expect(e.withKey("GET", "/api/auth/get-session", "", qk), 200)
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", qk), 429, "USAGE_EXCEEDED")
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", qk), 401, "INVALID_API_KEY")

	// verify consumes quota and always answers 200.
	v := e.dashKey(mustJSON(map[string]any{"userId": e.userID, "rateLimitMax": 1, "permissions": map[string]any{"files": []string{"read"}}}))
	vk := v["key"].(string)
	ok := e.expect(e.call("POST", "/api/auth/api-key/verify", mustJSON(map[string]any{"key": vk, "permissions": map[string]any{"files": []string{"read"}}}), ""), 200)
	if ok["valid"] != true || ok["error"] != nil || inum(ok["key"].(map[string]any)["requestCount"]) != 1 || ok["key"].(map[string]any)["key"] != nil {
		t.Errorf("verify ok %v", ok)
	}
	bad := e.expect(e.call("POST", "/api/auth/api-key/verify", mustJSON(map[string]any{"key": vk}), ""), 200)
	if bad["valid"] != false || bad["key"] != nil || bad["error"].(map[string]any)["code"] != "RATE_LIMITED" {
		t.Errorf("verify rate limited %v", bad)
	}
	perm := e.expect(e.call("POST", "/api/auth/api-key/verify", mustJSON(map[string]any{"key": vk, "permissions": map[string]any{"files": []string{"write"}}}), ""), 200)
	if perm["error"].(map[string]any)["code"] != "KEY_NOT_FOUND" {
		t.Errorf("verify permission mismatch %v", perm)
	}
	none := e.expect(e.call("POST", "/api/auth/api-key/verify", `{"key":"nope"}`, ""), 200)
	if string(mustJSON(none)) != `{"error":{"code":"INVALID_API_KEY","message":"INVALID_API_KEY"},"key":null,"valid":false}` {
		t.Errorf("verify unknown %v", none)
	}
}

func TestAPIKeyDashboardRotateRevoke(t *testing.T) {
	e := newEnv(t)
	fam := e.expect(e.call("GET", "/api/admin/capabilities", "", e.admin), 200)["families"].([]any)
	for _, want := range []string{"keys", "sso-domains", "scim-directories"} {
		found := false
		for _, f := range fam {
			found = found || f == want
		}
		if !found {
			t.Errorf("capabilities lack %s: %v", want, fam)
		}
	}
	e.expectErr(e.call("POST", "/api/admin/api-keys/create", `{"userId":"nope"}`, e.admin), 404, "USER_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/admin/api-keys/create", `{}`, e.admin), 400, "INVALID_REQUEST")
	created := e.dashKey(mustJSON(map[string]any{"userId": e.userID, "name": "svc", "prefix": "svc_", "expiresIn": 864000,
		"rateLimitMax": 50, "rateLimitTimeWindow": 3600000, "remaining": 100, "refillAmount": 100, "refillInterval": 86400000,
		"permissions": map[string]any{"files": []string{"read"}}, "metadata": map[string]any{"team": "ops"}}))
	oldKey, oldID := created["key"].(string), created["id"].(string)
	if !strings.HasPrefix(oldKey, "svc_") || inum(created["rateLimitMax"]) != 50 || inum(created["remaining"]) != 100 ||
		created["referenceId"] != e.userID || created["metadata"].(map[string]any)["team"] != "ops" {
		t.Fatalf("dashboard create %v", created)
	}
	list := e.expect(e.call("GET", "/api/admin/api-keys?userId="+e.userID, "", e.admin), 200)
	items := list["apiKeys"].([]any)
	if inum(list["total"]) != 1 || len(items) != 1 || items[0].(map[string]any)["user"].(map[string]any)["email"] != UserEmail ||
		items[0].(map[string]any)["key"] != nil {
		t.Errorf("dashboard list %v", list)
	}
	e.expect(e.withKey("GET", "/api/auth/get-session", "", oldKey), 200)

	// Rotate without grace: the old key is gone at once.
	rot := e.expect(e.call("POST", "/api/admin/api-keys/rotate", mustJSON(map[string]any{"keyId": oldID}), e.admin), 200)
	nk := rot["key"].(map[string]any)
	newKey := nk["key"].(string)
	if rot["oldKeyId"] != oldID || rot["oldKeyExpiresAt"] != nil || newKey == oldKey || !strings.HasPrefix(newKey, "svc_") {
		t.Fatalf("rotate %v", rot)
	}
	if nk["name"] != "svc" || inum(nk["rateLimitMax"]) != 50 || inum(nk["rateLimitTimeWindow"]) != 3600000 ||
		inum(nk["remaining"]) != 99 || inum(nk["refillAmount"]) != 100 || nk["referenceId"] != e.userID ||
		inum(nk["expiresAt"]) != e.clock.Now().UnixMilli()+864000000 || nk["permissions"].(map[string]any)["files"] == nil {
		t.Errorf("rotated settings %v", nk)
	}
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", oldKey), 401, "INVALID_API_KEY")
	e.expect(e.withKey("GET", "/api/auth/get-session", "", newKey), 200)

	// Rotate with a grace period: both work until it ends.
	rot2 := e.expect(e.call("POST", "/api/admin/api-keys/rotate", mustJSON(map[string]any{"keyId": nk["id"], "gracePeriod": 60}), e.admin), 200)
	newer := rot2["key"].(map[string]any)["key"].(string)
	if inum(rot2["oldKeyExpiresAt"]) != e.clock.Now().UnixMilli()+60000 {
		t.Errorf("oldKeyExpiresAt %v", rot2["oldKeyExpiresAt"])
	}
	e.expect(e.withKey("GET", "/api/auth/get-session", "", newKey), 200)
	e.expect(e.withKey("GET", "/api/auth/get-session", "", newer), 200)
	e.clock.Advance(61 * time.Second)
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", newKey), 401, "KEY_EXPIRED")
	e.expect(e.withKey("GET", "/api/auth/get-session", "", newer), 200)
	e.expectErr(e.call("POST", "/api/admin/api-keys/rotate", mustJSON(map[string]any{"keyId": oldID}), e.admin), 404, "KEY_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/admin/api-keys/rotate", mustJSON(map[string]any{"keyId": rot2["key"].(map[string]any)["id"], "gracePeriod": 86401}), e.admin), 400, "INVALID_REQUEST")

	// Revoke.
	newerID := rot2["key"].(map[string]any)["id"]
	if m := e.expect(e.call("POST", "/api/admin/api-keys/revoke", mustJSON(map[string]any{"keyId": newerID}), e.admin), 200); m["success"] != true {
		t.Errorf("revoke %v", m)
	}
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", newer), 401, "INVALID_API_KEY")
	e.expectErr(e.call("POST", "/api/admin/api-keys/revoke", mustJSON(map[string]any{"keyId": newerID}), e.admin), 404, "KEY_NOT_FOUND")
	e.expectErr(e.call("GET", "/api/admin/api-keys/usage?keyId=nope", "", e.admin), 404, "KEY_NOT_FOUND")

	// Audit: create, two rotations, revoke; no key material.
	audit := e.call("GET", "/api/admin/audit", "", e.admin)
	var actions []string
	for _, ev := range e.expect(audit, 200)["events"].([]any) {
		if a := ev.(map[string]any)["action"].(string); strings.HasPrefix(a, "apikey.") {
			actions = append(actions, a)
		}
	}
	sort.Strings(actions)
	if strings.Join(actions, ",") != "apikey.create,apikey.revoke,apikey.rotate,apikey.rotate" {
		t.Errorf("audit actions %v", actions)
	}
	for _, secret := range []string{oldKey, newKey, newer} {
		if strings.Contains(string(audit.body), secret) {
			t.Error("audit holds a key")
		}
	}
	// Deleting the owner deletes the keys.
	uid, _ := e.createUser("owner")
	k := e.dashKey(mustJSON(map[string]any{"userId": uid}))["key"].(string)
	e.expect(e.call("POST", "/api/auth/admin/remove-user", mustJSON(map[string]any{"userId": uid}), e.admin), 200)
	e.expectErr(e.withKey("GET", "/api/auth/get-session", "", k), 401, "INVALID_API_KEY")
}
