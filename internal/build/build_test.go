package build

import (
	"runtime/debug"
	"testing"
)

func TestInfo(t *testing.T) {
	withBI := func(version string, settings ...debug.BuildSetting) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Version: version}, Settings: settings}, true
		}
	}
	noBI := func() (*debug.BuildInfo, bool) { return nil, false }
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "deadbeef"}
	vt := debug.BuildSetting{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}

	tests := []struct {
		name                string
		v, c, d             string
		read                func() (*debug.BuildInfo, bool)
		wantV, wantC, wantD string
	}{
		{"ldflags win", "v1.2.3", "abc", "2026-05-05", withBI("v9.9.9", rev, vt), "v1.2.3", "abc", "2026-05-05"},
		{"build info fallback", "", "", "", withBI("v0.4.0", rev, vt), "v0.4.0", "deadbeef", "2026-01-02T03:04:05Z"},
		{"devel is ignored", "", "", "", withBI("(devel)", rev), "dev", "deadbeef", ""},
		{"partial ldflags", "v1.0.0", "", "", withBI("v0.4.0", rev, vt), "v1.0.0", "deadbeef", "2026-01-02T03:04:05Z"},
		{"nothing", "", "", "", noBI, "dev", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, c, d := info(tt.v, tt.c, tt.d, tt.read)
			if v != tt.wantV || c != tt.wantC || d != tt.wantD {
				t.Errorf("info() = %q, %q, %q; want %q, %q, %q", v, c, d, tt.wantV, tt.wantC, tt.wantD)
			}
		})
	}
}

func TestInfoNeverEmptyVersion(t *testing.T) {
	if v, _, _ := Info(); v == "" {
		t.Fatal("Info() returned an empty version")
	}
}
