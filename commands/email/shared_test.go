package email

import (
	"reflect"
	"testing"

	"github.com/kernia-dev/kernia-admin/apiclient"
)

func TestResupply(t *testing.T) {
	doc := []map[string]any{
		{"id": "a", "kind": "smtp", "password": "********"},
		{"id": "b", "kind": "resend", "apiKey": "********", "from": "b@example.com"},
		{"id": "c", "kind": "postmark", "token": "kept-in-clear"},
		{"id": "d", "kind": "smtp", "nested": map[string]any{"secret": "********"}},
	}
	missing, unused := resupply(doc, secretsFile{"a": {"password": "pa"}, "z": {"token": "tz"}})
	if want := []string{"b.apiKey", "d.nested.secret"}; !reflect.DeepEqual(missing, want) {
		t.Errorf("missing = %v, want %v", missing, want)
	}
	if want := []string{"z.token"}; !reflect.DeepEqual(unused, want) {
		t.Errorf("unused = %v, want %v", unused, want)
	}
	if doc[0]["password"] != "pa" || doc[2]["token"] != "kept-in-clear" {
		t.Errorf("doc = %v", doc)
	}
	if _, ok := apiclient.FindRedacted(doc[:1]); ok {
		t.Errorf("client a still redacted")
	}
}

func TestViewOfCredential(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]any
		states map[string]apiclient.SecretState
		want   string
	}{
		{"dashboard", map[string]any{"id": "a", "kind": "smtp", "password": "********"},
			map[string]apiclient.SecretState{"password": {Set: true, Fingerprint: "hmac:1a2b3c4d"}}, "******** (hmac:1a2b3c4d)"},
		{"kernia", map[string]any{"id": "a", "kind": "resend", "apiKey": "********"}, nil, "********"},
		{"empty secret", map[string]any{"id": "a", "kind": "smtp", "password": ""}, nil, "not set"},
		{"no secret", map[string]any{"id": "a", "kind": "smtp"}, nil, "not set"},
	}
	for _, tt := range tests {
		if got := viewOf(tt.fields, tt.states).Credential; got != tt.want {
			t.Errorf("%s: credential = %q, want %q", tt.name, got, tt.want)
		}
	}
	v := viewOf(map[string]any{"id": "s", "kind": "smtp", "host": "h", "port": float64(587)}, nil)
	if v.Port == nil || *v.Port != 587 || rowOf(v).Server != "h:587" {
		t.Errorf("port = %v, server = %q", v.Port, rowOf(v).Server)
	}
}

func TestValidation(t *testing.T) {
	for _, ok := range []string{"a@example.com", "Acme <a@example.com>", "a@localhost"} {
		if err := validateAddress("--from", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "@example.com", "a@example.com, b@example.com"} {
		if validateAddress("--from", bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, bad := range []string{"smtp://x", "h:25", "a b", ""} {
		if validateHost(bad) == nil {
			t.Errorf("host %q accepted", bad)
		}
	}
	if validatePort(0) == nil || validatePort(65536) == nil || validatePort(587) != nil {
		t.Errorf("port range")
	}
	if validateTLS("ssl") == nil || validateTLS("starttls") != nil {
		t.Errorf("tls modes")
	}
}
