package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func adminConfigServer(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, WithToken("tok-admin-123456"), WithRetry(0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readBody(t *testing.T, r *http.Request) map[string]any {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return m
}

func TestFindRedacted(t *testing.T) {
	tests := []struct {
		name string
		v    any
		path string
		ok   bool
	}{
		{"clean", map[string]any{"clients": []any{map[string]any{"id": "a", "password": "p"}}}, "", false},
		{"top", map[string]any{"apiKey": "********"}, "apiKey", true},
		{"nested list", map[string]any{"clients": []map[string]any{{"id": "a"}, {"id": "b", "token": "********"}}}, "clients.1.token", true},
		{"deep", map[string]any{"x": []any{map[string]any{"y": map[string]any{"z": "********"}}}}, "x.0.y.z", true},
		{"client input", EmailClientInput{"password": "********"}, "password", true},
		{"methods", AuthMethods{"sso": MethodEntry{"label": "********"}}, "sso.label", true},
		{"not the marker", map[string]any{"password": "*******", "x": "********x"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := FindRedacted(tt.v)
			if ok != tt.ok || p != tt.path {
				t.Errorf("FindRedacted = %q, %v; want %q, %v", p, ok, tt.path, tt.ok)
			}
		})
	}
}

func TestWritesRefuseRedactionMarker(t *testing.T) {
	c := adminConfigServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request sent: %s %s", r.Method, r.URL.Path)
	})
	ctx := context.Background()
	var re *RedactedSecretError

	_, _, err := c.AdminConfig().SetEmailClients(ctx, []map[string]any{{"id": "a", "password": "real"}, {"id": "b", "apiKey": "********"}}, EmailSecretFields())
	if !errors.As(err, &re) || re.Path != "clients.1.apiKey" {
		t.Errorf("SetEmailClients: %v", err)
	}
	_, _, err = c.AdminConfig().SetStripe(ctx, map[string]any{"apiKey": "sk_test_x", "webhookSecret": "********"}, StripeSecretFields())
	if !errors.As(err, &re) || re.Path != "webhookSecret" {
		t.Errorf("SetStripe: %v", err)
	}
	_, _, _, err = c.Admin.UpsertEmailClient(ctx, EmailClientInput{"id": "a", "password": "********"})
	if !errors.As(err, &re) {
		t.Errorf("UpsertEmailClient: %v", err)
	}
	if !strings.Contains(err.Error(), "would overwrite the stored secret") {
		t.Errorf("message: %v", err)
	}
}

