// Package commands is the kernia-admin command tree.
package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/commands/factory"
	"github.com/kernia-dev/kernia-admin/internal/build"
)

// Main runs kernia-admin with os.Args and returns the process exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	version, _, _ := build.Info()
	f := factory.New(version)
	return Run(ctx, f, os.Args[1:])
}

// Run executes args with f and returns the exit code; errors are printed to f's stderr.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	defer f.Cleanup()
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	_, err := root.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		fmt.Fprintln(f.IOStreams.ErrOut, "kernia-admin: interrupted")
		return cmdutil.ExitInterrupted
	}
	if isCobraUsageError(err) {
		err = &cmdutil.FlagError{Err: err}
	}
	code, msg, hint := cmdutil.Describe(err, f.AuthContext())
	if msg != "" {
		fmt.Fprintln(f.IOStreams.ErrOut, "kernia-admin: "+f.Scrubber.Scrub(msg))
	}
	if hint != "" {
		fmt.Fprintln(f.IOStreams.ErrOut, f.Scrubber.Scrub(hint))
	}
	var fe *cmdutil.FlagError
	if errors.As(err, &fe) && strings.HasPrefix(err.Error(), "unknown command") {
		fmt.Fprintln(f.IOStreams.ErrOut, "Run 'kernia-admin --help' for usage.")
	}
	return code
}

func isCobraUsageError(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "if any flags in the group", "required flag"} {
		if strings.HasPrefix(s, p) || strings.Contains(s, p) && strings.HasPrefix(s, "invalid argument") {
			return true
		}
	}
	return strings.Contains(s, "were all set") || strings.Contains(s, "must all be set")
}
