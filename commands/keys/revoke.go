package keys

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

type revokeOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Auth      func() cmdutil.AuthContext
	Confirm   func(context.Context, cmdutil.ConfirmOptions) error
	Now       func() time.Time
	Format    output.Format

	IDs         []string
	FromFile    string
	Concurrency int
	Yes         bool
	DryRun      bool
}

type revoked struct {
	KeyID   string `json:"keyId"`
	Revoked bool   `json:"revoked"`
	Via     string `json:"via"`
}

func newCmdRevoke(f *cmdutil.Factory, runF func(*revokeOptions) error) *cobra.Command {
	opts := &revokeOptions{IO: f.IOStreams, APIClient: f.APIClient, Auth: f.AuthContext, Confirm: f.Confirm, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "revoke ID...",
		Aliases: []string{"rm"},
		Short:   "Revoke (delete) API keys",
		Long: heredoc.Doc(`
			Revoke one or more API keys (ids as arguments or with --from-file FILE|-). A revoked
			key stops working at once; this cannot be undone.

			Any user's key is revoked through the dashboard route POST /api/admin/api-keys/revoke.
			A server without the dashboard "keys" family can only revoke your own keys, through
			Kernia's POST /api-key/delete (Kernia has no revoke route).

			On a terminal you are asked to confirm; otherwise --yes is required (exit 2 without).
			The exit code is 8 if any key failed.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin keys revoke 4pQx9...
			$ kernia-admin keys list --all-users --jq '.[] | select(.name=="old") | .id' -r | kernia-admin keys revoke --from-file - --yes
			$ kernia-admin keys revoke 4pQx9... 7Hk2m... --dry-run
		`),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Concurrency < 1 || opts.Concurrency > 32 {
				return cmdutil.FlagErrorf("invalid --concurrency %d: must be between 1 and 32", opts.Concurrency)
			}
			ids, err := cmdutil.ReadIDs(args, opts.FromFile, opts.IO.In)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				return cmdutil.FlagErrorf("no keys given: pass ids as arguments or with --from-file FILE|-")
			}
			opts.IDs = ids
			if runF != nil {
				return runF(opts)
			}
			return revokeRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.FromFile, "from-file", "", "Read more key ids from `FILE` (one a line; - for stdin)")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, "Keys revoked in parallel (1-32)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Revoke without asking for confirmation")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the requests that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func revokeRun(ctx context.Context, opts *revokeOptions) error {
	if !opts.DryRun {
		what := "revoke API key " + opts.IDs[0]
		if len(opts.IDs) > 1 {
			what = fmt.Sprintf("revoke %d API keys", len(opts.IDs))
		}
		if err := opts.Confirm(ctx, cmdutil.ConfirmOptions{Yes: opts.Yes, Action: what}); err != nil {
			return err
		}
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	dashboard, err := c.Admin.HasFamily(ctx, apiclient.KeysFamily)
	if err != nil {
		return err
	}
	var ac cmdutil.AuthContext
	if opts.Auth != nil {
		ac = opts.Auth()
	}
	spec := output.Spec{}
	if opts.DryRun {
		spec = output.Spec{Columns: []output.Column{
			{Header: "ID", Field: "id"},
			{Header: "Status", Field: "status"},
			{Header: "Method", Field: "result.method"},
			{Header: "Path", Field: "result.path"},
			{Header: "Error", Field: "error"},
		}}
	}
	err = cmdutil.RunBulk(ctx, cmdutil.BulkOptions{
		IO: opts.IO, Format: opts.Format, Now: opts.Now, Concurrency: opts.Concurrency, Label: "Revoking", Auth: ac, Spec: spec,
	}, opts.IDs, func(ctx context.Context, id string) (any, error) {
		if dashboard {
			if _, err := c.APIKeys().Revoke(ctx, id); err != nil {
				return nil, explain(err)
			}
			return revoked{KeyID: id, Revoked: true, Via: "dashboard"}, nil
		}
		if _, err := c.APIKeys().Delete(ctx, id); err != nil {
			return nil, explain(err)
		}
		return revoked{KeyID: id, Revoked: true, Via: "kernia"}, nil
	})
	if opts.DryRun {
		plan.Note(opts.IO)
	}
	return err
}
