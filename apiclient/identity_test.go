package apiclient

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const plainKey = "kn_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKl"

func TestAPIKeyMillisecondsAndPlaintext(t *testing.T) {
	f := setup(t)
	f.mux.HandleFunc("POST /api/auth/api-key/create", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"id":"k1","name":"ci","start":"kn_AbC","prefix":"kn_","referenceId":"u1","enabled":true,
			"rateLimitEnabled":true,"rateLimitTimeWindow":86400000,"rateLimitMax":10,"requestCount":0,"remaining":null,
			"expiresAt":1767225600123,"createdAt":1764547200000,"updatedAt":1764547200000,"lastRequest":null,
			"permissions":null,"metadata":"{\"team\":\"ops\"}","key":"`+plainKey+`"}`)
	})
	k, _, err := f.client.APIKeys().Create(context.Background(), CreateAPIKeyRequest{Name: "ci", Prefix: "kn_", ExpiresIn: 30 * 86400})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(f.requests()[0].Body); got != `{"name":"ci","prefix":"kn_","expiresIn":2592000}` {
		t.Errorf("body %s", got)
	}
	if k.Key != plainKey || k.ExpiresAt.UTC().Format(time.RFC3339Nano) != "2026-01-01T00:00:00.123Z" || k.CreatedAt.Year() != 2025 {
		t.Errorf("decoded %+v (expires %v)", k, k.ExpiresAt)
	}
	if string(k.Metadata) != `{"team":"ops"}` || string(k.Permissions) != "null" || *k.RateLimitTimeWindow != 86400000 {
		t.Errorf("metadata %s permissions %s", k.Metadata, k.Permissions)
	}
	if got := f.client.Scrubber().Scrub("x " + plainKey); strings.Contains(got, plainKey) {
		t.Errorf("the new key is not known to the scrubber: %q", got)
	}
}

func TestAPIKeyDashboardRoutes(t *testing.T) {
	f := setup(t)
	f.mux.HandleFunc("GET /api/admin/api-keys", func(w http.ResponseWriter, r *http.Request) {
		off := r.URL.Query().Get("offset")
		if off == "" {
			reply(w, 200, `{"apiKeys":[{"id":"a","referenceId":"u1","user":{"id":"u1","email":"a@x.test"}},{"id":"b","referenceId":"u1"}],"total":3}`)
			return
		}
		reply(w, 200, `{"apiKeys":[{"id":"c","referenceId":"u2"}],"total":3}`)
	})
	f.mux.HandleFunc("POST /api/admin/api-keys/rotate", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"key":{"id":"n","key":"`+plainKey+`"},"oldKeyId":"a","oldKeyExpiresAt":1767225600000}`)
	})
	f.mux.HandleFunc("POST /api/admin/api-keys/revoke", func(w http.ResponseWriter, r *http.Request) { reply(w, 200, `{"success":true}`) })
	f.mux.HandleFunc("GET /api/admin/api-keys/usage", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"keyId":"a","requestCount":3,"history":[{"at":1767225600000,"path":"/admin/list-users","status":200}]}`)
	})
	ctx := context.Background()
	var ids []string
	for k, err := range f.client.APIKeys().AdminListAll(ctx, AdminAPIKeyListOptions{UserID: "u1"}, 2) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, k.ID)
	}
	if strings.Join(ids, ",") != "a,b,c" {
		t.Errorf("ids %v", ids)
	}
	reqs := f.requests()
	if reqs[0].Query != "limit=2&userId=u1" || reqs[1].Query != "limit=2&offset=2&userId=u1" {
		t.Errorf("queries %q %q", reqs[0].Query, reqs[1].Query)
	}
	r, _, err := f.client.APIKeys().Rotate(ctx, "a", 600)
	if err != nil || r.Key.Key != plainKey || r.OldKeyExpiresAt.Year() != 2026 {
		t.Fatalf("rotate %+v %v", r, err)
	}
	if got := string(f.requests()[2].Body); got != `{"gracePeriod":600,"keyId":"a"}` {
		t.Errorf("rotate body %s", got)
	}
	if _, err := f.client.APIKeys().Revoke(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	u, _, err := f.client.APIKeys().Usage(ctx, "a", 5)
	if err != nil || u.RequestCount != 3 || len(u.History) != 1 || u.History[0].At.Year() != 2026 {
		t.Fatalf("usage %+v %v", u, err)
	}
	if q := f.requests()[4].Query; q != "keyId=a&limit=5" {
		t.Errorf("usage query %q", q)
	}
}

func TestSSOSecretsAreScrubbed(t *testing.T) {
	const secret = "oidc-client-secret-value-77"
	f := setup(t, WithDebug(io.Discard))
	f.mux.HandleFunc("GET /api/auth/sso/list-providers", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"providers": []map[string]any{{"id": "p1", "kind": "oidc", "issuer": "https://x.test",
			"oidcConfig": map[string]any{"clientId": "c", "clientSecret": secret}, "createdAt": 1767225600}}})
	})
	f.mux.HandleFunc("POST /api/auth/sso/register-domain", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"domain":"acme.test","token":"tok-1234567890abcdef","instructions":"publish tok-1234567890abcdef"}`)
	})
	ps, _, err := f.client.SSO().ListProviders(context.Background())
	if err != nil || len(ps) != 1 || ps[0].CreatedAt.Year() != 2026 {
		t.Fatalf("%+v %v", ps, err)
	}
	if got := f.client.Scrubber().Scrub(secret); strings.Contains(got, secret) {
		t.Errorf("client secret not scrubbed: %q", got)
	}
	reg, _, err := f.client.SSO().RegisterDomain(context.Background(), "p1", "acme.test")
	if err != nil || reg.Token != "tok-1234567890abcdef" {
		t.Fatal(reg, err)
	}
	var body map[string]string
	json.Unmarshal(f.requests()[1].Body, &body)
	if body["ssoProviderId"] != "p1" || body["domain"] != "acme.test" {
		t.Errorf("register-domain body %v (Kernia rejects providerId)", body)
	}
}

