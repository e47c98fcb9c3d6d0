package sessions

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// allUsersPhrase must be typed back to revoke every user's sessions at a terminal.
const allUsersPhrase = "revoke all sessions"

type revokeAllOptions struct {
	IO          *output.IOStreams
	APIClient   func(...apiclient.Option) (*apiclient.Client, error)
	AuthContext func() cmdutil.AuthContext
	Confirm     func(context.Context, cmdutil.ConfirmOptions) error
	Now         func() time.Time
	Format      output.Format
	Stdin       io.Reader

	Users       []string
	FromFile    string
	AllUsers    bool
	Yes         bool
	DryRun      bool
	Concurrency int
}

func newCmdRevokeAll(f *cmdutil.Factory, runF func(*revokeAllOptions) error) *cobra.Command {
	opts := &revokeAllOptions{IO: f.IOStreams, APIClient: f.APIClient, AuthContext: f.AuthContext,
		Confirm: f.Confirm, Now: f.Now, Stdin: f.IOStreams.In}
	cmd := &cobra.Command{
		Use:   "revoke-all {USER... | --all-users}",
		Short: "Sign users out everywhere",
		Long: heredoc.Doc(`
			Revoke every session of the given users (admin plugin revoke-user-sessions), or with
			--all-users every session of every user except the one this command runs as
			(dashboard POST /api/admin/sessions/revoke-all {"all":true}).

			Both are destructive. At a terminal, revoking per user asks for confirmation and
			--all-users asks you to type "revoke all sessions". Without a terminal (or with
			--no-input) --yes is required, otherwise the command exits 2 and sends nothing.
			--dry-run prints the requests instead of sending them, without asking.

			USER is a user id or an email address; many can be given as arguments or with
			--from-file FILE|- (one per line). With several users, one result line per user is
			printed (--jsonl for JSON Lines) and the command exits 8 if any failed.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sessions revoke-all alice@example.com --yes
			$ kernia-admin users list --filter banned=true --jq '.[].id' | kernia-admin sessions revoke-all --from-file - --yes --jsonl
			$ kernia-admin sessions revoke-all --all-users
			$ kernia-admin sessions revoke-all --all-users --yes --dry-run
		`),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Users = args
			if opts.AllUsers && (len(args) > 0 || opts.FromFile != "") {
				return cmdutil.FlagErrorf("--all-users cannot be combined with USER arguments or --from-file")
			}
			if !opts.AllUsers && len(args) == 0 && opts.FromFile == "" {
				return cmdutil.FlagErrorf("no users given: pass them as arguments, with --from-file FILE|-, or use --all-users")
			}
			if opts.Concurrency < 1 || opts.Concurrency > 64 {
				return cmdutil.FlagErrorf("invalid --concurrency %d: must be between 1 and 64", opts.Concurrency)
			}
			if runF != nil {
				return runF(opts)
			}
			return revokeAllRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.AllUsers, "all-users", false, "Revoke every session of every user except your own")
	fl.StringVar(&opts.FromFile, "from-file", "", "Read users from `FILE` (one per line; - for stdin)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask for confirmation")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the requests that would be sent, send nothing")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, "Process this many users at a time")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func revokeAllRun(ctx context.Context, opts *revokeAllOptions) error {
	if opts.AllUsers {
		return revokeEveryone(ctx, opts)
	}
	ids, err := cmdutil.ReadIDs(opts.Users, opts.FromFile, opts.Stdin)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return cmdutil.FlagErrorf("no users given")
	}
	if !opts.DryRun {
		what := "user " + ids[0]
		if len(ids) > 1 {
			what = fmt.Sprintf("%d users", len(ids))
		}
		if err := opts.Confirm(ctx, cmdutil.ConfirmOptions{Yes: opts.Yes, Action: "revoke every session of " + what}); err != nil {
			return err
		}
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	revoke := func(ctx context.Context, ref string) (any, error) {
		// Kernia answers success for an unknown user id: look the user up first (exit 5).
		u, err := resolveUser(ctx, c, ref)
		if err != nil {
			return nil, err
		}
		if _, err := c.Sessions.RevokeAllForUser(ctx, u.ID); err != nil {
			return nil, err
		}
		return map[string]any{"userId": u.ID, "email": u.Email, "revoked": true}, nil
	}
	auth := cmdutil.AuthContext{}
	if opts.AuthContext != nil {
		auth = opts.AuthContext()
	}
	err = cmdutil.RunBulk(ctx, cmdutil.BulkOptions{IO: opts.IO, Format: opts.Format, Now: opts.Now,
		Concurrency: opts.Concurrency, Label: "revoking sessions", Auth: auth}, ids, revoke)
	if opts.DryRun && err == nil {
		plan.Note(opts.IO)
	}
	return err
}

func revokeEveryone(ctx context.Context, opts *revokeAllOptions) error {
	if !opts.DryRun {
		err := opts.Confirm(ctx, cmdutil.ConfirmOptions{Yes: opts.Yes, Typed: allUsersPhrase,
			Action: "sign every user out everywhere (all sessions except this one)"})
		if err != nil {
			return err
		}
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	if err := requireDashboardSessions(ctx, c, "revoking every user's sessions (no dashboard \"sessions\" routes)",
		"revoke per user instead: kernia-admin sessions revoke-all USER..."); err != nil {
		return err
	}
	n, _, err := c.Admin.RevokeEverySession(ctx)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	spec := output.Spec{Columns: []output.Column{{Header: "Revoked", Field: "revoked"}}}
	if err := output.PrintObject(opts.IO, opts.Format, spec, opts.Now, map[string]int{"revoked": n}); err != nil {
		return err
	}
	if opts.IO.IsStderrTTY() && !opts.Format.Machine() {
		fmt.Fprintf(opts.IO.ErrOut, "Revoked %d session(s); your own session was kept\n", n)
	}
	return nil
}
