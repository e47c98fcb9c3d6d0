package authmethods

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

func newCmdToggle(f *cmdutil.Factory, runF func(*changeOptions) error) *cobra.Command {
	opts := newChangeOptions(f, "toggle")
	cmd := &cobra.Command{
		Use:   "toggle METHOD",
		Short: "Flip a sign-in method on or off",
		Example: heredoc.Doc(`
			$ kernia-admin auth-methods toggle passkey
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateKeys(args); err != nil {
				return err
			}
			opts.Methods = args
			if runF != nil {
				return runF(opts)
			}
			return changeRun(cmd.Context(), opts)
		},
	}
	addChangeFlags(cmd, opts)
	return cmd
}
