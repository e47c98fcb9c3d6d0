package acceptance

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/internal/docgen"
	"github.com/kernia-dev/kernia-admin/sandbox"
)

// leakCase is one command line the leak test runs in every output mode.
type leakCase struct {
	args  []string
	stdin string
	// env is added to the environment of every run (identity_leak_test.go).
	env []string
	// argsFn, when set, gives the arguments of each run (args still names the command).
	argsFn func() []string
	// reveals returns the secrets a run just created and printed (its single creation
	// output): they are added to the secret set, and allowed in that run's stdout only.
	reveals func(stdout string) []string
	// exit is the exit code the first (TSV) run must end with: a case that fails for an
	// unrelated reason would scan nothing of interest. anyExit disables the check.
	exit int
}

// anyExit marks a leak case whose exit code is not checked.
const anyExit = -1

// leakExempt lists runnable commands the leak test does not run, with the reason. Every other
// runnable command must have at least one case, or the test fails: a new command cannot be
// added without being scanned.
func leakExempt() map[string]string {
	return map[string]string{
		"kernia-admin auth token":     "prints the session token by design (the one command whose purpose is to reveal it)",
		"kernia-admin sandbox serve":  "long-running server; its log is covered by the sandbox package's log test",
		"kernia-admin sandbox seed":   "prints a count only; needs a database path of its own",
		"kernia-admin sandbox reset":  "deletes a database file; prints no data",
		"kernia-admin completion":     "shell script generation, no server contact",
		"kernia-admin auth login":     "run once in setup, its output scanned there",
		"kernia-admin auth logout":    "run once at the end, its output scanned there",
		"kernia-admin profile delete": "run once at the end, its output scanned there",
	}
}

type secretSet struct {
	mu   sync.Mutex
	vals map[string]string // value → kind
}

func (s *secretSet) add(kind, v string) {
	if len(v) < 8 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vals == nil {
		s.vals = map[string]string{}
	}
	s.vals[v] = kind
	// A signed session token is raw.signature: each half is a secret on its own.
	if raw, sig, ok := strings.Cut(v, "."); ok {
		if len(raw) >= 20 {
			s.vals[raw] = kind + " (raw part)"
		}
		if len(sig) >= 20 {
			s.vals[sig] = kind + " (signature part)"
		}
	}
}

