package prompt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestHuhAccessible(t *testing.T) {
	ctx := context.Background()
	in := strings.NewReader("admin@example.com\n\ny\n2\nrevoke all\nrevoke some\n\n")
	var out bytes.Buffer
	p := NewHuh(in, &out, WithAccessible(true))

	email, err := p.Input(ctx, "Email", "")
	if err != nil || email != "admin@example.com" {
		t.Fatalf("Input = %q, %v", email, err)
	}
	server, err := p.Input(ctx, "Server", "https://auth.example.com")
	if err != nil || server != "https://auth.example.com" {
		t.Fatalf("Input default = %q, %v", server, err)
	}
	ok, err := p.Confirm(ctx, "Continue?", false)
	if err != nil || !ok {
		t.Fatalf("Confirm = %v, %v", ok, err)
	}
	choice, err := p.Select(ctx, "Profile", []string{"default", "prod", "staging"}, "default")
	if err != nil || choice != "prod" {
		t.Fatalf("Select = %q, %v", choice, err)
	}
	if err := p.ConfirmTyped(ctx, "Revoke every session?", "revoke all"); err != nil {
		t.Fatalf("ConfirmTyped = %v", err)
	}
	if err := p.ConfirmTyped(ctx, "Revoke every session?", "revoke all"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("ConfirmTyped mismatch = %v", err)
	}
	// Empty line: the default.
	choice, err = p.Select(ctx, "Profile", []string{"default", "prod"}, "prod")
	if err != nil || choice != "prod" {
		t.Fatalf("Select default = %q, %v", choice, err)
	}
	for _, want := range []string{"Email", "Continue?", "1. default", "revoke all"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestHuhErrors(t *testing.T) {
	p := NewHuh(strings.NewReader(""), &bytes.Buffer{}, WithAccessible(true))
	if _, err := p.Select(context.Background(), "x", nil, ""); !errors.Is(err, ErrNoOptions) {
		t.Errorf("Select no options = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Input(ctx, "x", ""); err != context.Canceled {
		t.Errorf("cancelled Input = %v", err)
	}
	// Accessible passwords need a terminal; a pipe is refused, not echoed.
	if _, err := p.Password(context.Background(), "Password"); !errors.Is(err, ErrNoTerminal) {
		t.Error("Password from a pipe in accessible mode: want an error")
	}
}

// TestHuhInteractive drives the full-screen huh form with raw key bytes.
func TestHuhInteractive(t *testing.T) {
	run := func(t *testing.T, keys string, f func(context.Context, Prompter) (any, error)) (any, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var out bytes.Buffer
		v, err := f(ctx, NewHuh(strings.NewReader(keys), &out))
		if ctx.Err() != nil {
			t.Fatalf("prompt did not finish: %v", ctx.Err())
		}
		return v, err
	}

	v, err := run(t, "hunter2\r", func(ctx context.Context, p Prompter) (any, error) { return p.Password(ctx, "Password") })
	if err != nil || v != "hunter2" {
		t.Errorf("Password = %v, %v", v, err)
	}
	v, err = run(t, "\r", func(ctx context.Context, p Prompter) (any, error) {
		return p.Input(ctx, "Server", "https://a.example.com")
	})
	if err != nil || v != "https://a.example.com" {
		t.Errorf("Input default = %v, %v", v, err)
	}
	v, err = run(t, "\x03", func(ctx context.Context, p Prompter) (any, error) { return p.Input(ctx, "Server", "") })
	if !errors.Is(err, ErrAborted) {
		t.Errorf("Ctrl-C = %v, %v; want ErrAborted", v, err)
	}
}

func TestStub(t *testing.T) {
	ctx := context.Background()
	s := new(Stub).
		ExpectInput("Email", "a@example.com").
		ExpectPassword("Password", "pw").
		ExpectConfirm("Continue", true).
		ExpectSelect("Profile", "prod").
		ExpectConfirmTyped("Revoke", "revoke all").
		ExpectConfirmTyped("Revoke", "nope").
		Expect(Answer{Kind: KindInput, UseDefault: true}).
		ExpectAbort("")

	if v, err := s.Input(ctx, "Email address", ""); err != nil || v != "a@example.com" {
		t.Fatal(v, err)
	}
	if v, err := s.Password(ctx, "Password"); err != nil || v != "pw" {
		t.Fatal(v, err)
	}
	if v, err := s.Confirm(ctx, "Continue?", false); err != nil || !v {
		t.Fatal(v, err)
	}
	if v, err := s.Select(ctx, "Profile", []string{"default", "prod"}, "default"); err != nil || v != "prod" {
		t.Fatal(v, err)
	}
	if err := s.ConfirmTyped(ctx, "Revoke all sessions", "revoke all"); err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmTyped(ctx, "Revoke all sessions", "revoke all"); !errors.Is(err, ErrMismatch) {
		t.Fatal(err)
	}
	if v, err := s.Input(ctx, "Server", "https://x"); err != nil || v != "https://x" {
		t.Fatal(v, err)
	}
	if _, err := s.Confirm(ctx, "Delete?", false); !errors.Is(err, ErrAborted) {
		t.Fatal(err)
	}
	if _, err := s.Input(ctx, "Extra", ""); err == nil || !strings.Contains(err.Error(), "no answers left") {
		t.Fatal(err)
	}
	if n := len(s.Calls()); n != 9 {
		t.Errorf("Calls = %d", n)
	}
	s.Verify(t)
}

func TestStubMismatches(t *testing.T) {
	ctx := context.Background()
	s := new(Stub).ExpectConfirm("Delete", true)
	if _, err := s.Input(ctx, "Delete", ""); err == nil {
		t.Error("wrong kind accepted")
	}
	if _, err := s.Confirm(ctx, "Revoke", false); err == nil {
		t.Error("wrong prompt accepted")
	}
	rec := &recorder{}
	s.Verify(rec)
	if len(rec.errs) != 1 {
		t.Errorf("Verify reported %v", rec.errs)
	}
	s = new(Stub).ExpectSelect("", "staging")
	if _, err := s.Select(ctx, "Profile", []string{"default"}, ""); err == nil {
		t.Error("answer outside the options accepted")
	}
}

type recorder struct{ errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}
