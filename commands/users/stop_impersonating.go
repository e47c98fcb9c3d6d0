package users

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/output"
)

type stopImpersonatingOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Prompter  prompt.Prompter
	Now       func() time.Time
	Format    output.Format

	TokenStdin bool
	DryRun     bool
}

func newCmdStopImpersonating(f *cmdutil.Factory, runF func(*stopImpersonatingOptions) error) *cobra.Command {
	opts := &stopImpersonatingOptions{IO: f.IOStreams, APIClient: f.APIClient, Prompter: f.Prompter, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "stop-impersonating --token-stdin",
		Short: "End an impersonation session",
		Long: heredoc.Doc(`
			End an impersonation session started with "users impersonate --show-token". The
			request is sent with the impersonation token (read from stdin with --token-stdin,
			or typed at a hidden prompt on a terminal), not with your own session, which stays
			signed in.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users stop-impersonating --token-stdin < imp.token
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !opts.TokenStdin && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("no terminal to ask for the impersonation token: pipe it with --token-stdin")
			}
			if runF != nil {
				return runF(opts)
			}
			return stopImpersonatingRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.TokenStdin, "token-stdin", false, "Read the impersonation token from stdin")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func stopImpersonatingRun(ctx context.Context, opts *stopImpersonatingOptions) error {
	var token string
	var err error
	if opts.TokenStdin {
		token, err = cmdutil.ReadSecret(opts.IO.In, "impersonation token")
	} else {
		token, err = opts.Prompter.Password(ctx, "Impersonation token:")
		err = promptErr(err)
	}
	if err != nil {
		return err
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	c.Scrubber().Add(token)
	_, err = c.Users.StopImpersonating(ctx, token)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	var ae *apiclient.APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Status == http.StatusUnauthorized:
			// Not the admin's session: the impersonation token itself was refused.
			return cmdutil.Errorf(cmdutil.ExitAuth, "", "the impersonation token is invalid, or its session has already ended or expired")
		case ae.Code == "NOT_IMPERSONATING":
			return cmdutil.Errorf(cmdutil.ExitConflict, "", "this token's session is not an impersonation session (NOT_IMPERSONATING)")
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.ErrOut, "Impersonation session ended")
	if opts.Format.Machine() {
		return output.PrintObject(opts.IO, opts.Format, output.Spec{}, opts.Now, map[string]string{"status": "stopped"})
	}
	return nil
}
