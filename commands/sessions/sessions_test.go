package sessions

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

// rawToken is what a real Kernia server returns in list-user-sessions.
const rawToken = "Zk3vQm9xR2pLc0Y4dVh1TjdKaEJ5V2xQcTZzRGZHaA0"

// fakeKernia is a Kernia server with the admin plugin; dashboard adds /api/admin.
type fakeKernia struct {
	dashboard bool

	mu       sync.Mutex
	requests []string
	bodies   map[string]string
}

func (k *fakeKernia) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	k.mu.Lock()
	k.requests = append(k.requests, r.Method+" "+r.URL.Path)
	if k.bodies == nil {
		k.bodies = map[string]string{}
	}
	k.bodies[r.URL.Path] = string(b)
	k.mu.Unlock()
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	w.Header().Set("Content-Type", "application/json")
	write := func(status int, v string) { w.WriteHeader(status); io.WriteString(w, v) }
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/auth/admin/get-user":
		if body["id"] == "u1" || body["email"] == "alice@example.com" {
			write(200, `{"id":"u1","email":"alice@example.com","name":"Alice","createdAt":1767225600,"updatedAt":1767225600}`)
			return
		}
		write(404, `{"code":"USER_NOT_FOUND","message":"User not found"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/auth/admin/list-user-sessions":
		write(200, `{"sessions":[{"id":"s1","userId":"u1","token":"`+rawToken+`","expiresAt":1767830400,
			"ipAddress":"203.0.113.7","userAgent":"curl/8","createdAt":1767225600,"updatedAt":1767225600,"impersonatedBy":null}]}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/auth/admin/revoke-user-session":
		write(200, `{"success":true}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/auth/admin/revoke-user-sessions":
		write(200, `{"success":true}`)
	case k.dashboard && r.Method == http.MethodGet && r.URL.Path == "/api/admin/capabilities":
		write(200, `{"version":1,"families":["sessions"]}`)
	case k.dashboard && r.Method == http.MethodPost && r.URL.Path == "/api/admin/sessions/revoke-all":
		write(200, `{"revoked":4}`)
	default:
		write(404, `{"code":"NOT_FOUND"}`)
	}
}

func (k *fakeKernia) sent() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.requests...)
}

type result struct {
	stdout, stderr string
	code           int
	msg            string
}

func run(t *testing.T, k *fakeKernia, tty bool, p prompt.Prompter, build func(*cmdutil.Factory) *cobra.Command, args ...string) result {
	t.Helper()
	srv := httptest.NewServer(k)
	t.Cleanup(srv.Close)
	ios, _, out, errOut := output.Test()
	ios.SetStdinTTY(tty)
	ios.SetStdoutTTY(tty)
	f := &cmdutil.Factory{IOStreams: ios, Prompter: p, Now: func() time.Time { return time.Unix(1767300000, 0) }, Scrubber: &redact.Scrubber{}}
	f.APIClient = func(extra ...apiclient.Option) (*apiclient.Client, error) {
		opts := append([]apiclient.Option{apiclient.WithToken("admin-session-token"), apiclient.WithRetry(0, 0, 0)}, extra...)
		return apiclient.NewClient(srv.URL, opts...)
	}
	cmd := build(f)
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	r := result{stdout: out.String(), stderr: errOut.String()}
	if err != nil {
		r.code, r.msg, _ = cmdutil.Describe(err, cmdutil.AuthContext{})
	}
	return r
}

func listCmd(f *cmdutil.Factory) *cobra.Command      { return newCmdList(f, nil) }
func revokeCmd(f *cmdutil.Factory) *cobra.Command    { return newCmdRevoke(f, nil) }
func revokeAllCmd(f *cmdutil.Factory) *cobra.Command { return newCmdRevokeAll(f, nil) }

func TestListUserNeverPrintsToken(t *testing.T) {
	for _, args := range [][]string{
		{"--user", "alice@example.com"},
		{"--user", "u1", "--json"},
		{"--user", "u1", "--jsonl"},
		{"--user", "u1", "--jq", ".[0]"},
		{"--user", "u1", "--jq", ".[0].token"},
	} {
		for _, tty := range []bool{false, true} {
			r := run(t, &fakeKernia{}, tty, nil, listCmd, args...)
			if r.code != 0 {
				t.Fatalf("%v: exit %d: %s", args, r.code, r.msg)
			}
			if !strings.Contains(r.stdout, "s1") && !strings.Contains(r.stdout, "null") {
				t.Errorf("%v: session missing from output:\n%s", args, r.stdout)
			}
			if strings.Contains(r.stdout+r.stderr, rawToken) || strings.Contains(r.stdout+r.stderr, rawToken[len(rawToken)-8:]) {
				t.Errorf("%v (tty=%v): raw token printed:\n%s%s", args, tty, r.stdout, r.stderr)
			}
		}
	}
}

func TestListUserTable(t *testing.T) {
	r := run(t, &fakeKernia{}, false, nil, listCmd, "--user", "alice@example.com")
	want := "s1\talice@example.com\t203.0.113.7\tcurl/8\t2026-01-01T00:00:00Z\t2026-01-08T00:00:00Z\t\n"
	if r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
}

func TestListAllWithoutDashboard(t *testing.T) {
	k := &fakeKernia{}
	r := run(t, k, false, nil, listCmd)
	if r.code != cmdutil.ExitUnavailable {
		t.Fatalf("exit %d, want 9 (%s)", r.code, r.msg)
	}
	if !strings.Contains(r.msg, "does not expose all-user sessions") {
		t.Errorf("message %q", r.msg)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestRevokeViaAdminPlugin(t *testing.T) {
	k := &fakeKernia{}
	r := run(t, k, false, nil, revokeCmd, "s1", "--user", "alice@example.com", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.msg)
	}
	if got := k.bodies["/api/auth/admin/revoke-user-session"]; !strings.Contains(got, rawToken) {
		t.Errorf("revoke-user-session body %q does not carry the raw token", got)
	}
	if strings.Contains(r.stdout+r.stderr, rawToken) {
		t.Errorf("raw token printed:\n%s%s", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, `"status": "ok"`) {
		t.Errorf("stdout %s", r.stdout)
	}
}

func TestRevokeViaAdminPluginDryRunRedacts(t *testing.T) {
	k := &fakeKernia{}
	r := run(t, k, false, nil, revokeCmd, "s1", "--user", "u1", "--dry-run", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.msg)
	}
	for _, req := range k.sent() {
		if strings.Contains(req, "revoke") {
			t.Errorf("dry run sent %s", req)
		}
	}
	if !strings.Contains(r.stdout, `"status": "planned"`) || !strings.Contains(r.stdout, "revoke-user-session") {
		t.Errorf("plan missing:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, rawToken) {
		t.Errorf("raw token printed in the plan:\n%s", r.stdout)
	}
}

func TestRevokeUnknownID(t *testing.T) {
	k := &fakeKernia{}
	r := run(t, k, false, nil, revokeCmd, "nope", "--user", "u1")
	if r.code != cmdutil.ExitNotFound {
		t.Fatalf("exit %d, want 5 (%s)", r.code, r.msg)
	}
	for _, req := range k.sent() {
		if strings.HasSuffix(req, "/revoke-user-session") {
			t.Errorf("sent %s for an unknown id", req)
		}
	}
}

func TestRevokeWithoutDashboardNeedsUser(t *testing.T) {
	r := run(t, &fakeKernia{}, false, nil, revokeCmd, "s1")
	if r.code != cmdutil.ExitUnavailable {
		t.Fatalf("exit %d, want 9 (%s)", r.code, r.msg)
	}
}

func TestRevokeAllUsersTypedConfirmation(t *testing.T) {
	// The right phrase at a terminal: sent.
	k := &fakeKernia{dashboard: true}
	p := new(prompt.Stub).ExpectConfirmTyped("sign every user out", allUsersPhrase)
	r := run(t, k, true, p, revokeAllCmd, "--all-users", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.msg)
	}
	p.Verify(t)
	if !strings.Contains(r.stdout, `"revoked": 4`) {
		t.Errorf("stdout %s", r.stdout)
	}
	if calls := p.Calls(); len(calls) != 1 || calls[0].Default != allUsersPhrase {
		t.Errorf("prompt calls %+v", calls)
	}

	// A wrong phrase: cancelled (exit 2), nothing sent.
	k = &fakeKernia{dashboard: true}
	p = new(prompt.Stub).ExpectConfirmTyped("", "revoke all")
	r = run(t, k, true, p, revokeAllCmd, "--all-users")
	if r.code != cmdutil.ExitUsage {
		t.Fatalf("exit %d, want 2 (%s)", r.code, r.msg)
	}
	if sent := k.sent(); len(sent) != 0 {
		t.Errorf("sent %v after a wrong confirmation", sent)
	}

	// No terminal and no --yes: exit 2, nothing sent, no prompt.
	k = &fakeKernia{dashboard: true}
	r = run(t, k, false, new(prompt.Stub), revokeAllCmd, "--all-users")
	if r.code != cmdutil.ExitUsage || len(k.sent()) != 0 {
		t.Errorf("exit %d, sent %v", r.code, k.sent())
	}
}

func TestRevokeAllUsersWithoutDashboard(t *testing.T) {
	r := run(t, &fakeKernia{}, false, nil, revokeAllCmd, "--all-users", "--yes")
	if r.code != cmdutil.ExitUnavailable {
		t.Fatalf("exit %d, want 9 (%s)", r.code, r.msg)
	}
}

func TestRevokeAllPerUser(t *testing.T) {
	k := &fakeKernia{}
	r := run(t, k, false, nil, revokeAllCmd, "alice@example.com", "--yes", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.msg)
	}
	if got := k.bodies["/api/auth/admin/revoke-user-sessions"]; got != `{"userId":"u1"}` {
		t.Errorf("revoke-user-sessions body %q", got)
	}
	k = &fakeKernia{}
	r = run(t, k, false, nil, revokeAllCmd, "alice@example.com", "bob@example.com", "--yes", "--jsonl")
	if r.code != cmdutil.ExitPartial {
		t.Fatalf("exit %d, want 8 (%s)", r.code, r.msg)
	}
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("want 2 result lines, got %d:\n%s", n, r.stdout)
	}
}
