package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"ok":                           "/api/auth/ok",
		"/ok":                          "/api/auth/ok",
		"admin/list-users":             "/api/auth/admin/list-users",
		"/api/auth/admin/get-user":     "/api/auth/admin/get-user",
		"/api/admin/sessions?x=1":      "/api/admin/sessions?x=1",
		"get-session?disableRefresh=1": "/api/auth/get-session?disableRefresh=1",
	} {
		got, err := normalizePath(in)
		if err != nil || got != want {
			t.Errorf("normalizePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "https://evil.example/api/auth/ok", "/api/auth/../x"} {
		if _, err := normalizePath(bad); err == nil {
			t.Errorf("normalizePath(%q): no error", bad)
		}
	}
}

func TestParseHeaders(t *testing.T) {
	h, err := parseHeaders([]string{"X-Request-Id: abc", "Accept-Language:fr"})
	if err != nil || h.Get("X-Request-Id") != "abc" || h.Get("Accept-Language") != "fr" {
		t.Fatalf("%v %v", h, err)
	}
	for _, bad := range []string{"Authorization: Bearer x", "authorization: x", "Cookie: a=b", "Origin: http://x", "Referer: http://x", "X-Api-Key: k", "nocolon", ": v"} {
		if _, err := parseHeaders([]string{bad}); err == nil {
			t.Errorf("parseHeaders(%q): no error", bad)
		} else if code, _, _ := cmdutil.Describe(err, cmdutil.AuthContext{}); code != cmdutil.ExitUsage {
			t.Errorf("parseHeaders(%q): exit %d", bad, code)
		}
	}
}

func TestParseFields(t *testing.T) {
	fields, order, err := parseFields([]string{"name=42", "flag=true"}, []string{"limit=5", "on=true", "off=false", "none=null", "ratio=0.5", "word=abc", "inf=Inf"}, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "42", "flag": "true", "limit": int64(5), "on": true, "off": false, "none": nil, "ratio": 0.5, "word": "abc", "inf": "Inf"}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("%s = %#v, want %#v", k, fields[k], v)
		}
	}
	if len(order) != len(want) {
		t.Errorf("order %v", order)
	}
	// Secrets are never taken as flag values, only from a file or stdin.
	for _, bad := range [][2][]string{{{"password=x"}, nil}, {nil, {"newPassword=x"}}, {nil, {"token=abc"}}, {{"password=@f"}, nil}} {
		if _, _, err := parseFields(bad[0], bad[1], strings.NewReader("")); err == nil {
			t.Errorf("parseFields(%v): no error", bad)
		}
	}
	fields, _, err = parseFields(nil, []string{"newPassword=@-"}, strings.NewReader("s3cret-from-stdin\n"))
	if err != nil || fields["newPassword"] != "s3cret-from-stdin" {
		t.Errorf("stdin secret: %#v %v", fields, err)
	}
}

func runAPI(t *testing.T, h http.Handler, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ios, _, out, errOut := output.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: time.Now, Scrubber: &redact.Scrubber{}}
	f.APIClient = func(extra ...apiclient.Option) (*apiclient.Client, error) {
		sleep := func(context.Context, time.Duration) error { return nil }
		opts := append([]apiclient.Option{apiclient.WithToken("admin-session-token-0123456789"), apiclient.WithRetry(2, time.Millisecond, time.Millisecond), apiclient.WithSleep(sleep)}, extra...)
		return apiclient.NewClient(srv.URL, opts...)
	}
	cmd := newCmdAPI(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		code, _, _ = cmdutil.Describe(err, cmdutil.AuthContext{})
	}
	return out.String(), errOut.String(), code
}

func TestIncludeRedactsHeaders(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Trace") != "t1" {
			t.Errorf("custom header not sent: %v", r.Header)
		}
		w.Header().Set("Set-Auth-Token", "SECRET-signed-token.sig")
		w.Header().Add("Set-Cookie", "better-auth.session_token=SECRET-cookie.sig; Path=/")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"session":{"id":"s1","token":"SECRET-raw"}}`)
	})
	stdout, stderr, code := runAPI(t, h, "-i", "-H", "X-Trace: t1", "get-session")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout+stderr, "SECRET") {
		t.Errorf("secret printed:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if !strings.Contains(stderr, "200 OK") || !strings.Contains(stderr, "Set-Auth-Token: ********") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, `"id": "s1"`) {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestRetryOnlyReads(t *testing.T) {
	var gets, posts atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
		} else {
			posts.Add(1)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"code":"UNAVAILABLE","message":"try later"}`)
	})
	_, stderr, code := runAPI(t, h, "ok")
	if code != cmdutil.ExitFailure || gets.Load() != 3 {
		t.Errorf("GET: exit %d after %d attempts", code, gets.Load())
	}
	if !strings.Contains(stderr, `"code":"UNAVAILABLE"`) {
		t.Errorf("error body not on stderr: %s", stderr)
	}
	_, _, code = runAPI(t, h, "POST", "admin/ban-user", "-f", "userId=u1")
	if code != cmdutil.ExitFailure || posts.Load() != 1 {
		t.Errorf("POST: exit %d after %d attempts (a mutation must not be repeated)", code, posts.Load())
	}
}

func TestEmptyBodyPrintsNothing(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	stdout, stderr, code := runAPI(t, h, "get-session")
	if code != 0 || stdout != "" || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
