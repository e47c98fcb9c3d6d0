package users

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/output"
)

func TestReadNewPassword(t *testing.T) {
	tests := []struct {
		name      string
		stdin     string
		fromStdin bool
		tty       bool
		optional  bool
		answers   []string
		want      string
		wantErr   string
	}{
		{name: "stdin first line", stdin: "secret-password\nignored\n", fromStdin: true, want: "secret-password"},
		{name: "stdin crlf", stdin: "secret-password\r\n", fromStdin: true, want: "secret-password"},
		{name: "stdin empty", stdin: "", fromStdin: true, wantErr: "no password on stdin"},
		{name: "prompt twice", tty: true, answers: []string{"secret-password", "secret-password"}, want: "secret-password"},
		{name: "prompt mismatch", tty: true, answers: []string{"secret-password", "secret-passw0rd"}, wantErr: "do not match"},
		{name: "prompt too short", tty: true, answers: []string{"short"}, wantErr: "too short"},
		{name: "optional empty", tty: true, optional: true, answers: []string{""}, want: ""},
		{name: "no tty no stdin", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, _ := output.Test()
			in.WriteString(tt.stdin)
			ios.SetStdinTTY(tt.tty)
			ios.SetStdoutTTY(tt.tty)
			stub := new(prompt.Stub)
			for _, a := range tt.answers {
				stub.ExpectPassword("", a)
			}
			got, err := readNewPassword(context.Background(), ios, stub, tt.fromStdin, tt.optional)
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a FlagError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			stub.Verify(t)
		})
	}
}

func TestValidateEmail(t *testing.T) {
	for _, ok := range []string{"a@example.com", "first.last+tag@sub.example.co.uk"} {
		if err := validateEmail("--email", ok); err != nil {
			t.Errorf("validateEmail(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "a@", "@example.com", "a@localhost", "A <a@example.com>", "a b@example.com", "a@example.com "} {
		if err := validateEmail("--email", bad); err == nil {
			t.Errorf("validateEmail(%q) accepted", bad)
		}
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		err      error
		wantCode int
		want     string
	}{
		{&apiclient.APIError{Status: 403, Code: "YOU_CANNOT_IMPERSONATE_ADMINS"}, 4, "admins cannot be impersonated"},
		{&apiclient.APIError{Status: 403, Code: "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS"}, 4, "role lacks the user:impersonate permission"},
		{&apiclient.APIError{Status: 403, Code: "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"}, 4, "user:ban"},
		{&apiclient.APIError{Status: 403, Code: "YOU_ARE_NOT_ALLOWED_TO_DO_SOMETHING_NEW"}, 4, "may not do something new"},
		{&apiclient.APIError{Status: 404, Code: "USER_NOT_FOUND"}, 5, "USER_NOT_FOUND"},
	}
	for _, tt := range tests {
		code, msg, hint := cmdutil.Describe(explain(tt.err), cmdutil.AuthContext{})
		if code != tt.wantCode || !strings.Contains(msg, tt.want) {
			t.Errorf("%v: got %d %q, want %d containing %q", tt.err, code, msg, tt.wantCode, tt.want)
		}
		if tt.wantCode == 4 && hint != "" {
			t.Errorf("%v: a permission refusal is one line, got hint %q", tt.err, hint)
		}
	}
	if explain(nil) != nil {
		t.Error("explain(nil) != nil")
	}
}
