// Package profile implements `kernia-admin profile`: named servers and their credentials.
package profile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

// NewCmdProfile returns the profile command.
func NewCmdProfile(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile <command>",
		Short: "Manage named servers and their credentials",
		Long: heredoc.Doc(`
			A profile is a named server with the email of its last sign-in and, after
			'kernia-admin auth login', a session token (in the OS keyring, or in the config
			file with mode 0600). Profiles live in config.yml under $KERNIA_CONFIG_DIR (default:
			the user config directory, kernia-admin/).

			The profile in use is --profile, else KERNIA_PROFILE, else the one chosen with
			'kernia-admin profile use', else "default".
		`),
		Example: heredoc.Doc(`
			$ kernia-admin profile set staging --server https://auth.staging.example.com --email ops@example.com
			$ kernia-admin profile use staging
			$ kernia-admin profile list
		`),
	}
	cmd.AddCommand(newCmdList(f, nil))
	cmd.AddCommand(newCmdUse(f, nil))
	cmd.AddCommand(newCmdShow(f, nil))
	cmd.AddCommand(newCmdSet(f, nil))
	cmd.AddCommand(newCmdDelete(f, nil))
	return cmd
}

// record is the JSON model of a profile. It never holds the token.
type record struct {
	Name         string     `json:"name"`
	Server       string     `json:"server"`
	Email        string     `json:"email"`
	Current      bool       `json:"current"`
	TokenStorage string     `json:"tokenStorage"`
	ExpiresAt    *time.Time `json:"expiresAt"`
	InsecureHTTP bool       `json:"insecureHttp"`
	Live         bool       `json:"live"`
	// StripeKey is "none" or "set (<fingerprint>)": never the key.
	StripeKey string `json:"stripeKey"`
}

func toRecord(p *config.Profile, current string) record {
	rec := record{Name: p.Name, Server: p.Server, Email: p.Email, Current: p.Name == current,
		TokenStorage: p.TokenStorage, InsecureHTTP: p.InsecureHTTP, Live: p.Live}
	if rec.TokenStorage == "" {
		rec.TokenStorage = "none"
	}
	rec.StripeKey = "none"
	if p.StripeKeyStorage != "" {
		rec.StripeKey = "set"
		if fp := redact.Fingerprint(p.StripeKeyFingerprint); fp != "" {
			rec.StripeKey += " (" + fp + ")"
		}
	}
	if !p.TokenExpiresAt.IsZero() && p.TokenStorage != "" {
		t := p.TokenExpiresAt.UTC()
		rec.ExpiresAt = &t
	}
	return rec
}

func listSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Name", Field: "name"},
		{Header: "Server", Field: "server"},
		{Header: "Email", Field: "email"},
		{Header: "Current", Field: "current", Kind: output.Bool},
		{Header: "Token", Field: "tokenStorage"},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
	}}
}

func detailSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Name", Field: "name"},
		{Header: "Server", Field: "server"},
		{Header: "Email", Field: "email"},
		{Header: "Current", Field: "current", Kind: output.Bool},
		{Header: "Token", Field: "tokenStorage"},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
		{Header: "Insecure http", Field: "insecureHttp", Kind: output.Bool},
		{Header: "Live", Field: "live", Kind: output.Bool},
		{Header: "Stripe key", Field: "stripeKey"},
	}}
}

// currentName is the profile commands use now: --profile > KERNIA_PROFILE >
// current_profile > default.
func currentName(f *cmdutil.Factory, file *config.File) string {
	switch {
	case f.Flags.ProfileSet && f.Flags.Profile != "":
		return f.Flags.Profile
	case f.Getenv(config.EnvProfile) != "":
		return f.Getenv(config.EnvProfile)
	}
	return file.Current()
}

// lookup returns the named profile or a not-found error (exit 5).
func lookup(file *config.File, name string) (*config.Profile, error) {
	p, ok := file.Profile(name)
	if ok {
		return p, nil
	}
	hint := "run `kernia-admin profile list` to see the profiles"
	if len(file.Names()) == 0 {
		hint = "no profiles yet: create one with `kernia-admin auth login --profile NAME --server URL` or `kernia-admin profile set NAME --server URL`"
	}
	return nil, cmdutil.Errorf(cmdutil.ExitNotFound, hint, "%v %q", config.ErrNoProfile, name)
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return ctx.Err()
	}
	return err
}

func dryRunNote(ios *output.IOStreams, format string, args ...any) {
	fmt.Fprintf(ios.ErrOut, "dry run: "+format+"; nothing was changed\n", args...)
}
