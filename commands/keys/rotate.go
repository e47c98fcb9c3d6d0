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

type rotateOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	ID     string
	Grace  string
	DryRun bool

	grace time.Duration
}

// rotatedView is the table model of a rotation.
type rotatedView struct {
	NewKey          any            `json:"newKey"`
	OldKeyID        string         `json:"oldKeyId"`
	OldKeyExpiresAt apiclient.Time `json:"oldKeyExpiresAt"`
	OldKeyRevoked   bool           `json:"oldKeyRevoked"`
}

func rotatedSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "New key", Field: "newKey.key"},
		{Header: "New key ID", Field: "newKey.id"},
		{Header: "Name", Field: "newKey.name"},
		{Header: "Start", Field: "newKey.start"},
		{Header: "Owner", Field: "newKey.owner"},
		{Header: "Expires", Field: "newKey.expiresAt", Kind: output.Time},
		{Header: "Old key ID", Field: "oldKeyId"},
		{Header: "Old key works until", Field: "oldKeyExpiresAt", Kind: output.Time},
	}, Reveal: []string{"newKey.key"}}
}

func newCmdRotate(f *cmdutil.Factory, runF func(*rotateOptions) error) *cobra.Command {
	opts := &rotateOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "rotate ID",
		Short: "Replace an API key with a new one with the same settings",
		Long: heredoc.Doc(`
			Create a new key with the same owner and settings as key ID, then revoke the old
			one: at once, or after --grace DURATION, during which both keys work (time to roll
			the new key out). The new plaintext key is printed once (also in --json).

			Kernia has no rotate route: this uses the dashboard route
			POST /api/admin/api-keys/rotate, and a server without the dashboard "keys" family
			exits 9 (there, create a new key with 'keys create' and revoke the old one).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin keys rotate 4pQx9...
			$ kernia-admin keys rotate 4pQx9... --grace 10m --json --jq .newKey.key
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if opts.Grace != "" {
				d, err := parseDuration("--grace", opts.Grace)
				if err != nil {
					return err
				}
				// The dashboard's rotate route accepts a grace period of 0 to 86400 s.
				if d < time.Second || d > 24*time.Hour {
					return cmdutil.FlagErrorf("invalid --grace %q: must be between 1s and 1d", opts.Grace)
				}
				opts.grace = d
			}
			if runF != nil {
				return runF(opts)
			}
			return rotateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Grace, "grace", "", "Keep the old key working for `DURATION` (1s to 1d, e.g. 10m)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func rotateRun(ctx context.Context, opts *rotateOptions) (err error) {
	defer func() { err = explain(err) }()
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	if err := requireKeysFamily(ctx, c, "API-key rotation (the dashboard \"keys\" family)",
		"Kernia has no rotate route: create a new key with `kernia-admin keys create`, then revoke the old one with `kernia-admin keys revoke`"); err != nil {
		return err
	}
	r, _, err := c.APIKeys().Rotate(ctx, opts.ID, int64(opts.grace.Round(time.Second)/time.Second))
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	v := rotatedView{NewKey: record(opts.Format, &r.Key), OldKeyID: r.OldKeyID, OldKeyExpiresAt: r.OldKeyExpiresAt, OldKeyRevoked: r.OldKeyExpiresAt.IsZero()}
	if err := output.PrintObject(opts.IO, opts.Format, rotatedSpec(), opts.Now, v); err != nil {
		return err
	}
	if r.OldKeyExpiresAt.IsZero() {
		fmt.Fprintf(opts.IO.ErrOut, "The old key %s is revoked. %s\n", r.OldKeyID, saveNotice)
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "The old key %s keeps working until %s. %s\n", r.OldKeyID, r.OldKeyExpiresAt.UTC().Format(time.RFC3339), saveNotice)
	}
	return nil
}
