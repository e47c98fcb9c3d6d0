package config

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kernia-dev/kernia-admin/internal/keyring"
)

// KeyringService is the keyring service name; the account is the profile name.
const KeyringService = "kernia-admin"

// Sources reported in Resolved.
const (
	SourceFlag    = "flag"
	SourceEnv     = "env"
	SourceConfig  = "config"
	SourceDefault = "default"

	TokenSourceEnv     = "env " + EnvToken
	TokenSourceKeyring = "keyring"
	TokenSourceFile    = "config file"
)

// Flags carries the global flags parsed by cobra. The *Set fields tell an
// explicitly given flag from its default (cmd.Flags().Changed).
type Flags struct {
	Server, Profile       string
	ServerSet, ProfileSet bool
	// InsecureHTTP is --insecure-http; Live is --live. They can only widen
	// what the profile allows.
	InsecureHTTP, Live bool
}

// Resolved holds the effective settings of one command, computed once by
// Resolve. Printing it with the fmt package redacts Token, APIKey and Password.
type Resolved struct {
	ProfileName   string
	ProfileSource string // SourceFlag | SourceEnv | SourceConfig | SourceDefault
	// ProfileExists is false when the selected profile is not in the file yet
	// (e.g. the first `auth login --profile staging`).
	ProfileExists bool

	Server       string // normalized by ValidateServer; "" when none is configured
	ServerSource string // SourceFlag | SourceEnv | SourceConfig | SourceDefault
	// ServerMismatch is true when --server or KERNIA_SERVER points somewhere
	// other than the profile's server: the profile's token and email are then
	// not used, so a session token is never sent to another server.
	ServerMismatch bool

	Token       string
	TokenSource string // TokenSourceEnv | TokenSourceKeyring | TokenSourceFile | ""
	// TokenError explains why a keyring token could not be read (the keyring
	// is unavailable); Token is then "". Nil when there was nothing to read.
	TokenError error
	// TokenExpiresAt is the saved session expiry (zero for KERNIA_TOKEN or unknown).
	TokenExpiresAt time.Time

	APIKey string // KERNIA_API_KEY

	// Email is KERNIA_EMAIL, else the profile's last sign-in email.
	// Password is KERNIA_PASSWORD. Together they allow automatic re-login.
	Email, Password string

	InsecureHTTP, Live bool

	// Dialect is the profile's stored wire dialect ("" when unknown, or when the server
	// is not the profile's server).
	Dialect string

	// StripeKey is the profile's stored Stripe secret key (see SaveStripeKey), read only
	// when the server is the profile's own, like the token. StripeKeySource is
	// TokenSourceKeyring or TokenSourceFile; StripeKeyError says why a keyring key
	// could not be read.
	StripeKey       string
	StripeKeySource string
	StripeKeyError  error
}

// Format implements fmt.Formatter so that %v, %+v, %#v and %s never print secrets.
func (r Resolved) Format(s fmt.State, verb rune) {
	mask := func(v string) string {
		if v == "" {
			return ""
		}
		return "[REDACTED]"
	}
	c := r
	c.Token, c.APIKey, c.Password = mask(r.Token), mask(r.APIKey), mask(r.Password)
	c.StripeKey = mask(r.StripeKey)
	type plain Resolved // no Format method
	p := plain(c)
	switch {
	case verb == 'v' && s.Flag('#'):
		fmt.Fprintf(s, "%#v", p)
	case verb == 'v' && s.Flag('+'):
		fmt.Fprintf(s, "%+v", p)
	default:
		fmt.Fprintf(s, "%v", p)
	}
}

// NoServerMessage is the remedy shown when Resolved.Server is "".
const NoServerMessage = "no server configured; run kernia-admin auth login --server URL or use --server sandbox:./demo.db"

