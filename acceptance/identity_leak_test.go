package acceptance

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/kernia-dev/kernia-admin/internal/dnscheck/dnstest"
)

// Secrets of the keys, sso and scim leak cases: supplied ones (client secrets, a private
// key) and created ones (API keys, SCIM tokens, domain verification tokens), which may
// appear only in the single output that created them.
const (
	leakClientSecret  = "leak-oidc-client-SECRET-5Rt8Yu1"
	leakClientSecret2 = "leak-oidc-client-SECRET-new-3Ee7"
	leakKeyPrefix     = "lk_"
	// leakPrivateKey is an EC P-256 key made for this test (PKCS #8, PEM).
	leakPrivateKey = "-----BEGIN PRIVATE KEY-----\n" +
		"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgoA8ikTT6zNQympzZ\n" +
		"KayVrzv8U3rC33bRi1jZLJmNPNShRANCAAQqvC0pglJpkT4KhPzg/q3cqL0EfrNF\n" +
		"R5ePU5w4BES80aLS96Wh837GM/sjaq/RGL1lyHP0mfPKDGBqvUQ8ZYGh\n" +
		"-----END PRIVATE KEY-----\n"
	leakIdPCert = "-----BEGIN CERTIFICATE-----\n" +
		"MIIBHTCBw6ADAgECAgEBMAoGCCqGSM49BAMCMBgxFjAUBgNVBAMTDWlkcC5hY21l\n" +
		"LnRlc3QwHhcNMjUwMTAxMDAwMDAwWhcNNDUwMTAxMDAwMDAwWjAYMRYwFAYDVQQD\n" +
		"Ew1pZHAuYWNtZS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtHQB2od7\n" +
		"UvIaPnh7AXpEIURyIph1ug8Ix87uXCuAsuVT8o/cXlZ57mCsE5WXyB1Ym+GkIAm9\n" +
		"nbIZS6G40pp5TTAKBggqhkjOPQQDAgNJADBGAiEAp8FTrudIRkkQgGWgml1+Xf95\n" +
		"u6QKCudNI5RHm8DoPlMCIQDx+3O4YHdeKi79ZvtvWmv1TZrAw9jjzv5h0WSXwluA\n" +
		"Ng==\n" +
		"-----END CERTIFICATE-----\n"
)

var (
	leakAPIKeyRE = regexp.MustCompile(leakKeyPrefix + `[A-Za-z]{64}`)
	// A run of url-safe characters of exactly n characters.
	urlSafeRunRE = regexp.MustCompile(`[A-Za-z0-9_-]+`)
)

func apiKeysIn(s string) []string { return leakAPIKeyRE.FindAllString(s, -1) }

func urlSafeRuns(s string, n int) []string {
	var out []string
	for _, m := range urlSafeRunRE.FindAllString(s, -1) {
		if len(m) == n {
			out = append(out, m)
		}
	}
	return out
}

// scimTokensIn finds Kernia SCIM tokens (base64url of "<secret>:<providerId>...") for
// providers whose id starts with "leak".
func scimTokensIn(s string) []string {
	var out []string
	for _, m := range urlSafeRunRE.FindAllString(s, -1) {
		if len(m) < 40 {
			continue
		}
		if b, err := base64.RawURLEncoding.DecodeString(m); err == nil && strings.Contains(string(b), ":leak") {
			out = append(out, m)
		}
	}
	return out
}

