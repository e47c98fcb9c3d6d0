// Package config reads and writes the kernia-admin configuration file and
// resolves the effective settings of a command (flag > environment > profile >
// default).
//
// The file is <dir>/config.yml, where dir is $KERNIA_CONFIG_DIR or
// os.UserConfigDir()/kernia-admin. The directory is created 0700 and the file
// is always written 0600, atomically (temporary file + rename). The file holds
// named profiles; a profile's session token lives in the OS keyring unless the
// profile says token_storage: file.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

const (
	// FileName is the name of the configuration file inside Dir.
	FileName = "config.yml"
	// AppDir is the directory created under os.UserConfigDir().
	AppDir = "kernia-admin"
	// DefaultProfile is the profile used when none is selected.
	DefaultProfile = "default"

	// StorageKeyring and StorageFile are the values of token_storage.
	StorageKeyring = "keyring"
	StorageFile    = "file"

	// DialectKernia and DialectBetterAuth are the values of a profile's dialect.
	DialectKernia     = "kernia"
	DialectBetterAuth = "better-auth"

	fileMode = 0o600
	dirMode  = 0o700
)

// Environment variables read by this package.
const (
	EnvConfigDir = "KERNIA_CONFIG_DIR"
	EnvServer    = "KERNIA_SERVER"
	EnvProfile   = "KERNIA_PROFILE"
	EnvToken     = "KERNIA_TOKEN"
	EnvAPIKey    = "KERNIA_API_KEY"
	EnvEmail     = "KERNIA_EMAIL"
	EnvPassword  = "KERNIA_PASSWORD"
	EnvKeyring   = "KERNIA_KEYRING"
)

// Profile is one named server and its credentials.
type Profile struct {
	Name   string
	Server string
	// Email is the address of the last sign-in (not a secret).
	Email string
	// TokenStorage is StorageKeyring, StorageFile or "" (no token saved).
	TokenStorage string
	// Token is the session token; only set (and only written to the file)
	// when TokenStorage is StorageFile. Keyring tokens are read with Resolve.
	Token string
	// TokenExpiresAt is the session expiry returned at sign-in (zero if unknown).
	TokenExpiresAt time.Time
	// Live allows Stripe live-mode keys for this profile.
	Live bool
	// InsecureHTTP allows plain http to a non-loopback server.
	InsecureHTTP bool
	// Dialect is the server's wire dialect ("kernia" or "better-auth") as detected at
	// `auth login`; "" when unknown (the client then detects it).
	Dialect string
	// StripeKeyStorage is StorageKeyring, StorageFile or "" (no Stripe key saved); see
	// SaveStripeKey. StripeKey is only set (and only written) when it is StorageFile.
	// StripeKeyFingerprint is redact.Fingerprint of the key, for display.
	StripeKeyStorage, StripeKey, StripeKeyFingerprint string
}

// File is the whole configuration document, bound to its path.
// A File is not safe for concurrent use.
type File struct {
	path           string
	currentProfile string
	profiles       map[string]Profile
}

// profileNameRE restricts profile names to what survives viper (which
// lower-cases keys), a keyring account and a shell argument unchanged.
var profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ValidateProfileName reports whether name can be used as a profile name:
// 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter
// or digit.
func ValidateProfileName(name string) error {
	if !profileNameRE.MatchString(name) {
		return fmt.Errorf("invalid profile name %q: use 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Dir returns the configuration directory: $KERNIA_CONFIG_DIR when set, else
// os.UserConfigDir()/kernia-admin. It does not create it.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv(EnvConfigDir); d != "" {
		return filepath.Abs(d)
	}
	base, err := userConfigDir(getenv)
	if err != nil {
		return "", fmt.Errorf("cannot locate the configuration directory (set %s): %w", EnvConfigDir, err)
	}
	return filepath.Join(base, AppDir), nil
}

// Load reads <dir>/config.yml with a fresh viper instance. A missing file is
// an empty document, not an error. A file readable by group or others is
// tightened to 0600 (best effort).
func Load(dir string) (*File, error) {
	path := filepath.Join(dir, FileName)
	f := &File{path: path, profiles: map[string]Profile{}}

	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(path, fileMode)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil
	}

	// "::" keeps dotted profile names (auth.example.com) in one key.
	v := viper.NewWithOptions(viper.KeyDelimiter("::"))
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	f.currentProfile = v.GetString("current_profile")

	var docs map[string]profileDoc
	if err := v.UnmarshalKey("profiles", &docs); err != nil {
		return nil, fmt.Errorf("parse %s: profiles: %w", path, err)
	}
	for name, d := range docs {
		p, err := d.profile(name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: profile %q: %w", path, name, err)
		}
		f.profiles[name] = p
	}
	return f, nil
}

