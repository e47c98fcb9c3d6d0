package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/output"
)

type logoutOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Now    func() time.Time
	Format output.Format
	DryRun bool
}

func newCmdLogout(f *cmdutil.Factory, runF func(*logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{F: f, IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Sign out and delete the stored session token",
		Long: heredoc.Doc(`
			Sign the profile's stored session out on its server and delete the token from the
			OS keyring and the config file. The profile itself (server, email) is kept; use
			'kernia-admin profile delete' to remove it.

			Logging out twice is not an error. A session the server already forgot (401) is
			simply deleted locally. KERNIA_TOKEN is not touched.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin auth logout
			$ kernia-admin auth logout --profile staging
			$ kernia-admin auth logout --dry-run
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Show the sign-out request and delete nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func logoutRun(ctx context.Context, opts *logoutOptions) error {
	f := opts.F
	errOut := opts.IO.ErrOut
	file, err := f.ConfigFile()
	if err != nil {
		return err
	}
	name, err := profileName(f, file)
	if err != nil {
		return err
	}
	p, ok := file.Profile(name)
	if !ok {
		fmt.Fprintf(errOut, "Not logged in: there is no profile %s; nothing to do.\n", name)
		return nil
	}
	token, terr := storedToken(ctx, p, f.Keyring)
	if terr != nil && ctx.Err() != nil {
		return ctx.Err()
	}

	if token != "" && p.Server != "" {
		server, err := config.ValidateServer(p.Server, p.InsecureHTTP || f.Flags.InsecureHTTP)
		if err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		f.Scrubber.Add(token)
		plan := &cmdutil.Plan{}
		c, err := f.NewClient(server, append([]apiclient.Option{apiclient.WithToken(token), apiclient.WithInsecureHTTP(p.InsecureHTTP || f.Flags.InsecureHTTP)}, plan.Options(opts.DryRun)...)...)
		if err != nil {
			return err
		}
		_, err = c.Auth.SignOut(ctx)
		switch {
		case plan.Handled(err):
			fmt.Fprintf(errOut, "dry run: the stored token of profile %s would be deleted\n", name)
			return plan.Print(opts.IO, opts.Format, opts.Now)
		case err == nil, isUnauthorized(err), cmdutil.IsRouteMissing(err):
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			fmt.Fprintf(errOut, "warning: could not sign out on %s (%s); deleting the stored token anyway\n", server, f.Scrubber.Scrub(err.Error()))
		}
	} else if opts.DryRun {
		fmt.Fprintf(errOut, "dry run: profile %s has no stored session; nothing would be sent\n", name)
		return (&cmdutil.Plan{}).Print(opts.IO, opts.Format, opts.Now)
	}

	had := token != "" || p.TokenStorage != ""
	if err := config.DeleteToken(ctx, file, name, f.Keyring); err != nil {
		return err
	}
	if had {
		fmt.Fprintf(errOut, "Logged out of %s (profile %s); the stored token was deleted.\n", p.Server, name)
	} else {
		fmt.Fprintf(errOut, "Not logged in (profile %s); nothing to do.\n", name)
	}
	return nil
}
