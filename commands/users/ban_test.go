package users

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

func TestParseExpires(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "1d", want: 24 * time.Hour},
		{in: "12h", want: 12 * time.Hour},
		{in: "30m", want: 30 * time.Minute},
		{in: "90s", want: 90 * time.Second},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "2d30m", want: 48*time.Hour + 30*time.Minute},
		{in: " 7d ", want: 7 * 24 * time.Hour},
		{in: "0d1s", want: time.Second},
		{in: "1500ms", want: 2 * time.Second}, // rounded to whole seconds (the wire unit)
		{in: "36500d", want: 36500 * 24 * time.Hour},
		{in: "", wantErr: "empty"},
		{in: "7", wantErr: "not a duration"},
		{in: "7x", wantErr: "not a duration"},
		{in: "d", wantErr: "not a duration"},
		{in: "1.5d", wantErr: "not a duration"},
		{in: "7D", wantErr: "not a duration"},
		{in: "1w", wantErr: "not a duration"},
		{in: "-5m", wantErr: "must be positive"},
		{in: "7d-1h", wantErr: "not a duration"},
		{in: "7d+1h", wantErr: "not a duration"},
		{in: "1dd", wantErr: "not a duration"},
		{in: "0", wantErr: "at least 1s"},
		{in: "0d", wantErr: "at least 1s"},
		{in: "400ms", wantErr: "at least 1s"},
		{in: "36501d", wantErr: "too long"},
		{in: "99999999999999999999d", wantErr: "too long"},
		{in: "876001h", wantErr: "too long"},
		{in: "36500d1h", wantErr: "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseExpires(tt.in)
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) {
					t.Fatalf("parseExpires(%q) = %v, %v; want a FlagError containing %q", tt.in, got, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseExpires(%q) error %q does not contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseExpires(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("parseExpires(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestNewCmdBan checks argument parsing: what reaches banRun, and what is refused (exit 2)
// before anything is sent.
func TestNewCmdBan(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		want     banOptions
		wantErr  string
		wantRefs []string
	}{
		{
			name:     "reason and days",
			args:     []string{"u1", "--reason", "charge back", "--expires", "7d"},
			want:     banOptions{Reason: "charge back", expiresIn: 7 * 24 * time.Hour, Bulk: bulkFlags{Concurrency: 4}},
			wantRefs: []string{"u1"},
		},
		{
			name:     "no expiry is permanent",
			args:     []string{"u1", "u2", "u1", "--concurrency", "32"},
			want:     banOptions{Bulk: bulkFlags{Concurrency: 32}},
			wantRefs: []string{"u1", "u2"},
		},
		{
			name:     "from stdin",
			args:     []string{"u1", "--from-file", "-", "--expires", "12h"},
			stdin:    "# comment\nu2\n\na@example.com\n",
			want:     banOptions{expiresIn: 12 * time.Hour, Bulk: bulkFlags{FromFile: "-", Concurrency: 4}},
			wantRefs: []string{"u1", "u2", "a@example.com"},
		},
		{name: "bad expiry", args: []string{"u1", "--expires", "7x"}, wantErr: `invalid --expires "7x"`},
		{name: "no users", args: []string{}, wantErr: "no users given"},
		{name: "concurrency too high", args: []string{"u1", "--concurrency", "33"}, wantErr: "between 1 and 32"},
		{name: "concurrency zero", args: []string{"u1", "--concurrency", "0"}, wantErr: "between 1 and 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, stdin, _, _ := output.Test()
			stdin.WriteString(tt.stdin)
			f := &cmdutil.Factory{IOStreams: ios}
			var got *banOptions
			cmd := newCmdBan(f, func(o *banOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetIn(&bytes.Buffer{})
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			_, err := cmd.ExecuteC()
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a FlagError containing %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatal("run function called despite the error")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got.Reason != tt.want.Reason || got.expiresIn != tt.want.expiresIn || got.Bulk != tt.want.Bulk {
				t.Errorf("got reason=%q expires=%v bulk=%+v, want reason=%q expires=%v bulk=%+v",
					got.Reason, got.expiresIn, got.Bulk, tt.want.Reason, tt.want.expiresIn, tt.want.Bulk)
			}
			if strings.Join(got.Refs, ",") != strings.Join(tt.wantRefs, ",") {
				t.Errorf("refs = %q, want %q", got.Refs, tt.wantRefs)
			}
		})
	}
}
