// Package version implements `kernia-admin version`.
package version

import (
	"runtime"

	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/build"
	"github.com/kernia-dev/kernia-admin/output"
)

type info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// NewCmdVersion returns the version command.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	var format output.Format
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the version of kernia-admin",
		Example: "  $ kernia-admin version\n  $ kernia-admin version --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, c, d := build.Info()
			spec := output.Spec{Columns: []output.Column{
				{Header: "Version", Field: "version"}, {Header: "Commit", Field: "commit"}, {Header: "Date", Field: "date"},
				{Header: "Go", Field: "go"}, {Header: "OS", Field: "os"}, {Header: "Arch", Field: "arch"},
			}}
			return output.PrintObject(f.IOStreams, format, spec, f.Now, info{v, c, d, runtime.Version(), runtime.GOOS, runtime.GOARCH})
		},
	}
	output.AddFormatFlags(cmd, &format)
	return cmd
}
