package stripeutil

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/kernia-dev/kernia-admin/internal/redact"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		key       string
		typ, mode string
		wantErr   bool
	}{
		{"sk_test_abcdefgh", TypeSecret, "test", false},
		{"sk_live_abcdefgh", TypeSecret, "live", false},
		{"rk_test_abcdefgh", TypeRestricted, "test", false},
		{"rk_live_ABC_def_123", TypeRestricted, "live", false},
		{"sk_test_short", "", "", true},
		{"pk_test_abcdefgh", "", "", true},
		{"whsec_abcdefgh", "", "", true},
		{"sk_test_abc defgh", "", "", true},
		{"sk_test_abcdefgh\n", "", "", true},
		{"", "", "", true},
	}
	for _, tt := range tests {
		got, err := ParseKey(tt.key)
		if (err != nil) != tt.wantErr || got.Type != tt.typ || got.Mode != tt.mode {
			t.Errorf("ParseKey(%q) = %+v, %v", tt.key, got, err)
		}
	}
}

func TestReadKey(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte("\n  sk_test_fromFILE1234 \nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		src       KeySource
		stdin     string
		env       map[string]string
		key, from string
		errPart   string
	}{
		{"env", KeySource{}, "", map[string]string{EnvAPIKey: " sk_test_fromENV1234\n"}, "sk_test_fromENV1234", EnvAPIKey, ""},
		{"stdin wins over env", KeySource{Stdin: true}, "sk_test_fromSTDIN123\r\n", map[string]string{EnvAPIKey: "sk_test_fromENV1234"}, "sk_test_fromSTDIN123", "stdin", ""},
		{"file", KeySource{File: file}, "", nil, "sk_test_fromFILE1234", "file " + file, ""},
		{"both", KeySource{Stdin: true, File: file}, "", nil, "", "", "cannot be used together"},
		{"none", KeySource{}, "", nil, "", "", "no Stripe secret key: set STRIPE_API_KEY"},
		{"empty stdin", KeySource{Stdin: true}, "\n", nil, "", "", "no Stripe secret key in stdin"},
		{"missing file", KeySource{File: file + ".nope"}, "", nil, "", "", "no such file"},
	}
	for _, tt := range tests {
		key, from, err := ReadKey(tt.src, strings.NewReader(tt.stdin), env(tt.env))
		if tt.errPart != "" {
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("%s: err = %v, want a UsageError with %q", tt.name, err, tt.errPart)
			}
			continue
		}
		if err != nil || key != tt.key || from != tt.from {
			t.Errorf("%s: = %q, %q, %v", tt.name, key, from, err)
		}
	}
}

func TestAPIBase(t *testing.T) {
	none := func(string) string { return "" }
	if b, err := APIBase("", none); err != nil || b != DefaultAPIBase {
		t.Errorf("default = %q, %v", b, err)
	}
	if b, err := APIBase("", func(string) string { return "http://127.0.0.1:12111/" }); err != nil || b != "http://127.0.0.1:12111" {
		t.Errorf("env loopback = %q, %v", b, err)
	}
	if b, err := APIBase("https://stripe.internal:8443", none); err != nil || b != "https://stripe.internal:8443" {
		t.Errorf("https = %q, %v", b, err)
	}
	for _, bad := range []string{"http://stripe.example.com", "ftp://127.0.0.1", "127.0.0.1:1", "https://user:pw@api.stripe.com"} {
		if _, err := APIBase(bad, none); err == nil {
			t.Errorf("APIBase(%q) accepted", bad)
		}
	}
}

func TestSignatureHeader(t *testing.T) {
	payload := []byte(`{"id":"evt_1"}`)
	ts := time.Unix(1700000000, 0)
	got := SignatureHeader(payload, "whsec_test_secret", ts)
	mac := hmac.New(sha256.New, []byte("whsec_test_secret"))
	mac.Write([]byte("1700000000." + string(payload)))
	want := "t=1700000000,v1=" + hex.EncodeToString(mac.Sum(nil))
	if got != want {
		t.Errorf("SignatureHeader = %s, want %s", got, want)
	}
	if !ValidWebhookSecret("whsec_abcdefgh") || ValidWebhookSecret("whsec_") || ValidWebhookSecret("sk_test_abcdefgh") {
		t.Error("ValidWebhookSecret")
	}
}

// TestClientUsesItsOwnKeyAndBase proves the client sends its key to its base URL, never the
// package-global stripe.Key, and that traces and errors are scrubbed.
func TestClientUsesItsOwnKeyAndBase(t *testing.T) {
	const key = "sk_test_ownKEY1234567890"
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v1/account" {
			w.WriteHeader(401)
			w.Write([]byte(`{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: ` + key + `"}}`))
			return
		}
		w.Write([]byte(`{"object":"list","data":[{"id":"prod_1","object":"product","name":"A"}],"has_more":false}`))
	}))
	defer srv.Close()
	var trace strings.Builder
	scrub := &redact.Scrubber{}
	c := New(Config{Key: key, BaseURL: srv.URL, Debug: &trace, Scrubber: scrub, MaxRetries: stripe.Int64(0)})
	it := c.Products.List(&stripe.ProductListParams{})
	n := 0
	for it.Next() {
		n++
	}
	if it.Err() != nil || n != 1 {
		t.Fatalf("list: %d, %v", n, it.Err())
	}
	if auth != "Bearer "+key {
		t.Errorf("Authorization = %q", auth)
	}
	if stripe.Key == key {
		t.Error("the global stripe.Key was set")
	}
	_, err := c.Accounts.Get()
	f := Classify(err, scrub)
	if f == nil || f.Class != FailAuth || f.Status != 401 || strings.Contains(f.Message, "ownKEY") {
		t.Errorf("Classify = %+v", f)
	}
	if !strings.Contains(trace.String(), "> GET "+srv.URL+"/v1/products") || strings.Contains(trace.String(), "ownKEY") {
		t.Errorf("trace = %s", trace.String())
	}
	if f := Classify(errors.New("dial tcp: connection refused"), nil); f.Class != FailNetwork {
		t.Errorf("network = %+v", f)
	}
}
