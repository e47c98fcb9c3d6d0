package sandbox

import (
	"net/http"
	"testing"
)

// adminCase is how the authz test calls one Admin route as the admin.
type adminCase struct {
	// forbidden is the 403 code a signed-in non-admin gets ("" = no 403,
	// see userStatus).
	forbidden string
	// userStatus overrides the expected status for the normal user (the
	// documented stop-impersonating exception).
	userStatus int
	// prepare returns the admin call's body and, optionally, the token to
	// call with ("" = the admin token).
	prepare func(e *testEnv) (body, token string)
	// query is appended to the path of the admin call (e.g. "?id=x").
	query string
	// queryFor, when set, computes the query after prepare ran.
	queryFor func(e *testEnv) string
}

func withBody(s string) func(*testEnv) (string, string) {
	return func(*testEnv) (string, string) { return s, "" }
}

// freshUser returns a body {"userId": <new user>} plus extra fields.
func freshUser(extra map[string]any) func(*testEnv) (string, string) {
	return func(e *testEnv) (string, string) {
		id, _ := e.createUser("authz")
		m := map[string]any{"userId": id}
		for k, v := range extra {
			m[k] = v
		}
		return mustJSON(m), ""
	}
}

// adminCases must cover every Admin route in Routes(): the test fails on a
// route without an entry, so a new route cannot be added without coverage.
func adminCases() map[string]adminCase {
	return map[string]adminCase{
		"POST /api/auth/admin/list-users": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS", prepare: withBody(`{}`)},
		"POST /api/auth/admin/get-user":   {forbidden: "YOU_ARE_NOT_ALLOWED_TO_GET_USER", prepare: freshUser(nil)},
		"POST /api/auth/admin/create-user": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS",
			prepare: withBody(`{"email":"Created-By-Authz@Test.Example","name":"Created","password":"created-password"}`)},
		"POST /api/auth/admin/update-user": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS",
			prepare: freshUser(map[string]any{"data": map[string]any{"name": "Renamed"}})},
		"POST /api/auth/admin/set-role": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE",
			prepare: freshUser(map[string]any{"role": []string{"user", "admin"}})},
		"POST /api/auth/admin/ban-user": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
			prepare: freshUser(map[string]any{"banReason": "authz", "banExpiresIn": 60})},
		"POST /api/auth/admin/unban-user": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS", prepare: freshUser(nil)},
		"POST /api/auth/admin/impersonate-user": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS",
			prepare: freshUser(nil)},
		"POST /api/auth/admin/stop-impersonating": {
			// Callable by the impersonation session itself: a normal user
			// who is not impersonated gets 400 NOT_IMPERSONATING, not 403.
			userStatus: http.StatusBadRequest,
			prepare: func(e *testEnv) (string, string) {
				id, _ := e.createUser("imp")
				r := e.call("POST", "/api/auth/admin/impersonate-user", mustJSON(map[string]any{"userId": id}), e.admin)
				e.expect(r, 200)
				return "", r.header.Get("set-auth-token")
			},
		},
		"POST /api/auth/admin/list-user-sessions": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS",
			prepare: func(e *testEnv) (string, string) { return mustJSON(map[string]any{"userId": e.userID}), "" }},
		"POST /api/auth/admin/revoke-user-session": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS",
			prepare: withBody(`{"sessionToken":"no-such-token"}`)},
		"POST /api/auth/admin/revoke-user-sessions": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS",
			prepare: freshUser(nil)},
		"POST /api/auth/admin/set-user-password": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD",
			prepare: freshUser(map[string]any{"newPassword": "another-password"})},
		"POST /api/auth/admin/remove-user": {forbidden: "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS", prepare: freshUser(nil)},
		"POST /api/auth/admin/has-permission": {forbidden: "FORBIDDEN",
			prepare: withBody(`{"permissions":{"user":["list"]}}`)},

		"GET /api/admin/capabilities": {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/overview":     {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/sessions":     {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/audit":        {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"POST /api/admin/sessions/revoke": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				_, email := e.createUser("revoke")
				_, m := e.signIn(email, "test-password-1")
				return mustJSON(map[string]any{"sessionId": m["session"].(map[string]any)["id"]}), ""
			}},
		"POST /api/admin/sessions/revoke-all": {forbidden: "ADMIN_REQUIRED", prepare: freshUser(nil)},

		"GET /api/auth/admin/config/auth-methods": {forbidden: "ADMIN_CONFIG_FORBIDDEN", prepare: withBody("")},
		"POST /api/auth/admin/config/auth-methods": {forbidden: "ADMIN_CONFIG_FORBIDDEN",
			prepare: withBody(`{"value":{"magic-link":{"enabled":true},"sso":{"enabled":true}}}`)},
		"GET /api/auth/admin/config/email-clients": {forbidden: "ADMIN_CONFIG_FORBIDDEN", prepare: withBody("")},
		"POST /api/auth/admin/config/email-clients": {forbidden: "ADMIN_CONFIG_FORBIDDEN",
			prepare: withBody(`{"value":{"clients":[]}}`)},
		"GET /api/auth/admin/config/stripe": {forbidden: "ADMIN_CONFIG_FORBIDDEN", prepare: withBody("")},
		"POST /api/auth/admin/config/stripe": {forbidden: "ADMIN_CONFIG_FORBIDDEN",
			prepare: withBody(`{"value":{"apiKey":"sk_test_authz"}}`)},

		"GET /api/admin/email/clients": {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/email/outbox":  {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"POST /api/admin/email/clients/upsert": {forbidden: "ADMIN_REQUIRED",
			prepare: withBody(`{"client":{"id":"authz-upsert","kind":"resend","from":"a@test.example","apiKey":"re_authz"}}`)},
		"POST /api/admin/email/clients/delete": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.upsertClient(`{"id":"authz-delete","kind":"postmark","from":"a@test.example","token":"pm-authz"}`)
				return `{"id":"authz-delete"}`, ""
			}},
		"GET /api/admin/billing/products":        {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/billing/prices":          {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/billing/features":        {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/billing/plans":           {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/billing/subscriptions":   {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/billing/grants":          {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/billing/usage":           {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/billing/webhooks/health": {forbidden: "ADMIN_REQUIRED", prepare: withBody("")},
		"GET /api/admin/billing/entitlements":    {forbidden: "ADMIN_REQUIRED", prepare: withBody(""), query: "?referenceId=authz-ref"},
		"GET /api/admin/billing/entitlements/get": {forbidden: "ADMIN_REQUIRED", query: "?referenceId=authz-ref&feature=authz.ent",
			prepare: func(e *testEnv) (string, string) {
				e.feature(`{"key":"authz.ent","name":"Authz","kind":"metered"}`)
				return "", ""
			}},
		"GET /api/admin/billing/plans/get": {forbidden: "ADMIN_REQUIRED", query: "?id=authz-get",
			prepare: func(e *testEnv) (string, string) { e.plan(`{"id":"authz-get","name":"Authz get"}`); return "", "" }},
		"POST /api/admin/billing/products/upsert": {forbidden: "ADMIN_REQUIRED",
			prepare: withBody(`{"id":"prod_authz_upsert","name":"Authz"}`)},
		"POST /api/admin/billing/products/archive": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.product("prod_authz_archive")
				return `{"id":"prod_authz_archive"}`, ""
			}},
		"POST /api/admin/billing/prices/upsert": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.product("prod_authz_price")
				return `{"id":"price_authz_upsert","productId":"prod_authz_price","currency":"usd","unitAmount":100,"type":"one_time"}`, ""
			}},
		"POST /api/admin/billing/prices/archive": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.product("prod_authz_parch")
				e.price("price_authz_archive", "prod_authz_parch", "month", 100)
				return `{"id":"price_authz_archive"}`, ""
			}},
		"POST /api/admin/billing/prices/map": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.product("prod_authz_map")
				e.price("price_authz_map", "prod_authz_map", "month", 100)
				e.plan(`{"id":"authz-map","name":"Authz map"}`)
				return `{"priceId":"price_authz_map","planId":"authz-map"}`, ""
			}},
		"POST /api/admin/billing/features": {forbidden: "ADMIN_REQUIRED",
			prepare: withBody(`{"key":"authz.create","name":"Authz","kind":"boolean"}`)},
		"POST /api/admin/billing/plans": {forbidden: "ADMIN_REQUIRED", prepare: withBody(`{"name":"Authz Create"}`)},
		"POST /api/admin/billing/plans/set-feature": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.plan(`{"id":"authz-setf","name":"Authz"}`)
				e.feature(`{"key":"authz.setf","name":"Authz","kind":"metered"}`)
				return `{"planId":"authz-setf","featureKey":"authz.setf","limit":5}`, ""
			}},
		"POST /api/admin/billing/grants": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.feature(`{"key":"authz.grant","name":"Authz","kind":"metered"}`)
				return `{"referenceId":"authz-ref","featureKey":"authz.grant","amount":5,"reason":"authz"}`, ""
			}},
		"POST /api/admin/billing/usage": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.feature(`{"key":"authz.usage","name":"Authz","kind":"metered"}`)
				return `{"referenceId":"authz-ref","featureKey":"authz.usage","quantity":1,"idempotencyKey":"authz-1"}`, ""
			}},
		"POST /api/admin/email/test": {forbidden: "ADMIN_REQUIRED",
			prepare: func(e *testEnv) (string, string) {
				e.upsertClient(`{"id":"authz-test","kind":"resend","from":"a@test.example","apiKey":"re_authz"}`)
				return `{"id":"authz-test","to":"b@test.example"}`, ""
			}},
	}
}

