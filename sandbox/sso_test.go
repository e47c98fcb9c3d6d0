package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"
)

var regexp32 = regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`)

// testCertPEM returns a self-signed certificate and its colon-hex SHA-256.
func testCertPEM(t *testing.T) (string, string, time.Time) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	notAfter := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "idp.test.example"},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), strings.Join(parts, ":"), notAfter
}

func TestSSODisabledByDefault(t *testing.T) {
	e := newEnv(t)
	for _, c := range [][2]string{{"POST", "/api/auth/sso/register-provider"}, {"GET", "/api/auth/sso/list-providers"},
		{"POST", "/api/auth/sso/verify-domain"}} {
		r := e.call(c[0], c[1], `{}`, e.admin)
		if r.status != 403 || string(r.body) != `{"code":"AUTH_METHOD_DISABLED","message":"sso is disabled."}` {
			t.Errorf("%s %s while sso disabled: %d %s", c[0], c[1], r.status, r.body)
		}
	}
	// The dashboard domain list is not under /api/auth: not gated.
	e.expect(e.call("GET", "/api/admin/sso/domains", "", e.admin), 200)
}

func TestSSOProviders(t *testing.T) {
	e := newEnv(t)
	e.enableSSO()
	certPEM, fp, notAfter := testCertPEM(t)

	e.expectErr(e.call("POST", "/api/auth/sso/register-provider", `{"issuer":"https://x.example","kind":"oidc"}`, ""), 401, "UNAUTHORIZED")
	e.expectErr(e.call("POST", "/api/auth/sso/register-provider", `{"issuer":"https://x.example","kind":"oidc"}`, e.user), 403, "SSO_ADMIN_REQUIRED")
	e.expectErr(e.call("POST", "/api/auth/sso/register-provider", `{"issuer":"https://x.example","kind":"ldap"}`, e.admin), 400, "SSO_INVALID_KIND")
	if m := e.expectErr(e.call("POST", "/api/auth/sso/register-provider", `{"issuer":"https://x.example","kind":"oidc"}`, e.admin), 400, "SSO_MISSING_CONFIG"); m["message"] != "oidcConfig is required" {
		t.Errorf("message %v", m["message"])
	}
	e.expectErr(e.call("POST", "/api/auth/sso/register-provider", `{"issuer":"https://x.example","kind":"saml","oidcConfig":{}}`, e.admin), 400, "SSO_MISSING_CONFIG")

	// OIDC, snake_case alias and upper-case kind.
	oidc := e.expect(e.call("POST", "/api/auth/sso/register-provider", mustJSON(map[string]any{
		"issuer": "https://idp.test.example", "kind": "OIDC", "name": "Okta", "domains": []string{"corp.example"},
		"oidc_config": map[string]any{"issuer": "https://idp.test.example", "clientId": "client-abcd1234", "clientSecret": "oidc-secret-value"},
		"mapping":     map[string]any{"email": "mail"},
	}), e.admin), 200)["provider"].(map[string]any)
	want := "createdAt,domains,id,issuer,kind,mapping,name,oidcConfig,organizationId,samlConfig,updatedAt"
	if got := strings.Join(sortedKeys(oidc), ","); got != want {
		t.Errorf("full shape keys %s", got)
	}
	if oidc["kind"] != "oidc" || oidc["oidcConfig"].(map[string]any)["clientSecret"] != "oidc-secret-value" ||
		oidc["samlConfig"] != nil || inum(oidc["createdAt"]) != e.clock.Now().Unix() {
		t.Errorf("oidc provider %v", oidc)
	}
	e.expectErr(e.call("POST", "/api/auth/sso/register-provider", mustJSON(map[string]any{
		"issuer": "https://idp.test.example", "kind": "oidc", "oidcConfig": map[string]any{}}), e.admin), 409, "SSO_PROVIDER_EXISTS")

	// SAML with a certificate and an SP private key.
	saml := e.expect(e.call("POST", "/api/auth/sso/register-provider", mustJSON(map[string]any{
		"issuer": "https://saml.test.example", "kind": "saml",
		"samlConfig": map[string]any{
			"idp":                map[string]any{"entityId": "urn:idp", "ssoUrl": "https://saml.test.example/sso", "cert": certPEM},
			"sp":                 map[string]any{"entityId": "urn:sp", "privateKey": "-----BEGIN PRIVATE KEY-----\nsp-private-key-value\n-----END PRIVATE KEY-----"},
			"signatureAlgorithm": "rsa-sha256",
		},
	}), e.admin), 200)["provider"].(map[string]any)
	if !strings.Contains(mustJSON(saml), "sp-private-key-value") || saml["oidcConfig"] != nil {
		t.Errorf("saml full shape %v", saml)
	}

	// list-providers echoes the secrets (as Kernia); the CLI redacts.
	lp := e.call("GET", "/api/auth/sso/list-providers", "", e.admin)
	if e.expect(lp, 200); !strings.Contains(string(lp.body), "oidc-secret-value") || !strings.Contains(string(lp.body), "sp-private-key-value") {
		t.Errorf("list-providers %s", lp.body)
	}
	// Sanitized views never do.
	pr := e.call("GET", "/api/auth/sso/providers", "", e.admin)
	if ps := e.expect(pr, 200)["providers"].([]any); len(ps) != 2 || strings.Contains(string(pr.body), "secret-value") ||
		strings.Contains(string(pr.body), "private-key") || strings.Contains(string(pr.body), `"name"`) {
		t.Errorf("providers %s", pr.body)
	}
	g := e.expect(e.call("GET", "/api/auth/sso/get-provider?providerId="+oidc["id"].(string), "", e.admin), 200)
	oc := g["oidcConfig"].(map[string]any)
	if g["type"] != "oidc" || oc["clientIdLastFour"] != "****1234" || oc["pkce"] != true || len(oc["scopes"].([]any)) != 3 ||
		g["spMetadataUrl"] != testBaseURL+"/sso/saml/metadata/"+oidc["id"].(string) || g["samlConfig"] != nil {
		t.Errorf("sanitized oidc %v", g)
	}
	gs := e.expect(e.call("GET", "/api/auth/sso/get-provider?provider_id="+saml["id"].(string), "", e.admin), 200)
	sc := gs["samlConfig"].(map[string]any)
	cert := sc["certificate"].(map[string]any)
	if sc["entryPoint"] != "https://saml.test.example/sso" || sc["idpEntityId"] != "urn:idp" || sc["audience"] != "urn:sp" ||
		sc["wantAssertionsSigned"] != true || sc["signatureAlgorithm"] != "rsa-sha256" ||
		cert["fingerprintSha256"] != fp || cert["notAfter"] != notAfter.Format("2006-01-02T15:04:05+00:00") ||
		cert["publicKeyAlgorithm"] != "ECDSA" {
		t.Errorf("sanitized saml %v", gs)
	}
	e.expectErr(e.call("GET", "/api/auth/sso/get-provider", "", e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("GET", "/api/auth/sso/get-provider?providerId=nope", "", e.admin), 404, "SSO_PROVIDER_NOT_FOUND")
	// Another admin does not own it.
	other, otherEmail := e.createUser("admin2")
	e.expect(e.call("POST", "/api/auth/admin/set-role", mustJSON(map[string]any{"userId": other, "role": "admin"}), e.admin), 200)
	otherTok, _ := e.signIn(otherEmail, "test-password-1")
	e.expectErr(e.call("GET", "/api/auth/sso/get-provider?providerId="+oidc["id"].(string), "", otherTok), 403, "SSO_PROVIDER_ACCESS_DENIED")

	// A bad certificate.
	up := e.expect(e.call("POST", "/api/auth/sso/update-provider", mustJSON(map[string]any{"id": saml["id"],
		"samlConfig": map[string]any{"idp": map[string]any{"entityId": "urn:idp", "ssoUrl": "https://x", "cert": "not a cert"}}}), e.admin), 200)
	if !strings.Contains(mustJSON(up), "sp-private-key-value") {
		t.Errorf("shallow merge must keep sp: %v", up)
	}
	gs = e.expect(e.call("GET", "/api/auth/sso/get-provider?providerId="+saml["id"].(string), "", e.admin), 200)
	if c := gs["samlConfig"].(map[string]any)["certificate"].(map[string]any); c["error"] != "Failed to parse certificate" {
		t.Errorf("bad cert %v", c)
	}

	// update-provider.
	u := e.expect(e.call("POST", "/api/auth/sso/update-provider", mustJSON(map[string]any{"id": oidc["id"],
		"oidcConfig": map[string]any{"clientId": "client-new9999"}, "name": "Okta 2"}), e.admin), 200)["provider"].(map[string]any)
	if u["name"] != "Okta 2" || u["oidcConfig"].(map[string]any)["clientSecret"] != "oidc-secret-value" ||
		u["oidcConfig"].(map[string]any)["clientId"] != "client-new9999" {
		t.Errorf("update merge %v", u)
	}
	if m := e.expectErr(e.call("POST", "/api/auth/sso/update-provider", mustJSON(map[string]any{"id": oidc["id"]}), e.admin), 400, "SSO_NO_UPDATE_FIELDS"); m["message"] != "No fields provided for update" {
		t.Errorf("message %v", m)
	}
	e.expectErr(e.call("POST", "/api/auth/sso/update-provider", mustJSON(map[string]any{"id": oidc["id"], "issuer": "ftp://x"}), e.admin), 400, "SSO_INVALID_ISSUER")
	e.expectErr(e.call("POST", "/api/auth/sso/update-provider", mustJSON(map[string]any{"id": oidc["id"], "samlConfig": map[string]any{}}), e.admin), 400, "SSO_CONFIG_KIND_MISMATCH")
	if m := e.expectErr(e.call("POST", "/api/auth/sso/update-provider", `{"id":"nope","name":"x"}`, e.admin), 404, "SSO_PROVIDER_NOT_FOUND"); m["message"] != "Provider not found" {
		t.Errorf("message %v", m)
	}

	// An admin's API key works on SSO management.
	key := e.createKey(e.admin, `{"name":"sso"}`)["key"].(string)
	e.expect(e.withKey("GET", "/api/auth/sso/list-providers", "", key), 200)

	// Audit: no secrets.
	audit := e.call("GET", "/api/admin/audit", "", e.admin)
	if strings.Contains(string(audit.body), "secret-value") || strings.Contains(string(audit.body), "private-key") ||
		!strings.Contains(string(audit.body), auditSSORegister) {
		t.Errorf("audit %s", audit.body)
	}

	e.expect(e.call("POST", "/api/auth/sso/delete-provider", mustJSON(map[string]any{"id": oidc["id"]}), e.admin), 200)
	e.expectErr(e.call("POST", "/api/auth/sso/delete-provider", mustJSON(map[string]any{"id": oidc["id"]}), e.admin), 404, "SSO_PROVIDER_NOT_FOUND")
}

func TestSSODomains(t *testing.T) {
	e := newEnv(t)
	e.enableSSO()
	p := e.registerOIDC("https://idp.test.example")
	pid := p["id"].(string)
	// providerId is rejected: the field is ssoProviderId (or provider_id).
	e.expectErr(e.call("POST", "/api/auth/sso/register-domain", mustJSON(map[string]any{"providerId": pid, "domain": "corp.example"}), e.admin), 400, "INVALID_REQUEST")
	e.expectErr(e.call("POST", "/api/auth/sso/register-domain", mustJSON(map[string]any{"ssoProviderId": "nope", "domain": "corp.example"}), e.admin), 404, "SSO_PROVIDER_NOT_FOUND")
	e.expectErr(e.call("POST", "/api/auth/sso/register-domain", mustJSON(map[string]any{"ssoProviderId": pid, "domain": " "}), e.admin), 400, "INVALID_REQUEST")
	reg := e.expect(e.call("POST", "/api/auth/sso/register-domain", mustJSON(map[string]any{"ssoProviderId": pid, "domain": "Corp.Example"}), e.admin), 200)
	token := reg["token"].(string)
	if reg["domain"] != "corp.example" || !regexp32.MatchString(token) ||
		!strings.Contains(reg["instructions"].(string), "_better-auth-token.corp.example") {
		t.Fatalf("register-domain %v", reg)
	}
	reg2 := e.expect(e.call("POST", "/api/auth/sso/register-domain", mustJSON(map[string]any{"provider_id": pid, "domain": "other.example"}), e.admin), 200)

	dl := e.call("GET", "/api/admin/sso/domains?providerId="+pid, "", e.admin)
	ds := e.expect(dl, 200)["domains"].([]any)
	if len(ds) != 2 || strings.Contains(string(dl.body), token) || strings.Contains(string(dl.body), reg2["token"].(string)) {
		t.Fatalf("domains %s", dl.body)
	}
	d0 := ds[0].(map[string]any)
	if d0["domain"] != "corp.example" || d0["verified"] != false || d0["ssoProviderId"] != pid ||
		strings.Join(sortedKeys(d0), ",") != "createdAt,domain,id,ssoProviderId,verified" {
		t.Errorf("domain row %v", d0)
	}
	e.expectErr(e.call("POST", "/api/auth/sso/verify-domain", `{"domain":"corp.example","token":"wrong"}`, e.admin), 400, "SSO_DOMAIN_VERIFICATION_FAILED")
	e.expectErr(e.call("POST", "/api/auth/sso/verify-domain", mustJSON(map[string]any{"domain": "none.example", "token": token}), e.admin), 404, "SSO_DOMAIN_NOT_FOUND")
	v := e.expect(e.call("POST", "/api/auth/sso/verify-domain", mustJSON(map[string]any{"domain": "corp.example", "token": token}), e.admin), 200)
	if mustJSON(v) != `{"domain":"corp.example","verified":true}` {
		t.Errorf("verify %v", v)
	}
	if d := e.expect(e.call("GET", "/api/admin/sso/domains", "", e.admin), 200)["domains"].([]any)[0].(map[string]any); d["verified"] != true {
		t.Errorf("after verify %v", d)
	}
	// A verified domain redirects password sign-in.
	e.expect(e.call("POST", "/api/auth/admin/create-user", `{"email":"alice@corp.example","password":"alice-password","name":"A"}`, e.admin), 200)
	r := e.call("POST", "/api/auth/sign-in/email", `{"email":"alice@corp.example","password":"alice-password"}`, "")
	if r.status != 200 || string(r.body) != `{"code":"SSO_REDIRECT","providerId":"`+pid+`","redirect":"`+testBaseURL+`/sso/oidc/sign-in/`+pid+`"}` ||
		r.header.Get("set-auth-token") != "" {
		t.Errorf("SSO redirect %d %s", r.status, r.body)
	}
	// Re-registering makes it unverified with a new token; the old one fails.
	reg3 := e.expect(e.call("POST", "/api/auth/sso/register-domain", mustJSON(map[string]any{"ssoProviderId": pid, "domain": "corp.example"}), e.admin), 200)
	if reg3["token"] == token {
		t.Error("same token")
	}
	e.expectErr(e.call("POST", "/api/auth/sso/verify-domain", mustJSON(map[string]any{"domain": "corp.example", "token": token}), e.admin), 400, "SSO_DOMAIN_VERIFICATION_FAILED")
	e.expect(e.call("POST", "/api/auth/sign-in/email", `{"email":"alice@corp.example","password":"alice-password"}`, ""), 200)
	// The token is stored hashed.
	var stored string
	e.s.db.QueryRow(`SELECT verificationToken FROM ssoDomain WHERE domain = 'corp.example'`).Scan(&stored)
	if stored != sha256B64(reg3["token"].(string)) {
		t.Errorf("stored token %q", stored)
	}
	// Deleting the provider deletes its domains.
	e.expect(e.call("POST", "/api/auth/sso/delete-provider", mustJSON(map[string]any{"id": pid}), e.admin), 200)
	if ds := e.expect(e.call("GET", "/api/admin/sso/domains", "", e.admin), 200)["domains"].([]any); len(ds) != 0 {
		t.Errorf("domains after delete %v", ds)
	}
}