func TestAuthMethods(t *testing.T) {
	var posted map[string]any
	c := adminConfigServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /api/auth/admin/config/auth-methods":
			if r.Header.Get("Authorization") != "Bearer tok-admin-123456" {
				t.Errorf("auth-methods without the session")
			}
			io.WriteString(w, `{"methods":{"sso":{"enabled":false,"label":"Enterprise SSO"},"gitlab":{"label":"GitLab"},"email-password":{"enabled":true,"label":"Email and password","extra":1}}}`)
		case "GET /api/auth/admin/config/public-auth":
			if h := r.Header.Get("Authorization"); h != "" {
				t.Errorf("public-auth sent credentials %q", h)
			}
			io.WriteString(w, `{"methods":{"email-password":{"enabled":true,"label":"Email and password"}}}`)
		case "POST /api/auth/admin/config/auth-methods":
			posted = readBody(t, r)
			io.WriteString(w, `{"methods":{"email-password":{"enabled":false,"label":"Email and password"}}}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
		}
	})
	ctx := context.Background()
	m, _, err := c.AdminConfig().AuthMethods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Keys(), []string{"email-password", "sso", "gitlab"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	if !m["gitlab"].Enabled() || m["sso"].Enabled() || !m["email-password"].Enabled() {
		t.Errorf("Enabled: a missing key is not blocked, false is: %v", m)
	}
	if _, _, err := c.AdminConfig().PublicAuth(ctx); err != nil {
		t.Fatal(err)
	}

	next := m.Clone()
	next["email-password"]["enabled"] = false
	if m["email-password"]["enabled"] != true {
		t.Errorf("Clone shares entries")
	}
	got, _, err := c.AdminConfig().SetAuthMethods(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if got["email-password"].Enabled() {
		t.Errorf("answer not decoded: %v", got)
	}
	if _, ok := posted["secretFields"]; ok {
		t.Errorf("auth-methods posted with secretFields: %v", posted)
	}
	value, _ := posted["value"].(map[string]any)
	if len(value) != 3 {
		t.Errorf("the whole map must be posted, got %v", value)
	}
	ep, _ := value["email-password"].(map[string]any)
	if ep["extra"] != float64(1) || ep["enabled"] != false {
		t.Errorf("entry not posted whole: %v", ep)
	}
}

func TestStripeAndEmailDocuments(t *testing.T) {
	var posted map[string]any
	c := adminConfigServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "POST /api/auth/admin/config/stripe":
			posted = readBody(t, r)
			io.WriteString(w, `{"stripe":{"apiKey":"********","mode":"test"}}`)
		case "GET /api/auth/admin/config/email-clients":
			io.WriteString(w, `{}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
	})
	ctx := context.Background()
	got, _, err := c.AdminConfig().SetStripe(ctx, map[string]any{"apiKey": "sk_test_abc", "mode": "test"}, StripeSecretFields())
	if err != nil {
		t.Fatal(err)
	}
	if got["apiKey"] != RedactedMarker {
		t.Errorf("answer: %v", got)
	}
	if sf, _ := posted["secretFields"].([]any); len(sf) != 2 || sf[0] != "apiKey" || sf[1] != "webhookSecret" {
		t.Errorf("secretFields = %v", posted["secretFields"])
	}
	clients, _, err := c.AdminConfig().EmailClients(ctx)
	if err != nil || clients == nil || len(clients) != 0 {
		t.Errorf("EmailClients on an empty document = %v, %v; want [] (not nil)", clients, err)
	}
}

func TestDashboardEmailClients(t *testing.T) {
	c := adminConfigServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /api/admin/email/clients":
			io.WriteString(w, `{"clients":[{"id":"a","kind":"smtp","password":"********","secrets":{"password":{"set":true,"fingerprint":"hmac:1a2b3c4d"}}}]}`)
		case "POST /api/admin/email/clients/upsert":
			body := readBody(t, r)
			cl, _ := body["client"].(map[string]any)
			if _, ok := cl["password"]; ok {
				t.Errorf("absent secret sent: %v", cl)
			}
			io.WriteString(w, `{"client":{"id":"a","kind":"smtp","from":"x@example.com","password":"********","secrets":{"password":{"set":true,"fingerprint":"hmac:1a2b3c4d"}}},"created":false}`)
		case "POST /api/admin/email/clients/delete":
			w.WriteHeader(404)
			io.WriteString(w, `{"code":"EMAIL_CLIENT_NOT_FOUND","message":"no such client"}`)
		case "POST /api/admin/email/test":
			io.WriteString(w, `{"delivered":true,"kind":"smtp","outboxId":"o1","messageId":"<m@x>"}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
	})
	ctx := context.Background()
	list, _, err := c.Admin.EmailClients(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("EmailClients = %v, %v", list, err)
	}
	if st := list[0].Secrets["password"]; !st.Set || st.Fingerprint != "hmac:1a2b3c4d" {
		t.Errorf("secrets = %v", list[0].Secrets)
	}
	if _, ok := list[0].Fields["secrets"]; ok {
		t.Errorf("secrets left in Fields")
	}
	got, created, _, err := c.Admin.UpsertEmailClient(ctx, EmailClientInput{"id": "a", "kind": "smtp", "from": "x@example.com"})
	if err != nil || created || got.Fields["from"] != "x@example.com" {
		t.Errorf("UpsertEmailClient = %v, %v, %v", got, created, err)
	}
	_, err = c.Admin.DeleteEmailClient(ctx, "nope")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "EMAIL_CLIENT_NOT_FOUND" || ae.RouteMissing {
		t.Errorf("DeleteEmailClient: %v", err)
	}
	res, _, err := c.Admin.TestEmailClient(ctx, "a", "ops@example.com")
	if err != nil || !res.Delivered || res.OutboxID != "o1" {
		t.Errorf("TestEmailClient = %+v, %v", res, err)
	}
}
