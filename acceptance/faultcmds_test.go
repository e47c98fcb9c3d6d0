package acceptance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kernia-dev/kernia-admin/internal/faultproxy"
	"github.com/kernia-dev/kernia-admin/sandbox"
)

type faultProxyKey struct{}

// proxyHolder lets the fault commands find the proxy fault-proxy started.
type proxyHolder struct{ p *faultproxy.Proxy }

func scriptProxy(ts *testscript.TestScript, cmd string) *faultproxy.Proxy {
	h, _ := ts.Value(faultProxyKey{}).(*proxyHolder)
	if h == nil || h.p == nil {
		ts.Fatalf("%s: run fault-proxy first", cmd)
	}
	return h.p
}

// fault-proxy: starts a fault-injecting proxy in front of this script's sandbox and sets
// $PROXY_URL. It has no rules (it forwards everything) and is closed when the script ends.
func cmdFaultProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fault-proxy")
	}
	h, _ := ts.Value(faultProxyKey{}).(*proxyHolder)
	if h == nil {
		ts.Fatalf("fault-proxy: no holder (setup)")
	}
	target, err := url.Parse(ts.Getenv("SANDBOX_URL"))
	if err != nil {
		ts.Fatalf("fault-proxy: %v", err)
	}
	p := faultproxy.New(target)
	base, err := p.Start()
	if err != nil {
		ts.Fatalf("fault-proxy: %v", err)
	}
	ts.Defer(func() { p.Close() })
	h.p = p
	ts.Setenv("PROXY_URL", base)
}

// fault RULE [; RULE...] | fault clear: replaces the proxy's rules and zeroes its counters.
// A rule is [METHOD] PATH [every=N|first=N|always] FAULT (see faultproxy.ParseRule).
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: fault RULE... | fault clear")
	}
	p := scriptProxy(ts, "fault")
	if len(args) == 1 && args[0] == "clear" {
		p.SetRules()
		return
	}
	rules, err := faultproxy.ParseRules(args)
	if err != nil {
		ts.Fatalf("fault: %v", err)
	}
	p.SetRules(rules...)
}

func faultCount(ts *testscript.TestScript, neg bool, args []string, name string, pick func(faultproxy.Stats) map[string]int) {
	if len(args) != 2 {
		ts.Fatalf("usage: %s PATH N", name)
	}
	want, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("%s: bad count %q", name, args[1])
	}
	s := scriptProxy(ts, name).Stats()
	got := pick(s)[args[0]]
	if (got == want) == neg {
		ts.Fatalf("%s %s: got %d, want %s%d (received %v, forwarded %v, faults %v)", name, args[0], got,
			map[bool]string{true: "not ", false: ""}[neg], want, s.Received, s.Forwarded, s.Faults)
	}
}

// fault-count PATH N: the server received exactly N requests for PATH through the proxy
// since the last `fault` command.
func cmdFaultCount(ts *testscript.TestScript, neg bool, args []string) {
	faultCount(ts, neg, args, "fault-count", func(s faultproxy.Stats) map[string]int { return s.Forwarded })
}

// fault-seen PATH N: the proxy received exactly N requests for PATH (answered by a fault or
// forwarded) since the last `fault` command.
func cmdFaultSeen(ts *testscript.TestScript, neg bool, args []string) {
	faultCount(ts, neg, args, "fault-seen", func(s faultproxy.Stats) map[string]int { return s.Received })
}

// audit-count ACTION N: the sandbox's audit log holds exactly N events of ACTION (read over
// HTTP from GET /api/admin/audit, signed in as the sandbox admin, bypassing any proxy).
func cmdAuditCount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: audit-count ACTION N")
	}
	want, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("audit-count: bad count %q", args[1])
	}
	base := ts.Getenv("SANDBOX_URL")
	body, _ := json.Marshal(map[string]string{"email": sandbox.AdminEmail, "password": sandbox.AdminPassword})
	resp, err := http.Post(base+"/api/auth/sign-in/email", "application/json", strings.NewReader(string(body)))
	if err != nil {
		ts.Fatalf("audit-count: sign-in: %v", err)
	}
	resp.Body.Close()
	tok := resp.Header.Get("set-auth-token")
	if resp.StatusCode != 200 || tok == "" {
		ts.Fatalf("audit-count: sign-in: HTTP %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/admin/audit?limit=1&action="+url.QueryEscape(args[0]), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		ts.Fatalf("audit-count: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Total *int `json:"total"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Total == nil {
		ts.Fatalf("audit-count: HTTP %d: %v", resp.StatusCode, err)
	}
	if (*out.Total == want) == neg {
		ts.Fatalf("audit-count %s: got %d, want %d", args[0], *out.Total, want)
	}
}

// lines stdout|stderr N: the last command's stdout (or stderr) has exactly N lines.
func cmdLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || args[0] != "stdout" && args[0] != "stderr" {
		ts.Fatalf("usage: lines stdout|stderr N")
	}
	want, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("lines: bad count %q", args[1])
	}
	text := ts.ReadFile(args[0])
	got := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		got++
	}
	if (got == want) == neg {
		ts.Fatalf("lines %s: got %d, want %d\n%s", args[0], got, want, fmt.Sprint(firstLines(text, 5)))
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
