package sessions

import (
	"context"
	"io"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type revokeOptions struct {
	IO          *output.IOStreams
	APIClient   func(...apiclient.Option) (*apiclient.Client, error)
	AuthContext func() cmdutil.AuthContext
	Now         func() time.Time
	Format      output.Format
	Stdin       io.Reader

	IDs         []string
	FromFile    string
	User        string
	DryRun      bool
	Concurrency int
}

func newCmdRevoke(f *cmdutil.Factory, runF func(*revokeOptions) error) *cobra.Command {
	opts := &revokeOptions{IO: f.IOStreams, APIClient: f.APIClient, AuthContext: f.AuthContext, Now: f.Now, Stdin: f.IOStreams.In}
	cmd := &cobra.Command{
		Use:   "revoke SESSION_ID...",
		Short: "Revoke sessions by id",
		Long: heredoc.Doc(`
			Revoke one or more sessions by session id (see 'kernia-admin sessions list').

			With the dashboard's "sessions" family: POST /api/admin/sessions/revoke. Without it,
			--user USER is needed: the user's sessions are listed through the admin plugin and the
			session is revoked by its raw token (admin revoke-user-session); the token is never
			printed. With --user, an id that is not one of that user's sessions exits 5.

			An unknown session id exits 5. With several ids, one result line per id is printed
			(--jsonl for JSON Lines) and the command exits 8 if any failed.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sessions revoke 3Jq0bT2pXyZ1aB9cD8eF7g
			$ kernia-admin sessions revoke 3Jq0bT2pXyZ1aB9cD8eF7g --user alice@example.com
			$ kernia-admin sessions list --user alice@example.com --jq '.[].id' | kernia-admin sessions revoke --from-file -
			$ kernia-admin sessions revoke 3Jq0bT2pXyZ1aB9cD8eF7g --dry-run
		`),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			if len(args) == 0 && opts.FromFile == "" {
				return cmdutil.FlagErrorf("no session ids given: pass them as arguments or with --from-file FILE|-")
			}
			if opts.Concurrency < 1 || opts.Concurrency > 64 {
				return cmdutil.FlagErrorf("invalid --concurrency %d: must be between 1 and 64", opts.Concurrency)
			}
			if runF != nil {
				return runF(opts)
			}
			return revokeRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.User, "user", "u", "", "The sessions belong to `USER` (id or email); required without the dashboard")
	fl.StringVar(&opts.FromFile, "from-file", "", "Read session ids from `FILE` (one per line; - for stdin)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the requests that would be sent, send nothing")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, "Revoke this many sessions at a time")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func revokeRun(ctx context.Context, opts *revokeOptions) error {
	ids, err := cmdutil.ReadIDs(opts.IDs, opts.FromFile, opts.Stdin)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return cmdutil.FlagErrorf("no session ids given")
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	dashboard, err := c.Admin.HasFamily(ctx, sessionsFamily)
	if err != nil {
		return err
	}
	// With --user, the user's sessions are read once: they give the raw tokens the admin
	// plugin revokes by, and they check that each id belongs to that user.
	var owned map[string]*apiclient.Session
	if opts.User != "" {
		u, err := resolveUser(ctx, c, opts.User)
		if err != nil {
			return err
		}
		list, _, err := c.Sessions.ListForUser(ctx, u.ID)
		if err != nil {
			return err
		}
		owned = make(map[string]*apiclient.Session, len(list))
		for i := range list {
			owned[list[i].ID] = &list[i]
		}
	} else if !dashboard {
		return &cmdutil.UnavailableError{Feature: "revoking sessions by id (no dashboard \"sessions\" routes)",
			Hint: "pass --user USER: the session is then revoked through the admin plugin"}
	}
	revoke := func(ctx context.Context, id string) (any, error) {
		var s *apiclient.Session
		if owned != nil {
			if s = owned[id]; s == nil {
				return nil, cmdutil.Errorf(cmdutil.ExitNotFound, "", "session %s not found among the sessions of %s", id, opts.User)
			}
		}
		if dashboard {
			if _, err := c.Admin.RevokeSession(ctx, id); err != nil {
				return nil, err
			}
		} else if _, err := c.Sessions.RevokeByToken(ctx, s.Token); err != nil {
			return nil, err
		}
		return map[string]any{"sessionId": id, "revoked": true}, nil
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
