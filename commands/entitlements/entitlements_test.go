package entitlements

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

var testNow = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

func testFactory() *cmdutil.Factory {
	ios, _, _, _ := output.Test()
	return &cmdutil.Factory{IOStreams: ios, Now: func() time.Time { return testNow }, Flags: &cmdutil.GlobalFlags{}}
}

func TestParseWhen(t *testing.T) {
	for _, tt := range []struct {
		in   string
		past bool
		want time.Time
	}{
		{"7d", true, testNow.Add(-7 * 24 * time.Hour)},
		{"30d", false, testNow.Add(30 * 24 * time.Hour)},
		{"2w", true, testNow.Add(-14 * 24 * time.Hour)},
		{"12h", false, testNow.Add(12 * time.Hour)},
		{"2026-11-01", true, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-12-31T10:00:00Z", false, time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC)},
	} {
		got, err := parseWhen("--x", tt.in, testNow, tt.past)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "soon", "-3d", "0d", "1y"} {
		if _, err := parseWhen("--x", bad, testNow, true); err == nil {
			t.Errorf("parseWhen(%q) accepted", bad)
		}
	}
}

func TestFlagValidation(t *testing.T) {
	f := testFactory()
	var gotGrant *grantOptions
	var gotTrack *trackOptions
	var gotUsage *usageOptions
	tests := []struct {
		args    string
		wantErr string
	}{
		{"list", "exactly one of --user USER or --org ID"},
		{"list --user a --org b", "exactly one of"},
		{"grant u f --amount 5", "--reason is required"},
		{"grant u f --amount -1 --reason r", "--amount must be a positive number"},
		{"grant u f --amount 5 --reason r --expires 2020-01-01", "in the past"},
		{"grant u f --amount 5 --reason r --expires 30d", ""},
		{"track u f --quantity 2", "--idempotency-key is required"},
		{"track u f --quantity 2 --idempotency-key k --at 1d", ""},
		{"usage u --since nope", "invalid --since"},
		{"usage u --since 2026-11-01 --feature calls", ""},
	}
	for _, tt := range tests {
		cmd := NewCmdEntitlements(f)
		// Replace the run functions so nothing is sent.
		for _, c := range cmd.Commands() {
			switch c.Name() {
			case "grant":
				cmd.RemoveCommand(c)
				cmd.AddCommand(newCmdGrant(f, func(o *grantOptions) error { gotGrant = o; return nil }))
			case "track":
				cmd.RemoveCommand(c)
				cmd.AddCommand(newCmdTrack(f, func(o *trackOptions) error { gotTrack = o; return nil }))
			case "usage":
				cmd.RemoveCommand(c)
				cmd.AddCommand(newCmdUsage(f, func(o *usageOptions) error { gotUsage = o; return nil }))
			case "list":
				cmd.RemoveCommand(c)
				cmd.AddCommand(newCmdList(f, func(*listOptions) error { return nil }))
			}
		}
		cmd.SetArgs(strings.Fields(tt.args))
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.args, err)
			}
			continue
		}
		var fe *cmdutil.FlagError
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !asFlagError(err, &fe) {
			t.Errorf("%s: err = %v, want a usage error with %q", tt.args, err, tt.wantErr)
		}
	}
	if gotGrant == nil || *gotGrant.expiresAt != testNow.Add(30*24*time.Hour).Unix() {
		t.Errorf("grant expiresAt = %+v", gotGrant)
	}
	if gotTrack == nil || *gotTrack.occurredAt != testNow.Add(-24*time.Hour).Unix() {
		t.Errorf("track occurredAt = %+v", gotTrack)
	}
	if gotUsage == nil || !gotUsage.since.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || gotUsage.Feature != "calls" {
		t.Errorf("usage = %+v", gotUsage)
	}
}

func asFlagError(err error, target **cmdutil.FlagError) bool {
	fe, ok := err.(*cmdutil.FlagError)
	*target = fe
	return ok
}
