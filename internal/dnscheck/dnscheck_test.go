package dnscheck

import (
	"context"
	"github.com/kernia-dev/kernia-admin/internal/dnscheck/dnstest"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	srv, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.SetTXT("_better-auth-token.example.com", "other-value")
	srv.SetTXT("_better-auth-token.example.com", "tok_123456")
	srv.SetTXT("_better-auth-token.wrong.example", "not-the-token")
	r := Resolver{Server: srv.Addr(), Timeout: 2 * time.Second}
	ctx := context.Background()

	cases := []struct {
		domain, token string
		found         int
		matched       bool
	}{
		{"example.com", "tok_123456", 2, true},
		{"EXAMPLE.com.", "tok_123456", 2, true},
		{"example.com", "tok_12345", 2, false},
		{"wrong.example", "tok_123456", 1, false},
		{"missing.example", "tok_123456", 0, false},
	}
	for _, c := range cases {
		res, err := r.Check(ctx, c.domain, c.token)
		if err != nil {
			t.Fatalf("%s: %v", c.domain, err)
		}
		if res.Found != c.found || res.Matched != c.matched || res.Record != RecordName(c.domain) {
			t.Errorf("%s/%s: %+v, want found %d matched %v", c.domain, c.token, res, c.found, c.matched)
		}
	}
	if q := srv.Queries(); len(q) < len(cases) {
		t.Errorf("server saw %d queries", len(q))
	}
}

func TestRecordName(t *testing.T) {
	if got := RecordName(" Example.COM. "); got != "_better-auth-token.example.com" {
		t.Errorf("RecordName = %q", got)
	}
}

func TestBadServer(t *testing.T) {
	if _, err := (Resolver{Server: "no-port"}).LookupTXT(context.Background(), "x.example"); err == nil {
		t.Error("want an error for a server without a port")
	}
	// Nothing listens there: a network error, not "no record".
	_, err := (Resolver{Server: "127.0.0.1:1", Timeout: 500 * time.Millisecond}).LookupTXT(context.Background(), "x.example")
	if err == nil || err == ErrNoRecord {
		t.Errorf("err = %v, want a lookup failure", err)
	}
}
