package sandbox

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

var scimSecretRe = regexp.MustCompile(`^[A-Za-z0-9]{24}$`)

func (e *testEnv) scimCall(method, path, body, token string) *resp {
	e.t.Helper()
	return e.call(method, "/api/auth/scim/v2"+path, body, token)
}

func TestSCIMManagement(t *testing.T) {
	e := newEnv(t)
	r := e.call("POST", "/api/auth/scim/generate-token", `{"providerId":"okta"}`, e.admin)
	tok := e.expect(r, 200)["scimToken"].(string)
	if r.header.Get("x-scim-status") != "201" {
		t.Errorf("x-scim-status %q", r.header.Get("x-scim-status"))
	}
	dec, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatalf("token %q is not base64url without padding: %v", tok, err)
	}
	secret, pid, _ := strings.Cut(string(dec), ":")
	if !scimSecretRe.MatchString(secret) || pid != "okta" {
		t.Errorf("token payload %q", dec)
	}
	var stored string
	e.s.db.QueryRow(`SELECT scimToken FROM scimProvider WHERE providerId = 'okta'`).Scan(&stored)
	if stored != sha256B64(secret) {
		t.Errorf("stored %q, want the SHA-256 of the secret part", stored)
	}
	org := e.expect(e.call("POST", "/api/auth/scim/generate-token", `{"providerId":"azure","organizationId":"org-1"}`, e.admin), 200)
	if d, _ := base64.RawURLEncoding.DecodeString(org["scimToken"].(string)); !strings.HasSuffix(string(d), ":azure:org-1") {
		t.Errorf("org token payload %q", d)
	}
	e.expectErr(e.call("POST", "/api/auth/scim/generate-token", `{"providerId":"okta"}`, e.user), 403, "FORBIDDEN")
	e.expectErr(e.call("POST", "/api/auth/scim/generate-token", `{"providerId":"a:b"}`, e.admin), 400, "BAD_REQUEST")
	e.expectErr(e.call("POST", "/api/auth/scim/generate-token", `{"providerId":"credential"}`, e.admin), 400, "BAD_REQUEST")
	e.expectErr(e.call("POST", "/api/auth/scim/generate-token", `{}`, e.admin), 400, "BAD_REQUEST")

	l := e.expect(e.call("GET", "/api/auth/scim/list-provider-connections", "", e.admin), 200)["providers"].([]any)
	if len(l) != 2 || l[0].(map[string]any)["providerId"] != "azure" || l[0].(map[string]any)["organizationId"] != "org-1" ||
		strings.Join(sortedKeys(l[1].(map[string]any)), ",") != "id,organizationId,providerId" {
		t.Errorf("connections %v", l)
	}
	g := e.expect(e.call("GET", "/api/auth/scim/get-provider-connection?providerId=okta", "", e.admin), 200)
	if g["providerId"] != "okta" || g["organizationId"] != nil {
		t.Errorf("get %v", g)
	}
	e.expectErr(e.call("GET", "/api/auth/scim/get-provider-connection", "", e.admin), 400, "BAD_REQUEST")
	if m := e.expectErr(e.call("GET", "/api/auth/scim/get-provider-connection?providerId=nope", "", e.admin), 404, "NOT_FOUND"); m["message"] != "SCIM provider not found" {
		t.Errorf("message %v", m)
	}
	e.expect(e.call("POST", "/api/auth/scim/delete-provider-connection", `{"providerId":"azure"}`, e.admin), 200)
	e.expectErr(e.call("POST", "/api/auth/scim/delete-provider-connection", `{"providerId":"azure"}`, e.admin), 404, "NOT_FOUND")
	e.expect(e.scimCall("GET", "/Users", "", org["scimToken"].(string)), 401)
	_ = tok
}

