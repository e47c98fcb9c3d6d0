// Package doctor implements `kernia-admin doctor`.
package doctor

import (
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdDoctor returns the doctor command.
func NewCmdDoctor(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "doctor", Short: "TODO"}
}
