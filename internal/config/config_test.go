package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/internal/keyring"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func perm(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestDir(t *testing.T) {
	d, err := Dir(env(EnvConfigDir, "/tmp/kcfg"))
	if err != nil || d != "/tmp/kcfg" {
		t.Fatalf("Dir = %q, %v", d, err)
	}
	if runtime.GOOS == "linux" {
		d, err = Dir(env("HOME", "/home/u"))
		if err != nil || d != "/home/u/.config/kernia-admin" {
			t.Fatalf("Dir = %q, %v", d, err)
		}
		d, err = Dir(env("HOME", "/home/u", "XDG_CONFIG_HOME", "/x"))
		if err != nil || d != "/x/kernia-admin" {
			t.Fatalf("Dir = %q, %v", d, err)
		}
		if _, err := Dir(env()); err == nil {
			t.Fatal("Dir with no HOME: want an error")
		}
	}
}

func TestLoadMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested")
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if f.Current() != DefaultProfile || len(f.Names()) != 0 {
		t.Fatalf("empty document expected, got current %q names %v", f.Current(), f.Names())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("Load must not create the directory")
	}
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	f, _ := Load(dir)
	exp := time.Date(2026, 12, 10, 8, 30, 0, 0, time.UTC)
	must(t, f.SetProfile(Profile{Name: "default", Server: "https://auth.example.com", Email: "admin@example.com",
		TokenStorage: StorageFile, Token: "tok-file", TokenExpiresAt: exp, Live: true}))
	must(t, f.SetProfile(Profile{Name: "auth.staging.example.com", Server: "http://10.0.0.5", InsecureHTTP: true,
		TokenStorage: StorageKeyring, Token: "must-not-be-written"}))
	must(t, f.SetProfile(Profile{Name: "empty"}))
	must(t, f.Use("auth.staging.example.com"))
	must(t, f.Save())

	if p := perm(t, dir); p != 0o700 {
		t.Errorf("dir mode = %o, want 700", p)
	}
	if p := perm(t, f.Path()); p != 0o600 {
		t.Errorf("file mode = %o, want 600", p)
	}
	raw, _ := os.ReadFile(f.Path())
	if strings.Contains(string(raw), "must-not-be-written") {
		t.Fatalf("keyring token written to the file:\n%s", raw)
	}

	g, err := Load(dir)
	must(t, err)
	if g.Current() != "auth.staging.example.com" {
		t.Errorf("Current = %q", g.Current())
	}
	if got, want := strings.Join(g.Names(), ","), "auth.staging.example.com,default,empty"; got != want {
		t.Errorf("Names = %s, want %s", got, want)
	}
	p, ok := g.Profile("default")
	if !ok {
		t.Fatal("default missing")
	}
	want := Profile{Name: "default", Server: "https://auth.example.com", Email: "admin@example.com",
		TokenStorage: StorageFile, Token: "tok-file", TokenExpiresAt: exp, Live: true}
	if *p != want {
		t.Errorf("default = %+v\nwant      %+v", *p, want)
	}
	s, _ := g.Profile("auth.staging.example.com")
	if s.Token != "" || s.TokenStorage != StorageKeyring || !s.InsecureHTTP || s.Server != "http://10.0.0.5" {
		t.Errorf("staging = %+v", *s)
	}
	if _, ok := g.Profile("empty"); !ok {
		t.Error("empty profile lost")
	}
}

func TestLoadHandWritten(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, FileName), `current_profile: prod
profiles:
  prod:
    server: https://auth.example.com/api/auth/
    token: hand-token
    token_expires_at: "2026-12-10T10:00:00+02:00"
  ci:
    server: https://ci.example.com
    token_storage: keyring
    token: stale-should-be-ignored
    token_expires_at: 2026-12-10T10:00:00Z
`, 0o600)
	f, err := Load(dir)
	must(t, err)
	p, _ := f.Profile("prod")
	if p.TokenStorage != StorageFile || p.Token != "hand-token" {
		t.Errorf("prod = %+v", *p)
	}
	if !p.TokenExpiresAt.Equal(time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("expiry = %v", p.TokenExpiresAt)
	}
	c, _ := f.Profile("ci")
	if c.Token != "" || c.TokenStorage != StorageKeyring || c.TokenExpiresAt.IsZero() {
		t.Errorf("ci = %+v", *c)
	}
}

