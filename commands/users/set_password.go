package users

import (
	"context"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/output"
)

type setPasswordOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Prompter  prompt.Prompter
	Now       func() time.Time
	Format    output.Format

	Ref           string
	PasswordStdin bool
	DryRun        bool
}

// passwordSet is set-password's machine-readable result (never the password).
type passwordSet struct {
	UserID string `json:"userId"`
	Email  string `json:"email"`
	Status string `json:"status"`
}

func newCmdSetPassword(f *cmdutil.Factory, runF func(*setPasswordOptions) error) *cobra.Command {
	opts := &setPasswordOptions{IO: f.IOStreams, APIClient: f.APIClient, Prompter: f.Prompter, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "set-password USER",
		Short: "Set a user's password",
		Long: heredoc.Doc(`
			Set the email-password credential of a user. The password is never a flag: pipe it
			with --password-stdin (the first line is used), or type it twice at the hidden
			prompt on a terminal. It must be 8 to 128 characters.

			The user's existing sessions stay valid (revoke them with "sessions revoke-all").
			A user without an email-password account is left unchanged by the server.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users set-password alice@example.com
			$ printf '%s\n' "$NEW_PASSWORD" | kernia-admin users set-password alice@example.com --password-stdin
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if !opts.PasswordStdin && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("no terminal to ask for the password: pipe it with --password-stdin")
			}
			if runF != nil {
				return runF(opts)
			}
			return setPasswordRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "Read the new password from stdin (first line)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func setPasswordRun(ctx context.Context, opts *setPasswordOptions) (err error) {
	defer func() { err = explain(err) }()
	password, err := readNewPassword(ctx, opts.IO, opts.Prompter, opts.PasswordStdin, false)
	if err != nil {
		return err
	}
	if err := checkPassword(password); err != nil {
		return err
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	c.Scrubber().Add(password)
	// Kernia answers {"status":true} even for an unknown user id: look the user up first, so
	// that a missing user is exit 5 and not a silent no-op.
	u, err := resolveUser(ctx, c, opts.Ref)
	if err != nil {
		return err
	}
	_, err = c.Users.SetPassword(ctx, u.ID, password)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Password updated for %s (%s)\n", u.Email, u.ID)
	if opts.Format.Machine() {
		return output.PrintObject(opts.IO, opts.Format, output.Spec{}, opts.Now, passwordSet{UserID: u.ID, Email: u.Email, Status: "updated"})
	}
	return nil
}