// profileDoc is a profile as stored in the file.
type profileDoc struct {
	Server         string `mapstructure:"server" yaml:"server,omitempty"`
	Email          string `mapstructure:"email" yaml:"email,omitempty"`
	TokenStorage   string `mapstructure:"token_storage" yaml:"token_storage,omitempty"`
	Token          string `mapstructure:"token" yaml:"token,omitempty"`
	TokenExpiresAt any    `mapstructure:"token_expires_at" yaml:"token_expires_at,omitempty"`
	Live           bool   `mapstructure:"live" yaml:"live,omitempty"`
	InsecureHTTP   bool   `mapstructure:"insecure_http" yaml:"insecure_http,omitempty"`
	Dialect        string `mapstructure:"dialect" yaml:"dialect,omitempty"`

	StripeKeyStorage     string `mapstructure:"stripe_key_storage" yaml:"stripe_key_storage,omitempty"`
	StripeKey            string `mapstructure:"stripe_key" yaml:"stripe_key,omitempty"`
	StripeKeyFingerprint string `mapstructure:"stripe_key_fingerprint" yaml:"stripe_key_fingerprint,omitempty"`
}

func (d profileDoc) profile(name string) (Profile, error) {
	p := Profile{
		Name:         name,
		Server:       d.Server,
		Email:        d.Email,
		TokenStorage: d.TokenStorage,
		Live:         d.Live,
		InsecureHTTP: d.InsecureHTTP,
		Dialect:      d.Dialect,

		StripeKeyStorage:     d.StripeKeyStorage,
		StripeKeyFingerprint: d.StripeKeyFingerprint,
	}
	switch p.StripeKeyStorage {
	case StorageFile:
		p.StripeKey = d.StripeKey
	case StorageKeyring:
	case "":
		if d.StripeKey != "" { // hand-written file
			p.StripeKeyStorage, p.StripeKey = StorageFile, d.StripeKey
		}
	default:
		return Profile{}, fmt.Errorf("stripe_key_storage: want %q or %q, got %q", StorageKeyring, StorageFile, p.StripeKeyStorage)
	}
	switch p.Dialect {
	case "", DialectKernia, DialectBetterAuth:
	default:
		return Profile{}, fmt.Errorf("dialect: want %q or %q, got %q", DialectKernia, DialectBetterAuth, p.Dialect)
	}
	switch t := d.TokenExpiresAt.(type) {
	case nil:
	case time.Time:
		p.TokenExpiresAt = t.UTC()
	case string:
		if t != "" {
			ts, err := time.Parse(time.RFC3339, t)
			if err != nil {
				return Profile{}, fmt.Errorf("token_expires_at: want an RFC 3339 time, got %q", t)
			}
			p.TokenExpiresAt = ts.UTC()
		}
	default:
		return Profile{}, fmt.Errorf("token_expires_at: want an RFC 3339 time, got %v", t)
	}
	switch p.TokenStorage {
	case StorageFile:
		p.Token = d.Token
	case StorageKeyring:
		// A token next to token_storage: keyring is ignored (and dropped on
		// the next Save): the keyring is authoritative.
	case "":
		if d.Token != "" { // hand-written file
			p.TokenStorage, p.Token = StorageFile, d.Token
		}
	default:
		return Profile{}, fmt.Errorf("token_storage: want %q or %q, got %q", StorageKeyring, StorageFile, p.TokenStorage)
	}
	return p, nil
}