func TestLoadErrors(t *testing.T) {
	for name, body := range map[string]string{
		"yaml":    "profiles: [",
		"storage": "profiles:\n  a:\n    token_storage: vault\n",
		"expiry":  "profiles:\n  a:\n    token_expires_at: tomorrow\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, FileName), body, 0o600)
			if _, err := Load(dir); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestSaveFixesMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	writeFile(t, path, "current_profile: default\nprofiles:\n  default:\n    server: https://a.example.com\n", 0o644)
	must(t, os.Chmod(path, 0o644)) // umask-proof
	f, err := Load(dir)
	must(t, err)
	must(t, os.Chmod(path, 0o644)) // Load tightens it; make it loose again
	must(t, f.Save())
	if p := perm(t, path); p != 0o600 {
		t.Fatalf("mode after Save = %o, want 600", p)
	}

	// Load alone tightens a loose file too.
	must(t, os.Chmod(path, 0o664))
	_, err = Load(dir)
	must(t, err)
	if p := perm(t, path); p != 0o600 {
		t.Fatalf("mode after Load = %o, want 600", p)
	}

	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestSaveFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	dir := t.TempDir()
	real := filepath.Join(t.TempDir(), "real.yml")
	writeFile(t, real, "", 0o600)
	must(t, os.Symlink(real, filepath.Join(dir, FileName)))
	f, _ := Load(dir)
	must(t, f.SetProfile(Profile{Name: "a", Server: "https://a.example.com"}))
	must(t, f.Save())
	fi, err := os.Lstat(filepath.Join(dir, FileName))
	must(t, err)
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("symlink replaced by a file")
	}
	b, _ := os.ReadFile(real)
	if !strings.Contains(string(b), "a.example.com") {
		t.Fatalf("target not written: %s", b)
	}
}

func TestProfileOps(t *testing.T) {
	f, _ := Load(t.TempDir())
	if err := f.Use("nope"); !errors.Is(err, ErrNoProfile) {
		t.Fatalf("Use unknown: %v", err)
	}
	if err := f.SetProfile(Profile{Name: "Prod"}); err == nil {
		t.Fatal("upper-case profile name accepted")
	}
	for _, bad := range []string{"", "a b", "a:b", "a#1", "-x", strings.Repeat("a", 64)} {
		if ValidateProfileName(bad) == nil {
			t.Errorf("ValidateProfileName(%q) = nil", bad)
		}
	}
	must(t, f.SetProfile(Profile{Name: "prod"}))
	must(t, f.Use("prod"))
	if f.Current() != "prod" {
		t.Fatal(f.Current())
	}
	must(t, f.DeleteProfile("prod"))
	if f.Current() != DefaultProfile {
		t.Fatalf("Current after deleting the current profile = %q", f.Current())
	}
	if err := f.DeleteProfile("prod"); !errors.Is(err, ErrNoProfile) {
		t.Fatal(err)
	}
	// Profile returns a copy.
	must(t, f.SetProfile(Profile{Name: "x", Server: "https://x"}))
	p, _ := f.Profile("x")
	p.Server = "changed"
	if q, _ := f.Profile("x"); q.Server != "https://x" {
		t.Fatal("Profile returned an alias")
	}
}