// Resolve computes the effective profile, server and credentials with the
// precedence flag > environment > profile > default.
//
// It fails on an invalid profile name, an invalid server (wrapping
// ErrInvalidServer) or a plain-http non-loopback server (*InsecureServerError),
// and returns ctx.Err() unwrapped when ctx ends. A keyring that cannot be read
// is not an error: Token stays "" and TokenError says why. ks may be nil when
// no keyring should be consulted.
func Resolve(ctx context.Context, f *File, flags Flags, getenv func(string) string, ks keyring.Store) (*Resolved, error) {
	if f == nil {
		f = &File{}
	}
	r := &Resolved{}

	// Profile.
	switch {
	case flags.ProfileSet && flags.Profile != "":
		r.ProfileName, r.ProfileSource = flags.Profile, SourceFlag
	case getenv(EnvProfile) != "":
		r.ProfileName, r.ProfileSource = getenv(EnvProfile), SourceEnv
	case f.currentProfile != "":
		r.ProfileName, r.ProfileSource = f.currentProfile, SourceConfig
	default:
		r.ProfileName, r.ProfileSource = DefaultProfile, SourceDefault
	}
	if err := ValidateProfileName(r.ProfileName); err != nil {
		return nil, fmt.Errorf("%s (from %s)", err, describeSource(r.ProfileSource, EnvProfile, "--profile"))
	}
	prof, exists := f.Profile(r.ProfileName)
	if !exists {
		prof = &Profile{Name: r.ProfileName}
	}
	r.ProfileExists = exists
	r.InsecureHTTP = flags.InsecureHTTP || prof.InsecureHTTP
	r.Live = flags.Live || prof.Live

	// Server.
	var rawServer string
	switch {
	case flags.ServerSet && flags.Server != "":
		rawServer, r.ServerSource = flags.Server, SourceFlag
	case getenv(EnvServer) != "":
		rawServer, r.ServerSource = getenv(EnvServer), SourceEnv
	case prof.Server != "":
		rawServer, r.ServerSource = prof.Server, SourceConfig
	default:
		r.ServerSource = SourceDefault
	}
	if rawServer != "" {
		s, err := ValidateServer(rawServer, r.InsecureHTTP)
		if err != nil {
			var ins *InsecureServerError
			if errors.As(err, &ins) {
				return nil, err
			}
			return nil, fmt.Errorf("%w (from %s)", err, describeSource(r.ServerSource, EnvServer, "--server"))
		}
		r.Server = s
	}

	// The profile's credentials belong to the profile's server only.
	profileMatches := exists && prof.Server != ""
	if profileMatches && r.ServerSource != SourceConfig {
		ps, err := ValidateServer(prof.Server, true)
		profileMatches = err == nil && ps == r.Server
		r.ServerMismatch = !profileMatches
	}

	// Token.
	switch {
	case getenv(EnvToken) != "":
		r.Token, r.TokenSource = getenv(EnvToken), TokenSourceEnv
	case !profileMatches:
	case prof.TokenStorage == StorageFile && prof.Token != "":
		r.Token, r.TokenSource = prof.Token, TokenSourceFile
		r.TokenExpiresAt = prof.TokenExpiresAt
	case prof.TokenStorage == StorageKeyring && ks != nil:
		tok, err := ks.Get(ctx, KeyringService, r.ProfileName)
		switch {
		case err == nil && tok != "":
			r.Token, r.TokenSource = tok, TokenSourceKeyring
			r.TokenExpiresAt = prof.TokenExpiresAt
		case err == nil, errors.Is(err, keyring.ErrNotFound):
		case ctx.Err() != nil:
			return nil, ctx.Err()
		default:
			r.TokenError = err
		}
	}

	if profileMatches {
		r.Dialect = prof.Dialect
		if err := resolveStripeKey(ctx, r, prof, ks); err != nil {
			return nil, err
		}
	}
	r.APIKey = getenv(EnvAPIKey)
	r.Password = getenv(EnvPassword)
	r.Email = getenv(EnvEmail)
	if r.Email == "" && profileMatches {
		r.Email = prof.Email
	}
	return r, nil
}

func describeSource(src, env, flag string) string {
	switch src {
	case SourceFlag:
		return flag
	case SourceEnv:
		return "$" + env
	default:
		return "the config file"
	}
}

