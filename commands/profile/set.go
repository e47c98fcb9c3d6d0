package profile

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/output"
)

type setOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Name   string
	Email  string
	Live   bool
	DryRun bool

	emailSet, liveSet, insecureSet bool
}

func newCmdSet(f *cmdutil.Factory, runF func(*setOptions) error) *cobra.Command {
	opts := &setOptions{F: f, IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "set NAME --server URL [--email EMAIL] [--insecure-http] [--live]",
		Short: "Create a profile or change its settings",
		Long: heredoc.Doc(`
			Create the profile NAME, or change the settings given as flags. --server is
			required to create one. The server is validated: https, or plain http to a loopback
			address, or anything with --insecure-http (remembered in the profile;
			--insecure-http=false forgets it). --live allows Stripe live-mode keys
			(--live=false forbids them again).

			No token is ever taken here: sign in with 'kernia-admin auth login'. Changing the
			server of a profile deletes its stored token, which belongs to the old server.
			The first profile created becomes the current one.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin profile set staging --server https://auth.staging.example.com --email ops@example.com
			$ kernia-admin profile set lab --server http://10.0.0.5:8000 --insecure-http
			$ kernia-admin profile set prod --live
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if err := config.ValidateProfileName(opts.Name); err != nil {
				return &cmdutil.FlagError{Err: err}
			}
			fl := cmd.Flags()
			opts.emailSet, opts.liveSet, opts.insecureSet = fl.Changed("email"), fl.Changed("live"), fl.Changed("insecure-http")
			if f.Flags.ServerSet && f.Flags.Server == "" {
				return cmdutil.FlagErrorf("--server must not be empty")
			}
			if !f.Flags.ServerSet && !opts.emailSet && !opts.liveSet && !opts.insecureSet {
				return cmdutil.FlagErrorf("nothing to set: give --server, --email, --insecure-http or --live")
			}
			if runF != nil {
				return runF(opts)
			}
			return setRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Email, "email", "", "Email address to sign in with")
	fl.BoolVar(&opts.Live, "live", false, "Allow Stripe live-mode keys for this profile")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Validate and show the result without saving")
	return cmd
}

func setRun(ctx context.Context, opts *setOptions) error {
	f := opts.F
	file, err := f.ConfigFile()
	if err != nil {
		return err
	}
	p, exists := file.Profile(opts.Name)
	if !exists {
		if !f.Flags.ServerSet {
			return cmdutil.FlagErrorf("profile %q does not exist: --server is required to create it", opts.Name)
		}
		p = &config.Profile{Name: opts.Name}
	}
	next := *p
	if opts.insecureSet {
		next.InsecureHTTP = f.Flags.InsecureHTTP
	}
	if opts.liveSet {
		next.Live = opts.Live
	}
	if opts.emailSet {
		next.Email = opts.Email
	}
	serverChanged := false
	if f.Flags.ServerSet {
		s, err := config.ValidateServer(f.Flags.Server, next.InsecureHTTP)
		if err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		serverChanged = exists && p.Server != "" && s != p.Server
		next.Server = s
	} else if next.Server != "" {
		// Turning --insecure-http off must not leave an unusable profile behind.
		if _, err := config.ValidateServer(next.Server, next.InsecureHTTP); err != nil {
			return &cmdutil.FlagError{Err: err}
		}
	}
	dropToken := serverChanged && p.TokenStorage != ""

	verb := "Updated"
	if !exists {
		verb = "Created"
	}
	if opts.DryRun {
		dryRunNote(opts.IO, "%s profile %s would be saved (server %s)", map[bool]string{true: "updated", false: "new"}[exists], opts.Name, orNone(next.Server))
		if dropToken {
			fmt.Fprintf(opts.IO.ErrOut, "dry run: its stored token (for %s) would be deleted\n", p.Server)
		}
		return nil
	}

	if err := file.SetProfile(next); err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	if _, ok := file.Profile(file.Current()); !ok {
		_ = file.Use(opts.Name)
	}
	if dropToken {
		if err := config.DeleteToken(ctx, file, opts.Name, f.Keyring); err != nil {
			return ctxErr(ctx, err)
		}
	}
	if err := file.Save(); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s profile %s (%s).\n", verb, opts.Name, orNone(next.Server))
	if dropToken {
		fmt.Fprintf(opts.IO.ErrOut, "The server changed: the stored token (for %s) was deleted; run `kernia-admin auth login --profile %s`.\n", p.Server, opts.Name)
	}
	return nil
}
