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

	// StripeKeyStdin reads a Stripe secret key to store in the profile; ClearStripeKey
	// removes it.
	StripeKeyStdin, ClearStripeKey bool

	emailSet, liveSet, insecureSet bool
}

func newCmdSet(f *cmdutil.Factory, runF func(*setOptions) error) *cobra.Command {
	opts := &setOptions{F: f, IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "set NAME --server URL [--email EMAIL] [--insecure-http] [--live] [--stripe-key-stdin | --clear-stripe-key]",
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

			--stripe-key-stdin stores a Stripe secret (sk_) or restricted (rk_) key, read from
			the first line of stdin, for the stripe commands (used after --api-key-stdin,
			--api-key-file and STRIPE_API_KEY, and only with the profile's own server): the
			server keeps its copy write-only. Like a session token it goes to the OS keyring
			(service kernia-admin, account NAME:stripe), or to the config file (mode 0600) with a
			warning when there is none (KERNIA_KEYRING=file|os|auto). It is never printed: profile
			show gives its fingerprint. --clear-stripe-key removes it.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin profile set staging --server https://auth.staging.example.com --email ops@example.com
			$ kernia-admin profile set lab --server http://10.0.0.5:8000 --insecure-http
			$ kernia-admin profile set prod --live
			$ pass show stripe/test | kernia-admin profile set staging --stripe-key-stdin
			$ kernia-admin profile set staging --clear-stripe-key
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
			if opts.StripeKeyStdin && opts.ClearStripeKey {
				return cmdutil.FlagErrorf("--stripe-key-stdin and --clear-stripe-key cannot be used together")
			}
			if !f.Flags.ServerSet && !opts.emailSet && !opts.liveSet && !opts.insecureSet && !opts.StripeKeyStdin && !opts.ClearStripeKey {
				return cmdutil.FlagErrorf("nothing to set: give --server, --email, --insecure-http, --live, --stripe-key-stdin or --clear-stripe-key")
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
	fl.BoolVar(&opts.StripeKeyStdin, "stripe-key-stdin", false, "Store a Stripe secret key read from the first line of stdin (OS keyring, else the 0600 config file)")
	fl.BoolVar(&opts.ClearStripeKey, "clear-stripe-key", false, "Remove the profile's stored Stripe key")
	return cmd
}

func setRun(ctx context.Context, opts *setOptions) error {
	f := opts.F
	stripeKey, err := readStripeKey(opts)
	if err != nil {
		return err
	}
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
		dryRunStripeKey(opts, stripeKey)
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
	return saveStripeKey(ctx, opts, file, stripeKey)
}
