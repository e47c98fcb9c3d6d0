// Package sessions implements `kernia-admin sessions`.
package sessions

import (
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdSessions returns the sessions command.
func NewCmdSessions(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "sessions", Short: "TODO"}
}
