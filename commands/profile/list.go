package profile

import (
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type listOptions struct {
	F      *cmdutil.Factory
	IO     *output.IOStreams
	Now    func() time.Time
	Format output.Format
}

func newCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{F: f, IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the profiles",
		Long: heredoc.Doc(`
			List the profiles with their server, email, whether each is the one in use, where
			its session token is stored (keyring, file or none) and when the session expires.
			Tokens are never shown.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin profile list
			$ kernia-admin profile list --json --jq '.[] | select(.current) | .server'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func listRun(opts *listOptions) error {
	file, err := opts.F.ConfigFile()
	if err != nil {
		return err
	}
	current := currentName(opts.F, file)
	list := output.NewList(opts.IO, opts.Format, listSpec(), opts.Now)
	for _, name := range file.Names() {
		p, _ := file.Profile(name)
		if err := list.Add(toRecord(p, current)); err != nil {
			return err
		}
	}
	if err := list.Close(); err != nil {
		return err
	}
	if len(file.Names()) == 0 && !opts.Format.Machine() {
		fmt.Fprintln(opts.IO.ErrOut, "No profiles yet: run `kernia-admin auth login --server URL` or `kernia-admin profile set NAME --server URL`.")
	}
	return nil
}
