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

type listOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
}

func newCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the email clients",
		Long: heredoc.Doc(`
			List the configured email clients: id, kind, from address, SMTP server and the
			state of the secret (never its value).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin email list
			$ kernia-admin email list --json --jq '.[] | select(.kind == "smtp") | .id'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func listRun(ctx context.Context, opts *listOptions) error {
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
	list := output.NewList(opts.IO, opts.Format, listSpec(), opts.Now)
	for _, e := range entries {
		if err := list.Add(rowOf(viewOf(e.Fields, e.States))); err != nil {
			return err
		}
	}
	return list.Close()
}
