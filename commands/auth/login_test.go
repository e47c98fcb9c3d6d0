package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/commands"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/commands/factory"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/keyring"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

const (
	testEmail    = "admin@example.com"
	testPassword = "correct-horse-battery"
	testToken    = "tok-abcdefghijklmnopqrstuvwxyz0123456789.signature-part"
)

// fakeServer is a minimal Kernia: public-auth, sign-in, list-users, sign-out.
type fakeServer struct {
	emailPasswordOn bool
	admin           bool
	signIns         atomic.Int32
	signOuts        atomic.Int32
}

func (s *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	bearer := r.Header.Get("Authorization") == "Bearer "+testToken
	switch r.Method + " " + r.URL.Path {
	case "GET /api/auth/admin/config/public-auth":
		json.NewEncoder(w).Encode(map[string]any{"methods": map[string]any{
			"email-password": map[string]any{"enabled": s.emailPasswordOn, "label": "Email and password"},
			"google":         map[string]any{"enabled": true, "label": "Google"},
			"magic-link":     map[string]any{"enabled": false, "label": "Magic link"},
		}})
	case "POST /api/auth/sign-in/email":
		s.signIns.Add(1)
		var body struct{ Email, Password string }
		json.NewDecoder(r.Body).Decode(&body)
		if body.Email != testEmail || body.Password != testPassword {
			w.WriteHeader(401)
			w.Write([]byte(`{"code":"INVALID_CREDENTIALS","message":"INVALID_CREDENTIALS"}`))
			return
		}
		w.Header().Set("set-auth-token", testToken)
		exp := time.Now().Add(7 * 24 * time.Hour).Unix()
		json.NewEncoder(w).Encode(map[string]any{"user": map[string]any{"id": "u1", "email": testEmail, "name": "A"},
			"session": map[string]any{"id": "s1", "expiresAt": exp}})
	case "POST /api/auth/admin/list-users":
		switch {
		case !bearer:
			w.WriteHeader(401)
			w.Write([]byte(`{"code":"UNAUTHORIZED","message":"UNAUTHORIZED"}`))
		case !s.admin:
			w.WriteHeader(403)
			w.Write([]byte(`{"code":"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS","message":"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"}`))
		default:
			w.Write([]byte(`{"users":[],"total":0}`))
		}
	case "POST /api/auth/sign-out":
		s.signOuts.Add(1)
		w.Write([]byte(`{"success":true}`))
	default:
		w.WriteHeader(404)
		w.Write([]byte(`{"code":"NOT_FOUND"}`))
	}
}

type run struct {
	code     int
	out, err string
}

func newFactory(t *testing.T, dir string, ks keyring.Store, env map[string]string, stdin string) (*cmdutil.Factory, func() run) {
	t.Helper()
	ios, in, out, errb := output.Test()
	in.WriteString(stdin)
	if env == nil {
		env = map[string]string{}
	}
	env[config.EnvConfigDir] = dir
	f := &cmdutil.Factory{
		IOStreams: ios,
		Prompter:  &prompt.Stub{},
		Keyring:   ks,
		Now:       time.Now,
		Getenv:    func(k string) string { return env[k] },
		Version:   "test",
		Flags:     &cmdutil.GlobalFlags{},
		Scrubber:  &redact.Scrubber{},
	}
	factory.Wire(f)
	return f, func() run { return run{out: out.String(), err: errb.String()} }
}

func login(t *testing.T, srv string, dir string, ks keyring.Store, env map[string]string, extra ...string) run {
	t.Helper()
	f, res := newFactory(t, dir, ks, env, testPassword+"\n")
	args := append([]string{"auth", "login", "--server", srv, "--email", testEmail, "--password-stdin"}, extra...)
	code := commands.Run(context.Background(), f, args)
	r := res()
	r.code = code
	for _, s := range []string{r.out, r.err} {
		if strings.Contains(s, testToken) || strings.Contains(s, testPassword) {
			t.Fatalf("a secret was printed:\nstdout: %s\nstderr: %s", r.out, r.err)
		}
	}
	return r
}