// find returns the kinds of the secrets that occur in text.
func (s *secretSet) find(text string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var kinds []string
	for v, k := range s.vals {
		if strings.Contains(text, v) {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	return kinds
}

type leakEnv struct {
	t       *testing.T
	bin     string
	base    string
	cfgDir  string
	env     []string
	secrets *secretSet
	outputs []capturedOutput
}

type capturedOutput struct {
	what   string
	stdout string
	stderr string
	own    []string // secrets this run created, allowed in its stdout only
}

func (e *leakEnv) run(what string, stdin string, extraEnv []string, args ...string) (string, string, int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(append(os.Environ(), e.env...), extraEnv...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("%s: %v", what, err)
		}
		code = ee.ExitCode()
	}
	e.outputs = append(e.outputs, capturedOutput{what: what, stdout: out.String(), stderr: errb.String()})
	return out.String(), errb.String(), code
}

// signIn signs in over HTTP and records the token as a secret.
func (e *leakEnv) signIn(email, password string) string {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(e.base+"/api/auth/sign-in/email", "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	tok := resp.Header.Get("set-auth-token")
	if resp.StatusCode != 200 || tok == "" {
		e.t.Fatalf("sign-in %s: HTTP %d", email, resp.StatusCode)
	}
	e.secrets.add("session token of "+email, tok)
	return tok
}

// harvestSessionTokens lists every user's sessions as the admin (Kernia returns raw tokens
// there) and records them all, so tokens created by the commands under test are known too.
func (e *leakEnv) harvestSessionTokens(adminToken string) {
	e.t.Helper()
	post := func(path string, body any, v any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, e.base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			e.t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			e.t.Fatalf("%s: %v", path, err)
		}
	}
	var users struct {
		Users []struct{ ID, Email string } `json:"users"`
	}
	post("/api/auth/admin/list-users", map[string]any{}, &users)
	for _, u := range users.Users {
		var ss struct {
			Sessions []struct{ Token string } `json:"sessions"`
		}
		post("/api/auth/admin/list-user-sessions", map[string]string{"userId": u.ID}, &ss)
		for _, s := range ss.Sessions {
			e.secrets.add("session token of "+u.Email, s.Token)
		}
	}
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kernia-admin")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/kernia-dev/kernia-admin/cmd/kernia-admin")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startSandbox(t *testing.T) (*sandbox.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv, err := sandbox.Open(context.Background(), sandbox.Options{Path: filepath.Join(t.TempDir(), "leak.db"), BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		srv.Close()
	})
	return srv, base
}

// runnableCommands lists the command paths of every runnable, visible command.
func runnableCommands() map[string]*cobra.Command {
	out := map[string]*cobra.Command{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		if c.Runnable() {
			out[c.CommandPath()] = c
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(docgen.Root())
	return out
}

func findCommand(cmds map[string]*cobra.Command, args []string) (string, *cobra.Command) {
	path := "kernia-admin"
	var found *cobra.Command
	var foundPath string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		path += " " + a
		if c, ok := cmds[path]; ok {
			found, foundPath = c, path
		}
	}
	return foundPath, found
}

// scanConfigDir fails if any secret occurs in any file under dir, except allowed values in
// allowedFile (the session token that auth login stored in the file store because this
// machine has no OS keyring — by design, in a 0600 file).
func (e *leakEnv) scanConfigDir(allowed map[string]bool) {
	e.t.Helper()
	err := filepath.WalkDir(e.cfgDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := string(b)
		for v := range allowed {
			text = strings.ReplaceAll(text, v, "<stored-session-token>")
		}
		if kinds := e.secrets.find(text); len(kinds) > 0 {
			e.t.Errorf("config file %s holds secrets: %v", filepath.Base(p), kinds)
		}
		fi, _ := d.Info()
		if fi.Mode().Perm()&0o077 != 0 {
			e.t.Errorf("config file %s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestNoSecretLeaks seeds known passwords and session tokens, runs every command in every
// output mode (TSV, TTY table, --json, --jsonl, --debug), and fails if any secret appears in
// stdout or stderr, or in the config directory (other than the stored session itself).
func TestNoSecretLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs every command five times")
	}
	srv, base := startSandbox(t)
	_ = srv
	home := t.TempDir()
	e := &leakEnv{t: t, bin: buildBinary(t), base: base, cfgDir: filepath.Join(home, "config"), secrets: &secretSet{}}
	e.env = []string{"KERNIA_CONFIG_DIR=" + e.cfgDir, "HOME=" + home, "KERNIA_KEYRING=file", "KERNIA_SERVER=" + base,
		"NO_COLOR=1", "KERNIA_TOKEN=", "KERNIA_EMAIL=", "KERNIA_PASSWORD=", "KERNIA_API_KEY=", "KERNIA_PROFILE="}
	for _, p := range []string{sandbox.AdminPassword, sandbox.UserPassword, sandbox.DemoPassword} {
		e.secrets.add("password", p)
	}
	const (
		createdPassword = "leak-created-Password-7Qx2"
		newPassword     = "leak-new-Password-9Kd4"
		smtpPassword    = "leak-smtp-Password-3Wz8"
		resendKey       = "re_leakResendKey_5Hn1Jq8Lm2"
		postmarkToken   = "leak-postmark-token-8Tg6Vb3"
		stripeSecret    = "sk_test_leakStripeSecret51Hx9Qw2Er4Ty6"
	)
	for _, p := range []string{createdPassword, newPassword, smtpPassword, resendKey, postmarkToken, stripeSecret} {
		e.secrets.add("password/key supplied on stdin", p)
	}

	// Setup through the CLI itself: its output is scanned like every other.
	if _, stderr, code := e.run("auth login", sandbox.AdminPassword+"\n", nil, "auth", "login", "--email", sandbox.AdminEmail, "--password-stdin"); code != 0 {
		t.Fatalf("auth login: exit %d: %s", code, stderr)
	}
	stored, _, code := e.run("auth token", "", nil, "auth", "token")
	if code != 0 {
		t.Fatalf("auth token: exit %d", code)
	}
	storedToken := strings.TrimSpace(stored)
	e.outputs = e.outputs[:len(e.outputs)-1] // auth token prints the token by design
	e.secrets.add("stored admin session token", storedToken)
	if len(e.secrets.find(stored)) == 0 {
		t.Fatal("the scanner does not recognise the stored token in auth token's output: the scan would be blind")
	}
	for _, u := range []struct{ email, pw string }{
		{sandbox.UserEmail, sandbox.UserPassword}, {sandbox.UserEmail, sandbox.UserPassword},
		{"ada.lovelace@example.com", sandbox.DemoPassword}, {"alan.turing@example.com", sandbox.DemoPassword},
	} {
		e.signIn(u.email, u.pw)
	}
	userToken := e.signIn(sandbox.UserEmail, sandbox.UserPassword)
	if _, stderr, code := e.run("users create", createdPassword+"\n", nil, "users", "create", "--email", "leak.target@example.com", "--name", "Leak Target", "--password-stdin"); code != 0 {
		t.Fatalf("users create: exit %d: %s", code, stderr)
	}
	adminHTTPToken := e.signIn(sandbox.AdminEmail, sandbox.AdminPassword)
	e.harvestSessionTokens(adminHTTPToken)

	cases := []leakCase{
		{args: []string{"users", "list"}},
		{args: []string{"users", "list", "--all", "--search", "example"}},
		{args: []string{"users", "view", sandbox.UserEmail}},
		{args: []string{"users", "create", "--email", "leak.dry@example.com", "--name", "Dry", "--password-stdin", "--dry-run"}, stdin: createdPassword + "\n"},
		{args: []string{"users", "update", "leak.target@example.com", "--name", "Leak Target Renamed"}},
		{args: []string{"users", "set-role", "leak.target@example.com", "user"}},
		{args: []string{"users", "set-password", "leak.target@example.com", "--password-stdin"}, stdin: newPassword + "\n"},
		{args: []string{"users", "set-password", "leak.target@example.com", "--password-stdin", "--dry-run"}, stdin: newPassword + "\n"},
		{args: []string{"users", "ban", "grace.hopper@example.com", "--reason", "leak test", "--expires", "1d"}},
		{args: []string{"users", "unban", "grace.hopper@example.com"}},
		{args: []string{"users", "delete", "leak.target@example.com", "--dry-run"}},
		{args: []string{"users", "impersonate", sandbox.UserEmail}},
		{args: []string{"users", "stop-impersonating", "--token-stdin"}, stdin: userToken + "\n", exit: 6}, // not an impersonation session
		{args: []string{"sessions", "list", "--user", sandbox.UserEmail}},
		{args: []string{"sessions", "list", "--all"}},
		{args: []string{"sessions", "revoke", "no-such-session-id", "--dry-run"}},
		{args: []string{"sessions", "revoke-all", "alan.turing@example.com", "--yes", "--dry-run"}},
		{args: []string{"api", "/admin/list-user-sessions", "-F", "userId=@-"}, stdin: ""},
		{args: []string{"api", "GET", "/get-session"}},
		{args: []string{"doctor"}},
		{args: []string{"auth", "status"}},
		{args: []string{"profile", "list"}},
		{args: []string{"profile", "show"}},
		{args: []string{"profile", "set", "other", "--server", base}},
		{args: []string{"profile", "use", "default"}},
		{args: []string{"version"}},
		{args: []string{"auth-methods", "list"}},
		{args: []string{"auth-methods", "list", "--public"}},
		{args: []string{"auth-methods", "enable", "magic-link"}},
		{args: []string{"auth-methods", "disable", "magic-link"}},
		{args: []string{"auth-methods", "toggle", "passkey"}},
		{args: []string{"email", "set-smtp", "leak-smtp", "--host", "127.0.0.1", "--port", "2525", "--username", "mailer", "--tls", "none", "--from", "noreply@example.com", "--password-stdin"}, stdin: smtpPassword + "\n"},
		{args: []string{"email", "set-resend", "leak-resend", "--from", "noreply@example.com", "--api-key-stdin"}, stdin: resendKey + "\n"},
		{args: []string{"email", "set-postmark", "leak-postmark", "--from", "noreply@example.com", "--token-stdin"}, stdin: postmarkToken + "\n"},
		{args: []string{"email", "list"}},
		{args: []string{"email", "view", "leak-smtp"}},
		{args: []string{"email", "test", "leak-resend", "--to", "ops@example.com"}, exit: 1}, // Resend is simulated: not delivered
		{args: []string{"email", "remove", "leak-postmark", "--yes", "--dry-run"}},
		{args: []string{"stripe", "set-keys", "--secret-key-stdin"}, stdin: stripeSecret + "\npk_test_leakPublishable123456\n" + leakWebhookSecret + "\n"},
		{args: []string{"stripe", "status"}},
	}
	// The api case needs a user id on stdin.
	out, _, _ := e.run("users view (id)", "", nil, "users", "view", sandbox.UserEmail, "--json", "--jq", ".id")
	userID := strings.TrimSpace(out)
	for i := range cases {
		if cases[i].args[0] == "api" && cases[i].stdin == "" && len(cases[i].args) > 2 && strings.HasSuffix(cases[i].args[len(cases[i].args)-1], "@-") {
			cases[i].stdin = userID
		}
	}
	cases = append(cases, identityLeakCases(e)...)
	cases = append(cases, billingLeakCases(e)...)

	cmds := runnableCommands()
	covered := map[string]bool{}
	modes := []struct {
		name  string
		flags []string
		env   []string
	}{
		{"tsv", nil, nil},
		{"tty table", nil, []string{"KERNIA_FORCE_TTY=1", "COLUMNS=200"}},
		{"json", []string{"--json"}, nil},
		{"jsonl", []string{"--jsonl"}, nil},
		{"debug", []string{"--debug"}, nil},
	}
	for _, c := range cases {
		path, cmd := findCommand(cmds, c.args)
		if cmd == nil {
			t.Errorf("leak case %v names no command", c.args)
			continue
		}
		covered[path] = true
		for _, m := range modes {
			if len(m.flags) > 0 && cmd.Flags().Lookup(strings.TrimPrefix(m.flags[0], "--")) == nil && cmd.InheritedFlags().Lookup(strings.TrimPrefix(m.flags[0], "--")) == nil {
				continue
			}
			base := c.args
			if c.argsFn != nil {
				base = c.argsFn()
			}
			args := append(append([]string{}, base...), m.flags...)
			if i := slices.Index(base, "--"); i >= 0 { // flags go before the end of flags
				args = append(append(append([]string{}, base[:i]...), m.flags...), base[i:]...)
			}
			stdout, stderr, code := e.run(path+" ["+m.name+"]", c.stdin, append(append([]string{}, m.env...), c.env...), args...)
			if m.name == "tsv" && c.exit != anyExit && code != c.exit {
				t.Errorf("leak case %v: exit %d, want %d (stderr: %s)", c.args, code, c.exit, firstLine(stderr))
			}
			if c.reveals != nil {
				own := c.reveals(stdout)
				for _, v := range own {
					e.secrets.add("secret created by "+path, v)
				}
				e.outputs[len(e.outputs)-1].own = own
			}
		}
	}
	e.run("auth logout", "", nil, "auth", "logout")
	e.run("profile delete", "", nil, "profile", "delete", "other", "--yes")
	e.harvestSessionTokens(adminHTTPToken)

	for path := range cmds {
		if _, ok := leakExempt()[path]; ok {
			continue
		}
		if !covered[path] {
			t.Errorf("command %q is not covered by the leak test: add a case (or an exemption with a reason)", path)
		}
	}
	for _, o := range e.outputs {
		for _, v := range o.own {
			o.stdout = strings.ReplaceAll(o.stdout, v, "<created-here>")
		}
		if kinds := e.secrets.find(o.stdout); len(kinds) > 0 {
			t.Errorf("%s: stdout leaks %v", o.what, kinds)
		}
		if kinds := e.secrets.find(o.stderr); len(kinds) > 0 {
			t.Errorf("%s: stderr leaks %v", o.what, kinds)
		}
	}
	e.scanConfigDir(map[string]bool{storedToken: true})
	if len(e.outputs) < 100 {
		t.Fatalf("only %d command runs were scanned", len(e.outputs))
	}
	t.Logf("scanned %d command runs against %d secret values", len(e.outputs), len(e.secrets.vals))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
