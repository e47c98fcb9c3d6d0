package authmethods

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
	Public    bool
}

func newCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the sign-in methods and whether each is enabled",
		Long: heredoc.Doc(`
			List every sign-in method the server knows, enabled or not: Kernia's 13 defaults
			first, then any other method the server stores.

			--public reads what an unauthenticated login screen sees (public-auth); it needs
			no credentials.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin auth-methods list
			$ kernia-admin auth-methods list --public
			$ kernia-admin auth-methods list --json --jq '[.[] | select(.enabled) | .method]'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Public, "public", false, "Show what an unauthenticated login screen sees")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func listRun(ctx context.Context, opts *listOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	var methods apiclient.AuthMethods
	if opts.Public {
		methods, _, err = c.AdminConfig().PublicAuth(ctx)
	} else {
		methods, _, err = c.AdminConfig().AuthMethods(ctx)
	}
	if err != nil {
		return explain(err)
	}
	list := output.NewList(opts.IO, opts.Format, listSpec(), opts.Now)
	for _, k := range methods.Keys() {
		if err := list.Add(rowOf(k, methods[k])); err != nil {
			return err
		}
	}
	return list.Close()
}