func TestValidateServer(t *testing.T) {
	tests := []struct {
		in       string
		insecure bool
		want     string
		wantErr  string // "insecure" for *InsecureServerError, "invalid" for ErrInvalidServer
	}{
		{in: "https://auth.example.com", want: "https://auth.example.com"},
		{in: "https://auth.example.com/", want: "https://auth.example.com"},
		{in: "https://auth.example.com/api/auth", want: "https://auth.example.com"},
		{in: "https://auth.example.com/api/auth/", want: "https://auth.example.com"},
		{in: " HTTPS://Auth.Example.COM:8443/base/api/auth ", want: "https://auth.example.com:8443/base"},
		{in: "https://auth.example.com/kernia/", want: "https://auth.example.com/kernia"},
		{in: "http://127.0.0.1:8787", want: "http://127.0.0.1:8787"},
		{in: "http://127.3.4.5", want: "http://127.3.4.5"},
		{in: "http://localhost:8787/api/auth", want: "http://localhost:8787"},
		{in: "http://LOCALHOST", want: "http://localhost"},
		{in: "http://[::1]:8787", want: "http://[::1]:8787"},
		{in: "sandbox:./demo.db", want: "sandbox:./demo.db"},
		{in: "sandbox:/abs/Path With Space.db", want: "sandbox:/abs/Path With Space.db"},
		{in: "http://auth.example.com", wantErr: "insecure"},
		{in: "http://10.0.0.5:3000", wantErr: "insecure"},
		{in: "http://localhost.evil.com", wantErr: "insecure"},
		{in: "http://128.0.0.1", wantErr: "insecure"},
		{in: "http://auth.example.com/api/auth", insecure: true, want: "http://auth.example.com"},
		{in: "", wantErr: "invalid"},
		{in: "sandbox:", wantErr: "invalid"},
		{in: "auth.example.com", wantErr: "invalid"},
		{in: "ftp://auth.example.com", wantErr: "invalid"},
		{in: "https://", wantErr: "invalid"},
		{in: "https://user:pw@auth.example.com", wantErr: "invalid"},
		{in: "https://auth.example.com/?x=1", wantErr: "invalid"},
		{in: "https://auth.example.com/#frag", wantErr: "invalid"},
		{in: "https:auth.example.com", wantErr: "invalid"},
		{in: "://bad", wantErr: "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ValidateServer(tt.in, tt.insecure)
			switch tt.wantErr {
			case "":
				if err != nil || got != tt.want {
					t.Fatalf("= %q, %v; want %q", got, err, tt.want)
				}
			case "insecure":
				var ins *InsecureServerError
				if !errors.As(err, &ins) {
					t.Fatalf("err = %v, want *InsecureServerError", err)
				}
				if !strings.Contains(err.Error(), "--insecure-http") {
					t.Errorf("message lacks the remedy: %v", err)
				}
			case "invalid":
				if !errors.Is(err, ErrInvalidServer) {
					t.Fatalf("= %q, %v; want ErrInvalidServer", got, err)
				}
			}
		})
	}
	if strings.Contains(fmt.Sprint(ValidateServer("https://user:hunter2@x.example.com", false)), "hunter2") {
		t.Error("error echoes URL credentials")
	}
}

// resolveFixture is a config with two profiles; "default" keeps its token in
// the keyring, "prod" in the file.
func resolveFixture(t *testing.T) (*File, keyring.Store) {
	t.Helper()
	f, _ := Load(t.TempDir())
	must(t, f.SetProfile(Profile{Name: "default", Server: "https://default.example.com", Email: "d@example.com",
		TokenStorage: StorageKeyring, TokenExpiresAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}))
	must(t, f.SetProfile(Profile{Name: "prod", Server: "https://prod.example.com/api/auth", Email: "p@example.com",
		TokenStorage: StorageFile, Token: "tok-prod-file", Live: true}))
	must(t, f.SetProfile(Profile{Name: "lan", Server: "http://10.0.0.5", InsecureHTTP: true}))
	ks := keyring.NewMemory()
	must(t, ks.Set(context.Background(), KeyringService, "default", "tok-default-keyring"))
	return f, ks
}

