// Package output is the only place kernia-admin prints data: IOStreams (TTY
// detection, prompts allowed or not, terminal width), the --json / --jsonl /
// --jq format flags, and the list and object printers (TTY table, TSV, JSON,
// JSON Lines, jq). Every record printed goes through internal/redact first.
package output

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// IOStreams holds the standard streams of a command and what is known about
// them. Data goes to Out; progress, warnings and prompts go to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorEnabled                   bool
	neverPrompt                    bool
	columns                        int // from COLUMNS, 0 if unset
	widthOverride                  int
	ctx                            context.Context
}

// SetContext sets the context that bounds long-running rendering (a --jq program), so that
// Ctrl-C and --timeout stop it too.
func (s *IOStreams) SetContext(ctx context.Context) { s.ctx = ctx }

// Context returns the context set with SetContext, or context.Background().
func (s *IOStreams) Context() context.Context {
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// envLookup is the part of the environment System reads.
type envLookup func(string) string

// System returns streams over os.Stdin, os.Stdout and os.Stderr.
//
// TTY detection uses golang.org/x/term. KERNIA_FORCE_TTY (any value but "",
// "0" or "false") makes stdout count as a TTY even in a pipe. Color is on
// when stdout is a TTY, TERM is not "dumb" and NO_COLOR is unset (or empty);
// CLICOLOR=0 turns it off and CLICOLOR_FORCE (non-"0") turns it on off a
// TTY, but NO_COLOR always wins. COLUMNS, when a positive integer, is the
// terminal width.
func System() *IOStreams {
	return newSystem(os.Getenv, os.Stdin, os.Stdout, os.Stderr)
}

func newSystem(getenv envLookup, in, out, errOut *os.File) *IOStreams {
	ios := &IOStreams{
		In:        in,
		Out:       out,
		ErrOut:    errOut,
		stdinTTY:  isTerminal(in),
		stdoutTTY: isTerminal(out),
		stderrTTY: isTerminal(errOut),
	}
	if truthy(getenv("KERNIA_FORCE_TTY")) {
		ios.stdoutTTY = true
	}
	ios.colorEnabled = colorFromEnv(getenv, ios.stdoutTTY)
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		ios.columns = n
	}
	return ios
}

func colorFromEnv(getenv envLookup, tty bool) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	if getenv("CLICOLOR") == "0" || getenv("TERM") == "dumb" {
		return false
	}
	return tty
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

func isTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(int(f.Fd()))
}

// Test returns streams over in-memory buffers with every TTY off, color off
// and an 80-column terminal. Tests switch TTYs on explicitly.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether stdout is a terminal (or KERNIA_FORCE_TTY is set).
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY overrides stdin TTY detection.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY overrides stdout TTY detection.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides stderr TTY detection.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// ColorEnabled reports whether output to stdout may use ANSI color.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// SetColorEnabled overrides color detection.
func (s *IOStreams) SetColorEnabled(v bool) { s.colorEnabled = v }

// SetNeverPrompt forbids prompting (--no-input).
func (s *IOStreams) SetNeverPrompt(v bool) { s.neverPrompt = v }

// CanPrompt reports whether the command may ask the user something: stdin
// and stdout are terminals and prompting was not turned off.
func (s *IOStreams) CanPrompt() bool {
	return !s.neverPrompt && s.stdinTTY && s.stdoutTTY
}

// SetTerminalWidth overrides the terminal width (tests).
func (s *IOStreams) SetTerminalWidth(n int) { s.widthOverride = n }

// TerminalWidth returns the width to lay tables out in: an override, then
// COLUMNS, then the size of the stdout terminal, then 80.
func (s *IOStreams) TerminalWidth() int {
	if s.widthOverride > 0 {
		return s.widthOverride
	}
	if s.columns > 0 {
		return s.columns
	}
	if f, ok := s.Out.(*os.File); ok && isTerminal(f) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}