// With an OS keyring (here the memory fake) the token goes there and never into config.yml.
func TestLoginKeyringKeepsTokenOutOfFile(t *testing.T) {
	fs := &fakeServer{emailPasswordOn: true, admin: true}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	dir := t.TempDir()
	ks := keyring.NewMemory()

	r := login(t, srv.URL, dir, ks, nil, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	if !strings.Contains(r.err, "Sign-in methods enabled on "+srv.URL+": email-password, google\n") {
		t.Errorf("methods not reported:\n%s", r.err)
	}
	if !strings.Contains(r.err, "Token stored in the OS keyring") || strings.Contains(r.err, "warning") {
		t.Errorf("stderr:\n%s", r.err)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(r.out), &st); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.out)
	}
	if st["tokenStorage"] != "keyring" || st["admin"] != true || st["email"] != testEmail {
		t.Errorf("status = %v", st)
	}

	path := filepath.Join(dir, config.FileName)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), testToken) || strings.Contains(string(raw), "token:") {
		t.Fatalf("config.yml holds the token:\n%s", raw)
	}
	if !strings.Contains(string(raw), "token_storage: keyring") {
		t.Errorf("config.yml:\n%s", raw)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("config.yml mode = %o, want 600", fi.Mode().Perm())
	}
	got, err := ks.Get(context.Background(), config.KeyringService, config.DefaultProfile)
	if err != nil || got != testToken {
		t.Errorf("keyring token = %q, %v", got, err)
	}

	// logout deletes it from the keyring and signs out on the server
	f, res := newFactory(t, dir, ks, nil, "")
	if code := commands.Run(context.Background(), f, []string{"auth", "logout"}); code != 0 {
		t.Fatalf("logout exit %d: %s", code, res().err)
	}
	if _, err := ks.Get(context.Background(), config.KeyringService, config.DefaultProfile); err == nil {
		t.Error("token still in the keyring after logout")
	}
	if fs.signOuts.Load() != 1 {
		t.Errorf("sign-outs = %d, want 1", fs.signOuts.Load())
	}
}

// Without a keyring, auto mode falls back to the 0600 file and says so.
func TestLoginNoKeyringFallsBackToFile(t *testing.T) {
	srv := httptest.NewServer(&fakeServer{emailPasswordOn: true, admin: true})
	defer srv.Close()
	dir := t.TempDir()
	r := login(t, srv.URL, dir, keyring.NewUnavailable(), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	if !strings.Contains(r.err, "warning: no OS keyring available; token stored in") {
		t.Errorf("no fallback warning:\n%s", r.err)
	}
	path := filepath.Join(dir, config.FileName)
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), testToken) {
		t.Errorf("token not in the file:\n%s", raw)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("config.yml mode = %o, want 600", fi.Mode().Perm())
	}
	// --keyring os has no fallback
	r = login(t, srv.URL, t.TempDir(), keyring.NewUnavailable(), nil, "--keyring", "os")
	if r.code == 0 || !strings.Contains(r.err, "keyring") {
		t.Errorf("--keyring os without a keyring: exit %d\n%s", r.code, r.err)
	}
}

