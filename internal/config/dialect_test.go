package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The dialect detected at `auth login` is saved in the profile, survives a round trip,
// and is resolved only for the profile's own server.
func TestProfileDialect(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	f, _ := Load(dir)
	must(t, f.SetProfile(Profile{Name: "ba", Server: "http://127.0.0.1:3000", Dialect: DialectBetterAuth}))
	must(t, f.SetProfile(Profile{Name: "k", Server: "https://auth.example.com"}))
	must(t, f.Save())
	raw, _ := os.ReadFile(f.Path())
	if !strings.Contains(string(raw), "dialect: better-auth") {
		t.Fatalf("dialect not written:\n%s", raw)
	}
	if strings.Count(string(raw), "dialect:") != 1 {
		t.Fatalf("an unknown dialect must not be written:\n%s", raw)
	}

	g, err := Load(dir)
	must(t, err)
	if p, _ := g.Profile("ba"); p.Dialect != DialectBetterAuth {
		t.Errorf("ba dialect = %q", p.Dialect)
	}
	if p, _ := g.Profile("k"); p.Dialect != "" {
		t.Errorf("k dialect = %q", p.Dialect)
	}

	ctx := context.Background()
	r, err := Resolve(ctx, g, Flags{Profile: "ba", ProfileSet: true}, env(), nil)
	must(t, err)
	if r.Dialect != DialectBetterAuth {
		t.Errorf("resolved dialect = %q, want better-auth", r.Dialect)
	}
	// Another server than the profile's: the stored dialect is not the other server's.
	r, err = Resolve(ctx, g, Flags{Profile: "ba", ProfileSet: true}, env(EnvServer, "http://127.0.0.1:4000"), nil)
	must(t, err)
	if r.Dialect != "" || !r.ServerMismatch {
		t.Errorf("mismatched server: dialect = %q (mismatch %v), want empty", r.Dialect, r.ServerMismatch)
	}
}

func TestProfileDialectInvalid(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, FileName), "profiles:\n  a:\n    dialect: graphql\n", 0o600)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "dialect") {
		t.Fatalf("Load = %v, want a dialect error", err)
	}
}