func TestTraceLearnsSecretsFromResponses(t *testing.T) {
	var trace strings.Builder
	f := setup(t, WithDebug(&trace))
	f.mux.HandleFunc("POST /api/auth/sso/register-domain", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"domain":"acme.test","token":"tok-ABCDEFGHIJ0123456789","instructions":"TXT value tok-ABCDEFGHIJ0123456789"}`)
	})
	if _, _, err := f.client.SSO().RegisterDomain(context.Background(), "p1", "acme.test"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(trace.String(), "tok-ABCDEFGHIJ0123456789") {
		t.Errorf("trace shows the token echoed in the instructions:\n%s", trace.String())
	}
	if !strings.Contains(trace.String(), "TXT value ") {
		t.Errorf("trace lost the body:\n%s", trace.String())
	}
}

func TestSCIMCountUsesTheSCIMToken(t *testing.T) {
	f := setup(t)
	const tok = "c2NpbXNlY3JldHNlY3JldHNlY3JldDpva3Rh"
	f.mux.HandleFunc("GET /api/auth/scim/v2/Users", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+tok || r.Header.Get("x-api-key") != "" {
			reply(w, 401, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"Invalid SCIM token"}`)
			return
		}
		reply(w, 200, `{"totalResults":7,"Resources":[]}`)
	})
	n, _, err := f.client.SCIM().CountUsers(context.Background(), tok)
	if err != nil || n != 7 {
		t.Fatalf("count %d %v", n, err)
	}
	_, _, err = f.client.SCIM().CountUsers(context.Background(), "wrong-token-value")
	if ae := apiError(t, err); ae.Status != 401 || ae.Message != "Invalid SCIM token" {
		t.Errorf("error %+v", ae)
	}
}
