package factory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/keyring"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

func testFactory(t *testing.T, env map[string]string, now time.Time) (*cmdutil.Factory, func() string) {
	t.Helper()
	ios, _, _, errb := output.Test()
	f := &cmdutil.Factory{
		IOStreams: ios,
		Keyring:   keyring.NewMemory(),
		Now:       func() time.Time { return now },
		Getenv:    func(k string) string { return env[k] },
		Version:   "test",
		Flags:     &cmdutil.GlobalFlags{},
		Scrubber:  &redact.Scrubber{},
	}
	Wire(f)
	return f, errb.String
}

func writeConfig(t *testing.T, dir, body string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, config.FileName), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestExpiryWarning(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	const token = "stored-token-abcdefghijklmnopqrstuvwxyz"
	tests := []struct {
		name    string
		expires string
		env     map[string]string
		want    string // "" = no warning
	}{
		{"in 3 hours", "2026-12-01T15:00:00Z", nil, "warning: the stored session expires in 3h 0m (Kernia never extends sessions); run `kernia-admin auth login` soon\n"},
		{"expired", "2026-11-30T12:00:00Z", nil, "warning: the stored session expired at 2026-11-30T12:00:00Z; run `kernia-admin auth login`\n"},
		{"in 3 days", "2026-12-04T12:00:00Z", nil, ""},
		{"env token overrides", "2026-12-01T13:00:00Z", map[string]string{config.EnvToken: "env-token-value"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeConfig(t, dir, "current_profile: ops\nprofiles:\n  ops:\n    server: https://auth.example.com\n    token_storage: file\n    token: "+token+"\n    token_expires_at: \""+tt.expires+"\"\n")
			env := map[string]string{config.EnvConfigDir: dir}
			for k, v := range tt.env {
				env[k] = v
			}
			f, stderr := testFactory(t, env, now)
			c, err := f.APIClient()
			if err != nil {
				t.Fatal(err)
			}
			if got := stderr(); got != tt.want {
				t.Errorf("stderr = %q\nwant     %q", got, tt.want)
			}
			if strings.Contains(stderr(), token) {
				t.Error("token in stderr")
			}
			wantTok := token
			if tt.env[config.EnvToken] != "" {
				wantTok = tt.env[config.EnvToken]
			}
			if c.Token() != wantTok {
				t.Errorf("client token = %q, want %q", c.Token(), wantTok)
			}
		})
	}
}

// Credentials are never set up for plain http to a non-loopback host unless insecure http
// is allowed (flag or profile).
func TestInsecureHTTPRefused(t *testing.T) {
	env := map[string]string{config.EnvConfigDir: t.TempDir(), config.EnvServer: "http://192.0.2.1:8000", config.EnvToken: "tok"}
	f, _ := testFactory(t, env, time.Now())
	_, err := f.APIClient()
	if code, msg, _ := cmdutil.Describe(err, cmdutil.AuthContext{}); code != cmdutil.ExitUsage || !strings.Contains(msg, "plain http") {
		t.Fatalf("got exit %d %q (err %v)", code, msg, err)
	}

	f, _ = testFactory(t, env, time.Now())
	f.Flags.InsecureHTTP = true
	c, err := f.APIClient()
	if err != nil {
		t.Fatalf("--insecure-http: %v", err)
	}
	if c.BaseURL() != "http://192.0.2.1:8000" {
		t.Errorf("base URL %q", c.BaseURL())
	}
}
