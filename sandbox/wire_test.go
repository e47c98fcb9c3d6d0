package sandbox

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var signedRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`)

func TestSignInTokenHeaderAndCookie(t *testing.T) {
	e := newEnv(t)
	r := e.call("POST", "/api/auth/sign-in/email",
		mustJSON(map[string]any{"email": UserEmail, "password": UserPassword, "callbackURL": "/x"}), "",
		"X-Forwarded-For: 203.0.113.7, 10.0.0.1", "User-Agent: wire-test/1.0")
	m := e.expect(r, 200)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content-type %q", ct)
	}
	tok := r.header.Get("set-auth-token")
	if !signedRe.MatchString(tok) {
		t.Fatalf("set-auth-token %q is not raw.sig", tok)
	}
	if got := r.header.Get("Access-Control-Expose-Headers"); got != "set-auth-token" {
		t.Errorf("Access-Control-Expose-Headers %q", got)
	}
	cookies := r.header.Values("Set-Cookie")
	want := "better-auth.session_token=" + tok + "; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax"
	if len(cookies) != 1 || cookies[0] != want {
		t.Fatalf("Set-Cookie %q, want %q", cookies, want)
	}
	if strings.Contains(string(r.body), "token") || strings.Contains(string(r.body), strings.Split(tok, ".")[0]) {
		t.Fatalf("sign-in body leaks a token: %s", r.body)
	}
	u := m["user"].(map[string]any)
	if got := strings.Join(sortedKeys(u), ","); got != "email,id,name" {
		t.Errorf("user keys %s", got)
	}
	sess := m["session"].(map[string]any)
	if got := strings.Join(sortedKeys(sess), ","); got != "expiresAt,id" {
		t.Errorf("session keys %s", got)
	}
	if exp := int64(sess["expiresAt"].(float64)); exp != e.clock.Now().Unix()+604800 {
		t.Errorf("expiresAt %d, want now+7d epoch seconds", exp)
	}
	// ipAddress is X-Forwarded-For verbatim.
	ls := e.call("POST", "/api/auth/admin/list-user-sessions", mustJSON(map[string]string{"userId": u["id"].(string)}), e.admin)
	var out struct{ Sessions []session }
	if err := json.Unmarshal(ls.body, &out); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range out.Sessions {
		if s.ID == sess["id"] {
			found = true
			if s.IPAddress == nil || *s.IPAddress != "203.0.113.7, 10.0.0.1" || s.UserAgent == nil || *s.UserAgent != "wire-test/1.0" {
				t.Errorf("session meta ip=%v ua=%v", s.IPAddress, s.UserAgent)
			}
			if s.Token != strings.Split(tok, ".")[0] {
				t.Errorf("list-user-sessions token is not the raw token")
			}
		}
	}
	if !found {
		t.Fatal("new session not in list-user-sessions")
	}

	// rememberMe false: no Max-Age, plus dont_remember.
	r = e.call("POST", "/api/auth/sign-in/email", mustJSON(map[string]any{"email": UserEmail, "password": UserPassword, "remember_me": false}), "")
	e.expect(r, 200)
	cookies = r.header.Values("Set-Cookie")
	if len(cookies) != 2 || strings.Contains(cookies[0], "Max-Age") || cookies[1] != "better-auth.dont_remember=1; Path=/; HttpOnly; SameSite=Lax" {
		t.Errorf("rememberMe=false cookies %q", cookies)
	}

	// Errors.
	e.expectErr(e.call("POST", "/api/auth/sign-in/email", mustJSON(map[string]string{"email": UserEmail, "password": "wrong-password"}), ""), 401, "INVALID_CREDENTIALS")
	e.expectErr(e.call("POST", "/api/auth/sign-in/email", mustJSON(map[string]string{"email": strings.ToUpper(UserEmail), "password": UserPassword}), ""), 401, "INVALID_CREDENTIALS")
	e.expectErr(e.call("POST", "/api/auth/sign-in/email", `{"email":"x@y.z"}`, ""), 400, "INVALID_REQUEST")
}

func TestSecureCookieOnHTTPS(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.BaseURL = "https://auth.example.com" })
	r := e.call("POST", "/api/auth/sign-in/email", mustJSON(map[string]string{"email": UserEmail, "password": UserPassword}), "")
	e.expect(r, 200)
	want := "better-auth.session_token=" + r.header.Get("set-auth-token") + "; Path=/; Max-Age=604800; HttpOnly; Secure; SameSite=Lax"
	if got := r.header.Get("Set-Cookie"); got != want {
		t.Errorf("Set-Cookie %q, want %q", got, want)
	}
}

func TestSignUp(t *testing.T) {
	e := newEnv(t)
	r := e.call("POST", "/api/auth/sign-up/email", `{"email":"New.Person@Example.com","password":"long-enough","name":"New Person"}`, "")
	m := e.expect(r, 200)
	if !signedRe.MatchString(r.header.Get("set-auth-token")) {
		t.Fatal("no set-auth-token on sign-up")
	}
	u := m["user"].(map[string]any)
	if u["email"] != "New.Person@Example.com" || u["role"] != "user" || u["banned"] != false || u["emailVerified"] != false {
		t.Errorf("sign-up user %v", u)
	}
	for _, k := range []string{"image", "banReason", "banExpires", "createdAt", "updatedAt"} {
		if _, ok := u[k]; !ok {
			t.Errorf("sign-up user lacks %s", k)
		}
	}
	e.expectErr(e.call("POST", "/api/auth/sign-up/email", `{"email":"New.Person@Example.com","password":"long-enough","name":"x"}`, ""), 409, "EMAIL_ALREADY_IN_USE")
	e.expectErr(e.call("POST", "/api/auth/sign-up/email", `{"email":"a@b.c","password":"short","name":"x"}`, ""), 400, "PASSWORD_TOO_SHORT")
	e.expectErr(e.call("POST", "/api/auth/sign-up/email", mustJSON(map[string]string{"email": "a@b.c", "password": strings.Repeat("x", 129), "name": "x"}), ""), 400, "PASSWORD_TOO_LONG")
}

func TestGetSessionAndSignOut(t *testing.T) {
	e := newEnv(t)
	r := e.call("GET", "/api/auth/get-session", "", "")
	if r.status != 200 || len(r.body) != 0 {
		t.Fatalf("anonymous get-session: %d %q, want 200 with empty body", r.status, r.body)
	}
	r = e.call("GET", "/api/auth/get-session", "", e.user)
	m := e.expect(r, 200)
	if got := strings.Join(sortedKeys(m["session"].(map[string]any)), ","); got != "expiresAt,id" {
		t.Errorf("get-session session keys %s", got)
	}
	if strings.Contains(string(r.body), "token") {
		t.Errorf("get-session leaks a token: %s", r.body)
	}
	if m["user"].(map[string]any)["email"] != UserEmail {
		t.Errorf("get-session user %v", m["user"])
	}
	// Expired sessions count as absent (7 days, never extended).
	e.clock.Advance(7*24*time.Hour + time.Second)
	r = e.call("GET", "/api/auth/get-session", "", e.user)
	if r.status != 200 || len(r.body) != 0 {
		t.Fatalf("expired get-session: %d %q", r.status, r.body)
	}
	e.expectErr(e.call("POST", "/api/auth/sign-out", "", e.user), 401, "UNAUTHORIZED")

	tok, _ := e.signIn(UserEmail, UserPassword)
	r = e.call("POST", "/api/auth/sign-out", "", tok)
	if string(r.body) != `{"success":true}` {
		t.Fatalf("sign-out body %s", r.body)
	}
	if c := r.header.Values("Set-Cookie"); len(c) == 0 || !strings.HasPrefix(c[0], "better-auth.session_token=; Path=/; Max-Age=0") {
		t.Errorf("sign-out cookies %q", c)
	}
	if r.header.Get("set-auth-token") != "" {
		t.Error("sign-out emits set-auth-token")
	}
	if r := e.call("GET", "/api/auth/get-session", "", tok); len(r.body) != 0 {
		t.Errorf("session survives sign-out")
	}
	e.expectErr(e.call("POST", "/api/auth/sign-out", "", ""), 401, "UNAUTHORIZED")
}

func TestBearerForms(t *testing.T) {
	e := newEnv(t)
	raw := strings.Split(e.user, ".")[0]
	for name, h := range map[string]string{
		"signed":      "Authorization: Bearer " + e.user,
		"raw":         "Authorization: Bearer " + raw,
		"lower-case":  "Authorization: bearer " + e.user,
		"url-encoded": "Authorization: BEARER " + strings.Replace(e.user, ".", "%2E", 1),
	} {
		r := e.call("GET", "/api/auth/get-session", "", "", h)
		if r.status != 200 || len(r.body) == 0 {
			t.Errorf("%s: not authenticated (%d %q)", name, r.status, r.body)
		}
	}
	// A bad signature is rejected.
	if r := e.call("GET", "/api/auth/get-session", "", raw+".AAAA"); len(r.body) != 0 {
		t.Error("bad signature accepted")
	}
}

func TestBearerCookieTrap(t *testing.T) {
	e := newEnv(t)
	// Any better-auth.session_token cookie makes bearer be ignored.
	r := e.call("GET", "/api/auth/get-session", "", e.user, "Cookie: better-auth.session_token=garbage")
	if r.status != 200 || len(r.body) != 0 {
		t.Fatalf("bearer honoured despite a session cookie: %d %s", r.status, r.body)
	}
	e.expectErr(e.call("POST", "/api/auth/admin/list-users", "{}", e.admin, "Cookie: better-auth.session_token="), 401, "UNAUTHORIZED")
	// The cookie alone works.
	r = e.call("GET", "/api/auth/get-session", "", "", "Cookie: better-auth.session_token="+e.user)
	if len(r.body) == 0 {
		t.Fatal("cookie session not recognised")
	}
	// Other cookies do not trigger the trap.
	r = e.call("GET", "/api/auth/get-session", "", e.user, "Cookie: other=1")
	if len(r.body) == 0 {
		t.Fatal("unrelated cookie blocked bearer")
	}
}

func TestCoreSessionRoutes(t *testing.T) {
	e := newEnv(t)
	tok2, m2 := e.signIn(UserEmail, UserPassword)
	sid2 := m2["session"].(map[string]any)["id"].(string)

	r := e.call("GET", "/api/auth/list-sessions", "", e.user)
	var list []map[string]any
	if err := json.Unmarshal(r.body, &list); err != nil {
		t.Fatalf("list-sessions is not a bare array: %s", r.body)
	}
	if len(list) != 2 {
		t.Fatalf("list-sessions: %d sessions", len(list))
	}
	current := 0
	for _, s := range list {
		if got := strings.Join(sortedKeys(s), ","); got != "current,expiresAt,id,ipAddress,userAgent" {
			t.Errorf("list-sessions keys %s", got)
		}
		if s["current"] == true {
			current++
		}
	}
	if current != 1 {
		t.Errorf("%d current sessions", current)
	}

	// revoke-session: snake_case session_id only.
	e.expectErr(e.call("POST", "/api/auth/revoke-session", mustJSON(map[string]string{"sessionId": sid2}), e.user), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/auth/revoke-session", mustJSON(map[string]string{"token": tok2}), e.user), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/auth/revoke-session", "", e.user), 400, "INVALID_REQUEST")
	// Not one of the caller's sessions → 404 with message.
	adminSessions := e.call("GET", "/api/auth/list-sessions", "", e.admin)
	var al []map[string]any
	json.Unmarshal(adminSessions.body, &al)
	r = e.call("POST", "/api/auth/revoke-session", mustJSON(map[string]any{"session_id": al[0]["id"]}), e.user)
	if r.status != 404 || string(r.body) != `{"code":"NOT_FOUND","message":"NOT_FOUND"}` {
		t.Fatalf("foreign session: %d %s", r.status, r.body)
	}
	r = e.call("POST", "/api/auth/revoke-session", mustJSON(map[string]string{"session_id": sid2}), e.user)
	if string(r.body) != `{"success":true}` {
		t.Fatalf("revoke-session %s", r.body)
	}
	if r := e.call("GET", "/api/auth/get-session", "", tok2); len(r.body) != 0 {
		t.Fatal("revoked session still valid")
	}

	// update-session returns the full row.
	m := e.expect(e.call("POST", "/api/auth/update-session", `{"ip_address":"198.51.100.1","userAgent":"ignored"}`, e.user), 200)
	s := m["session"].(map[string]any)
	if s["ipAddress"] != "198.51.100.1" || s["userAgent"] == "ignored" {
		t.Errorf("update-session %v", s)
	}
	for _, k := range []string{"id", "userId", "token", "expiresAt", "ipAddress", "userAgent", "createdAt", "updatedAt", "impersonatedBy"} {
		if _, ok := s[k]; !ok {
			t.Errorf("update-session row lacks %s", k)
		}
	}

	// revoke-other-sessions and revoke-sessions count.
	e.signIn(UserEmail, UserPassword)
	e.signIn(UserEmail, UserPassword)
	if r := e.call("POST", "/api/auth/revoke-other-sessions", "", e.user); string(r.body) != `{"revoked":2}` {
		t.Errorf("revoke-other-sessions %s", r.body)
	}
	if r := e.call("POST", "/api/auth/revoke-sessions", "", e.user); string(r.body) != `{"revoked":1}` {
		t.Errorf("revoke-sessions %s", r.body)
	}
}

func TestListUsersShapes(t *testing.T) {
	e := newEnv(t)
	list := func(b string) (*resp, map[string]any) {
		r := e.call("POST", "/api/auth/admin/list-users", b, e.admin)
		return r, e.expect(r, 200)
	}
	// Empty body and {}: everything, limit/offset null.
	for _, b := range []string{"", "{}"} {
		_, m := list(b)
		if m["total"] != float64(SeedUserCount) || len(m["users"].([]any)) != SeedUserCount || m["limit"] != nil || m["offset"] != nil {
			t.Fatalf("list-users %q: total=%v limit=%v offset=%v", b, m["total"], m["limit"], m["offset"])
		}
		if _, ok := m["limit"]; !ok {
			t.Fatal("limit key missing")
		}
	}
	// offset 0 is echoed as null.
	r, m := list(`{"limit":5,"offset":0}`)
	if !strings.Contains(string(r.body), `"offset":null`) || m["limit"] != float64(5) || len(m["users"].([]any)) != 5 || m["total"] != float64(SeedUserCount) {
		t.Fatalf("limit 5 offset 0: %s", r.body)
	}
	// Numeric strings, snake_case keys.
	_, m = list(`{"limit":"10","offset":"20"}`)
	if m["limit"] != float64(10) || m["offset"] != float64(20) || len(m["users"].([]any)) != 5 {
		t.Fatalf("string limit/offset: %v", m)
	}
	// Full user rows with banned forced to a bool.
	u := m["users"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "email", "emailVerified", "name", "image", "createdAt", "updatedAt", "role", "banned", "banReason", "banExpires"} {
		if _, ok := u[k]; !ok {
			t.Errorf("user row lacks %s", k)
		}
	}
	// Search, camelCase and snake_case.
	_, m = list(`{"searchValue":"LOVELACE","searchField":"email"}`)
	if m["total"] != float64(1) {
		t.Errorf("search contains: %v", m["total"])
	}
	_, m = list(`{"search_value":"Ada","search_field":"name","search_operator":"starts_with"}`)
	if m["total"] != float64(1) {
		t.Errorf("search starts_with: %v", m["total"])
	}
	_, m = list(`{"searchValue":"@sandbox.local","searchOperator":"ends_with"}`)
	if m["total"] != float64(2) {
		t.Errorf("search ends_with: %v", m["total"])
	}
	_, m = list(`{"searchValue":"100%","searchOperator":"contains"}`)
	if m["total"] != float64(0) {
		t.Errorf("LIKE wildcard not escaped: %v", m["total"])
	}
	// Filter with coercion.
	_, m = list(`{"filterField":"banned","filterValue":"true"}`)
	if m["total"] != float64(1) {
		t.Errorf("filter banned=true: %v", m["total"])
	}
	_, m = list(`{"filterField":"role","filterValue":"admin","filterOperator":"ne"}`)
	if m["total"] != float64(SeedUserCount-1) {
		t.Errorf("filter ne: %v", m["total"])
	}
	_, m = list(mustJSON(map[string]any{"filterField": "email", "filterOperator": "in", "filterValue": []string{AdminEmail, UserEmail, "none@x"}}))
	if m["total"] != float64(2) {
		t.Errorf("filter in: %v", m["total"])
	}
	_, m = list(`{"filterField":"emailVerified","filterValue":false,"filterOperator":"bogus"}`)
	if m["total"] != float64(5) {
		t.Errorf("unknown filterOperator should be eq: %v", m["total"])
	}
	_, m = list(`{"filterField":"createdAt","filterOperator":"gt","filterValue":"0","sortBy":"createdAt","sortDirection":"desc","limit":1}`)
	first := m["users"].([]any)[0].(map[string]any)
	if m["total"] != float64(SeedUserCount) || first["email"] == AdminEmail {
		t.Errorf("sort desc: %v first=%v", m["total"], first["email"])
	}
	_, m = list(`{"sortBy":"createdAt","limit":1}`)
	if m["users"].([]any)[0].(map[string]any)["email"] != AdminEmail {
		t.Errorf("sort asc: admin should be oldest")
	}
	// Fallbacks: exactly {"users":[],"total":0}.
	for _, b := range []string{
		`{"searchValue":"a","searchOperator":"regex","limit":5}`,
		`{"sortBy":"password","limit":5}`,
		`{"sortBy":"email; DROP TABLE \"user\"; --"}`,
		`{"searchValue":"a","searchField":"email) OR 1=1 --"}`,
		`{"filterValue":"x","filterField":"nope"}`,
	} {
		r, _ := list(b)
		if string(r.body) != `{"users":[],"total":0}` {
			t.Errorf("fallback for %s: %s", b, r.body)
		}
	}
	_, m = list(`{}`)
	if m["total"] != float64(SeedUserCount) {
		t.Fatal("users table damaged")
	}
}

func TestAdminUserRoutes(t *testing.T) {
	e := newEnv(t)
	// get-user precedence id > userId > email.
	u := e.expect(e.call("POST", "/api/auth/admin/get-user", mustJSON(map[string]string{"id": e.userID, "email": AdminEmail}), e.admin), 200)
	if u["email"] != UserEmail {
		t.Errorf("get-user precedence: %v", u["email"])
	}
	u = e.expect(e.call("POST", "/api/auth/admin/get-user", mustJSON(map[string]string{"email": UserEmail}), e.admin), 200)
	if u["id"] != e.userID {
		t.Error("get-user by email")
	}
	r := e.call("POST", "/api/auth/admin/get-user", `{}`, e.admin)
	if e.expectErr(r, 400, "INVALID_REQUEST")["message"] != "id or email required" {
		t.Errorf("get-user message %s", r.body)
	}
	e.expectErr(e.call("POST", "/api/auth/admin/get-user", `{"userId":"nope"}`, e.admin), 404, "USER_NOT_FOUND")

	// create-user lower-cases the email; duplicates are refused.
	m := e.expect(e.call("POST", "/api/auth/admin/create-user", `{"email":"MiXeD@Case.Example","name":"M","role":["user","admin"],"data":{"emailVerified":true}}`, e.admin), 200)
	cu := m["user"].(map[string]any)
	if cu["email"] != "mixed@case.example" || cu["role"] != "user,admin" || cu["emailVerified"] != true {
		t.Errorf("create-user %v", cu)
	}
	e.expectErr(e.call("POST", "/api/auth/admin/create-user", `{"email":"mixed@case.example","name":"M"}`, e.admin), 400, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")

	// update-user returns a bare user.
	e.expectErr(e.call("POST", "/api/auth/admin/update-user", mustJSON(map[string]any{"userId": e.userID, "data": map[string]any{}}), e.admin), 400, "NO_DATA_TO_UPDATE")
	u = e.expect(e.call("POST", "/api/auth/admin/update-user", mustJSON(map[string]any{"user_id": e.userID, "data": map[string]any{"name": "Changed", "image": "https://img"}}), e.admin), 200)
	if u["name"] != "Changed" || u["image"] != "https://img" {
		t.Errorf("update-user %v", u)
	}
	e.expectErr(e.call("POST", "/api/auth/admin/update-user", mustJSON(map[string]any{"userId": e.userID, "data": map[string]any{"role": "root"}}), e.admin), 400, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE")

	// set-role.
	m = e.expect(e.call("POST", "/api/auth/admin/set-role", mustJSON(map[string]any{"userId": cu["id"], "role": "user"}), e.admin), 200)
	if m["user"].(map[string]any)["role"] != "user" {
		t.Errorf("set-role %v", m)
	}
	e.expectErr(e.call("POST", "/api/auth/admin/set-role", mustJSON(map[string]any{"userId": cu["id"], "role": []string{"user", "owner"}}), e.admin), 400, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE")
	e.expectErr(e.call("POST", "/api/auth/admin/set-role", mustJSON(map[string]any{"userId": "nope", "role": "user"}), e.admin), 404, "USER_NOT_FOUND")

	// set-user-password.
	r = e.call("POST", "/api/auth/admin/set-user-password", mustJSON(map[string]any{"userId": e.userID, "newPassword": "short"}), e.admin)
	if m := e.expectErr(r, 400, "PASSWORD_TOO_SHORT"); m["message"] != "Password too short" {
		t.Errorf("message %v", m["message"])
	}
	e.expectErr(e.call("POST", "/api/auth/admin/set-user-password", mustJSON(map[string]any{"userId": e.userID, "newPassword": strings.Repeat("p", 129)}), e.admin), 400, "PASSWORD_TOO_LONG")
	e.expectErr(e.call("POST", "/api/auth/admin/set-user-password", `{"userId":"","newPassword":"long-enough-1"}`, e.admin), 400, "userId cannot be empty")
	if r := e.call("POST", "/api/auth/admin/set-user-password", mustJSON(map[string]any{"userId": e.userID, "newPassword": "brand-new-password"}), e.admin); string(r.body) != `{"status":true}` {
		t.Fatalf("set-user-password %s", r.body)
	}
	e.signIn(UserEmail, "brand-new-password")

	// remove-user.
	var adminID string
	e.s.db.QueryRow(`SELECT id FROM "user" WHERE email = ?`, AdminEmail).Scan(&adminID)
	e.expectErr(e.call("POST", "/api/auth/admin/remove-user", mustJSON(map[string]any{"userId": adminID}), e.admin), 400, "YOU_CANNOT_REMOVE_YOURSELF")
	e.expectErr(e.call("POST", "/api/auth/admin/remove-user", `{"userId":"nope"}`, e.admin), 404, "USER_NOT_FOUND")
	if r := e.call("POST", "/api/auth/admin/remove-user", mustJSON(map[string]any{"userId": cu["id"]}), e.admin); string(r.body) != `{"success":true}` {
		t.Fatalf("remove-user %s", r.body)
	}

	// has-permission.
	for b, want := range map[string]string{
		`{"permissions":{"user":["list","ban"]}}`:                                                                  `{"error":null,"success":true}`,
		`{"permissions":{"user":["impersonate-admins"]}}`:                                                          `{"error":null,"success":false}`,
		`{"permission":{"user":["list"]},"role":"user"}`:                                                           `{"error":null,"success":false}`,
		`{"permissions":{"user":{"actions":["impersonate-admins","list"],"connector":"OR"}}}`:                      `{"error":null,"success":true}`,
		mustJSON(map[string]any{"permissions": map[string]any{"session": []string{"revoke"}}, "userId": e.userID}): `{"error":null,"success":false}`,
	} {
		if r := e.call("POST", "/api/auth/admin/has-permission", b, e.admin); string(r.body) != want {
			t.Errorf("has-permission %s: %s, want %s", b, r.body, want)
		}
	}
	e.expectErr(e.call("POST", "/api/auth/admin/has-permission", `{}`, e.admin), 400, "INVALID_REQUEST")
}

func TestBanUser(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now().Unix()
	e.expectErr(e.call("POST", "/api/auth/admin/ban-user", `{"userId":"nope"}`, e.admin), 404, "USER_NOT_FOUND")
	var adminID string
	e.s.db.QueryRow(`SELECT id FROM "user" WHERE email = ?`, AdminEmail).Scan(&adminID)
	e.expectErr(e.call("POST", "/api/auth/admin/ban-user", mustJSON(map[string]string{"userId": adminID}), e.admin), 400, "YOU_CANNOT_BAN_YOURSELF")

	m := e.expect(e.call("POST", "/api/auth/admin/ban-user", mustJSON(map[string]any{"user_id": e.userID, "ban_expires_in": 3600}), e.admin), 200)
	u := m["user"].(map[string]any)
	if u["banned"] != true || u["banReason"] != "No reason" || u["banExpires"] != float64(now+3600) {
		t.Fatalf("ban-user %v", u)
	}
	// All the target's sessions are gone.
	if r := e.call("GET", "/api/auth/get-session", "", e.user); len(r.body) != 0 {
		t.Fatal("banned user's session survived")
	}
	if r := e.call("POST", "/api/auth/admin/list-user-sessions", mustJSON(map[string]string{"userId": e.userID}), e.admin); string(r.body) != `{"sessions":[]}` {
		t.Fatalf("sessions after ban: %s", r.body)
	}
	r := e.call("POST", "/api/auth/sign-in/email", mustJSON(map[string]string{"email": UserEmail, "password": UserPassword}), "")
	if m := e.expectErr(r, 403, "BANNED_USER"); !strings.Contains(m["message"].(string), "banned") {
		t.Errorf("BANNED_USER message %v", m["message"])
	}
	// The ban lapses and is cleared.
	e.clock.Advance(time.Hour + time.Second)
	tok, _ := e.signIn(UserEmail, UserPassword)
	u = e.expect(e.call("POST", "/api/auth/admin/get-user", mustJSON(map[string]string{"id": e.userID}), e.admin), 200)
	if u["banned"] != false || u["banExpires"] != nil || u["banReason"] != nil {
		t.Fatalf("lapsed ban not cleared: %v", u)
	}
	// A session of a user banned without revocation gets USER_BANNED.
	e.expect(e.call("POST", "/api/auth/admin/update-user", mustJSON(map[string]any{"userId": e.userID, "data": map[string]any{"banned": true}}), e.admin), 200)
	e.expectErr(e.call("GET", "/api/auth/list-sessions", "", tok), 403, "USER_BANNED")
	// sign-out stays allowed.
	e.expect(e.call("POST", "/api/auth/sign-out", "", tok), 200)
	// unban.
	m = e.expect(e.call("POST", "/api/auth/admin/unban-user", mustJSON(map[string]string{"userId": e.userID}), e.admin), 200)
	if m["user"].(map[string]any)["banned"] != false {
		t.Fatal("unban-user")
	}
}

func TestImpersonation(t *testing.T) {
	e := newEnv(t)
	var adminID string
	e.s.db.QueryRow(`SELECT id FROM "user" WHERE email = ?`, AdminEmail).Scan(&adminID)
	e.expectErr(e.call("POST", "/api/auth/admin/impersonate-user", mustJSON(map[string]string{"userId": adminID}), e.admin), 403, "YOU_CANNOT_IMPERSONATE_ADMINS")
	e.expectErr(e.call("POST", "/api/auth/admin/impersonate-user", `{"userId":"nope"}`, e.admin), 404, "USER_NOT_FOUND")

	r := e.call("POST", "/api/auth/admin/impersonate-user", mustJSON(map[string]string{"userId": e.userID}), e.admin)
	m := e.expect(r, 200)
	s := m["session"].(map[string]any)
	raw := s["token"].(string)
	if strings.Contains(raw, ".") || len(raw) != 43 {
		t.Fatalf("impersonation token %q is not raw", raw)
	}
	signed := r.header.Get("set-auth-token")
	if !signedRe.MatchString(signed) || !strings.HasPrefix(signed, raw+".") {
		t.Fatalf("set-auth-token %q does not sign the raw token", signed)
	}
	if s["expiresAt"] != float64(e.clock.Now().Unix()+3600) || s["impersonatedBy"] != adminID {
		t.Errorf("impersonation session %v", s)
	}
	if m["user"].(map[string]any)["id"] != e.userID {
		t.Error("impersonated user")
	}
	// The admin's own session survives; the raw token acts as the user.
	e.expect(e.call("POST", "/api/auth/admin/list-users", "{}", e.admin), 200)
	gs := e.expect(e.call("GET", "/api/auth/get-session", "", raw), 200)
	if gs["user"].(map[string]any)["email"] != UserEmail {
		t.Fatal("impersonation session is not the user")
	}
	e.expectErr(e.call("POST", "/api/auth/admin/list-users", "{}", raw), 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS")
	ov := e.expect(e.call("GET", "/api/admin/overview", "", e.admin), 200)
	if ov["impersonationSessions"] != float64(1) {
		t.Errorf("overview %v", ov)
	}
	// stop-impersonating as the impersonation session.
	e.expectErr(e.call("POST", "/api/auth/admin/stop-impersonating", "", e.admin), 400, "NOT_IMPERSONATING")
	if r := e.call("POST", "/api/auth/admin/stop-impersonating", "", signed); string(r.body) != `{"success":true}` {
		t.Fatalf("stop-impersonating %s", r.body)
	}
	if r := e.call("GET", "/api/auth/get-session", "", raw); len(r.body) != 0 {
		t.Fatal("impersonation session survived stop-impersonating")
	}
	e.expectErr(e.call("POST", "/api/auth/admin/stop-impersonating", "", signed), 401, "UNAUTHORIZED")

	// Impersonation sessions last one hour.
	r = e.call("POST", "/api/auth/admin/impersonate-user", mustJSON(map[string]string{"userId": e.userID}), e.admin)
	tok := r.header.Get("set-auth-token")
	e.clock.Advance(time.Hour)
	if r := e.call("GET", "/api/auth/get-session", "", tok); len(r.body) != 0 {
		t.Fatal("impersonation session outlived one hour")
	}
}

func TestRevokeUserSessionByRawToken(t *testing.T) {
	e := newEnv(t)
	raw := strings.Split(e.user, ".")[0]
	if r := e.call("POST", "/api/auth/admin/revoke-user-session", `{"sessionToken":"unknown"}`, e.admin); string(r.body) != `{"success":true}` {
		t.Fatalf("revoke unknown: %s", r.body)
	}
	if r := e.call("POST", "/api/auth/admin/revoke-user-session", mustJSON(map[string]string{"session_token": raw}), e.admin); string(r.body) != `{"success":true}` {
		t.Fatalf("revoke: %s", r.body)
	}
	if r := e.call("GET", "/api/auth/get-session", "", e.user); len(r.body) != 0 {
		t.Fatal("session survived revoke-user-session")
	}
	tok, _ := e.signIn(UserEmail, UserPassword)
	if r := e.call("POST", "/api/auth/admin/revoke-user-sessions", mustJSON(map[string]string{"userId": e.userID}), e.admin); string(r.body) != `{"success":true}` {
		t.Fatalf("revoke-user-sessions: %s", r.body)
	}
	if r := e.call("GET", "/api/auth/get-session", "", tok); len(r.body) != 0 {
		t.Fatal("session survived revoke-user-sessions")
	}
}

func TestRouterEnvelope(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/auth/admin/list-users"},
		{"GET", "/api/auth/admin/get-user"},
		{"PUT", "/api/auth/admin/list-users"},
		{"POST", "/api/auth/ok"},
		{"GET", "/api/auth/ok/"},
		{"GET", "/api/auth/nope"},
		{"HEAD", "/api/auth/ok"},
		{"GET", "/api/admin/sessions/revoke"},
		{"GET", "/"},
	} {
		r := e.call(c.method, c.path, "", e.admin)
		if r.status != 404 || (c.method != "HEAD" && string(r.body) != `{"code":"NOT_FOUND"}`) {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	r := e.call("POST", "/api/auth/admin/list-users", `{"limit":`, e.admin)
	if m := e.expectErr(r, 500, "INTERNAL"); m["message"] == "" {
		t.Error("malformed JSON without message")
	}
	r = e.call("POST", "/api/auth/admin/list-users", `{"a":1} trailing`, e.admin)
	e.expectErr(r, 500, "INTERNAL")
	for _, b := range []string{`[1,2]`, `"str"`, `42`, `null`} {
		r = e.call("POST", "/api/auth/admin/list-users", b, e.admin)
		if string(r.body) != `{"code":"INVALID_REQUEST","message":"Body must be a JSON object"}` || r.status != 400 {
			t.Errorf("body %s: %d %s", b, r.status, r.body)
		}
	}
	if r := e.call("GET", "/api/auth/ok", "", ""); string(r.body) != `{"ok":true}` {
		t.Errorf("ok: %s", r.body)
	}
	if r := e.call("GET", "/api/auth/error?error=SOMETHING_BAD", "", ""); r.status != 400 || string(r.body) != `{"code":"SOMETHING_BAD","message":"SOMETHING_BAD"}` {
		t.Errorf("error: %d %s", r.status, r.body)
	}
}

func TestOriginCheck(t *testing.T) {
	e := newEnv(t)
	post := func(h ...string) *resp { return e.call("POST", "/api/auth/admin/list-users", "{}", e.admin, h...) }
	e.expect(post(), 200)
	e.expect(post("Origin: "+testBaseURL), 200)
	e.expect(post("Referer: "+testBaseURL+"/some/page?x=1"), 200)
	for _, h := range []string{
		"Origin: null",
		"Origin: http://evil.example",
		"Origin: http://127.0.0.1:8788",
		"Origin: https://127.0.0.1:8787",
		"Referer: http://evil.example/" + testBaseURL,
		"Origin: garbage",
	} {
		r := post(h)
		if r.status != 403 || string(r.body) != `{"code":"FORBIDDEN","message":"Origin is not trusted."}` {
			t.Errorf("%s: %d %s", h, r.status, r.body)
		}
	}
	// A bad Origin wins over a good Referer; GET is never checked.
	if r := post("Origin: http://evil.example", "Referer: "+testBaseURL+"/"); r.status != 403 {
		t.Errorf("Origin should take precedence over Referer: %d", r.status)
	}
	e.expect(e.call("GET", "/api/auth/ok", "", "", "Origin: http://evil.example"), 200)
	// Sign-in is checked before anything else.
	r := e.call("POST", "/api/auth/sign-in/email", "{not json", "", "Origin: http://evil.example")
	e.expectErr(r, 403, "FORBIDDEN")
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.RateLimit = RateLimit{Enabled: true} })
	// /ok: 100 per 60 s per actor; actors are separated by X-Forwarded-For.
	for i := 0; i < 100; i++ {
		e.expect(e.call("GET", "/api/auth/ok", "", "", "X-Forwarded-For: 192.0.2.1"), 200)
	}
	e.clock.Advance(15 * time.Second)
	r := e.call("GET", "/api/auth/ok", "", "", "X-Forwarded-For: 192.0.2.1, 10.0.0.1")
	e.expectErr(r, 429, "RATE_LIMITED")
	if r.header.Get("Retry-After") != "45" || string(r.body) != `{"code":"RATE_LIMITED","message":"Too many requests. Retry in 45s."}` {
		t.Errorf("429: Retry-After %q body %s", r.header.Get("Retry-After"), r.body)
	}
	e.expect(e.call("GET", "/api/auth/ok", "", "", "X-Forwarded-For: 192.0.2.2"), 200)
	e.expect(e.call("GET", "/api/auth/openapi.json", "", "", "X-Forwarded-For: 192.0.2.1"), 200) // per path
	e.clock.Advance(45 * time.Second)
	e.expect(e.call("GET", "/api/auth/ok", "", "", "X-Forwarded-For: 192.0.2.1"), 200)

	// sign-in/email: 10 per window, counted before the body is decoded.
	for i := 0; i < 10; i++ {
		e.call("POST", "/api/auth/sign-in/email", `{"email":"x@y.z","password":"nope"}`, "", "X-Real-IP: 198.51.100.9")
	}
	r = e.call("POST", "/api/auth/sign-in/email", `{bad json`, "", "X-Real-IP: 198.51.100.9")
	e.expectErr(r, 429, "RATE_LIMITED")
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// sign-up/email: 5.
	for i := 0; i < 5; i++ {
		e.call("POST", "/api/auth/sign-up/email", `{}`, "")
	}
	e.expectErr(e.call("POST", "/api/auth/sign-up/email", `{}`, ""), 429, "RATE_LIMITED")
}

func TestDashboard(t *testing.T) {
	e := newEnv(t)
	if r := e.call("GET", "/api/admin/capabilities", "", e.admin); string(r.body) != `{"version":1,"families":["overview","sessions","audit","email","keys","sso-domains","scim-directories","billing"]}` {
		t.Errorf("capabilities %s", r.body)
	}
	ov := e.expect(e.call("GET", "/api/admin/overview", "", e.admin), 200)
	if ov["users"] != float64(SeedUserCount) || ov["admins"] != float64(1) || ov["bannedUsers"] != float64(1) || ov["sessions"] != float64(2) || ov["impersonationSessions"] != float64(0) {
		t.Errorf("overview %v", ov)
	}
	// Collect every raw token, then make sure no dashboard response holds one.
	_, email := e.createUser("dash")
	for i := 0; i < 3; i++ {
		e.signIn(email, "test-password-1")
	}
	imp := e.call("POST", "/api/auth/admin/impersonate-user", mustJSON(map[string]string{"userId": e.userID}), e.admin)
	e.expect(imp, 200)
	var tokens []string
	rows, err := e.s.db.Query(`SELECT token FROM session`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tok string
		rows.Scan(&tok)
		tokens = append(tokens, tok)
	}
	rows.Close()
	r := e.call("GET", "/api/admin/sessions", "", e.admin)
	m := e.expect(r, 200)
	for _, tok := range tokens {
		if strings.Contains(string(r.body), tok) {
			t.Fatal("dashboard sessions leak a token")
		}
	}
	if strings.Contains(string(r.body), `"token"`) {
		t.Fatal("dashboard sessions have a token key")
	}
	if m["total"] != float64(len(tokens)) || m["limit"] != float64(100) || m["offset"] != float64(0) {
		t.Errorf("sessions page %v %v %v (tokens %d)", m["total"], m["limit"], m["offset"], len(tokens))
	}
	first := m["sessions"].([]any)[0].(map[string]any)
	if got := strings.Join(sortedKeys(first), ","); got != "createdAt,expiresAt,id,impersonatedBy,ipAddress,updatedAt,user,userAgent,userId" {
		t.Errorf("session keys %s", got)
	}
	if got := strings.Join(sortedKeys(first["user"].(map[string]any)), ","); got != "email,id,name" {
		t.Errorf("session user keys %s", got)
	}
	m = e.expect(e.call("GET", "/api/admin/sessions?limit=2&offset=1&userId="+e.userID, "", e.admin), 200)
	if m["total"] != float64(2) || len(m["sessions"].([]any)) != 1 || m["limit"] != float64(2) {
		t.Errorf("filtered sessions %v", m)
	}
	m = e.expect(e.call("GET", "/api/admin/sessions?limit=5000", "", e.admin), 200)
	if m["limit"] != float64(1000) {
		t.Errorf("limit not capped: %v", m["limit"])
	}
	e.expectErr(e.call("GET", "/api/admin/sessions?limit=abc", "", e.admin), 400, "INVALID_REQUEST")

	// revoke one, revoke a user's, revoke all but the caller.
	var sid string
	for _, s := range e.expect(e.call("GET", "/api/admin/sessions", "", e.admin), 200)["sessions"].([]any) {
		if s := s.(map[string]any); s["user"].(map[string]any)["email"] == email {
			sid = s["id"].(string)
		}
	}
	if r := e.call("POST", "/api/admin/sessions/revoke", mustJSON(map[string]string{"sessionId": sid}), e.admin); string(r.body) != `{"success":true}` {
		t.Fatalf("revoke %s", r.body)
	}
	r = e.call("POST", "/api/admin/sessions/revoke", mustJSON(map[string]string{"sessionId": sid}), e.admin)
	if m := e.expectErr(r, 404, "SESSION_NOT_FOUND"); m["message"] == "" {
		t.Error("SESSION_NOT_FOUND without message")
	}
	e.expectErr(e.call("POST", "/api/admin/sessions/revoke-all", `{}`, e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/admin/sessions/revoke-all", `{"userId":"nope"}`, e.admin), 404, "USER_NOT_FOUND")
	m = e.expect(e.call("POST", "/api/admin/sessions/revoke-all", mustJSON(map[string]string{"userId": e.userID}), e.admin), 200)
	if m["revoked"] == float64(0) {
		t.Errorf("revoke-all user %v", m)
	}
	e.signIn(email, "test-password-1")
	m = e.expect(e.call("POST", "/api/admin/sessions/revoke-all", `{"all":true}`, e.admin), 200)
	if m["revoked"].(float64) < 1 {
		t.Errorf("revoke-all all %v", m)
	}
	m = e.expect(e.call("GET", "/api/admin/sessions", "", e.admin), 200)
	if m["total"] != float64(1) {
		t.Errorf("after revoke all: %v sessions", m["total"])
	}

	// Audit trail.
	m = e.expect(e.call("GET", "/api/admin/audit", "", e.admin), 200)
	actions := map[string]bool{}
	for _, ev := range m["events"].([]any) {
		ev := ev.(map[string]any)
		actions[ev["action"].(string)] = true
		if got := strings.Join(sortedKeys(ev), ","); got != "action,actorId,createdAt,data,id,targetId,targetType" {
			t.Errorf("audit keys %s", got)
		}
	}
	for _, a := range []string{auditUserCreate, auditUserImpersonate, auditSessionRevoke, auditSessionRevokeUser, auditSessionRevokeAll} {
		if !actions[a] {
			t.Errorf("no audit event %s in %v", a, actions)
		}
	}
	m = e.expect(e.call("GET", "/api/admin/audit?action=user.create&limit=1", "", e.admin), 200)
	if m["total"] != float64(1) || len(m["events"].([]any)) != 1 {
		t.Errorf("audit filter %v", m)
	}
}

func TestAuditNeverHoldsSecrets(t *testing.T) {
	e := newEnv(t)
	id, _ := e.createUser("audit")
	secret := "very-secret-password-42"
	e.expect(e.call("POST", "/api/auth/admin/set-user-password", mustJSON(map[string]string{"userId": id, "newPassword": secret}), e.admin), 200)
	imp := e.call("POST", "/api/auth/admin/impersonate-user", mustJSON(map[string]string{"userId": id}), e.admin)
	impTok := imp.header.Get("set-auth-token")
	e.expect(e.call("POST", "/api/auth/admin/stop-impersonating", "", impTok), 200)
	e.expect(e.call("POST", "/api/auth/admin/revoke-user-session", mustJSON(map[string]string{"sessionToken": strings.Split(e.user, ".")[0]}), e.admin), 200)
	e.expect(e.call("POST", "/api/auth/admin/ban-user", mustJSON(map[string]string{"userId": id}), e.admin), 200)
	e.expect(e.call("POST", "/api/auth/admin/unban-user", mustJSON(map[string]string{"userId": id}), e.admin), 200)
	e.expect(e.call("POST", "/api/auth/admin/set-role", mustJSON(map[string]string{"userId": id, "role": "admin"}), e.admin), 200)
	e.expect(e.call("POST", "/api/auth/admin/update-user", mustJSON(map[string]any{"userId": id, "data": map[string]string{"name": "x"}}), e.admin), 200)
	e.expect(e.call("POST", "/api/auth/admin/revoke-user-sessions", mustJSON(map[string]string{"userId": id}), e.admin), 200)
	e.expect(e.call("POST", "/api/auth/admin/remove-user", mustJSON(map[string]string{"userId": id}), e.admin), 200)
	r := e.call("GET", "/api/admin/audit?limit=1000", "", e.admin)
	m := e.expect(r, 200)
	for _, bad := range []string{secret, strings.Split(impTok, ".")[0], strings.Split(e.user, ".")[0], "argon2"} {
		if strings.Contains(string(r.body), bad) {
			t.Fatalf("audit log holds a secret (%q)", bad)
		}
	}
	got := map[string]int{}
	for _, ev := range m["events"].([]any) {
		got[ev.(map[string]any)["action"].(string)]++
	}
	for _, a := range []string{auditUserCreate, auditUserSetPassword, auditUserImpersonate, auditUserStopImperson, auditSessionRevoke,
		auditUserBan, auditUserUnban, auditUserSetRole, auditUserUpdate, auditSessionRevokeUser, auditUserRemove} {
		if got[a] != 1 {
			t.Errorf("audit %s: %d events", a, got[a])
		}
	}
}

func TestPublicAuthAndOpenAPI(t *testing.T) {
	e := newEnv(t)
	m := e.expect(e.call("GET", "/api/auth/admin/config/public-auth", "", ""), 200)
	methods := m["methods"].(map[string]any)
	if len(methods) != 13 {
		t.Errorf("%d auth methods", len(methods))
	}
	ep := methods["email-password"].(map[string]any)
	if ep["enabled"] != true || ep["label"] != "Email and password" || methods["sso"].(map[string]any)["enabled"] != false {
		t.Errorf("defaults %v", methods)
	}
	// Stored overrides merge per method.
	if _, err := e.s.db.Exec(`INSERT INTO adminConfig (id, key, value, createdAt, updatedAt) VALUES ('x', 'auth-methods', ?, 0, 0)`,
		`{"sso":{"enabled":true},"custom":{"enabled":true,"label":"Custom"}}`); err != nil {
		t.Fatal(err)
	}
	m = e.expect(e.call("GET", "/api/auth/admin/config/public-auth", "", ""), 200)
	methods = m["methods"].(map[string]any)
	if sso := methods["sso"].(map[string]any); sso["enabled"] != true || sso["label"] != "Enterprise SSO" || methods["custom"] == nil {
		t.Errorf("merge %v", methods)
	}

	doc := e.expect(e.call("GET", "/api/auth/openapi.json", "", ""), 200)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi %v", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	distinct := map[string]bool{}
	for _, rt := range e.s.Routes() {
		rel, ok := strings.CutPrefix(rt.Path, authPrefix)
		if !ok {
			continue
		}
		distinct[rel] = true
		op, ok := paths[rel].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
		if !ok {
			t.Errorf("openapi lacks %s %s", rt.Method, rel)
			continue
		}
		tags := op["tags"].([]any)
		if len(tags) != 1 {
			t.Errorf("%s tags %v", rel, tags)
		}
		switch tags[0] {
		case "email-password", "core", "admin", "admin-config", "open-api", "api-key", "sso", "scim", "stripe":
		default:
			t.Errorf("%s tag %v", rel, tags[0])
		}
	}
	if len(paths) != len(distinct) {
		t.Errorf("openapi has %d paths, routes %d", len(paths), len(distinct))
	}
	if paths["/admin/list-users"].(map[string]any)["post"].(map[string]any)["tags"].([]any)[0] != "admin" ||
		paths["/sign-in/email"].(map[string]any)["post"].(map[string]any)["tags"].([]any)[0] != "email-password" {
		t.Error("owner tags")
	}
}

func TestAdminTokenReuseAndDefaultPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	t2, err := e.s.AdminToken(ctx)
	if err != nil || t2 != e.admin {
		t.Fatalf("AdminToken not reused: %v", err)
	}
	if !signedRe.MatchString(t2) {
		t.Fatalf("AdminToken %q is not raw.sig", t2)
	}
	e.clock.Advance(6*24*time.Hour + time.Second) // less than a day left
	t3, err := e.s.AdminToken(ctx)
	if err != nil || t3 == t2 {
		t.Fatalf("AdminToken reused a session with <1 day left: %v", err)
	}
	e.expect(e.call("GET", "/api/admin/overview", "", t3), 200)

	ok, err := e.s.AdminHasDefaultPassword(ctx)
	if err != nil || !ok {
		t.Fatalf("AdminHasDefaultPassword = %v, %v", ok, err)
	}
	var adminID string
	e.s.db.QueryRow(`SELECT id FROM "user" WHERE email = ?`, AdminEmail).Scan(&adminID)
	e.expect(e.call("POST", "/api/auth/admin/set-user-password", mustJSON(map[string]string{"userId": adminID, "newPassword": "a-new-admin-password"}), t3), 200)
	if ok, _ := e.s.AdminHasDefaultPassword(ctx); ok {
		t.Fatal("AdminHasDefaultPassword after change")
	}
}

func TestReopenKeepsSecretAndData(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/re.db"
	s1, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s1.AdminToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s1.Close()
	s2, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	tok2, err := s2.AdminToken(ctx)
	if err != nil || tok2 != tok {
		t.Fatalf("token not reused across reopen: %v", err)
	}
	var n int
	s2.db.QueryRow(`SELECT count(*) FROM "user"`).Scan(&n)
	if n != SeedUserCount {
		t.Fatalf("reopen re-seeded: %d users", n)
	}
}

func TestSeed100k(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	e := newEnv(t)
	start := time.Now()
	if err := e.s.Seed(context.Background(), 100000); err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	t.Logf("Seed(100000) took %s", d)
	if d > 30*time.Second {
		t.Errorf("Seed(100000) too slow: %s", d)
	}
	if err := e.s.Seed(context.Background(), 10); err != nil { // emails stay unique
		t.Fatal(err)
	}
	m := e.expect(e.call("POST", "/api/auth/admin/list-users", `{"limit":50,"offset":100000,"sortBy":"email"}`, e.admin), 200)
	if m["total"] != float64(SeedUserCount+100010) || len(m["users"].([]any)) != 35 {
		t.Fatalf("total %v, page %d", m["total"], len(m["users"].([]any)))
	}
	m = e.expect(e.call("POST", "/api/auth/admin/list-users", `{"searchValue":"bulk.example.com","searchOperator":"ends_with","limit":1}`, e.admin), 200)
	if m["total"] != float64(100010) {
		t.Fatalf("bulk users %v", m["total"])
	}
}

func TestPasswordHashCost(t *testing.T) {
	h, err := hashPassword("some-password")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if !verifyPassword("some-password", h) || verifyPassword("other", h) {
		t.Fatal("verify")
	}
	t.Logf("two argon2id verifications: %s (hash %s)", time.Since(start), h[:30])
	if !strings.HasPrefix(h, "$argon2id$v=19$m=12288,t=2,p=1$") {
		t.Errorf("hash format %s", h)
	}
}

func sortedKeys(m map[string]any) []string {
	k := keys(m)
	sort.Strings(k)
	return k
}
