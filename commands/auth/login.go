package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/output"
)

type loginOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Now    func() time.Time
	Format output.Format

	Email         string
	PasswordStdin bool
	Keyring       string
	DryRun        bool
}

func newCmdLogin(f *cmdutil.Factory, runF func(*loginOptions) error) *cobra.Command {
	opts := &loginOptions{F: f, IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to a Kernia server as an admin and save the session",
		Long: heredoc.Doc(`
			Sign in with email and password, check that the account is an admin, and save the
			server, the email and the session token in a profile (--profile, default: the
			current profile).

			The server comes from --server, KERNIA_SERVER or the profile. Credentials travel
			only over https or plain http to a loopback address; anything else needs
			--insecure-http (remembered in the profile).

			Before signing in, the server's public sign-in settings are read (when it exposes
			them) to tell which sign-in methods are on. The password is never a flag: it is
			read with a hidden prompt, or from stdin with --password-stdin.

			Only admins can log in: the session is checked with a harmless admin read, and a
			non-admin session is signed out again and nothing is saved.

			The token goes to the OS keyring when one is available, otherwise to the config
			file (mode 0600) with a warning; --keyring (or KERNIA_KEYRING) forces one.
			Kernia sessions last 7 days and are never extended.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin auth login --server https://auth.example.com --email admin@example.com
			$ kernia-admin auth login --profile staging --server https://auth.staging.example.com
			$ printf '%s\n' "$ADMIN_PASSWORD" | kernia-admin auth login --email admin@example.com --password-stdin
			$ kernia-admin auth login --server http://10.0.0.5:8000 --insecure-http
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Keyring {
			case "", config.KeyringAuto, config.KeyringOS, config.KeyringFile:
			default:
				return cmdutil.FlagErrorf("invalid --keyring %q: use auto, os or file", opts.Keyring)
			}
			if runF != nil {
				return runF(opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Email, "email", "", "Email address of the admin account (prompted for when omitted)")
	fl.BoolVar(&opts.PasswordStdin, "password-stdin", false, "Read the password from the first line of stdin")
	fl.StringVar(&opts.Keyring, "keyring", "", "Where to store the token: auto, os or file (env KERNIA_KEYRING; default auto)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Read the server's sign-in settings and print the sign-in request (password redacted); sign in and save nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

// loginStatus is what `auth login --json` prints. It never holds the token.
type loginStatus struct {
	Profile      string    `json:"profile"`
	Server       string    `json:"server"`
	Email        string    `json:"email"`
	UserID       string    `json:"userId"`
	Admin        bool      `json:"admin"`
	TokenStorage string    `json:"tokenStorage"`
	ExpiresAt    time.Time `json:"expiresAt"`
}

func loginSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Profile", Field: "profile"},
		{Header: "Server", Field: "server"},
		{Header: "Email", Field: "email"},
		{Header: "Token storage", Field: "tokenStorage"},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
	}}
}

func loginRun(ctx context.Context, opts *loginOptions) error {
	f := opts.F
	errOut := opts.IO.ErrOut

	// Everything that can be checked locally is checked before anything is sent.
	mode := opts.Keyring
	if mode == "" {
		m, err := config.KeyringMode(f.Getenv)
		if err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		mode = m
	}
	file, err := f.ConfigFile()
	if err != nil {
		return err
	}
	fl := config.Flags{Server: f.Flags.Server, Profile: f.Flags.Profile, ServerSet: f.Flags.ServerSet,
		ProfileSet: f.Flags.ProfileSet, InsecureHTTP: f.Flags.InsecureHTTP}
	r, err := config.Resolve(ctx, file, fl, f.Getenv, nil)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &cmdutil.FlagError{Err: err}
	}
	if r.Server == "" {
		return cmdutil.FlagErrorf("no server to sign in to: pass --server URL (or set KERNIA_SERVER)")
	}
	server := r.Server
	insecure := r.InsecureHTTP
	canPrompt := opts.IO.CanPrompt()

	email := strings.TrimSpace(opts.Email)
	if email == "" {
		email = strings.TrimSpace(f.Getenv(config.EnvEmail))
	}
	defaultEmail := ""
	if p, ok := file.Profile(r.ProfileName); ok {
		defaultEmail = p.Email
	}
	if email == "" && (!canPrompt || opts.PasswordStdin) {
		if defaultEmail == "" {
			return cmdutil.FlagErrorf("no email: pass --email (cannot prompt: not an interactive terminal)")
		}
		email = defaultEmail
	}
	if !opts.PasswordStdin && !canPrompt {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage,
			Err:  errors.New("cannot prompt for the password: not an interactive terminal"),
			Hint: "pipe it in with --password-stdin (a password is never accepted as a flag)"}
	}
	password := ""
	if opts.PasswordStdin {
		if password, err = cmdutil.ReadSecret(opts.IO.In, "password"); err != nil {
			return err
		}
		f.Scrubber.Add(password)
	}

	plan := &cmdutil.Plan{}
	anon, err := f.NewClient(server, append([]apiclient.Option{apiclient.WithInsecureHTTP(insecure)}, plan.Options(opts.DryRun)...)...)
	if err != nil {
		return err
	}

	// The server's public sign-in settings, when it has the admin-config plugin.
	methods, _, err := anon.Auth.PublicAuth(ctx)
	switch {
	case err == nil:
		var on []string
		for id, m := range methods {
			if m.On() {
				on = append(on, id)
			}
		}
		slices.Sort(on)
		if len(on) == 0 {
			fmt.Fprintf(errOut, "Sign-in methods enabled on %s: none\n", server)
		} else {
			fmt.Fprintf(errOut, "Sign-in methods enabled on %s: %s\n", server, strings.Join(on, ", "))
		}
		if m, ok := methods["email-password"]; ok && !m.On() {
			return &cmdutil.ExitError{Code: cmdutil.ExitForbidden,
				Err:  fmt.Errorf("email-password sign-in is disabled on this server (%s)", server),
				Hint: "kernia-admin signs in with email and password; enable the method on the server, or use KERNIA_API_KEY where the server accepts API keys"}
		}
	case cmdutil.IsRouteMissing(err), isStatus(err, http.StatusNotFound):
		// No admin-config plugin: nothing to report.
	default:
		if _, ok := apiStatus(err); !ok {
			return err // network, timeout, interrupt
		}
		fmt.Fprintf(errOut, "warning: could not read the server's sign-in settings: %s\n", f.Scrubber.Scrub(err.Error()))
	}

	if email == "" {
		if email, err = f.Prompter.Input(ctx, "Email", defaultEmail); err != nil {
			return promptErr(err)
		}
		if email = strings.TrimSpace(email); email == "" {
			return cmdutil.FlagErrorf("no email given")
		}
	}
	if password == "" {
		if password, err = f.Prompter.Password(ctx, "Password for "+email); err != nil {
			return promptErr(err)
		}
		if password == "" {
			return cmdutil.FlagErrorf("no password given")
		}
		f.Scrubber.Add(password)
	}

	res, _, err := anon.Auth.SignIn(ctx, email, password)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return signInError(err, email, server)
	}
	f.Scrubber.Add(res.Token)

	// Prove admin rights before anything is saved.
	c, err := f.NewClient(server, apiclient.WithToken(res.Token), apiclient.WithInsecureHTTP(insecure))
	if err != nil {
		return err
	}
	_, _, err = c.Users.List(apiclient.ReadOnly(ctx), apiclient.ListUsersOptions{Limit: 1})
	if err != nil {
		refused := func(code int, format string, args ...any) error {
			_, _ = c.Auth.SignOut(context.WithoutCancel(ctx))
			return cmdutil.Errorf(code, "", format, args...)
		}
		switch {
		case isStatus(err, http.StatusForbidden):
			return refused(cmdutil.ExitForbidden, "%s is not an admin on this server; nothing was saved (the new session was signed out)", email)
		case cmdutil.IsRouteMissing(err):
			return refused(cmdutil.ExitUnavailable, "this server does not expose the admin plugin (POST /api/auth/admin/list-users); nothing was saved")
		case isUnauthorized(err):
			return refused(cmdutil.ExitAuth, "the server rejected the new session (HTTP 401 on an admin read); nothing was saved")
		}
		_, _ = c.Auth.SignOut(context.WithoutCancel(ctx))
		return fmt.Errorf("checking admin rights (nothing was saved): %w", err)
	}

	expires := res.Session.ExpiresAt.Time
	if expires.IsZero() {
		expires = opts.Now().Add(SessionLifetime)
	}

	// Save server, email and token.
	p, ok := file.Profile(r.ProfileName)
	if !ok {
		p = &config.Profile{Name: r.ProfileName}
	}
	p.Server, p.Email = server, email
	// The dialect the admin check just used (detected unless --dialect/KERNIA_DIALECT said),
	// so later commands need no probe.
	p.Dialect = c.Dialect().String()
	if f.Flags.InsecureHTTP {
		p.InsecureHTTP = true
	}
	if err := file.SetProfile(*p); err != nil {
		return err
	}
	if _, ok := file.Profile(file.Current()); !ok {
		_ = file.Use(r.ProfileName) // the first profile becomes the current one
	}
	storage, warning, err := config.SaveToken(ctx, file, r.ProfileName, res.Token, expires, f.Keyring, mode)
	if err != nil {
		return fmt.Errorf("saving the session (you are signed in on the server, but nothing usable was saved): %w", err)
	}
	if warning != "" {
		fmt.Fprintln(errOut, "warning: "+warning)
	}
	where := "the OS keyring"
	if storage == config.StorageFile {
		where = file.Path() + " (mode 0600)"
	}
	fmt.Fprintf(errOut, "Logged in to %s as %s (profile %s); session expires %s (in %s). Token stored in %s.\n",
		server, email, r.ProfileName, expires.UTC().Format(time.RFC3339), humanDuration(expires.Sub(opts.Now())), where)
	if r.ServerMismatch {
		fmt.Fprintf(errOut, "note: profile %s now points at %s\n", r.ProfileName, server)
	}

	if !opts.Format.Machine() {
		return nil
	}
	return output.PrintObject(opts.IO, opts.Format, loginSpec(), opts.Now, loginStatus{
		Profile: r.ProfileName, Server: server, Email: email, UserID: res.User.ID,
		Admin: true, TokenStorage: storage, ExpiresAt: expires.UTC(),
	})
}

func promptErr(err error) error {
	if errors.Is(err, prompt.ErrAborted) {
		return cmdutil.ErrCancelled
	}
	return err
}

// signInError turns a failed sign-in into one clear line with the right exit code.
func signInError(err error, email, server string) error {
	ae, ok := apiStatus(err)
	if !ok {
		return err
	}
	switch {
	case ae.Status == http.StatusUnauthorized:
		return cmdutil.Errorf(cmdutil.ExitAuth, "", "sign-in failed: wrong email or password for %s on %s", email, server)
	case ae.Code == "BANNED_USER" || ae.Code == "USER_BANNED":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "", "sign-in refused: %s is banned on this server", email)
	case ae.Code == "AUTH_METHOD_DISABLED":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "", "sign-in refused: email-password sign-in is disabled on this server")
	case ae.Code == "EMAIL_NOT_VERIFIED":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "", "sign-in refused: the email address %s is not verified", email)
	case ae.RouteMissing:
		return &cmdutil.UnavailableError{Feature: "email-password sign-in (POST /api/auth/sign-in/email)",
			Hint: "kernia-admin needs the email-password plugin to sign in; use KERNIA_API_KEY where the server accepts API keys"}
	}
	return err
}