func docOf(p Profile) profileDoc {
	d := profileDoc{
		Server:       p.Server,
		Email:        p.Email,
		TokenStorage: p.TokenStorage,
		Live:         p.Live,
		InsecureHTTP: p.InsecureHTTP,
		Dialect:      p.Dialect,

		StripeKeyStorage:     p.StripeKeyStorage,
		StripeKeyFingerprint: p.StripeKeyFingerprint,
	}
	if p.StripeKeyStorage == StorageFile {
		d.StripeKey = p.StripeKey
	}
	// The token is written only when the file is its storage.
	if p.TokenStorage == StorageFile {
		d.Token = p.Token
	}
	if !p.TokenExpiresAt.IsZero() {
		d.TokenExpiresAt = p.TokenExpiresAt.UTC().Format(time.RFC3339)
	}
	return d
}

// Path returns the configuration file path.
func (f *File) Path() string { return f.path }

// Save writes the document atomically (temporary file in the same directory,
// then rename) with mode 0600, creating the directory with mode 0700. A
// symbolic link at the file's path is followed, so the link is kept.
func (f *File) Save() error {
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	target := f.path
	if resolved, err := filepath.EvalSymlinks(f.path); err == nil {
		target = resolved
	}

	type doc struct {
		CurrentProfile string                `yaml:"current_profile,omitempty"`
		Profiles       map[string]profileDoc `yaml:"profiles,omitempty"`
	}
	d := doc{CurrentProfile: f.currentProfile}
	if len(f.profiles) > 0 {
		d.Profiles = make(map[string]profileDoc, len(f.profiles))
		for name, p := range f.profiles {
			d.Profiles[name] = docOf(p)
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode config: %w", err)
	}

	tmp, err := os.CreateTemp(filepath.Dir(target), ".config-*.yml.tmp")
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(fileMode); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.Rename(tmpName, target); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	ok = true
	// Rename keeps the temporary file's 0600; this also covers filesystems
	// where CreateTemp's mode was widened.
	_ = os.Chmod(target, fileMode)
	return nil
}

// Profile returns the named profile (a copy) and whether it exists.
func (f *File) Profile(name string) (*Profile, bool) {
	p, ok := f.profiles[name]
	if !ok {
		return nil, false
	}
	return &p, true
}

// SetProfile adds or replaces the profile p.Name. It does not save.
func (f *File) SetProfile(p Profile) error {
	if err := ValidateProfileName(p.Name); err != nil {
		return err
	}
	if p.TokenStorage != StorageFile {
		p.Token = ""
	}
	if p.StripeKeyStorage != StorageFile {
		p.StripeKey = ""
	}
	if f.profiles == nil {
		f.profiles = map[string]Profile{}
	}
	f.profiles[p.Name] = p
	return nil
}

// ErrNoProfile is returned (wrapped) for an unknown profile name.
var ErrNoProfile = errors.New("no such profile")

// DeleteProfile removes a profile. Deleting the current profile clears
// current_profile. It does not touch the keyring (see DeleteToken) and does not save.
func (f *File) DeleteProfile(name string) error {
	if _, ok := f.profiles[name]; !ok {
		return fmt.Errorf("%w %q", ErrNoProfile, name)
	}
	delete(f.profiles, name)
	if f.currentProfile == name {
		f.currentProfile = ""
	}
	return nil
}

// Use makes an existing profile the current one. It does not save.
func (f *File) Use(name string) error {
	if _, ok := f.profiles[name]; !ok {
		if len(f.profiles) == 0 {
			return fmt.Errorf("%w %q (no profiles configured)", ErrNoProfile, name)
		}
		return fmt.Errorf("%w %q (known: %s)", ErrNoProfile, name, strings.Join(f.Names(), ", "))
	}
	f.currentProfile = name
	return nil
}

// Current returns the current profile name from the file, or DefaultProfile.
func (f *File) Current() string {
	if f.currentProfile == "" {
		return DefaultProfile
	}
	return f.currentProfile
}

// Names returns the profile names, sorted.
func (f *File) Names() []string {
	return slices.Sorted(maps.Keys(f.profiles))
}
