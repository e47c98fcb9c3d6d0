// Command gen-docs regenerates docs/commands (and, with --completions DIR, shell completions).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/kernia-dev/kernia-admin/internal/docgen"
)

func main() {
	docPath := flag.String("doc-path", "docs/commands", "directory for the markdown command reference")
	completions := flag.String("completions", "", "also write shell completions to this directory")
	flag.Parse()
	if err := docgen.WriteMarkdown(*docPath); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
	if *completions != "" {
		if err := docgen.WriteCompletions(*completions); err != nil {
			fmt.Fprintln(os.Stderr, "gen-docs:", err)
			os.Exit(1)
		}
	}
}
