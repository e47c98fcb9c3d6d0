// Package profile implements `kernia-admin profile`.
package profile

import (
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdProfile returns the profile command.
func NewCmdProfile(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "profile", Short: "TODO"}
}
