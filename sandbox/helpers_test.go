package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testClock is a settable clock for Options.Now.
type testClock struct{ unix atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.unix.Store(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).Unix())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(c.unix.Load(), 0) }
func (c *testClock) Advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

const testBaseURL = "http://127.0.0.1:8787"

type testEnv struct {
	t      *testing.T
	s      *Server
	ts     *httptest.Server
	clock  *testClock
	admin  string // signed admin bearer token
	user   string // signed normal-user bearer token
	userID string
	seq    int
}

func newEnv(t *testing.T, mod ...func(*Options)) *testEnv {
	t.Helper()
	clock := newTestClock()
	opts := Options{Path: filepath.Join(t.TempDir(), "sandbox.db"), BaseURL: testBaseURL, Now: clock.Now}
	for _, m := range mod {
		m(&opts)
	}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	e := &testEnv{t: t, s: s, ts: ts, clock: clock}
	if e.admin, err = s.AdminToken(context.Background()); err != nil {
		t.Fatalf("AdminToken: %v", err)
	}
	var body map[string]any
	e.user, body = e.signIn(UserEmail, UserPassword)
	e.userID = body["user"].(map[string]any)["id"].(string)
	return e
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r *resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
	return m
}

func (r *resp) code(t *testing.T) string {
	t.Helper()
	c, _ := r.json(t)["code"].(string)
	return c
}

// call sends a request; token "" means anonymous. headers are "Key: value".
func (e *testEnv) call(method, path, body, token string, headers ...string) *resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &resp{status: res.StatusCode, header: res.Header, body: b}
}

// expect asserts the status and returns the decoded JSON object body.
func (e *testEnv) expect(r *resp, status int) map[string]any {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if len(r.body) == 0 || r.body[0] != '{' {
		return nil
	}
	return r.json(e.t)
}

// expectErr asserts an error status and code.
func (e *testEnv) expectErr(r *resp, status int, code string) map[string]any {
	e.t.Helper()
	m := e.expect(r, status)
	if m["code"] != code {
		e.t.Fatalf("code %v, want %s; body %s", m["code"], code, r.body)
	}
	return m
}

func (e *testEnv) signIn(email, password string) (string, map[string]any) {
	e.t.Helper()
	r := e.call("POST", "/api/auth/sign-in/email", mustJSON(map[string]any{"email": email, "password": password}), "")
	m := e.expect(r, 200)
	tok := r.header.Get("set-auth-token")
	if tok == "" {
		e.t.Fatal("sign-in: no set-auth-token header")
	}
	return tok, m
}

// createUser creates a user with a password via the admin route; returns its id.
func (e *testEnv) createUser(prefix string) (id, email string) {
	e.t.Helper()
	e.seq++
	email = prefix + "-" + strconv.Itoa(e.seq) + "@test.example"
	m := e.expect(e.call("POST", "/api/auth/admin/create-user",
		mustJSON(map[string]any{"email": email, "name": "Test " + prefix, "password": "test-password-1"}), e.admin), 200)
	return m["user"].(map[string]any)["id"].(string), email
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
