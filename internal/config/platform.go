package config

import (
	"errors"
	"path/filepath"
	"runtime"
)

// userConfigDir is os.UserConfigDir with the environment read through getenv,
// so tests and callers control it.
func userConfigDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := getenv("AppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%AppData% is not defined")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support"), nil
		}
		return "", errors.New("$HOME is not defined")
	case "plan9":
		if h := getenv("home"); h != "" {
			return filepath.Join(h, "lib"), nil
		}
		return "", errors.New("$home is not defined")
	default:
		if d := getenv("XDG_CONFIG_HOME"); d != "" {
			if !filepath.IsAbs(d) {
				return "", errors.New("path in $XDG_CONFIG_HOME is relative")
			}
			return d, nil
		}
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, ".config"), nil
		}
		return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME are defined")
	}
}