func TestResolvePrecedence(t *testing.T) {
	type want struct {
		profile, profileSrc, server, serverSrc, token, tokenSrc, email string
		mismatch                                                       bool
	}
	tests := []struct {
		name    string
		current string
		flags   Flags
		env     []string
		want    want
	}{
		{
			name: "defaults: no current profile",
			want: want{"default", "default", "https://default.example.com", "config", "tok-default-keyring", "keyring", "d@example.com", false},
		},
		{
			name:    "config current profile",
			current: "prod",
			want:    want{"prod", "config", "https://prod.example.com", "config", "tok-prod-file", "config file", "p@example.com", false},
		},
		{
			name:    "env profile beats config",
			current: "default",
			env:     []string{EnvProfile, "prod"},
			want:    want{"prod", "env", "https://prod.example.com", "config", "tok-prod-file", "config file", "p@example.com", false},
		},
		{
			name:  "flag profile beats env",
			flags: Flags{Profile: "default", ProfileSet: true},
			env:   []string{EnvProfile, "prod"},
			want:  want{"default", "flag", "https://default.example.com", "config", "tok-default-keyring", "keyring", "d@example.com", false},
		},
		{
			name:  "flag value ignored when not set",
			flags: Flags{Profile: "prod"},
			want:  want{"default", "default", "https://default.example.com", "config", "tok-default-keyring", "keyring", "d@example.com", false},
		},
		{
			name: "env server to another host withholds the profile token",
			env:  []string{EnvServer, "https://other.example.com"},
			want: want{"default", "default", "https://other.example.com", "env", "", "", "", true},
		},
		{
			name: "env server equal to the profile's keeps the token",
			env:  []string{EnvServer, "https://default.example.com/api/auth/"},
			want: want{"default", "default", "https://default.example.com", "env", "tok-default-keyring", "keyring", "d@example.com", false},
		},
		{
			name:  "flag server beats env server",
			flags: Flags{Server: "https://prod.example.com", ServerSet: true},
			env:   []string{EnvServer, "https://other.example.com", EnvProfile, "prod"},
			want:  want{"prod", "env", "https://prod.example.com", "flag", "tok-prod-file", "config file", "p@example.com", false},
		},
		{
			name: "env token beats keyring",
			env:  []string{EnvToken, "tok-env"},
			want: want{"default", "default", "https://default.example.com", "config", "tok-env", "env KERNIA_TOKEN", "d@example.com", false},
		},
		{
			name: "env token is used even against another server",
			env:  []string{EnvToken, "tok-env", EnvServer, "https://ci.example.com", EnvEmail, "ci@example.com"},
			want: want{"default", "default", "https://ci.example.com", "env", "tok-env", "env KERNIA_TOKEN", "ci@example.com", true},
		},
		{
			name:  "unknown profile: no server, no token",
			flags: Flags{Profile: "staging", ProfileSet: true},
			want:  want{"staging", "flag", "", "default", "", "", "", false},
		},
		{
			name:  "unknown profile with flag server",
			flags: Flags{Profile: "staging", ProfileSet: true, Server: "sandbox:./demo.db", ServerSet: true},
			want:  want{"staging", "flag", "sandbox:./demo.db", "flag", "", "", "", false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ks := resolveFixture(t)
			f.currentProfile = tt.current
			r, err := Resolve(context.Background(), f, tt.flags, env(tt.env...), ks)
			if err != nil {
				t.Fatal(err)
			}
			got := want{r.ProfileName, r.ProfileSource, r.Server, r.ServerSource, r.Token, r.TokenSource, r.Email, r.ServerMismatch}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestResolveDetails(t *testing.T) {
	ctx := context.Background()
	f, ks := resolveFixture(t)

	r, err := Resolve(ctx, f, Flags{}, env(EnvAPIKey, "key-1", EnvEmail, "e@example.com", EnvPassword, "pw"), ks)
	must(t, err)
	if r.APIKey != "key-1" || r.Email != "e@example.com" || r.Password != "pw" || !r.ProfileExists {
		t.Errorf("resolved = %+v", r)
	}
	if !r.TokenExpiresAt.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expiry = %v", r.TokenExpiresAt)
	}
	if r.Live {
		t.Error("live from the wrong profile")
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, r); strings.Contains(s, "tok-default-keyring") || strings.Contains(s, "key-1") || strings.Contains(s, `"pw"`) || strings.Contains(s, ":pw") {
			t.Errorf("%s leaks a secret: %s", verb, s)
		}
	}

	r, err = Resolve(ctx, f, Flags{Profile: "prod", ProfileSet: true}, env(), ks)
	must(t, err)
	if !r.Live || r.InsecureHTTP {
		t.Errorf("prod flags: %+v", r)
	}

	// insecure_http from the profile allows its plain-http server.
	r, err = Resolve(ctx, f, Flags{Profile: "lan", ProfileSet: true}, env(), ks)
	must(t, err)
	if r.Server != "http://10.0.0.5" || !r.InsecureHTTP {
		t.Errorf("lan: %+v", r)
	}

	// Plain http elsewhere needs --insecure-http.
	_, err = Resolve(ctx, f, Flags{Server: "http://auth.example.com", ServerSet: true}, env(), ks)
	var ins *InsecureServerError
	if !errors.As(err, &ins) {
		t.Fatalf("err = %v, want *InsecureServerError", err)
	}
	r, err = Resolve(ctx, f, Flags{Server: "http://auth.example.com", ServerSet: true, InsecureHTTP: true}, env(), ks)
	must(t, err)
	if r.Server != "http://auth.example.com" {
		t.Errorf("server = %q", r.Server)
	}

	// Invalid inputs.
	if _, err := Resolve(ctx, f, Flags{}, env(EnvServer, "not a url"), ks); !errors.Is(err, ErrInvalidServer) {
		t.Errorf("bad env server: %v", err)
	}
	if _, err := Resolve(ctx, f, Flags{}, env(EnvProfile, "Prod"), ks); err == nil || !strings.Contains(err.Error(), "KERNIA_PROFILE") {
		t.Errorf("bad env profile: %v", err)
	}

	// An unavailable keyring is not fatal: no token, and an explanation.
	r, err = Resolve(ctx, f, Flags{}, env(), keyring.NewUnavailable())
	must(t, err)
	if r.Token != "" || !errors.Is(r.TokenError, keyring.ErrUnavailable) {
		t.Errorf("token %q, tokenError %v", r.Token, r.TokenError)
	}

	// No keyring entry: no token, no error.
	must(t, ks.Delete(ctx, KeyringService, "default"))
	r, err = Resolve(ctx, f, Flags{}, env(), ks)
	must(t, err)
	if r.Token != "" || r.TokenError != nil || r.TokenSource != "" {
		t.Errorf("token %q src %q err %v", r.Token, r.TokenSource, r.TokenError)
	}

	// Empty config: nothing configured.
	empty, _ := Load(t.TempDir())
	r, err = Resolve(ctx, empty, Flags{}, env(), ks)
	must(t, err)
	if r.ProfileName != DefaultProfile || r.ProfileSource != SourceDefault || r.Server != "" || r.ServerSource != SourceDefault || r.ProfileExists {
		t.Errorf("empty: %+v", r)
	}

	// A cancelled context is returned as is.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	f2, ks2 := resolveFixture(t)
	if _, err := Resolve(cctx, f2, Flags{}, env(), ks2); err != context.Canceled {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestKeyringMode(t *testing.T) {
	for in, want := range map[string]string{"": KeyringAuto, "auto": KeyringAuto, "os": KeyringOS, "keyring": KeyringOS, "file": KeyringFile} {
		got, err := KeyringMode(env(EnvKeyring, in))
		if err != nil || got != want {
			t.Errorf("KeyringMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := KeyringMode(env(EnvKeyring, "vault")); err == nil {
		t.Error("invalid mode accepted")
	}
}

const secretToken = "kx_secret_session_token_0123456789"

func TestSaveTokenKeyring(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, _ := Load(dir)
	ks := keyring.NewMemory()
	exp := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)

	storage, warning, err := SaveToken(ctx, f, "default", secretToken, exp, ks, KeyringAuto)
	must(t, err)
	if storage != StorageKeyring || warning != "" {
		t.Fatalf("storage %q warning %q", storage, warning)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, FileName))
	if strings.Contains(string(raw), secretToken) {
		t.Fatalf("token written to the file although stored in the keyring:\n%s", raw)
	}
	if !strings.Contains(string(raw), "token_storage: keyring") {
		t.Errorf("file lacks token_storage:\n%s", raw)
	}
	if got, _ := ks.Get(ctx, KeyringService, "default"); got != secretToken {
		t.Fatalf("keyring = %q", got)
	}

	// A later Save of an unrelated change still keeps the token out.
	g, _ := Load(dir)
	p, _ := g.Profile("default")
	p.Server = "https://auth.example.com"
	must(t, g.SetProfile(*p))
	must(t, g.Save())
	raw, _ = os.ReadFile(filepath.Join(dir, FileName))
	if strings.Contains(string(raw), secretToken) {
		t.Fatalf("token leaked into the file:\n%s", raw)
	}
	r, err := Resolve(ctx, g, Flags{}, env(), ks)
	must(t, err)
	if r.Token != secretToken || r.TokenSource != TokenSourceKeyring || !r.TokenExpiresAt.Equal(exp) {
		t.Fatalf("resolved %q from %q exp %v", r.Token, r.TokenSource, r.TokenExpiresAt)
	}

	// mode os works with a keyring too.
	storage, _, err = SaveToken(ctx, g, "default", secretToken+"2", exp, ks, KeyringOS)
	must(t, err)
	if storage != StorageKeyring {
		t.Fatal(storage)
	}
}

func TestSaveTokenFallback(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, _ := Load(dir)
	exp := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)

	storage, warning, err := SaveToken(ctx, f, "ci", secretToken, exp, keyring.NewUnavailable(), KeyringAuto)
	must(t, err)
	if storage != StorageFile {
		t.Fatalf("storage = %q", storage)
	}
	wantWarn := "no OS keyring available; token stored in " + filepath.Join(dir, FileName) + " (mode 0600)"
	if warning != wantWarn {
		t.Errorf("warning = %q\nwant      %q", warning, wantWarn)
	}
	if strings.Contains(warning, secretToken) {
		t.Error("warning contains the token")
	}
	if p := perm(t, filepath.Join(dir, FileName)); p != 0o600 {
		t.Errorf("mode = %o", p)
	}
	g, _ := Load(dir)
	r, err := Resolve(ctx, g, Flags{Profile: "ci", ProfileSet: true, Server: "", ServerSet: false}, env(), keyring.NewUnavailable())
	must(t, err)
	// The profile has no server: its token is withheld until one is set.
	if r.Token != "" {
		t.Errorf("token used without a server: %q", r.Token)
	}
	p, _ := g.Profile("ci")
	if p.Token != secretToken || p.TokenStorage != StorageFile {
		t.Errorf("profile = %+v", p.TokenStorage)
	}

	// mode os fails rather than falling back.
	if _, _, err := SaveToken(ctx, g, "ci", secretToken, exp, keyring.NewUnavailable(), KeyringOS); !errors.Is(err, keyring.ErrUnavailable) {
		t.Errorf("mode os: err = %v", err)
	} else if strings.Contains(err.Error(), secretToken) {
		t.Error("error contains the token")
	}

	// A nil store behaves like an unavailable one.
	storage, warning, err = SaveToken(ctx, g, "ci", secretToken, exp, nil, KeyringAuto)
	must(t, err)
	if storage != StorageFile || warning == "" {
		t.Errorf("nil store: %q %q", storage, warning)
	}
}

func TestSaveTokenFileModeAndMove(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, _ := Load(dir)
	ks := keyring.NewMemory()
	must(t, f.SetProfile(Profile{Name: "default", Server: "https://a.example.com"}))

	// keyring first, then forced to file: the keyring copy is removed.
	_, _, err := SaveToken(ctx, f, "default", secretToken, time.Time{}, ks, KeyringAuto)
	must(t, err)
	storage, warning, err := SaveToken(ctx, f, "default", secretToken, time.Time{}, ks, KeyringFile)
	must(t, err)
	if storage != StorageFile || warning != "" {
		t.Fatalf("%q %q", storage, warning)
	}
	if _, err := ks.Get(ctx, KeyringService, "default"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("stale keyring copy: %v", err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, FileName))
	if !strings.Contains(string(raw), secretToken) || strings.Contains(string(raw), "token_expires_at") {
		t.Errorf("file:\n%s", raw)
	}
	r, err := Resolve(ctx, f, Flags{}, env(), ks)
	must(t, err)
	if r.Token != secretToken || r.TokenSource != TokenSourceFile {
		t.Errorf("%q %q", r.Token, r.TokenSource)
	}

	// Back to the keyring: the file copy is dropped.
	_, _, err = SaveToken(ctx, f, "default", secretToken, time.Time{}, ks, KeyringAuto)
	must(t, err)
	raw, _ = os.ReadFile(filepath.Join(dir, FileName))
	if strings.Contains(string(raw), secretToken) {
		t.Errorf("file still holds the token:\n%s", raw)
	}

	if _, _, err := SaveToken(ctx, f, "default", "", time.Time{}, ks, KeyringAuto); err == nil {
		t.Error("empty token accepted")
	}
	if _, _, err := SaveToken(ctx, f, "default", "x", time.Time{}, ks, "vault"); err == nil {
		t.Error("bad mode accepted")
	}
}

func TestDeleteToken(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, _ := Load(dir)
	ks := keyring.NewMemory()
	must(t, f.SetProfile(Profile{Name: "default", Server: "https://a.example.com", Email: "a@example.com"}))
	_, _, err := SaveToken(ctx, f, "default", secretToken, time.Now(), ks, KeyringAuto)
	must(t, err)
	must(t, DeleteToken(ctx, f, "default", ks))
	if _, err := ks.Get(ctx, KeyringService, "default"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("keyring entry left: %v", err)
	}
	g, _ := Load(dir)
	p, _ := g.Profile("default")
	if p.TokenStorage != "" || !p.TokenExpiresAt.IsZero() || p.Email != "a@example.com" {
		t.Errorf("profile after DeleteToken = %+v", *p)
	}

	// File-stored token, keyring unavailable: still succeeds.
	_, _, err = SaveToken(ctx, f, "default", secretToken, time.Time{}, ks, KeyringFile)
	must(t, err)
	must(t, DeleteToken(ctx, f, "default", keyring.NewUnavailable()))
	raw, _ := os.ReadFile(filepath.Join(dir, FileName))
	if strings.Contains(string(raw), secretToken) {
		t.Errorf("token left in the file:\n%s", raw)
	}

	// Keyring-stored token, keyring unavailable: reported.
	_, _, err = SaveToken(ctx, f, "default", secretToken, time.Time{}, ks, KeyringAuto)
	must(t, err)
	if err := DeleteToken(ctx, f, "default", keyring.NewUnavailable()); !errors.Is(err, keyring.ErrUnavailable) {
		t.Errorf("err = %v", err)
	}

	// Unknown profile: nothing to do.
	must(t, DeleteToken(ctx, f, "ghost", ks))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}
