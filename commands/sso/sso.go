// Package sso implements `kernia-admin sso`.
package sso

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdSSO returns the sso command group.
func NewCmdSSO(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sso <command>",
		Short: "Manage SSO identity providers and their verified domains",
		Long: heredoc.Doc(`
			Manage Kernia's SSO plugin: OIDC and SAML identity providers, and the email domains
			they serve.

			Kernia blocks every /sso route with 403 AUTH_METHOD_DISABLED while the "sso" auth
			method is disabled (the default with the admin-config plugin): enable it with
			'kernia-admin auth-methods enable sso'.

			Client secrets and private keys are read from files, stdin or the environment,
			never from flags, and are never printed, although Kernia's list-providers returns
			them in clear.
		`),
	}
	cmd.AddCommand(newCmdProviders(f), newCmdDomains(f))
	return cmd
}
