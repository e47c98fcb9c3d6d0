package profile

import (
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type useOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Name   string
	DryRun bool
}

func newCmdUse(f *cmdutil.Factory, runF func(*useOptions) error) *cobra.Command {
	opts := &useOptions{F: f, IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "use NAME",
		Short: "Make a profile the current one",
		Long: heredoc.Doc(`
			Make NAME the profile used when neither --profile nor KERNIA_PROFILE is given.
			An unknown profile exits with code 5.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin profile use staging
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return useRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Check the profile and change nothing")
	return cmd
}

func useRun(opts *useOptions) error {
	file, err := opts.F.ConfigFile()
	if err != nil {
		return err
	}
	p, err := lookup(file, opts.Name)
	if err != nil {
		return err
	}
	if opts.DryRun {
		dryRunNote(opts.IO, "profile %s (%s) would become the current profile", p.Name, p.Server)
		return nil
	}
	if err := file.Use(p.Name); err != nil {
		return err
	}
	if err := file.Save(); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Now using profile %s (%s).\n", p.Name, orNone(p.Server))
	if env := opts.F.Getenv("KERNIA_PROFILE"); env != "" && env != p.Name {
		fmt.Fprintf(opts.IO.ErrOut, "note: KERNIA_PROFILE=%s is set and takes precedence in this shell\n", env)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no server set"
	}
	return s
}
