package sessions

import (
	"context"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type listOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	User     string
	Limit    int
	All      bool
	PageSize int
}

func newCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List sessions of one user or of every user",
		Long: heredoc.Doc(`
			List sessions.

			With --user, one user's sessions through the admin plugin (list-user-sessions), which
			every Kernia server with the admin plugin has. Kernia answers with raw session tokens;
			they are dropped and never printed.

			Without --user, every user's unexpired sessions with their owner's email, through the
			dashboard route GET /api/admin/sessions, newest first. A server whose dashboard lacks
			the "sessions" family (or has no dashboard) exits 9: use --user there.

			--all streams every page (memory does not grow with the number of sessions);
			otherwise at most --limit sessions are shown.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sessions list --user alice@example.com
			$ kernia-admin sessions list --limit 20
			$ kernia-admin sessions list --all --jsonl > sessions.jsonl
			$ kernia-admin sessions list --all --jq '[.[] | select(.impersonatedBy != "")] | length'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.All && cmd.Flags().Changed("limit") {
				return cmdutil.FlagErrorf("--all and --limit cannot be used together")
			}
			if opts.Limit < 1 {
				return cmdutil.FlagErrorf("invalid --limit %d: must be at least 1", opts.Limit)
			}
			if opts.PageSize < 1 || opts.PageSize > 1000 {
				return cmdutil.FlagErrorf("invalid --page-size %d: must be between 1 and 1000", opts.PageSize)
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.User, "user", "u", "", "Only the sessions of `USER` (id or email), through the admin plugin")
	fl.IntVarP(&opts.Limit, "limit", "L", 50, "Maximum number of sessions to show")
	fl.BoolVar(&opts.All, "all", false, "Show every session, streamed page by page")
	fl.IntVar(&opts.PageSize, "page-size", 500, "Sessions per request to the dashboard")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func listRun(ctx context.Context, opts *listOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	if opts.User != "" {
		return listUser(ctx, c, opts)
	}
	if err := requireDashboardSessions(ctx, c, "all-user sessions", "use --user USER to list one user's sessions through the admin plugin"); err != nil {
		return err
	}
	list := output.NewList(opts.IO, opts.Format, listSpec(), opts.Now)
	q := apiclient.SessionListOptions{}
	if !opts.All {
		q.Limit = opts.Limit
	}
	for s, err := range c.Admin.ListSessionsAll(ctx, q, opts.PageSize) {
		if err != nil {
			return err
		}
		if err := list.Add(s); err != nil {
			return err
		}
	}
	return list.Close()
}

func listUser(ctx context.Context, c *apiclient.Client, opts *listOptions) error {
	u, err := resolveUser(ctx, c, opts.User)
	if err != nil {
		return err
	}
	sessions, _, err := c.Sessions.ListForUser(ctx, u.ID)
	if err != nil {
		return err
	}
	list := output.NewList(opts.IO, opts.Format, listSpec(), opts.Now)
	for i := range sessions {
		if !opts.All && i >= opts.Limit {
			break
		}
		s := &sessions[i]
		s.UserID = u.ID
		s.User = owner(u)
		if err := list.Add(s); err != nil {
			return err
		}
	}
	return list.Close()
}