// publicCases: every Public route answers without auth with this status.
func publicCases() map[string]struct {
	path   string // with query, if any
	body   string
	status int
} {
	type pc = struct {
		path   string
		body   string
		status int
	}
	return map[string]pc{
		"POST /api/auth/sign-up/email": {"/api/auth/sign-up/email",
			`{"email":"public@test.example","password":"public-password","name":"Public"}`, 200},
		"POST /api/auth/sign-in/email": {"/api/auth/sign-in/email",
			mustJSON(map[string]string{"email": UserEmail, "password": UserPassword}), 200},
		"GET /api/auth/get-session":              {"/api/auth/get-session", "", 200},
		"GET /api/auth/ok":                       {"/api/auth/ok", "", 200},
		"GET /api/auth/error":                    {"/api/auth/error?error=SOME_CODE", "", 400},
		"GET /api/auth/openapi.json":             {"/api/auth/openapi.json", "", 200},
		"GET /api/auth/admin/config/public-auth": {"/api/auth/admin/config/public-auth", "", 200},
		// No webhook secret configured and no signature: 400 INVALID_SIGNATURE.
		"POST /api/auth/stripe/webhook": {"/api/auth/stripe/webhook", `{"id":"evt_authz"}`, 400},
	}
}

// sessionCases: every Session route, called as a fresh normal-user session.
func sessionCases() map[string]func(e *testEnv, sessionID string) string {
	return map[string]func(*testEnv, string) string{
		"POST /api/auth/sign-out":     func(*testEnv, string) string { return "" },
		"GET /api/auth/list-sessions": func(*testEnv, string) string { return "" },
		"POST /api/auth/revoke-session": func(_ *testEnv, id string) string {
			return mustJSON(map[string]string{"session_id": id})
		},
		"POST /api/auth/revoke-sessions":       func(*testEnv, string) string { return "" },
		"POST /api/auth/revoke-other-sessions": func(*testEnv, string) string { return "" },
		"POST /api/auth/update-session":        func(*testEnv, string) string { return `{"user_agent":"authz-test"}` },
		"GET /api/auth/subscription/list":      func(*testEnv, string) string { return "" },
	}
}

