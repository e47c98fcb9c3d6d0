package profile

import (
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type showOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Now    func() time.Time
	Format output.Format
	Name   string
}

func newCmdShow(f *cmdutil.Factory, runF func(*showOptions) error) *cobra.Command {
	opts := &showOptions{F: f, IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show one profile (default: the one in use)",
		Example: heredoc.Doc(`
			$ kernia-admin profile show
			$ kernia-admin profile show staging --json
		`),
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func showRun(opts *showOptions) error {
	file, err := opts.F.ConfigFile()
	if err != nil {
		return err
	}
	current := currentName(opts.F, file)
	name := opts.Name
	if name == "" {
		name = current
	}
	p, err := lookup(file, name)
	if err != nil {
		return err
	}
	return output.PrintObject(opts.IO, opts.Format, detailSpec(), opts.Now, toRecord(p, current))
}
