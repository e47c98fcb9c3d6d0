package keys

import (
	"context"
	"iter"
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
	AllUsers bool
	Limit    int
	All      bool
	PageSize int
}

func newCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List API keys: yours, one user's, or every user's",
		Long: heredoc.Doc(`
			List API keys. Keys are never shown, only their first characters (start).

			Without flags: your own keys, through Kernia's GET /api-key/list.
			--user USER (id or email) or --all-users: another user's or every user's keys with
			their owner, through the dashboard route GET /api/admin/api-keys (Kernia cannot list
			other users' keys). A server without the dashboard "keys" family exits 9.

			--all streams every page (memory does not grow with the number of keys); otherwise
			at most --limit keys are shown.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin keys list
			$ kernia-admin keys list --user alice@example.com
			$ kernia-admin keys list --all-users --all --jsonl > keys.jsonl
			$ kernia-admin keys list --all-users --jq '[.[] | select(.enabled | not)] | length'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.All && cmd.Flags().Changed("limit") {
				return cmdutil.FlagErrorf("--all and --limit cannot be used together")
			}
			if opts.User != "" && opts.AllUsers {
				return cmdutil.FlagErrorf("--user and --all-users cannot be used together")
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
	fl.StringVarP(&opts.User, "user", "u", "", "Only the keys of `USER` (id or email), through the dashboard")
	fl.BoolVar(&opts.AllUsers, "all-users", false, "Every user's keys, through the dashboard")
	fl.IntVarP(&opts.Limit, "limit", "L", 50, "Maximum number of keys to show")
	fl.BoolVar(&opts.All, "all", false, "Show every key, streamed page by page")
	fl.IntVar(&opts.PageSize, "page-size", 100, "Keys per request")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func listRun(ctx context.Context, opts *listOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	limit := opts.Limit
	if opts.All {
		limit = 0
	}
	var seq iter.Seq2[*apiclient.APIKey, error]
	if opts.User == "" && !opts.AllUsers {
		seq = c.APIKeys().ListAll(ctx, limit, opts.PageSize)
	} else {
		if err := requireKeysFamily(ctx, c, "other users' API keys (the dashboard \"keys\" family)",
			"Kernia lists only the signed-in caller's keys: run `kernia-admin keys list` without --user/--all-users"); err != nil {
			return err
		}
		q := apiclient.AdminAPIKeyListOptions{Limit: limit}
		if opts.User != "" {
			if q.UserID, err = resolveUserID(ctx, c, opts.User); err != nil {
				return err
			}
		}
		seq = c.APIKeys().AdminListAll(ctx, q, opts.PageSize)
	}
	list := output.NewList(opts.IO, opts.Format, listSpec(), opts.Now)
	for k, err := range seq {
		if err != nil {
			return err
		}
		if err := list.Add(record(opts.Format, k)); err != nil {
			return err
		}
	}
	return list.Close()
}