// Keyring modes for SaveToken, selected with $KERNIA_KEYRING.
const (
	KeyringAuto = "auto" // the OS keyring when it works, else the config file
	KeyringOS   = "os"   // the OS keyring or fail
	KeyringFile = "file" // the config file
)

// KeyringMode returns the token storage mode selected by $KERNIA_KEYRING
// (file, os or auto; "" means auto).
func KeyringMode(getenv func(string) string) (string, error) {
	switch v := getenv(EnvKeyring); v {
	case "", KeyringAuto:
		return KeyringAuto, nil
	case KeyringOS, StorageKeyring:
		return KeyringOS, nil
	case KeyringFile:
		return KeyringFile, nil
	default:
		return "", fmt.Errorf("invalid %s=%q: want file, os or auto", EnvKeyring, v)
	}
}

// SaveToken stores a profile's session token and expiry and saves the file,
// creating the profile if needed. mode is KeyringAuto ("" too), KeyringOS or
// KeyringFile. It returns where the token went (StorageKeyring or
// StorageFile) and, when auto mode fell back to the file, a warning for the
// user. A token stored in the keyring is never written to the file; a token
// moved to the file is removed from the keyring. The token is never part of an
// error or warning.
func SaveToken(ctx context.Context, f *File, profile, token string, expires time.Time, ks keyring.Store, mode string) (storage, warning string, err error) {
	if err := ValidateProfileName(profile); err != nil {
		return "", "", err
	}
	if token == "" {
		return "", "", errors.New("empty session token")
	}
	p, exists := f.Profile(profile)
	if !exists {
		p = &Profile{Name: profile}
	}
	previous := p.TokenStorage

	switch mode {
	case KeyringFile:
		storage = StorageFile
	case KeyringOS:
		if ks == nil {
			return "", "", fmt.Errorf("store token in OS keyring: %w", keyring.ErrUnavailable)
		}
		if err := ks.Set(ctx, KeyringService, profile, token); err != nil {
			if ctx.Err() != nil {
				return "", "", ctx.Err()
			}
			return "", "", fmt.Errorf("store token in OS keyring (%s=os): %w", EnvKeyring, err)
		}
		storage = StorageKeyring
	case KeyringAuto, "":
		if ks != nil && keyring.Probe(ctx, ks) && ks.Set(ctx, KeyringService, profile, token) == nil {
			storage = StorageKeyring
			break
		}
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		storage = StorageFile
		warning = fmt.Sprintf("no OS keyring available; token stored in %s (mode 0600)", f.Path())
	default:
		return "", "", fmt.Errorf("invalid token storage mode %q: want file, os or auto", mode)
	}

	if storage == StorageFile {
		p.Token = token
		if previous == StorageKeyring && ks != nil {
			_ = ks.Delete(ctx, KeyringService, profile) // best effort: no stale copy
		}
	} else {
		p.Token = ""
	}
	p.TokenStorage = storage
	p.TokenExpiresAt = expires.UTC()
	if err := f.SetProfile(*p); err != nil {
		return "", "", err
	}
	if err := f.Save(); err != nil {
		return "", "", err
	}
	return storage, warning, nil
}

// DeleteToken removes a profile's session token from the keyring and the
// config file, clears its storage and expiry, and saves the file. A keyring
// failure is reported only when the profile's token was in the keyring.
func DeleteToken(ctx context.Context, f *File, profile string, ks keyring.Store) error {
	p, exists := f.Profile(profile)
	var errs []error
	if ks != nil {
		err := ks.Delete(ctx, KeyringService, profile)
		switch {
		case err == nil, errors.Is(err, keyring.ErrNotFound):
		case ctx.Err() != nil:
			return ctx.Err()
		case exists && p.TokenStorage == StorageKeyring:
			errs = append(errs, fmt.Errorf("remove token from OS keyring: %w", err))
		}
	}
	if exists {
		p.Token, p.TokenStorage, p.TokenExpiresAt = "", "", time.Time{}
		if err := f.SetProfile(*p); err != nil {
			return err
		}
		if err := f.Save(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
