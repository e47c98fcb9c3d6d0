package prompt

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Kinds of prompt, as recorded by Stub.
const (
	KindInput        = "input"
	KindPassword     = "password"
	KindConfirm      = "confirm"
	KindSelect       = "select"
	KindConfirmTyped = "confirm-typed"
)

// Answer is one scripted answer of a Stub.
type Answer struct {
	Kind string // one of the Kind constants; "" accepts any kind
	// Prompt, when not empty, must be a substring of the prompt asked.
	Prompt string
	// Value answers Input, Password, Select and ConfirmTyped (the typed text).
	Value string
	// Bool answers Confirm.
	Bool bool
	// UseDefault answers with the prompt's default value.
	UseDefault bool
	// Err is returned instead of an answer (e.g. ErrAborted).
	Err error
}

// Call records one prompt asked of a Stub.
type Call struct {
	Kind, Prompt string
	Default      string   // Input, Select; "true"/"false" for Confirm; expected text for ConfirmTyped
	Options      []string // Select
}

// Stub is a Prompter that plays scripted answers in order, for tests. A
// question without a matching answer fails with a descriptive error. The zero
// value has no answers. Stub is safe for concurrent use.
//
//	s := new(prompt.Stub).
//		ExpectInput("Email", "admin@example.com").
//		ExpectPassword("Password", "hunter2").
//		ExpectConfirm("Continue", true)
//	... run the command with s ...
//	s.Verify(t)
type Stub struct {
	mu      sync.Mutex
	answers []Answer
	calls   []Call
}

// Expect adds scripted answers.
func (s *Stub) Expect(answers ...Answer) *Stub {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = append(s.answers, answers...)
	return s
}

// ExpectInput answers an Input whose prompt contains prompt.
func (s *Stub) ExpectInput(prompt, value string) *Stub {
	return s.Expect(Answer{Kind: KindInput, Prompt: prompt, Value: value})
}

// ExpectPassword answers a Password whose prompt contains prompt.
func (s *Stub) ExpectPassword(prompt, value string) *Stub {
	return s.Expect(Answer{Kind: KindPassword, Prompt: prompt, Value: value})
}

// ExpectConfirm answers a Confirm whose prompt contains prompt.
func (s *Stub) ExpectConfirm(prompt string, value bool) *Stub {
	return s.Expect(Answer{Kind: KindConfirm, Prompt: prompt, Bool: value})
}

// ExpectSelect answers a Select whose prompt contains prompt; value must be
// one of the options offered.
func (s *Stub) ExpectSelect(prompt, value string) *Stub {
	return s.Expect(Answer{Kind: KindSelect, Prompt: prompt, Value: value})
}

// ExpectConfirmTyped answers a ConfirmTyped with the text typed.
func (s *Stub) ExpectConfirmTyped(prompt, typed string) *Stub {
	return s.Expect(Answer{Kind: KindConfirmTyped, Prompt: prompt, Value: typed})
}

// ExpectAbort makes the next prompt of the kind ("" for any) return ErrAborted.
func (s *Stub) ExpectAbort(kind string) *Stub {
	return s.Expect(Answer{Kind: kind, Err: ErrAborted})
}

// Calls returns the prompts asked so far.
func (s *Stub) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Remaining returns the answers not consumed yet.
func (s *Stub) Remaining() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answers)
}

// TB is the subset of testing.TB used by Verify.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Verify reports every scripted answer that was not used.
func (s *Stub) Verify(t TB) {
	t.Helper()
	for _, a := range s.Remaining() {
		t.Errorf("prompt.Stub: unused answer for %s %q", cmpOr(a.Kind, "any prompt"), a.Prompt)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Stub) next(ctx context.Context, c Call) (Answer, error) {
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	if len(s.answers) == 0 {
		return Answer{}, fmt.Errorf("prompt.Stub: unexpected %s prompt %q: no answers left", c.Kind, c.Prompt)
	}
	a := s.answers[0]
	if a.Kind != "" && a.Kind != c.Kind {
		return Answer{}, fmt.Errorf("prompt.Stub: got %s prompt %q, want %s prompt %q", c.Kind, c.Prompt, a.Kind, a.Prompt)
	}
	if !strings.Contains(c.Prompt, a.Prompt) {
		return Answer{}, fmt.Errorf("prompt.Stub: got %s prompt %q, want one containing %q", c.Kind, c.Prompt, a.Prompt)
	}
	s.answers = s.answers[1:]
	return a, a.Err
}

func (s *Stub) Input(ctx context.Context, prompt, defaultValue string) (string, error) {
	a, err := s.next(ctx, Call{Kind: KindInput, Prompt: prompt, Default: defaultValue})
	if err != nil {
		return "", err
	}
	if a.UseDefault {
		return defaultValue, nil
	}
	return a.Value, nil
}

func (s *Stub) Password(ctx context.Context, prompt string) (string, error) {
	a, err := s.next(ctx, Call{Kind: KindPassword, Prompt: prompt})
	if err != nil {
		return "", err
	}
	return a.Value, nil
}

func (s *Stub) Confirm(ctx context.Context, prompt string, defaultValue bool) (bool, error) {
	a, err := s.next(ctx, Call{Kind: KindConfirm, Prompt: prompt, Default: fmt.Sprint(defaultValue)})
	if err != nil {
		return false, err
	}
	if a.UseDefault {
		return defaultValue, nil
	}
	return a.Bool, nil
}

func (s *Stub) Select(ctx context.Context, prompt string, options []string, defaultValue string) (string, error) {
	if len(options) == 0 {
		return "", ErrNoOptions
	}
	a, err := s.next(ctx, Call{Kind: KindSelect, Prompt: prompt, Default: defaultValue, Options: slices.Clone(options)})
	if err != nil {
		return "", err
	}
	v := a.Value
	if a.UseDefault {
		v = defaultValue
		if !slices.Contains(options, v) {
			v = options[0]
		}
	}
	if !slices.Contains(options, v) {
		return "", fmt.Errorf("prompt.Stub: answer %q to %q is not one of the options %q", v, prompt, options)
	}
	return v, nil
}

func (s *Stub) ConfirmTyped(ctx context.Context, prompt, expected string) error {
	a, err := s.next(ctx, Call{Kind: KindConfirmTyped, Prompt: prompt, Default: expected})
	if err != nil {
		return err
	}
	if a.UseDefault || strings.TrimSpace(a.Value) == expected {
		return nil
	}
	return ErrMismatch
}

var _ Prompter = (*Stub)(nil)
