package authmethods

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

func newCmdEnable(f *cmdutil.Factory, runF func(*changeOptions) error) *cobra.Command {
	opts := newChangeOptions(f, "enable")
	cmd := &cobra.Command{
		Use:   "enable METHOD...",
		Short: "Enable sign-in methods",
		Long: heredoc.Doc(`
			Enable one or more sign-in methods and print what changed. Unknown method names are
			refused (exit 2) unless --allow-unknown is given, which adds them.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin auth-methods enable magic-link passkey
			$ kernia-admin auth-methods enable gitlab --allow-unknown
			$ kernia-admin auth-methods enable sso --dry-run
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
