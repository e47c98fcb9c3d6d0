package faultproxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func startProxy(t *testing.T) (*Proxy, string, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("set-auth-token", "tok")
		io.WriteString(w, `{"users":[{"id":"a"},{"id":"b"}],"echo":`+string(b)+`}`)
	}))
	t.Cleanup(backend.Close)
	u, _ := url.Parse(backend.URL)
	p := New(u)
	base, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, base, &hits
}

func post(t *testing.T, c *http.Client, base, path string) (*http.Response, string, error) {
	t.Helper()
	resp, err := c.Post(base+path, "application/json", strings.NewReader(`{"x":1}`))
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestForwardAndCount(t *testing.T) {
	p, base, hits := startProxy(t)
	resp, body, err := post(t, http.DefaultClient, base, "/api/auth/admin/list-users")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.Contains(body, `"echo":{"x":1}`) || resp.Header.Get("set-auth-token") != "tok" {
		t.Fatalf("forwarded answer: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	s := p.Stats()
	if s.Received["/api/auth/admin/list-users"] != 1 || s.Forwarded["/api/auth/admin/list-users"] != 1 || hits.Load() != 1 {
		t.Fatalf("stats %+v hits %d", s, hits.Load())
	}
}

func TestEveryNthStatus(t *testing.T) {
	p, base, hits := startProxy(t)
	r, err := ParseRule(strings.Fields("POST /api/auth/admin/ban-user every=3 status=429 retry-after=1"))
	if err != nil {
		t.Fatal(err)
	}
	p.SetRules(r)
	var limited int
	for i := 1; i <= 9; i++ {
		resp, body, err := post(t, http.DefaultClient, base, "/api/auth/admin/ban-user")
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, `"code":"RATE_LIMITED"`) {
				t.Fatalf("request %d: %d %q %v", i, resp.StatusCode, body, resp.Header)
			}
			limited++
		} else if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	// another path or method does not match
	if resp, _, _ := post(t, http.DefaultClient, base, "/api/auth/admin/ban-user-x"); resp.StatusCode != 200 {
		t.Fatal("exact path matched a longer path")
	}
	s := p.Stats()
	if limited != 3 || s.Faults[Status] != 3 || s.Forwarded["/api/auth/admin/ban-user"] != 6 || s.Received["/api/auth/admin/ban-user"] != 9 || hits.Load() != 7 {
		t.Fatalf("stats %+v hits %d", s, hits.Load())
	}
}

func TestFirstNAndPrefixAndXRetryAfter(t *testing.T) {
	p, base, _ := startProxy(t)
	rules, err := ParseRules(strings.Fields("/api/auth/* first=2 status=503 x-retry-after=2 ; GET * malformed"))
	if err != nil || len(rules) != 2 {
		t.Fatal(rules, err)
	}
	p.SetRules(rules...)
	for i, want := range []int{503, 503, 200} {
		resp, _, err := post(t, http.DefaultClient, base, "/api/auth/x")
		if err != nil || resp.StatusCode != want {
			t.Fatalf("request %d: %v %v", i, resp, err)
		}
		if want == 503 && resp.Header.Get("X-Retry-After") != "2" {
			t.Fatal("no X-Retry-After")
		}
	}
	resp, err := http.Get(base + "/other")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != MalformedBody {
		t.Fatalf("malformed: %q", b)
	}
}

func TestBodies(t *testing.T) {
	p, base, hits := startProxy(t)
	p.SetRules(Rule{Path: "/t", Fault: Truncate}, Rule{Path: "/e", Fault: Empty200})
	resp, body, err := post(t, http.DefaultClient, base, "/t")
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(resp, err)
	}
	full := `{"users":[{"id":"a"},{"id":"b"}],"echo":{"x":1}}`
	if body != full[:len(full)/2] {
		t.Fatalf("truncated body %q", body)
	}
	resp, body, err = post(t, http.DefaultClient, base, "/e")
	if err != nil || resp.StatusCode != 200 || body != "" {
		t.Fatal(resp, body, err)
	}
	if hits.Load() != 1 || p.Stats().Forwarded["/e"] != 0 {
		t.Fatalf("hits %d", hits.Load())
	}
}

func TestResetAndDropAfterApply(t *testing.T) {
	p, base, hits := startProxy(t)
	p.SetRules(Rule{Path: "/r", Fault: Reset}, Rule{Path: "/d", Fault: DropAfterApply})
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	_, _, err := post(t, c, base, "/r")
	if !errors.Is(err, syscall.ECONNRESET) && !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("reset: %v", err)
	}
	if hits.Load() != 0 {
		t.Fatal("reset forwarded")
	}
	_, _, err = post(t, c, base, "/d")
	if err == nil {
		t.Fatal("drop-after-apply answered")
	}
	if hits.Load() != 1 || p.Stats().Forwarded["/d"] != 1 || p.Stats().Faults[DropAfterApply] != 1 {
		t.Fatalf("drop-after-apply: hits %d stats %+v", hits.Load(), p.Stats())
	}
}

func TestStallUntilClientGivesUp(t *testing.T) {
	p, base, hits := startProxy(t)
	p.SetRules(Rule{Fault: Stall})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/s", nil)
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stall: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("stall took %s", d)
	}
	// Close releases a stalled request.
	done := make(chan error, 1)
	go func() {
		_, err := http.Get(base + "/s2")
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	p.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("stalled request answered")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not release the stalled request")
	}
	if hits.Load() != 0 {
		t.Fatal("stall forwarded")
	}
}

func TestDistinctIgnoresRetries(t *testing.T) {
	p, base, _ := startProxy(t)
	r, err := ParseRule(strings.Fields("POST /b every=2 distinct status=429"))
	if err != nil || !r.Distinct {
		t.Fatal(r, err)
	}
	p.SetRules(r)
	send := func(body string) int {
		resp, err := http.Post(base+"/b", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// a: 1st distinct (200); b: 2nd (429); b again: a retry, not counted (200); c: 3rd (200); d: 4th (429)
	for i, c := range []struct {
		body string
		want int
	}{{"a", 200}, {"b", 429}, {"b", 200}, {"c", 200}, {"d", 429}, {"d", 200}} {
		if got := send(c.body); got != c.want {
			t.Fatalf("request %d (%s): %d, want %d", i, c.body, got, c.want)
		}
	}
	if s := p.Stats(); s.Received["/b"] != 6 || s.Forwarded["/b"] != 4 || s.Faults[Status] != 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestParseRuleErrors(t *testing.T) {
	for _, in := range []string{"", "POST", "POST /x", "POST x reset", "/x every=0 reset", "/x status=99", "/x reset retry-after=1", "/x bogus", "/x every=a reset"} {
		if _, err := ParseRule(strings.Fields(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	r, err := ParseRule(strings.Fields("post /api/auth/* every=10 status=429 retry-after=1"))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.String(); got != "POST /api/auth/* every=10 status=429 retry-after=1" {
		t.Fatalf("String: %q", got)
	}
}
