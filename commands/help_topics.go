package commands

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
)

func addHelpTopics(root *cobra.Command) {
	topics := []*cobra.Command{
		{
			Use:   "exit-codes",
			Short: "Exit codes and what they mean",
			Long: heredoc.Doc(`
				kernia-admin exits with the same codes everywhere:

				  0    ok
				  1    error
				  2    usage or invalid input (nothing was sent)
				  3    not authenticated (401)
				  4    forbidden (403)
				  5    not found
				  6    conflict or validation refused by the server
				  7    network, timeout or rate limit after retries
				  8    partial failure in a bulk operation
				  9    feature not available on this server
				  130  interrupted
			`),
		},
		{
			Use:   "environment",
			Short: "Environment variables that kernia-admin reads",
			Long: heredoc.Doc(`
				KERNIA_SERVER      server URL (or sandbox:PATH); overrides the profile
				KERNIA_PROFILE     profile name
				KERNIA_TOKEN       session token; overrides the stored one (for CI)
				KERNIA_API_KEY     sent as x-api-key on the routes where Kernia accepts a key
				KERNIA_EMAIL, KERNIA_PASSWORD
				                   sign in again automatically after a 401 (pipelines)
				KERNIA_CONFIG_DIR  configuration directory (default: the OS config dir)
				KERNIA_KEYRING     where tokens are stored: auto (default), os or file
				KERNIA_DIALECT     kernia (default) or better-auth
				KERNIA_FORCE_TTY   render for a terminal even when stdout is not one
				NO_COLOR           disable color

				Precedence: flag > environment > profile > default.
			`),
		},
	}
	// Without Run they are listed as "Additional help topics": kernia-admin help exit-codes.
	root.AddCommand(topics...)
}
