package keys

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
		Short: "Show one API key (never its plaintext)",
		Long: heredoc.Doc(`
			Show one API key: its settings, quota and rate limit (durations in words here, in
			milliseconds in --json, as on the wire), and when it was last used.

			Your own keys come from Kernia's GET /api-key/get. Kernia answers 404 for another
			user's key, even to an admin; the key is then looked up among every user's keys
			through the dashboard route, when the server has it.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin keys view 4pQx9...
			$ kernia-admin keys view 4pQx9... --jq .expiresAt
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

func viewRun(ctx context.Context, opts *viewOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	k, err := findKey(ctx, c, opts.ID)
	if err != nil {
		return err
	}
	return output.PrintObject(opts.IO, opts.Format, detailSpec(), opts.Now, record(opts.Format, k))
}

// findKey returns the caller's own key id, or any user's through the dashboard.
func findKey(ctx context.Context, c *apiclient.Client, id string) (*apiclient.APIKey, error) {
	k, _, err := c.APIKeys().Get(ctx, id)
	if err == nil || !cmdutil.IsNotFound(err) {
		return k, err
	}
	ok, ferr := c.Admin.HasFamily(ctx, apiclient.KeysFamily)
	if ferr != nil || !ok {
		return nil, err
	}
	for k, lerr := range c.APIKeys().AdminListAll(ctx, apiclient.AdminAPIKeyListOptions{}, 500) {
		if lerr != nil {
			return nil, lerr
		}
		if k.ID == id {
			return k, nil
		}
	}
	return nil, cmdutil.Errorf(cmdutil.ExitNotFound, "", "API key %s not found", id)
}
