package users

import (
	"context"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type deleteOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Auth      func() cmdutil.AuthContext
	Confirm   func(context.Context, cmdutil.ConfirmOptions) error
	Now       func() time.Time
	Format    output.Format

	Refs   []string
	Bulk   bulkFlags
	Yes    bool
	DryRun bool
}

// deleted is the result of one deletion (remove-user answers only {"success":true}).
type deleted struct {
	UserID  string `json:"userId"`
	Deleted bool   `json:"deleted"`
}

func newCmdDelete(f *cmdutil.Factory, runF func(*deleteOptions) error) *cobra.Command {
	opts := &deleteOptions{IO: f.IOStreams, APIClient: f.APIClient, Auth: f.AuthContext, Confirm: f.Confirm, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "delete USER...",
		Aliases: []string{"rm"},
		Short:   "Delete users with their sessions and accounts",
		Long: heredoc.Doc(`
			Delete one or more users (ids or emails, as arguments or with --from-file FILE|-).
			The server deletes each user's sessions and accounts too. This cannot be undone.

			On a terminal you are asked to confirm; otherwise (scripts, pipes, --no-input)
			--yes is required, and without it nothing is deleted (exit 2).
			The exit code is 8 if any user failed.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users delete alice@example.com
			$ kernia-admin users delete --from-file spam-accounts.txt --yes --jsonl
			$ kernia-admin users delete 7f3kq2 --dry-run
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
			return deleteRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Delete without asking for confirmation")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the requests that would be sent, send nothing")
	opts.Bulk.register(cmd)
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func deleteRun(ctx context.Context, opts *deleteOptions) error {
	if !opts.DryRun {
		what := fmt.Sprintf("delete user %s", opts.Refs[0])
		if len(opts.Refs) > 1 {
			what = fmt.Sprintf("delete %d users", len(opts.Refs))
		}
		// Asked before anything is sent, so a refusal (exit 2) deletes nothing.
		if err := opts.Confirm(ctx, cmdutil.ConfirmOptions{Yes: opts.Yes, Action: what}); err != nil {
			return err
		}
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	return runBulk(ctx, bulkRun{
		IO: opts.IO, Format: opts.Format, Now: opts.Now, Auth: opts.Auth,
		Concurrency: opts.Bulk.Concurrency, Label: "Deleting", DryRun: opts.DryRun, Plan: plan,
	}, opts.Refs, func(ctx context.Context, ref string) (any, error) {
		id, err := targetID(ctx, c, ref, opts.DryRun)
		if err != nil {
			return nil, err
		}
		if _, err := c.Users.Remove(ctx, id); err != nil {
			return nil, err
		}
		return deleted{UserID: id, Deleted: true}, nil
	})
}
