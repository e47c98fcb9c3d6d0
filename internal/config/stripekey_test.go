package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kernia-dev/kernia-admin/internal/keyring"
)

const secretStripeKey = "sk_test_51ProfileStripeKeyZZ4242"

func TestStripeKeyKeyringAndResolve(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, _ := Load(dir)
	must(t, f.SetProfile(Profile{Name: "staging", Server: "https://auth.example.com"}))
	must(t, f.Save())
	ks := keyring.NewMemory()

	// Unknown profile: refused, nothing stored.
	if _, _, err := SaveStripeKey(ctx, f, "nope", secretStripeKey, ks, KeyringAuto); !errors.Is(err, ErrNoProfile) {
		t.Fatalf("unknown profile: %v", err)
	}

	storage, warning, err := SaveStripeKey(ctx, f, "staging", secretStripeKey, ks, KeyringAuto)
	must(t, err)
	if storage != StorageKeyring || warning != "" {
		t.Fatalf("storage %q warning %q", storage, warning)
	}
	if got, _ := ks.Get(ctx, KeyringService, "staging:stripe"); got != secretStripeKey {
		t.Fatalf("keyring account staging:stripe = %q", got)
	}
	if got, err := ks.Get(ctx, KeyringService, "staging"); err == nil {
		t.Fatalf("the session token account was written: %q", got)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, FileName))
	if strings.Contains(string(raw), secretStripeKey) || !strings.Contains(string(raw), "stripe_key_storage: keyring") ||
		!strings.Contains(string(raw), "stripe_key_fingerprint: sk_test_…4242") {
		t.Fatalf("file:\n%s", raw)
	}

	g, _ := Load(dir)
	r, err := Resolve(ctx, g, Flags{Profile: "staging", ProfileSet: true}, env(), ks)
	must(t, err)
	if r.StripeKey != secretStripeKey || r.StripeKeySource != TokenSourceKeyring {
		t.Fatalf("resolved %q from %q", r.StripeKey, r.StripeKeySource)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, *r); strings.Contains(s, secretStripeKey) {
			t.Errorf("%s prints the Stripe key: %s", verb, s)
		}
	}
	// Another server: the profile's key is not used.
	r, err = Resolve(ctx, g, Flags{Profile: "staging", ProfileSet: true, Server: "https://other.example.com", ServerSet: true}, env(), ks)
	must(t, err)
	if r.StripeKey != "" || !r.ServerMismatch {
		t.Fatalf("key used for another server: %q", r.StripeKey)
	}
	// A keyring that cannot be read: no key, an explanation.
	r, err = Resolve(ctx, g, Flags{Profile: "staging", ProfileSet: true}, env(), keyring.NewUnavailable())
	must(t, err)
	if r.StripeKey != "" || !errors.Is(r.StripeKeyError, keyring.ErrUnavailable) {
		t.Fatalf("unavailable keyring: %q %v", r.StripeKey, r.StripeKeyError)
	}

	// Delete: keyring entry and file fields gone.
	must(t, DeleteStripeKey(ctx, g, "staging", ks))
	if _, err := ks.Get(ctx, KeyringService, "staging:stripe"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("keyring entry left: %v", err)
	}
	raw, _ = os.ReadFile(filepath.Join(dir, FileName))
	if strings.Contains(string(raw), "stripe_key") {
		t.Fatalf("file after delete:\n%s", raw)
	}
}

func TestStripeKeyFileFallback(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, _ := Load(dir)
	must(t, f.SetProfile(Profile{Name: "ci", Server: "https://auth.example.com"}))
	must(t, f.Save())

	storage, warning, err := SaveStripeKey(ctx, f, "ci", secretStripeKey, keyring.NewUnavailable(), KeyringAuto)
	must(t, err)
	want := "no OS keyring available; Stripe key stored in " + filepath.Join(dir, FileName) + " (mode 0600)"
	if storage != StorageFile || warning != want {
		t.Fatalf("storage %q warning %q", storage, warning)
	}
	if p := perm(t, filepath.Join(dir, FileName)); p != 0o600 {
		t.Errorf("mode = %o", p)
	}
	g, _ := Load(dir)
	r, err := Resolve(ctx, g, Flags{Profile: "ci", ProfileSet: true}, env(), nil)
	must(t, err)
	if r.StripeKey != secretStripeKey || r.StripeKeySource != TokenSourceFile {
		t.Fatalf("resolved %q from %q", r.StripeKey, r.StripeKeySource)
	}
	// mode os fails rather than falling back, without the key in the error.
	if _, _, err := SaveStripeKey(ctx, g, "ci", secretStripeKey, keyring.NewUnavailable(), KeyringOS); !errors.Is(err, keyring.ErrUnavailable) || strings.Contains(err.Error(), secretStripeKey) {
		t.Fatalf("mode os: %v", err)
	}
	// Moving the key to the keyring drops it from the file.
	ks := keyring.NewMemory()
	_, _, err = SaveStripeKey(ctx, g, "ci", secretStripeKey, ks, KeyringOS)
	must(t, err)
	raw, _ := os.ReadFile(filepath.Join(dir, FileName))
	if strings.Contains(string(raw), secretStripeKey) {
		t.Fatalf("key left in the file:\n%s", raw)
	}
}
