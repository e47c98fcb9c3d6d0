package users

import (
	"context"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type unbanOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Auth      func() cmdutil.AuthContext
	Now       func() time.Time
	Format    output.Format

	Refs   []string
	Bulk   bulkFlags
	DryRun bool
}

func newCmdUnban(f *cmdutil.Factory, runF func(*unbanOptions) error) *cobra.Command {
	opts := &unbanOptions{IO: f.IOStreams, APIClient: f.APIClient, Auth: f.AuthContext, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "unban USER...",
		Short: "Lift users' bans",
		Long: heredoc.Doc(`
			Lift the ban of one or more users (ids or emails, as arguments or with --from-file
			FILE|-). Their reason and expiry are cleared. The exit code is 8 if any user failed.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users unban alice@example.com
			$ kernia-admin users list --filter banned=true --all --json --jq '.[].id' | kernia-admin users unban --from-file -
		`),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Bulk.validate(); err != nil {
				return err
			}
			refs, err := cmdutil.ReadIDs(args, opts.Bulk.FromFile, opts.IO.In)
			if err != nil {
				return err
			}
			if len(refs) == 0 {
				return cmdutil.FlagErrorf("no users given: pass ids or emails as arguments or with --from-file FILE|-")
			}
			opts.Refs = refs
			if runF != nil {
				return runF(opts)
			}
			return unbanRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the requests that would be sent, send nothing")
	opts.Bulk.register(cmd)
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func unbanRun(ctx context.Context, opts *unbanOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	return runBulk(ctx, bulkRun{
		IO: opts.IO, Format: opts.Format, Now: opts.Now, Auth: opts.Auth,
		Concurrency: opts.Bulk.Concurrency, Label: "Unbanning", DryRun: opts.DryRun, Plan: plan, Spec: banBulkSpec(),
	}, opts.Refs, func(ctx context.Context, ref string) (any, error) {
		id, err := targetID(ctx, c, ref, opts.DryRun)
		if err != nil {
			return nil, err
		}
		u, _, err := c.Users.Unban(ctx, id)
		return u, err
	})
}
