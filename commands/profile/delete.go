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

type deleteOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Name   string
	Yes    bool
	DryRun bool
}

func newCmdDelete(f *cmdutil.Factory, runF func(*deleteOptions) error) *cobra.Command {
	opts := &deleteOptions{F: f, IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:     "delete NAME",
		Aliases: []string{"rm"},
		Short:   "Delete a profile and its stored token",
		Long: heredoc.Doc(`
			Delete the profile NAME from the config file and its session token from the OS
			keyring and the file. The session is not signed out on the server (use
			'kernia-admin auth logout --profile NAME' first for that).

			Asks for confirmation on a terminal; otherwise --yes is required (exit 2 without).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin profile delete staging
			$ kernia-admin profile delete staging --yes
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask for confirmation")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Show what would be deleted and change nothing")
	return cmd
}

func deleteRun(ctx context.Context, opts *deleteOptions) error {
	f := opts.F
	file, err := f.ConfigFile()
	if err != nil {
		return err
	}
	p, err := lookup(file, opts.Name)
	if err != nil {
		return err
	}
	if opts.DryRun {
		dryRunNote(opts.IO, "profile %s (%s) and its stored token would be deleted", p.Name, orNone(p.Server))
		return nil
	}
	if err := f.Confirm(ctx, cmdutil.ConfirmOptions{Yes: opts.Yes, Action: fmt.Sprintf("delete profile %s (%s) and its stored token", p.Name, orNone(p.Server))}); err != nil {
		return err
	}
	if err := config.DeleteToken(ctx, file, p.Name, f.Keyring); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Fprintf(opts.IO.ErrOut, "warning: %v\n", err)
	}
	if err := config.DeleteStripeKey(ctx, file, p.Name, f.Keyring); err != nil { // its Stripe key too
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Fprintf(opts.IO.ErrOut, "warning: %v\n", err)
	}
	if err := file.DeleteProfile(p.Name); err != nil {
		return err
	}
	if err := file.Save(); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Deleted profile %s and its stored token.\n", p.Name)
	return nil
}