func TestAuthzEveryRoute(t *testing.T) {
	e := newEnv(t)
	admins, publics, sessions := adminCases(), publicCases(), sessionCases()
	// API keys, SSO and SCIM (apikey_test.go): SSO must be enabled first,
	// or every /sso/* route answers 403 AUTH_METHOD_DISABLED.
	e.enableSSO()
	for k, v := range keySSOSCIMAdminCases() {
		admins[k] = v
	}
	for k, v := range keySSOSCIMPublicCases() {
		publics[k] = v
	}
	sessionExtras := keySessionCases()
	for k, v := range sessionExtras {
		sessions[k] = v.body
	}
	seen := map[string]bool{}
	for _, rt := range e.s.Routes() {
		key := rt.Method + " " + rt.Path
		if seen[key] {
			t.Errorf("duplicate route %s", key)
		}
		seen[key] = true
		t.Run(key, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			switch rt.Access {
			case Admin:
				c, ok := admins[key]
				if !ok {
					t.Fatalf("admin route %s has no entry in adminCases", key)
				}
				anonBody := ""
				if rt.Method == http.MethodPost {
					anonBody = "{}"
				}
				r := e.call(rt.Method, rt.Path, anonBody, "")
				if r.status != 401 || string(r.body) != `{"code":"UNAUTHORIZED","message":"UNAUTHORIZED"}` {
					t.Fatalf("anonymous: %d %s, want 401 UNAUTHORIZED", r.status, r.body)
				}
				r = e.call(rt.Method, rt.Path, anonBody, e.user)
				if c.userStatus != 0 {
					e.expect(r, c.userStatus)
				} else {
					e.expectErr(r, 403, c.forbidden)
				}
				b, tok := c.prepare(e)
				if tok == "" {
					tok = e.admin
				}
				q := c.query
				if c.queryFor != nil {
					q = c.queryFor(e)
				}
				r = e.call(rt.Method, rt.Path+q, b, tok)
				if r.status < 200 || r.status > 299 {
					t.Fatalf("admin: %d %s", r.status, r.body)
				}
			case Public:
				c, ok := publics[key]
				if !ok {
					t.Fatalf("public route %s has no entry in publicCases", key)
				}
				r := e.call(rt.Method, c.path, c.body, "")
				e.expect(r, c.status)
			case Session:
				mk, ok := sessions[key]
				if !ok {
					t.Fatalf("session route %s has no entry in sessionCases", key)
				}
				tok, m := e.signIn(UserEmail, UserPassword)
				sid := m["session"].(map[string]any)["id"].(string)
				b := mk(e, sid)
				path, unauth := rt.Path, "UNAUTHORIZED"
				if x, ok := sessionExtras[key]; ok {
					unauth = x.unauth
					if x.query != nil {
						path += x.query()
					}
				}
				e.expectErr(e.call(rt.Method, path, b, ""), 401, unauth)
				e.expect(e.call(rt.Method, path, b, tok), 200)
				// revoke-sessions also ends e.user's session: sign in again.
				e.user, _ = e.signIn(UserEmail, UserPassword)
			default:
				t.Fatalf("unknown access %v", rt.Access)
			}
		})
	}
	for key := range admins {
		if !seen[key] {
			t.Errorf("adminCases entry %s is not a served route", key)
		}
	}
	for key := range publics {
		if !seen[key] {
			t.Errorf("publicCases entry %s is not a served route", key)
		}
	}
	for key := range sessions {
		if !seen[key] {
			t.Errorf("sessionCases entry %s is not a served route", key)
		}
	}
}
