// Package docgen writes the command reference (docs/commands) and shell completions from the
// command tree, with a stub Factory: no config, keyring or network is touched.
package docgen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/kernia-dev/kernia-admin/commands"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/commands/factory"
	"github.com/kernia-dev/kernia-admin/internal/keyring"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

// Root returns the command tree built on a stub Factory.
func Root() *cobra.Command {
	ios, _, _, _ := output.Test()
	f := &cmdutil.Factory{
		IOStreams: ios,
		Prompter:  &prompt.Stub{},
		Keyring:   keyring.NewMemory(),
		Getenv:    func(string) string { return "" },
		Version:   "dev",
		Flags:     &cmdutil.GlobalFlags{},
		Scrubber:  &redact.Scrubber{},
	}
	factory.Wire(f)
	root := commands.NewCmdRoot(f)
	root.DisableAutoGenTag = true
	return root
}

// Markdown renders every command page: file name → content.
func Markdown() (map[string][]byte, error) {
	root := Root()
	pages := map[string][]byte{}
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		if !c.IsAvailableCommand() && c != root && !c.IsAdditionalHelpTopicCommand() || c.Name() == "help" {
			return nil
		}
		c.DisableAutoGenTag = true
		var buf bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &buf, func(s string) string { return s }); err != nil {
			return err
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
		pages[name] = buf.Bytes()
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	return pages, nil
}

// WriteMarkdown replaces dir's *.md files with the generated pages.
func WriteMarkdown(dir string) error {
	pages, err := Markdown()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range old {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	for name, b := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WriteCompletions writes bash, zsh, fish and PowerShell completion scripts to dir.
func WriteCompletions(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := Root()
	for name, gen := range map[string]func(string) error{
		"kernia-admin.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"_kernia-admin":     root.GenZshCompletionFile,
		"kernia-admin.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
		"kernia-admin.ps1":  root.GenPowerShellCompletionFileWithDesc,
	} {
		if err := gen(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}
