package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type tokenOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Reveal bool
}

func newCmdToken(f *cmdutil.Factory, runF func(*tokenOptions) error) *cobra.Command {
	opts := &tokenOptions{F: f, IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print the session token (for other tools)",
		Long: heredoc.Doc(`
			Print the session token of the current profile (or KERNIA_TOKEN) to stdout, so
			that another tool can use it, e.g. as "Authorization: Bearer <token>".

			This is the one command whose purpose is to reveal a secret. To keep it off
			screens and screen shares it refuses to print to a terminal unless --reveal is
			given; in a pipe or a command substitution it just prints the token. It does not
			check the token with the server ('kernia-admin auth status' does).
		`),
		Example: heredoc.Doc(`
			$ curl -H "Authorization: Bearer $(kernia-admin auth token)" https://auth.example.com/api/auth/get-session
			$ kernia-admin auth token --profile staging | pbcopy
			$ kernia-admin auth token --reveal
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.IO.IsStdoutTTY() && !opts.Reveal {
				return &cmdutil.ExitError{Code: cmdutil.ExitUsage,
					Err:  errors.New("refusing to print the session token to a terminal"),
					Hint: "pipe it to another command, or pass --reveal to show it here"}
			}
			if runF != nil {
				return runF(opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Reveal, "reveal", false, "Print the token even when stdout is a terminal")
	return cmd
}

func tokenRun(ctx context.Context, opts *tokenOptions) error {
	f := opts.F
	r, err := f.Resolved()
	if err != nil {
		return err
	}
	token := r.Token
	if token == "" && isSandbox(r.Server) {
		c, err := f.APIClient()
		if err != nil {
			return err
		}
		token = c.Token()
	}
	if token == "" {
		if r.TokenError != nil {
			return cmdutil.Errorf(cmdutil.ExitAuth, "run `kernia-admin auth login`", "not logged in: the session token could not be read from the OS keyring: %v", r.TokenError)
		}
		return cmdutil.Errorf(cmdutil.ExitAuth, "run `kernia-admin auth login`", "not logged in (profile %s): no session token", r.ProfileName)
	}
	// The token is the data this command exists to print; output.* would redact it.
	_, err = fmt.Fprintln(opts.IO.Out, token)
	return err
}
