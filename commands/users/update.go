package users

import (
	"context"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type updateOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Ref    string
	Data   string
	DryRun bool

	data map[string]any
}

func newCmdUpdate(f *cmdutil.Factory, runF func(*updateOptions) error) *cobra.Command {
	opts := &updateOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	var (
		name, email, image string
		emailVerified      bool
	)
	cmd := &cobra.Command{
		Use:   "update USER",
		Short: "Change a user's name, email, image or other columns",
		Long: heredoc.Doc(`
			Update columns of a user. Only the flags you give are changed; --data sets any
			other column from a JSON object (inline or @FILE), and the flags win over it.
			--image "" clears the image. Roles are changed with "users set-role".
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users update alice@example.com --name "Alice Pleasance Liddell"
			$ kernia-admin users update 7f3kq2 --email alice@new.example.com --email-verified=false
			$ kernia-admin users update alice@example.com --data '{"image":"https://example.com/a.png"}'
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			data := map[string]any{}
			if opts.Data != "" {
				d, err := readDataFlag(opts.Data, opts.IO.In)
				if err != nil {
					return err
				}
				data = d
			}
			fl := cmd.Flags()
			if fl.Changed("name") {
				if strings.TrimSpace(name) == "" {
					return cmdutil.FlagErrorf("--name must not be empty")
				}
				data["name"] = name
			}
			if fl.Changed("email") {
				if err := validateEmail("--email", email); err != nil {
					return err
				}
				data["email"] = email
			}
			if fl.Changed("image") {
				if image == "" {
					data["image"] = nil
				} else {
					data["image"] = image
				}
			}
			if fl.Changed("email-verified") {
				data["emailVerified"] = emailVerified
			}
			if len(data) == 0 {
				return cmdutil.FlagErrorf("nothing to update: give --name, --email, --image, --email-verified or --data")
			}
			opts.data = data
			if runF != nil {
				return runF(opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&name, "name", "", "New display name")
	fl.StringVar(&email, "email", "", "New email address")
	fl.StringVar(&image, "image", "", "New image `URL` (\"\" clears it)")
	fl.BoolVar(&emailVerified, "email-verified", false, "Mark the email as verified (--email-verified=false to unmark)")
	fl.StringVar(&opts.Data, "data", "", "Other columns as a JSON object, or @FILE (@- for stdin)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func updateRun(ctx context.Context, opts *updateOptions) (err error) {
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
	u, _, err := c.Users.Update(ctx, id, opts.data)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	return output.PrintObject(opts.IO, opts.Format, detailSpec(), opts.Now, u)
}
