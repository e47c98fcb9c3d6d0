package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/charmbracelet/huh"
	"golang.org/x/term"
)

// HuhOption configures NewHuh.
type HuhOption func(*huhPrompter)

// WithAccessible switches huh to its accessible mode: plain line-based
// prompts, no cursor movement, suitable for screen readers (and for reading
// answers from a pipe in tests). Password prompts need a terminal in this mode.
func WithAccessible(accessible bool) HuhOption {
	return func(p *huhPrompter) { p.accessible = accessible }
}

// NewHuh returns a Prompter that runs huh forms reading keys from in and
// drawing on out (normally the IOStreams In and ErrOut: prompts never go to
// stdout).
func NewHuh(in io.Reader, out io.Writer, opts ...HuhOption) Prompter {
	p := &huhPrompter{in: in, out: out}
	for _, o := range opts {
		o(p)
	}
	return p
}

type huhPrompter struct {
	in         io.Reader
	out        io.Writer
	accessible bool
}

func (p *huhPrompter) run(ctx context.Context, field huh.Field) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	in := p.in
	if p.accessible {
		// Accessible fields each wrap the input in a new bufio.Scanner, which
		// would swallow the lines meant for the next prompt; feed it one byte
		// at a time so that it never reads past the end of its line.
		in = oneByte(p.in)
	}
	form := huh.NewForm(huh.NewGroup(field)).
		WithInput(in).
		WithOutput(p.out).
		WithShowHelp(!p.accessible).
		WithAccessible(p.accessible)
	err := form.RunWithContext(ctx)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, huh.ErrUserAborted):
		return ErrAborted
	default:
		return fmt.Errorf("prompt: %w", err)
	}
}

func (p *huhPrompter) Input(ctx context.Context, prompt, defaultValue string) (string, error) {
	v := defaultValue
	if err := p.run(ctx, huh.NewInput().Title(prompt).Value(&v)); err != nil {
		return "", err
	}
	return strings.TrimSpace(v), nil
}

func (p *huhPrompter) Password(ctx context.Context, prompt string) (string, error) {
	if p.accessible {
		f, ok := p.in.(interface{ Fd() uintptr })
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return "", ErrNoTerminal
		}
	}
	var v string
	if err := p.run(ctx, huh.NewInput().Title(prompt).EchoMode(huh.EchoModePassword).Value(&v)); err != nil {
		return "", err
	}
	return v, nil
}

func (p *huhPrompter) Confirm(ctx context.Context, prompt string, defaultValue bool) (bool, error) {
	v := defaultValue
	if err := p.run(ctx, huh.NewConfirm().Title(prompt).Value(&v)); err != nil {
		return false, err
	}
	return v, nil
}

func (p *huhPrompter) Select(ctx context.Context, prompt string, options []string, defaultValue string) (string, error) {
	if len(options) == 0 {
		return "", ErrNoOptions
	}
	v := defaultValue
	if !slices.Contains(options, v) {
		v = options[0]
	}
	if err := p.run(ctx, huh.NewSelect[string]().Title(prompt).Options(huh.NewOptions(options...)...).Value(&v)); err != nil {
		return "", err
	}
	return v, nil
}

func (p *huhPrompter) ConfirmTyped(ctx context.Context, prompt, expected string) error {
	var v string
	// The expected text is in the title: accessible mode shows no description.
	title := fmt.Sprintf("%s\nType %q to confirm:", prompt, expected)
	if err := p.run(ctx, huh.NewInput().Title(title).Value(&v)); err != nil {
		return err
	}
	if strings.TrimSpace(v) != expected {
		return ErrMismatch
	}
	return nil
}

// oneByte wraps r so that every Read returns at most one byte, keeping the
// Fd method of a terminal (huh reads accessible passwords through it).
func oneByte(r io.Reader) io.Reader {
	if f, ok := r.(interface{ Fd() uintptr }); ok {
		return fdByteReader{byteReader{r}, f.Fd}
	}
	return byteReader{r}
}

type byteReader struct{ r io.Reader }

type fdByteReader struct {
	byteReader
	fd func() uintptr
}

func (f fdByteReader) Fd() uintptr { return f.fd() }

func (b byteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return b.r.Read(p)
}
