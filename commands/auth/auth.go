// Package auth implements `kernia-admin auth`.
package auth

import (
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdAuth returns the auth command.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "auth", Short: "TODO"}
}
