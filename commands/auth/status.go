package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/output"
)

type statusOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Now    func() time.Time
	Format output.Format
}

func newCmdStatus(f *cmdutil.Factory, runF func(*statusOptions) error) *cobra.Command {
	opts := &statusOptions{F: f, IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the profile, server and session in use",
		Long: heredoc.Doc(`
			Show which profile and server a command would use and where each came from
			(flag, env, config or default), the signed-in user (from the server's get-session),
			where the credential comes from (keyring, config file, env), when the session
			expires and whether it has admin rights. The token is never printed.

			The status is printed even when not logged in; the exit code is then 3.
			Against --server sandbox:PATH the in-process sandbox's built-in admin is used.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin auth status
			$ kernia-admin auth status --json --jq .expiresAt
			$ kernia-admin auth status --profile staging
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

type statusUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// authStatus is the output of `auth status`. It never holds a secret.
type authStatus struct {
	Profile       string      `json:"profile"`
	ProfileSource string      `json:"profileSource"`
	Server        string      `json:"server"`
	ServerSource  string      `json:"serverSource"`
	Sandbox       bool        `json:"sandbox"`
	LoggedIn      bool        `json:"loggedIn"`
	User          *statusUser `json:"user"`
	TokenStorage  string      `json:"tokenStorage"`
	ExpiresAt     *time.Time  `json:"expiresAt"`
	TimeLeft      string      `json:"timeLeft"`
	Admin         *bool       `json:"admin"`
}

func statusSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Profile", Field: "profile"},
		{Header: "Profile from", Field: "profileSource"},
		{Header: "Server", Field: "server"},
		{Header: "Server from", Field: "serverSource"},
		{Header: "Logged in", Field: "loggedIn", Kind: output.Bool},
		{Header: "User", Field: "user.email"},
		{Header: "Role", Field: "user.role"},
		{Header: "Token storage", Field: "tokenStorage"},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
		{Header: "Time left", Field: "timeLeft"},
		{Header: "Admin", Field: "admin", Kind: output.Bool},
	}}
}

func statusRun(ctx context.Context, opts *statusOptions) error {
	f := opts.F
	r, err := f.Resolved()
	if err != nil {
		return err
	}
	st := authStatus{Profile: r.ProfileName, ProfileSource: r.ProfileSource, Server: r.Server, ServerSource: r.ServerSource,
		Sandbox: isSandbox(r.Server), TokenStorage: "none"}
	print := func() error { return output.PrintObject(opts.IO, opts.Format, statusSpec(), opts.Now, st) }
	notLoggedIn := func(hint, format string, args ...any) error {
		if err := print(); err != nil {
			return err
		}
		return cmdutil.Errorf(cmdutil.ExitAuth, hint, format, args...)
	}
	login := "run `kernia-admin auth login`"
	if r.Email != "" && r.Password != "" {
		login += " (KERNIA_EMAIL and KERNIA_PASSWORD are set: other commands sign in by themselves on a 401)"
	}

	if r.Server == "" {
		st.ServerSource = ""
		return notLoggedIn("run `kernia-admin auth login --server URL`, set KERNIA_SERVER, or use --server sandbox:./demo.db",
			"not logged in: no server configured (profile %s)", r.ProfileName)
	}
	switch {
	case st.Sandbox && r.Token == "":
		st.TokenStorage = "sandbox built-in admin (in-process)"
	case r.Token != "":
		st.TokenStorage = r.TokenSource
	case r.APIKey != "":
		st.TokenStorage = "env " + config.EnvAPIKey
	default:
		if r.TokenError != nil {
			return notLoggedIn(login, "not logged in: the session token could not be read from the OS keyring: %v", r.TokenError)
		}
		if r.ServerMismatch {
			return notLoggedIn(login, "not logged in to %s: profile %s belongs to another server, so its token is not sent there", r.Server, r.ProfileName)
		}
		return notLoggedIn(login, "not logged in to %s (profile %s)", r.Server, r.ProfileName)
	}

	c, err := f.APIClient()
	if err != nil {
		return err
	}
	rctx := apiclient.ReadOnly(ctx)
	sess, _, err := c.Auth.GetSession(rctx)
	if err != nil && !isUnauthorized(err) {
		return err
	}
	if sess == nil {
		return notLoggedIn(login, "not logged in: %s does not accept the session from %s (invalid or expired)", r.Server, st.TokenStorage)
	}
	st.LoggedIn = true
	st.User = &statusUser{ID: sess.User.ID, Email: sess.User.Email, Name: sess.User.Name, Role: sess.User.Role}
	if exp := sess.Session.ExpiresAt.Time; !exp.IsZero() {
		exp = exp.UTC()
		st.ExpiresAt = &exp
		left := exp.Sub(opts.Now())
		st.TimeLeft = humanDuration(left)
		// The factory already warned about a stored session that expires soon.
		storedWarned := !r.TokenExpiresAt.IsZero() && r.TokenExpiresAt.Sub(opts.Now()) < warnWithin &&
			(r.TokenSource == config.TokenSourceKeyring || r.TokenSource == config.TokenSourceFile)
		if left < warnWithin && !storedWarned && !st.Sandbox {
			fmt.Fprintf(opts.IO.ErrOut, "warning: the session expires in %s (Kernia never extends sessions); %s soon\n", st.TimeLeft, strings.TrimSuffix(login, "."))
		}
	}

	_, _, err = c.Users.List(rctx, apiclient.ListUsersOptions{Limit: 1})
	switch {
	case err == nil:
		st.Admin = apiclient.Ptr(true)
	case isStatus(err, http.StatusForbidden):
		st.Admin = apiclient.Ptr(false)
	case ctx.Err() != nil:
		return ctx.Err()
	default:
		fmt.Fprintf(opts.IO.ErrOut, "warning: could not check admin rights: %s\n", f.Scrubber.Scrub(err.Error()))
	}
	if st.Sandbox && r.Token == "" && !opts.Format.Machine() {
		fmt.Fprintf(opts.IO.ErrOut, "%s is the in-process sandbox; commands run as its built-in admin (%s)\n", r.Server, st.User.Email)
	}
	return print()
}
