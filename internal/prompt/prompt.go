// Package prompt asks the user questions. Commands depend on the Prompter
// interface; NewHuh is the interactive implementation (charmbracelet/huh) and
// Stub plays scripted answers in tests.
//
// Callers decide whether prompting is allowed (output.IOStreams.CanPrompt);
// this package never checks for a terminal itself.
package prompt

import (
	"context"
	"errors"
)

// Prompter asks questions. Every method returns ErrAborted when the user
// cancels (Ctrl-C, Esc) and ctx.Err() when ctx ends first.
type Prompter interface {
	// Input asks for a line of text; defaultValue is pre-filled.
	Input(ctx context.Context, prompt, defaultValue string) (string, error)
	// Password asks for a secret without echoing it.
	Password(ctx context.Context, prompt string) (string, error)
	// Confirm asks a yes/no question.
	Confirm(ctx context.Context, prompt string, defaultValue bool) (bool, error)
	// Select asks to pick one of options; defaultValue is pre-selected when
	// it is one of them.
	Select(ctx context.Context, prompt string, options []string, defaultValue string) (string, error)
	// ConfirmTyped asks the user to type expected exactly (e.g. "revoke all")
	// and returns ErrMismatch when the answer differs.
	ConfirmTyped(ctx context.Context, prompt, expected string) error
}

var (
	// ErrAborted means the user cancelled the prompt.
	ErrAborted = errors.New("prompt aborted by the user")
	// ErrMismatch means the text typed for ConfirmTyped was not the expected one.
	ErrMismatch = errors.New("confirmation text did not match")
	// ErrNoOptions is returned by Select when options is empty.
	ErrNoOptions = errors.New("nothing to select from")
	// ErrNoTerminal is returned by Password in accessible mode when the input
	// is not a terminal (huh would otherwise return an empty password).
	ErrNoTerminal = errors.New("password prompt needs a terminal")
)
