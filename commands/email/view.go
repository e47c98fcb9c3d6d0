package email

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
	ID        string
}

func newCmdView(f *cmdutil.Factory, runF func(*viewOptions) error) *cobra.Command {
	opts := &viewOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "view ID",
		Short: "Show one email client",
		Example: heredoc.Doc(`
			$ kernia-admin email view smtp-main
			$ kernia-admin email view smtp-main --jq .credential
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return viewRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func viewRun(ctx context.Context, opts *viewOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	entries, err := st.list(ctx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if str(e.Fields, "id") == opts.ID {
			return output.PrintObject(opts.IO, opts.Format, detailSpec(), opts.Now, viewOf(e.Fields, e.States))
		}
	}
	return notFound(opts.ID)
}
