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

type viewOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
	Ref       string
}

func newCmdView(f *cmdutil.Factory, runF func(*viewOptions) error) *cobra.Command {
	opts := &viewOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "view USER",
		Short: "Show one user",
		Example: heredoc.Doc(`
			$ kernia-admin users view alice@example.com
			$ kernia-admin users view 7f3kq2... --json
			$ kernia-admin users view alice@example.com --jq .banExpires
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(opts)
			}
			return viewRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func viewRun(ctx context.Context, opts *viewOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	u, err := resolveUser(ctx, c, opts.Ref)
	if err != nil {
		return err
	}
	return output.PrintObject(opts.IO, opts.Format, detailSpec(), opts.Now, u)
}