func TestSCIMProvisioning(t *testing.T) {
	e := newEnv(t)
	tok := e.scimToken("okta")

	// Auth errors use the SCIM envelope.
	r := e.scimCall("GET", "/Users", "", "")
	if r.status != 401 || string(r.body) != `{"detail":"SCIM token is required","schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401"}` {
		t.Errorf("no token %d %s", r.status, r.body)
	}
	if r := e.scimCall("GET", "/Users", "", "bm9wZTpva3Rh"); r.status != 401 || !strings.Contains(string(r.body), "Invalid SCIM token") {
		t.Errorf("bad token %d %s", r.status, r.body)
	}
	// A session token is not a SCIM token.
	e.expect(e.scimCall("GET", "/Users", "", e.admin), 401)

	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Jane.Doe@Corp.Example","externalId":"ext-1",
		"name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"value":"Jane.Doe@Corp.Example","primary":true}]}`
	r = e.scimCall("POST", "/Users", body, tok)
	u := e.expect(r, 200)
	id := u["id"].(string)
	if r.header.Get("x-scim-status") != "201" || r.header.Get("location") != testBaseURL+"/scim/v2/Users/"+id {
		t.Errorf("headers %v", r.header)
	}
	meta := u["meta"].(map[string]any)
	if u["userName"] != "jane.doe@corp.example" || u["externalId"] != "ext-1" || u["displayName"] != "Jane Doe" ||
		u["active"] != true || inum(meta["created"]) != e.clock.Now().Unix() || meta["resourceType"] != "User" ||
		u["name"].(map[string]any)["formatted"] != "Jane Doe" {
		t.Errorf("resource %v", u)
	}
	dup := e.scimCall("POST", "/Users", body, tok)
	if dup.status != 409 || !strings.Contains(string(dup.body), `"scimType":"uniqueness"`) || !strings.Contains(string(dup.body), `"status":"409"`) {
		t.Errorf("duplicate %d %s", dup.status, dup.body)
	}
	e.expect(e.scimCall("POST", "/Users", `{"userName":"bob@corp.example"}`, tok), 200)

	// The user exists in Kernia's user table.
	gu := e.expect(e.call("POST", "/api/auth/admin/get-user", mustJSON(map[string]any{"id": id}), e.admin), 200)
	if gu["email"] != "jane.doe@corp.example" {
		t.Errorf("get-user %v", gu)
	}
	lr := e.expect(e.scimCall("GET", "/Users", "", tok), 200)
	if inum(lr["totalResults"]) != 2 || inum(lr["startIndex"]) != 1 || len(lr["Resources"].([]any)) != 2 {
		t.Errorf("list %v", lr)
	}
	f := e.expect(e.scimCall("GET", `/Users?filter=userName+eq+%22jane.doe%40corp.example%22`, "", tok), 200)
	if inum(f["totalResults"]) != 1 || f["Resources"].([]any)[0].(map[string]any)["id"] != id {
		t.Errorf("filter %v", f)
	}
	bad := e.scimCall("GET", `/Users?filter=userName+co+%22jane%22`, "", tok)
	if bad.status != 400 || !strings.Contains(string(bad.body), `"scimType":"invalidFilter"`) {
		t.Errorf("bad filter %d %s", bad.status, bad.body)
	}
	dirs := e.expect(e.call("GET", "/api/admin/scim/directories", "", e.admin), 200)["directories"].([]any)
	if len(dirs) != 1 || inum(dirs[0].(map[string]any)["userCount"]) != 2 || inum(dirs[0].(map[string]any)["lastProvisionedAt"]) != e.clock.Now().Unix() {
		t.Errorf("directories %v", dirs)
	}

	// Another connection sees only its own users.
	other := e.scimToken("azure")
	if l := e.expect(e.scimCall("GET", "/Users", "", other), 200); inum(l["totalResults"]) != 0 {
		t.Errorf("other connection sees %v", l)
	}
	e.expect(e.scimCall("GET", "/Users/"+id, "", other), 404)

	// Regenerating replaces the connection: the old token stops working.
	tok2 := e.scimToken("okta")
	if r := e.scimCall("GET", "/Users", "", tok); r.status != 401 || !strings.Contains(string(r.body), "Invalid SCIM token") {
		t.Errorf("old token after regenerate %d %s", r.status, r.body)
	}
	if l := e.expect(e.scimCall("GET", "/Users", "", tok2), 200); inum(l["totalResults"]) != 2 {
		t.Errorf("new token list %v", l)
	}

	// PUT, PATCH, DELETE.
	p := e.expect(e.scimCall("PUT", "/Users/"+id, `{"userName":"jane@corp.example","name":{"formatted":"Jane D."},"externalId":"ext-2"}`, tok2), 200)
	if p["userName"] != "jane@corp.example" || p["externalId"] != "ext-2" || p["displayName"] != "Jane D." {
		t.Errorf("put %v", p)
	}
	r = e.scimCall("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","path":"name.formatted","value":"Janet"},{"op":"Replace","value":{"externalId":"ext-3"}}]}`, tok2)
	if r.status != 200 || string(r.body) != `{}` || r.header.Get("x-scim-status") != "204" {
		t.Errorf("patch %d %s %v", r.status, r.body, r.header)
	}
	g := e.expect(e.scimCall("GET", "/Users/"+id, "", tok2), 200)
	if g["displayName"] != "Janet" || g["externalId"] != "ext-3" {
		t.Errorf("after patch %v", g)
	}
	e.expectErr(e.scimCall("PATCH", "/Users/"+id, `{"Operations":[{"op":"move","path":"x"}]}`, tok2), 400, "VALIDATION_ERROR")
	r = e.scimCall("DELETE", "/Users/"+id, "", tok2)
	if r.status != 200 || string(r.body) != `{}` || r.header.Get("x-scim-status") != "204" {
		t.Errorf("delete %d %s", r.status, r.body)
	}
	nf := e.scimCall("GET", "/Users/"+id, "", tok2)
	if nf.status != 404 || !strings.Contains(string(nf.body), "User not found") {
		t.Errorf("deleted user %d %s", nf.status, nf.body)
	}
	e.expectErr(e.call("POST", "/api/auth/admin/get-user", mustJSON(map[string]any{"id": id}), e.admin), 404, "USER_NOT_FOUND")
	dirs = e.expect(e.call("GET", "/api/admin/scim/directories", "", e.admin), 200)["directories"].([]any)
	if inum(dirs[1].(map[string]any)["userCount"]) != 1 {
		t.Errorf("directories after delete %v", dirs)
	}

	// Discovery needs no auth.
	spc := e.expect(e.scimCall("GET", "/ServiceProviderConfig", "", ""), 200)
	if spc["patch"].(map[string]any)["supported"] != true {
		t.Errorf("spc %v", spc)
	}
	e.expect(e.scimCall("GET", "/ResourceTypes/User", "", ""), 200)
	e.expect(e.scimCall("GET", "/Schemas/nope", "", ""), 404)
	if r := e.call("GET", "/api/auth/scim/v2/Users/a/b", "", tok2); string(r.body) != `{"code":"NOT_FOUND"}` {
		t.Errorf("unknown nested path %d %s", r.status, r.body)
	}
	// The audit trail names the connection, never the token.
	audit := e.call("GET", "/api/admin/audit?action=scim.token.generate", "", e.admin)
	if ev := e.expect(audit, 200)["events"].([]any); len(ev) != 3 || strings.Contains(string(audit.body), tok2) {
		t.Errorf("audit %s", audit.body)
	}
}