// identityLeakCases sets up API keys, SSO providers and domains and SCIM connections
// through the CLI (their outputs are scanned too), records every secret involved, and
// returns the leak cases of the keys, sso and scim commands.
func identityLeakCases(e *leakEnv) []leakCase {
	t := e.t
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("client-secret.txt", leakClientSecret+"\n")
	secret2File := write("client-secret2.txt", leakClientSecret2+"\n")
	keyFile := write("sp.key", leakPrivateKey)
	certFile := write("idp.pem", leakIdPCert)
	e.secrets.add("SSO client secret", leakClientSecret)
	e.secrets.add("SSO client secret", leakClientSecret2)
	for _, line := range strings.Split(leakPrivateKey, "\n") {
		if len(line) > 40 && !strings.HasPrefix(line, "-----") {
			e.secrets.add("SAML private key", line)
		}
	}

	must := func(what, stdin string, args ...string) string {
		t.Helper()
		out, stderr, code := e.run(what, stdin, nil, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", what, code, stderr)
		}
		return strings.TrimSpace(out)
	}
	// created runs one creation command whose stdout is its single allowed output.
	created := func(what, kind string, find func(string) []string, args ...string) string {
		t.Helper()
		out := must(what, "", args...)
		vals := find(out)
		if len(vals) != 1 {
			t.Fatalf("%s: found %d %s in its output", what, len(vals), kind)
		}
		e.secrets.add(kind, vals[0])
		e.outputs[len(e.outputs)-1].own = vals
		return vals[0]
	}

	must("auth-methods enable sso", "", "auth-methods", "enable", "sso")
	oidcID := must("sso providers register (oidc)", leakClientSecret+"\n", "sso", "providers", "register", "--issuer", "https://login.leak.test",
		"--client-id", "leak-app", "--client-secret-stdin", "--domain", "leak.test", "--jq", ".id")
	samlID := must("sso providers register (saml)", "", "sso", "providers", "register", "--kind", "saml", "--issuer", "https://idp.leak.test",
		"--idp-entity-id", "urn:leak", "--idp-sso-url", "https://idp.leak.test/sso", "--idp-cert-file", certFile, "--private-key-file", keyFile, "--jq", ".id")
	domainToken := created("sso domains register (setup)", "domain verification token", func(s string) []string { return urlSafeRuns(s, 32) },
		"sso", "domains", "register", "--json", "--", oidcID, "verified.leak.test")
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	dns.SetTXT("_better-auth-token.verified.leak.test", domainToken)

	apiKey := created("keys create (setup)", "API key", apiKeysIn,
		"keys", "create", "--name", "leak-setup", "--prefix", leakKeyPrefix, "--rate-limit", "1000/1h", "--json")
	keyID := must("keys list (setup)", "", "keys", "list", "--json", "--jq", `.[] | select(.name=="leak-setup") | .id`)
	var (
		mu         sync.Mutex
		spareKeys  []string
		registered int
		domains    int
	)
	for i := 0; i < 10; i++ {
		id := must("keys create (spare)", "", "keys", "create", "--name", fmt.Sprintf("leak-spare-%d", i), "--prefix", leakKeyPrefix, "--jq", ".id")
		e.outputs = e.outputs[:len(e.outputs)-1] // --jq .id shows no key
		spareKeys = append(spareKeys, id)
	}
	nextKey := func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(spareKeys) == 0 {
			return "no-spare-key"
		}
		id := spareKeys[0]
		spareKeys = spareKeys[1:]
		return id
	}
	scimToken := created("scim tokens create (setup)", "SCIM token", scimTokensIn, "scim", "tokens", "create", "leaksetup", "--json")

	return []leakCase{
		{args: []string{"keys", "create", "--name", "leak-case", "--prefix", leakKeyPrefix},
			reveals: apiKeysIn},
		{args: []string{"keys", "create", "--user", "alan.turing@example.com", "--prefix", leakKeyPrefix, "--rate-limit", "5/1m"},
			reveals: apiKeysIn},
		{args: []string{"keys", "list"}},
		{args: []string{"keys", "list", "--all-users", "--all"}},
		{args: []string{"keys", "view"}, argsFn: func() []string { return []string{"keys", "view", "--", keyID} }},
		{args: []string{"keys", "usage"}, argsFn: func() []string { return []string{"keys", "usage", "--", keyID} }},
		{args: []string{"keys", "rotate"}, argsFn: func() []string { return []string{"keys", "rotate", "--grace", "1m", "--", nextKey()} },
			reveals: apiKeysIn},
		{args: []string{"keys", "revoke"}, argsFn: func() []string { return []string{"keys", "revoke", "--yes", "--", nextKey()} }},
		{args: []string{"keys", "revoke"}, argsFn: func() []string { return []string{"keys", "revoke", "--dry-run", "--", keyID} }},
		// the created key at work: x-api-key never shows
		{args: []string{"users", "list", "--limit", "2"}, env: []string{"KERNIA_TOKEN=", "KERNIA_API_KEY=" + apiKey}},

		{args: []string{"sso", "providers", "list"}},
		{args: []string{"sso", "providers", "view"}, argsFn: func() []string { return []string{"sso", "providers", "view", "--", oidcID} }},
		{args: []string{"sso", "providers", "view"}, argsFn: func() []string { return []string{"sso", "providers", "view", "--", samlID} }},
		{args: []string{"sso", "providers", "register"}, stdin: leakClientSecret + "\n", argsFn: func() []string {
			mu.Lock()
			registered++
			n := registered
			mu.Unlock()
			return []string{"sso", "providers", "register", "--issuer", fmt.Sprintf("https://login%d.leak.test", n), "--client-id", "leak", "--client-secret-stdin"}
		}},
		{args: []string{"sso", "providers", "register"}, argsFn: func() []string {
			return []string{"sso", "providers", "register", "--kind", "saml", "--issuer", "https://dry.leak.test", "--idp-entity-id", "urn:dry",
				"--idp-sso-url", "https://dry.leak.test/sso", "--idp-cert-file", certFile, "--private-key-file", keyFile, "--dry-run"}
		}},
		{args: []string{"sso", "providers", "update"}, argsFn: func() []string {
			return []string{"sso", "providers", "update", "--client-secret-file", secret2File, "--", oidcID}
		}},
		{args: []string{"sso", "providers", "update"}, argsFn: func() []string {
			return []string{"sso", "providers", "update", "--private-key-file", keyFile, "--", samlID}
		}},
		{args: []string{"sso", "providers", "delete"}, argsFn: func() []string { return []string{"sso", "providers", "delete", "--dry-run", "--", samlID} }},
		{args: []string{"sso", "domains", "register"}, argsFn: func() []string {
			mu.Lock()
			domains++
			n := domains
			mu.Unlock()
			return []string{"sso", "domains", "register", "--", oidcID, fmt.Sprintf("d%d.leak.test", n)}
		}, reveals: func(s string) []string { return urlSafeRuns(s, 32) }},
		{args: []string{"sso", "domains", "verify"}, stdin: domainToken + "\n",
			argsFn: func() []string {
				return []string{"sso", "domains", "verify", "verified.leak.test", "--token-stdin", "--dns-server", dns.Addr()}
			}},
		{args: []string{"sso", "domains", "verify"}, stdin: domainToken + "\n",
			argsFn: func() []string {
				return []string{"sso", "domains", "verify", "d1.leak.test", "--token-stdin", "--dns-server", dns.Addr()}
			}, exit: 6}, // no TXT record published for d1: refused, verify-domain not called
		{args: []string{"sso", "domains", "list"}},

		{args: []string{"scim", "tokens", "create", "leakcase"}, reveals: scimTokensIn},
		{args: []string{"scim", "tokens", "create", "leakdry", "--dry-run"}},
		{args: []string{"scim", "connections", "list"}},
		{args: []string{"scim", "connections", "view", "leaksetup"}},
		{args: []string{"scim", "connections", "delete", "leakcase", "--dry-run"}},
		{args: []string{"scim", "directories"}},
		{args: []string{"scim", "directories", "--token-stdin"}, stdin: scimToken + "\n"},
	}
}
