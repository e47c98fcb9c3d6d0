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

type setRoleOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Ref    string
	Roles  []string
	DryRun bool
}

func newCmdSetRole(f *cmdutil.Factory, runF func(*setRoleOptions) error) *cobra.Command {
	opts := &setRoleOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "set-role USER ROLE...",
		Short: "Replace a user's roles",
		Long: heredoc.Doc(`
			Replace the roles of a user. Several roles are stored by the server as one
			comma-separated string ("user,admin"); every role must exist on the server.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users set-role alice@example.com admin
			$ kernia-admin users set-role 7f3kq2 user admin
		`),
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			roles, err := splitRoles(args[1:])
			if err != nil {
				return err
			}
			opts.Roles = roles
			if runF != nil {
				return runF(opts)
			}
			return setRoleRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func setRoleRun(ctx context.Context, opts *setRoleOptions) (err error) {
	defer func() { err = explain(err) }()
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	id, err := targetID(ctx, c, opts.Ref, opts.DryRun)
	if err != nil {
		return err
	}
	u, _, err := c.Users.SetRole(ctx, id, opts.Roles)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	return output.PrintObject(opts.IO, opts.Format, detailSpec(), opts.Now, u)
}
