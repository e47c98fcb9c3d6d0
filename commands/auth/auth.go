// Package auth implements `kernia-admin auth`: sign in, sign out, show the session and
// print its token.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/keyring"
)

// SessionLifetime is Kernia's session lifetime (never extended); used when the server
// does not say when a new session expires.
const SessionLifetime = 7 * 24 * time.Hour

// warnWithin is how close to its expiry a session is reported as expiring soon.
const warnWithin = 24 * time.Hour

// NewCmdAuth returns the auth command.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Sign in to a Kernia server and manage the stored session",
		Long: heredoc.Doc(`
			Sign in to a Kernia server as an admin, sign out, show the current session and
			print its token.

			The session token is kept in the OS keyring when one is available, otherwise in the
			config file (mode 0600); KERNIA_KEYRING=file|os|auto chooses. Kernia sessions last
			7 days and are never extended: for unattended use set KERNIA_EMAIL and
			KERNIA_PASSWORD (every command signs in again by itself on a 401) or KERNIA_TOKEN.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin auth login --server https://auth.example.com --email admin@example.com
			$ printf '%s\n' "$PASSWORD" | kernia-admin auth login --email admin@example.com --password-stdin
			$ kernia-admin auth status
			$ kernia-admin auth logout
		`),
	}
	cmd.AddCommand(newCmdLogin(f, nil))
	cmd.AddCommand(newCmdLogout(f, nil))
	cmd.AddCommand(newCmdStatus(f, nil))
	cmd.AddCommand(newCmdToken(f, nil))
	return cmd
}

// profileName selects the profile of a local operation: --profile > KERNIA_PROFILE >
// current_profile > default.
func profileName(f *cmdutil.Factory, file *config.File) (string, error) {
	name := file.Current()
	switch {
	case f.Flags.ProfileSet && f.Flags.Profile != "":
		name = f.Flags.Profile
	case f.Getenv(config.EnvProfile) != "":
		name = f.Getenv(config.EnvProfile)
	}
	if err := config.ValidateProfileName(name); err != nil {
		return "", &cmdutil.FlagError{Err: err}
	}
	return name, nil
}

// storedToken reads a profile's saved token (file or keyring); "" when there is none.
func storedToken(ctx context.Context, p *config.Profile, ks keyring.Store) (string, error) {
	switch p.TokenStorage {
	case config.StorageFile:
		return p.Token, nil
	case config.StorageKeyring:
		if ks == nil {
			return "", keyring.ErrUnavailable
		}
		tok, err := ks.Get(ctx, config.KeyringService, p.Name)
		if errors.Is(err, keyring.ErrNotFound) {
			return "", nil
		}
		return tok, err
	}
	return "", nil
}

// humanDuration prints a positive duration as "6d 23h", "5h 12m" or "42m".
func humanDuration(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	d = d.Round(time.Minute)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	hours := d / time.Hour
	mins := (d - hours*time.Hour) / time.Minute
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	}
	return fmt.Sprintf("%dm", mins)
}

func apiStatus(err error) (*apiclient.APIError, bool) {
	var ae *apiclient.APIError
	if errors.As(err, &ae) {
		return ae, true
	}
	return nil, false
}

func isStatus(err error, status int) bool {
	ae, ok := apiStatus(err)
	return ok && ae.Status == status
}

func isUnauthorized(err error) bool { return isStatus(err, http.StatusUnauthorized) }

func isSandbox(server string) bool { return strings.HasPrefix(server, config.SandboxPrefix) }
