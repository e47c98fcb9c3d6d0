// Package stripeutil holds what kernia-admin's Stripe commands share: where the Stripe secret
// key comes from and what kind it is, a per-invocation stripe-go client (never the global
// stripe.Key) pointed at Stripe or at a local stripe-mock, and webhook signing.
package stripeutil

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/kernia-dev/kernia-admin/apiclient"
)

// Environment variables.
const (
	EnvAPIKey        = "STRIPE_API_KEY"
	EnvAPIBase       = "STRIPE_API_BASE"
	EnvWebhookSecret = "STRIPE_WEBHOOK_SECRET"
)

// DefaultAPIBase is Stripe's API.
const DefaultAPIBase = "https://api.stripe.com"

// Key types.
const (
	TypeSecret     = "secret"
	TypeRestricted = "restricted"
)

// KeyInfo is what a key's prefix says about it.
type KeyInfo struct {
	Type string // TypeSecret (sk_) or TypeRestricted (rk_)
	Mode string // "test" or "live"
}

// ErrMalformedKey is returned by ParseKey for anything that is not a Stripe secret or
// restricted key.
var ErrMalformedKey = errors.New("not a Stripe secret key: it must start with sk_test_, sk_live_, rk_test_ or rk_live_ followed by at least 8 letters, digits or underscores")

// ParseKey checks the format of a Stripe secret or restricted key and tells its type and mode.
func ParseKey(key string) (KeyInfo, error) {
	for _, p := range []struct{ prefix, typ, mode string }{
		{"sk_test_", TypeSecret, "test"}, {"sk_live_", TypeSecret, "live"},
		{"rk_test_", TypeRestricted, "test"}, {"rk_live_", TypeRestricted, "live"},
	} {
		body, ok := strings.CutPrefix(key, p.prefix)
		if !ok {
			continue
		}
		if len(body) < 8 || len(body) > 512 {
			return KeyInfo{}, ErrMalformedKey
		}
		for _, r := range body {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
				return KeyInfo{}, ErrMalformedKey
			}
		}
		return KeyInfo{Type: p.typ, Mode: p.mode}, nil
	}
	return KeyInfo{}, ErrMalformedKey
}

// KeySource says where to read the key, in order: --api-key-stdin, --api-key-file,
// STRIPE_API_KEY, the profile's stored key.
type KeySource struct {
	Stdin bool
	File  string
	// Profile returns the name of the profile in use and its stored Stripe key ("" when
	// none); err explains a stored key that could not be read (keyring unavailable). It is
	// called only when stdin, file and STRIPE_API_KEY gave nothing. Nil: no profile key.
	Profile func() (name, key string, err error)
}

// UsageError is a key-source problem found before anything was sent (exit 2 for callers).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ReadKey returns the key and a description of where it came from ("stdin", "file PATH",
// "STRIPE_API_KEY", "profile NAME"). Leading and trailing white space (a trailing newline) is removed.
func ReadKey(src KeySource, stdin io.Reader, getenv func(string) string) (key, from string, err error) {
	switch {
	case src.Stdin && src.File != "":
		return "", "", &UsageError{"--api-key-stdin and --api-key-file cannot be used together"}
	case src.Stdin:
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<12))
		if err != nil {
			return "", "", &UsageError{fmt.Sprintf("reading the Stripe key from stdin: %v", err)}
		}
		key, from = firstLine(string(b)), "stdin"
	case src.File != "":
		b, err := os.ReadFile(src.File)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", "", &UsageError{fmt.Sprintf("--api-key-file %s: %v", src.File, err)}
		}
		key, from = firstLine(string(b)), "file "+src.File
	default:
		key, from = strings.TrimSpace(getenv(EnvAPIKey)), EnvAPIKey
		if key == "" && src.Profile != nil {
			name, pkey, err := src.Profile()
			if err != nil {
				return "", "", &UsageError{fmt.Sprintf("no Stripe secret key: STRIPE_API_KEY is not set and the key stored in profile %s cannot be read: %v", name, err)}
			}
			if pkey = strings.TrimSpace(pkey); pkey != "" {
				key, from = pkey, "profile "+name
			}
		}
	}
	if key == "" {
		if from == EnvAPIKey {
			return "", "", &UsageError{"no Stripe secret key: set STRIPE_API_KEY, use --api-key-file FILE or --api-key-stdin, or store one with `kernia-admin profile set NAME --stripe-key-stdin` (the server's stored key is never returned, only \"********\")"}
		}
		return "", "", &UsageError{"no Stripe secret key in " + from}
	}
	return key, from, nil
}

func firstLine(s string) string {
	s = strings.TrimLeft(s, " \t\r\n")
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// APIBase returns the Stripe API base: flag, else STRIPE_API_BASE, else Stripe. Plain http is
// allowed only to a loopback host (stripe-mock).
func APIBase(flag string, getenv func(string) string) (string, error) {
	base := strings.TrimSpace(flag)
	what := "--stripe-api-base"
	if base == "" {
		base, what = strings.TrimSpace(getenv(EnvAPIBase)), EnvAPIBase
	}
	if base == "" {
		return DefaultAPIBase, nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return "", &UsageError{fmt.Sprintf("invalid %s %q: use https://host[:port] (or http:// to a loopback host)", what, base)}
	}
	if u.Scheme == "http" && !apiclient.IsLoopbackHost(u.Hostname()) {
		return "", &UsageError{fmt.Sprintf("invalid %s %q: plain http is allowed only to a loopback host", what, base)}
	}
	return strings.TrimSuffix(base, "/"), nil
}