func TestLoginRefusals(t *testing.T) {
	tests := []struct {
		name     string
		fs       *fakeServer
		password string
		code     int
		msg      string
		signIns  int32
		signOuts int32
	}{
		{"email-password disabled", &fakeServer{emailPasswordOn: false, admin: true}, testPassword, 4,
			"email-password sign-in is disabled on this server", 0, 0},
		{"wrong password", &fakeServer{emailPasswordOn: true, admin: true}, "nope-nope", 3,
			"sign-in failed: wrong email or password for admin@example.com", 1, 0},
		{"not an admin", &fakeServer{emailPasswordOn: true, admin: false}, testPassword, 4,
			"admin@example.com is not an admin on this server; nothing was saved", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.fs)
			defer srv.Close()
			dir := t.TempDir()
			ks := keyring.NewMemory()
			f, res := newFactory(t, dir, ks, nil, tt.password+"\n")
			code := commands.Run(context.Background(), f, []string{"auth", "login", "--server", srv.URL, "--email", testEmail, "--password-stdin"})
			r := res()
			if code != tt.code || !strings.Contains(r.err, tt.msg) {
				t.Fatalf("exit %d (want %d)\n%s", code, tt.code, r.err)
			}
			if strings.Contains(r.err, tt.password) || strings.Contains(r.err, testToken) {
				t.Fatalf("secret in stderr:\n%s", r.err)
			}
			if got := tt.fs.signIns.Load(); got != tt.signIns {
				t.Errorf("sign-ins = %d, want %d", got, tt.signIns)
			}
			if got := tt.fs.signOuts.Load(); got != tt.signOuts {
				t.Errorf("sign-outs = %d, want %d", got, tt.signOuts)
			}
			if _, err := os.Stat(filepath.Join(dir, config.FileName)); !os.IsNotExist(err) {
				t.Errorf("config.yml written on a refused login")
			}
			if _, err := ks.Get(context.Background(), config.KeyringService, config.DefaultProfile); err == nil {
				t.Errorf("token saved on a refused login")
			}
		})
	}
}

// Plain http to a non-loopback host is refused before any connection (192.0.2.1 is TEST-NET-1
// and is never contacted: the check happens before a client exists).
func TestLoginRefusesInsecureHTTP(t *testing.T) {
	dir := t.TempDir()
	f, res := newFactory(t, dir, keyring.NewMemory(), nil, testPassword+"\n")
	code := commands.Run(context.Background(), f, []string{"auth", "login", "--server", "http://192.0.2.1:8000", "--email", testEmail, "--password-stdin"})
	r := res()
	if code != 2 || !strings.Contains(r.err, "refusing to send credentials over plain http to 192.0.2.1") {
		t.Fatalf("exit %d\n%s", code, r.err)
	}
	if strings.Contains(r.err, "Sign-in methods") {
		t.Error("something was sent")
	}
}

// On a terminal the email and the password are prompted for (the password hidden).
func TestLoginPrompts(t *testing.T) {
	srv := httptest.NewServer(&fakeServer{emailPasswordOn: true, admin: true})
	defer srv.Close()
	dir := t.TempDir()
	ks := keyring.NewMemory()
	f, res := newFactory(t, dir, ks, nil, "")
	f.IOStreams.SetStdinTTY(true)
	f.IOStreams.SetStdoutTTY(true)
	stub := new(prompt.Stub).ExpectInput("Email", testEmail).ExpectPassword("Password for "+testEmail, testPassword)
	f.Prompter = stub
	code := commands.Run(context.Background(), f, []string{"auth", "login", "--server", srv.URL})
	r := res()
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, r.err)
	}
	stub.Verify(t)
	if strings.Contains(r.out+r.err, testToken) || strings.Contains(r.out+r.err, testPassword) {
		t.Fatal("secret printed")
	}

	// an aborted prompt changes nothing
	dir2 := t.TempDir()
	f, _ = newFactory(t, dir2, ks, nil, "")
	f.IOStreams.SetStdinTTY(true)
	f.IOStreams.SetStdoutTTY(true)
	f.Prompter = new(prompt.Stub).Expect(prompt.Answer{Kind: prompt.KindInput, Err: prompt.ErrAborted})
	if code := commands.Run(context.Background(), f, []string{"auth", "login", "--server", srv.URL}); code != cmdutil.ExitUsage {
		t.Fatalf("aborted prompt: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir2, config.FileName)); !os.IsNotExist(err) {
		t.Error("config written after an aborted login")
	}
}
