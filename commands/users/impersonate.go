package users

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

type impersonateOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Ref       string
	ShowToken bool
	DryRun    bool
}

// impersonationView is what impersonate prints. Token is set only with --show-token.
type impersonationView struct {
	ID             string           `json:"id"`
	User           impersonatedUser `json:"user"`
	ExpiresAt      apiclient.Time   `json:"expiresAt"`
	ImpersonatedBy string           `json:"impersonatedBy"`
	Token          string           `json:"token,omitempty"`
}

type impersonatedUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

func newCmdImpersonate(f *cmdutil.Factory, runF func(*impersonateOptions) error) *cobra.Command {
	opts := &impersonateOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "impersonate USER",
		Short: "Start a session as another user",
		Long: heredoc.Doc(`
			Create an impersonation session for a user (1 hour on Kernia by default) and print
			it: id, user, expiry and the admin who started it. Your own session is unchanged.

			The session token is printed only with --show-token, and only this once. Use it as
			KERNIA_TOKEN to act as the user, and end the session with
			"users stop-impersonating --token-stdin".

			Admins cannot be impersonated unless the server allows it, and your role needs the
			user:impersonate permission.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users impersonate alice@example.com
			$ kernia-admin users impersonate alice@example.com --show-token --jq .token > imp.token
			$ kernia-admin users stop-impersonating --token-stdin < imp.token
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(opts)
			}
			return impersonateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ShowToken, "show-token", false, "Print the new session's token (once)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func impersonationSpec(showToken bool) output.Spec {
	spec := output.Spec{Columns: []output.Column{
		{Header: "Session ID", Field: "id"},
		{Header: "User", Field: "user.email"},
		{Header: "User ID", Field: "user.id"},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
		{Header: "Impersonated by", Field: "impersonatedBy"},
	}}
	if showToken {
		spec.Columns = append(spec.Columns, output.Column{Header: "Token", Field: "token"})
		spec.Reveal = []string{"token"} // the secret this command just created, shown once
	}
	return spec
}

func impersonateRun(ctx context.Context, opts *impersonateOptions) (err error) {
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
	imp, _, err := c.Users.Impersonate(ctx, id)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	v := impersonationView{
		ID:             imp.Session.ID,
		User:           impersonatedUser{ID: imp.User.ID, Email: imp.User.Email, Name: imp.User.Name},
		ExpiresAt:      imp.Session.ExpiresAt,
		ImpersonatedBy: imp.Session.ImpersonatedBy,
	}
	if opts.ShowToken {
		v.Token = imp.SignedToken
		if v.Token == "" {
			v.Token = imp.Session.Token
		}
		// A table must never cut the token it shows once: widen it (the terminal wraps).
		if need := len(v.Token) + len("Impersonated by") + 8; opts.IO.TerminalWidth() < need {
			opts.IO.SetTerminalWidth(need)
		}
	}
	if err := output.PrintObject(opts.IO, opts.Format, impersonationSpec(opts.ShowToken), opts.Now, v); err != nil {
		return err
	}
	if opts.IO.IsStderrTTY() {
		hint := "rerun with --show-token to get its token (a new session)"
		if opts.ShowToken {
			hint = "end it with `kernia-admin users stop-impersonating --token-stdin`"
		}
		fmt.Fprintf(opts.IO.ErrOut, "Impersonating %s until %s; %s\n", imp.User.Email, imp.Session.ExpiresAt.UTC().Format(time.RFC3339), hint)
	}
	return nil
}
