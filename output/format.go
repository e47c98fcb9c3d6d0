package output

import (
	"errors"
	"fmt"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
)

// Format is the machine-output choice of a command, set by AddFormatFlags.
// The zero value means a table (TTY) or TSV (pipe).
type Format struct {
	JSON  bool   // --json: one JSON array (list) or object
	JSONL bool   // --jsonl: one compact JSON object a line, streamed
	JQ    string // --jq EXPR: gojq filter over the JSON (implies JSON)
}

// Machine reports whether a machine format (JSON, JSON Lines or jq) was asked for.
func (f Format) Machine() bool { return f.JSON || f.JSONL || f.JQ != "" }

// UsageError is a bad combination or value of flags: nothing was sent, and
// the command exits with the usage code (2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// AddFormatFlags registers --json, --jsonl and --jq on cmd and validates them
// before the command runs (chained in front of any existing PreRunE/PreRun).
// Errors are *UsageError.
func AddFormatFlags(cmd *cobra.Command, f *Format) {
	fl := cmd.Flags()
	fl.BoolVar(&f.JSON, "json", false, "Output JSON")
	fl.BoolVar(&f.JSONL, "jsonl", false, "Output JSON Lines: one object per line, streamed")
	fl.StringVar(&f.JQ, "jq", "", "Filter JSON output using a jq `expression` (implies --json)")

	prevE, prev := cmd.PreRunE, cmd.PreRun
	cmd.PreRun = nil
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if err := f.Validate(); err != nil {
			return err
		}
		if prevE != nil {
			return prevE(c, args)
		}
		if prev != nil {
			prev(c, args)
		}
		return nil
	}
}

// Validate checks the flag combination and the jq expression, and sets JSON
// when --jq is given without --jsonl. Errors are *UsageError.
func (f *Format) Validate() error {
	if f.JSON && f.JSONL {
		return &UsageError{errors.New("--json and --jsonl cannot be used together")}
	}
	if f.JQ != "" {
		if _, err := compileJQ(f.JQ); err != nil {
			return &UsageError{err}
		}
		if !f.JSONL {
			f.JSON = true
		}
	}
	return nil
}

// compileJQ parses and compiles a jq expression. No environment is exposed
// to the program ($ENV and env are empty): it could hold credentials.
func compileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid --jq expression: %w", err)
	}
	code, err := gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
	if err != nil {
		return nil, fmt.Errorf("invalid --jq expression: %w", err)
	}
	return code, nil
}
