package sso

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

const testCert = `-----BEGIN CERTIFICATE-----
MIIBHTCBw6ADAgECAgEBMAoGCCqGSM49BAMCMBgxFjAUBgNVBAMTDWlkcC5hY21l
LnRlc3QwHhcNMjUwMTAxMDAwMDAwWhcNNDUwMTAxMDAwMDAwWjAYMRYwFAYDVQQD
Ew1pZHAuYWNtZS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtHQB2od7
UvIaPnh7AXpEIURyIph1ug8Ix87uXCuAsuVT8o/cXlZ57mCsE5WXyB1Ym+GkIAm9
nbIZS6G40pp5TTAKBggqhkjOPQQDAgNJADBGAiEAp8FTrudIRkkQgGWgml1+Xf95
u6QKCudNI5RHm8DoPlMCIQDx+3O4YHdeKi79ZvtvWmv1TZrAw9jjzv5h0WSXwluA
Ng==
-----END CERTIFICATE-----`

func buildFrom(t *testing.T, argv string, stdin string, env map[string]string, update bool) (map[string]any, error) {
	t.Helper()
	var p providerFlags
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	p.register(cmd, update)
	if err := cmd.ParseFlags(strings.Fields(argv)); err != nil {
		return nil, err
	}
	return p.build(cmd, secretSources{Stdin: strings.NewReader(stdin), Getenv: func(k string) string { return env[k] }}, update)
}

func TestBuildAndValidate(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("s3cret-value\n"), 0o600)
	cert := filepath.Join(dir, "idp.pem")
	os.WriteFile(cert, []byte(testCert), 0o600)
	yml := filepath.Join(dir, "p.yaml")
	os.WriteFile(yml, []byte("issuer: https://y.test\noidcConfig:\n  clientId: y\n  clientSecret: from-file-secret\n"), 0o600)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	cases := []struct {
		name, argv, stdin string
		env               map[string]string
		update            bool
		wantErr           string
		check             func(map[string]any) bool
	}{
		{name: "oidc file secret", argv: "--issuer https://x.test --client-id c --client-secret-file " + secret,
			check: func(b map[string]any) bool {
				oc := b["oidcConfig"].(map[string]any)
				return b["kind"] == "oidc" && oc["clientSecret"] == "s3cret-value" && oc["issuer"] == "https://x.test"
			}},
		{name: "oidc stdin secret", argv: "--kind oidc --issuer https://x.test --client-id c --client-secret-stdin", stdin: "piped-secret\n",
			check: func(b map[string]any) bool { return b["oidcConfig"].(map[string]any)["clientSecret"] == "piped-secret" }},
		{name: "oidc env secret", argv: "--issuer https://x.test --client-id c", env: map[string]string{envClientSecret: "env-secret"},
			check: func(b map[string]any) bool { return b["oidcConfig"].(map[string]any)["clientSecret"] == "env-secret" }},
		{name: "oidc no secret", argv: "--issuer https://x.test --client-id c", wantErr: "client secret is required"},
		{name: "bad issuer", argv: "--issuer x.test --client-id c --client-secret-file " + secret, wantErr: "want an http(s) URL"},
		{name: "bad endpoint", argv: "--issuer https://x.test --client-id c --client-secret-file " + secret + " --token-endpoint /token", wantErr: "tokenEndpoint"},
		{name: "two stdin readers", argv: "--from-file - --client-secret-stdin", wantErr: "only one of"},
		{name: "saml", argv: "--kind saml --issuer https://i.test --idp-entity-id urn:i --idp-sso-url https://i.test/sso --idp-cert-file " + cert,
			check: func(b map[string]any) bool {
				idp := b["samlConfig"].(map[string]any)["idp"].(map[string]any)
				return strings.HasPrefix(idp["cert"].(string), "-----BEGIN CERTIFICATE-----") && b["oidcConfig"] == nil
			}},
		{name: "saml without cert", argv: "--kind saml --issuer https://i.test --idp-entity-id urn:i --idp-sso-url https://i.test/sso", wantErr: "idp.cert"},
		{name: "yaml file", argv: "--from-file " + yml,
			check: func(b map[string]any) bool {
				return b["kind"] == "oidc" && b["oidcConfig"].(map[string]any)["clientSecret"] == "from-file-secret"
			}},
		{name: "yaml with flag override", argv: "--from-file " + yml + " --issuer https://z.test",
			check: func(b map[string]any) bool { return b["issuer"] == "https://z.test" }},
		{name: "mapping", argv: "--issuer https://x.test --client-id c --client-secret-file " + secret + " --mapping email=mail --mapping name",
			wantErr: "FIELD=CLAIM"},
		{name: "update only name", argv: "--name New", update: true,
			check: func(b map[string]any) bool { return len(b) == 1 && b["name"] == "New" }},
		{name: "update secret env needs opt-in", argv: "--name New", update: true, env: map[string]string{envClientSecret: "stale"},
			check: func(b map[string]any) bool { return b["oidcConfig"] == nil }},
		{name: "update secret env", argv: "--client-secret-env", update: true, env: map[string]string{envClientSecret: "fresh"},
			check: func(b map[string]any) bool { return b["oidcConfig"].(map[string]any)["clientSecret"] == "fresh" }},
		{name: "secret as a flag value", argv: "--client-secret x", wantErr: "unknown flag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := buildFrom(t, c.argv, c.stdin, c.env, c.update)
			if err == nil {
				_, err = validate(b, c.update, now)
			}
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(b) {
				t.Errorf("body %v", b)
			}
		})
	}
}

func TestParseCertExpiry(t *testing.T) {
	c, err := parseCert(testCert, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || c.Expired || c.ExpiresSoon || c.NotAfter.Year() != 2045 || c.Subject != "CN=idp.acme.test" {
		t.Fatalf("%+v %v", c, err)
	}
	c, _ = parseCert(testCert, time.Date(2044, 12, 20, 0, 0, 0, 0, time.UTC))
	if !c.ExpiresSoon || !strings.Contains(expiryNote("IdP", c, time.Date(2044, 12, 20, 0, 0, 0, 0, time.UTC)), "expires in 12 days") {
		t.Errorf("soon: %+v", c)
	}
	c, _ = parseCert(testCert, time.Date(2046, 1, 1, 0, 0, 0, 0, time.UTC))
	if !c.Expired {
		t.Errorf("expired: %+v", c)
	}
	// bare base64 DER (as in IdP metadata) is read too
	body := strings.Join(strings.Split(testCert, "\n")[1:8], "")
	if _, err := parseCert(body, time.Now()); err != nil {
		t.Errorf("bare base64: %v", err)
	}
	if _, err := parseCert("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", time.Now()); err == nil {
		t.Error("garbage certificate accepted")
	}
}
