package stripeutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadKeyOrderWithProfile(t *testing.T) {
	const (
		stdinKey   = "sk_test_51FromStdin0000aaaa"
		fileKey    = "sk_test_51FromFile00000bbbb"
		envKey     = "sk_test_51FromEnv000000cccc"
		profileKey = "sk_test_51FromProfile00dddd"
	)
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte(fileKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	called := 0
	prof := func() (string, string, error) { called++; return "staging", profileKey, nil }
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvAPIKey {
				return v
			}
			return ""
		}
	}
	for _, tt := range []struct {
		src        KeySource
		env        string
		key, from  string
		profileUse bool
	}{
		{KeySource{Stdin: true, Profile: prof}, envKey, stdinKey, "stdin", false},
		{KeySource{File: file, Profile: prof}, envKey, fileKey, "file " + file, false},
		{KeySource{Profile: prof}, envKey, envKey, EnvAPIKey, false},
		{KeySource{Profile: prof}, "", profileKey, "profile staging", true},
	} {
		called = 0
		key, from, err := ReadKey(tt.src, strings.NewReader(stdinKey+"\n"), env(tt.env))
		if err != nil || key != tt.key || from != tt.from || (called > 0) != tt.profileUse {
			t.Errorf("%+v: got %q from %q (profile read %d), %v; want %q from %q", tt.src, key, from, called, err, tt.key, tt.from)
		}
	}

	// A profile without a key: the usual no-key usage error, naming the profile remedy.
	_, _, err := ReadKey(KeySource{Profile: func() (string, string, error) { return "staging", "", nil }}, nil, env(""))
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "profile set NAME --stripe-key-stdin") {
		t.Errorf("no key: %v", err)
	}
	// A stored key that cannot be read (keyring unavailable) is explained.
	_, _, err = ReadKey(KeySource{Profile: func() (string, string, error) { return "staging", "", errors.New("OS keyring unavailable") }}, nil, env(""))
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "stored in profile staging cannot be read: OS keyring unavailable") {
		t.Errorf("unreadable: %v", err)
	}
}
