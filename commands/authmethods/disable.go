package authmethods

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

func newCmdDisable(f *cmdutil.Factory, runF func(*changeOptions) error) *cobra.Command {
	opts := newChangeOptions(f, "disable")
	cmd := &cobra.Command{
		Use:   "disable METHOD...",
		Short: "Disable sign-in methods",
		Long: heredoc.Doc(`
			Disable one or more sign-in methods and print what changed. Their routes then answer
			403 AUTH_METHOD_DISABLED.

			Disabling the last method an admin can sign in with (anything but anonymous and
			two-factor) asks for confirmation on a terminal and needs --yes otherwise.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin auth-methods disable magic-link
			$ kernia-admin auth-methods disable email-password --yes
		`),
		Args: cobra.MinimumNArgs(1),
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
