package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// baseURLPath mounts the test server's routes under a non-root prefix (go-github's
// setup), so every test also proves that the client keeps the prefix of the server URL.
const baseURLPath = "/kernia-root"

// testToken and testAPIKey are the default credentials of setup's client.
const (
	testToken  = "tok_SessionToken1234567890abcdefghijklmnopq.sigSIGsig"
	testAPIKey = "ka_APIKey_0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
)

// recorded is what the test server saw of one request.
type recorded struct {
	Method string
	Path   string // without baseURLPath
	Query  string
	Header http.Header
	Body   []byte
}

// fixture is one test's server, client and records.
type fixture struct {
	t      *testing.T
	mux    *http.ServeMux
	server *httptest.Server
	client *Client

	mu     sync.Mutex
	reqs   []recorded
	sleeps []time.Duration
}

// setup starts an httptest server on 127.0.0.1 whose handlers (registered on f.mux with
// paths relative to the server root, e.g. "POST /api/auth/admin/list-users") are mounted
// under baseURLPath, and a client for it. Every request passes through a guard that fails
// the test if it carries a Cookie or an Origin header (DESIGN.md §5, kernia-wire.md §1.3),
// and is recorded. Back-off sleeps are captured instead of slept, and jitter is 0, so
// waits are exact. Extra options are applied after the defaults.
func setup(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	f := &fixture{t: t, mux: http.NewServeMux()}
	root := http.NewServeMux()
	root.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, f.guard(f.mux)))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path %s: %s %s", baseURLPath, r.Method, r.URL)
		http.Error(w, "outside base path", http.StatusBadGateway)
	})
	f.server = httptest.NewServer(root) // listens on 127.0.0.1
	t.Cleanup(f.server.Close)
	all := append([]Option{
		WithToken(testToken),
		WithSleep(f.sleep),
		WithRetry(3, 100*time.Millisecond, 10*time.Second),
	}, opts...)
	c, err := NewClient(f.server.URL+baseURLPath, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	c.jitter = func() float64 { return 0 }
	f.client = c
	return f
}

// guard checks and records every request before the handler sees it.
func (f *fixture) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range []string{"Cookie", "Origin"} {
			if v, ok := r.Header[h]; ok {
				f.t.Errorf("%s %s carried a %s header %q: never allowed", r.Method, r.URL.Path, h, v)
			}
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (f *fixture) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fixture) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fixture) waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// wantRequests fails unless the server saw exactly n requests.
func (f *fixture) wantRequests(n int) []recorded {
	f.t.Helper()
	reqs := f.requests()
	if len(reqs) != n {
		var lines []string
		for _, r := range reqs {
			lines = append(lines, r.Method+" "+r.Path)
		}
		f.t.Fatalf("server saw %d requests, want %d: %v", len(reqs), n, lines)
	}
	return reqs
}

// reply writes a JSON (or raw string) body with a status.
func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	switch b := body.(type) {
	case nil:
	case string:
		io.WriteString(w, b)
	default:
		json.NewEncoder(w).Encode(b)
	}
}

// do sends method path with body (nil for none) through the client.
func (f *fixture) do(ctx context.Context, method, path string, body, v any) (*Response, error) {
	f.t.Helper()
	req, err := f.client.NewRequest(ctx, method, path, body)
	if err != nil {
		f.t.Fatalf("NewRequest: %v", err)
	}
	return f.client.Do(req, v)
}

// apiError asserts that err is an *APIError and returns it.
func apiError(t *testing.T, err error) *APIError {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %T %v, want *APIError", err, err)
	}
	return ae
}
