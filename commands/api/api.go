// Package api implements `kernia-admin api`.
package api

import (
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// NewCmdAPI returns the api command.
func NewCmdAPI(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "api", Short: "TODO"}
}
