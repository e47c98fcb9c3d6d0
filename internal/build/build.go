// Package build reports the version of the running binary.
//
// Release builds set the variables with -ldflags, for example:
//
//	go build -ldflags "-X github.com/kernia-dev/kernia-admin/internal/build.Version=v1.2.3 \
//	  -X github.com/kernia-dev/kernia-admin/internal/build.Commit=abc1234 \
//	  -X github.com/kernia-dev/kernia-admin/internal/build.Date=2026-01-02T03:04:05Z"
//
// Builds without ldflags (go install, go run, tests) fall back to the module
// version and VCS stamp recorded by the Go toolchain.
package build

import "runtime/debug"

// Version, Commit and Date are set at link time with -ldflags -X. They are the
// only package-level variables this project allows, and nothing writes them at
// run time.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// DefaultVersion is reported when neither ldflags nor the build info give a version.
const DefaultVersion = "dev"

// Info returns the version, commit and build date of the binary. Values set by
// ldflags win; otherwise the module version ("(devel)" is ignored), the
// vcs.revision and the vcs.time recorded by the Go toolchain are used. The
// version is never empty ("dev" as a last resort); commit and date may be.
func Info() (version, commit, date string) {
	return info(Version, Commit, Date, debug.ReadBuildInfo)
}

func info(v, c, d string, read func() (*debug.BuildInfo, bool)) (version, commit, date string) {
	version, commit, date = v, c, d
	if version != "" && commit != "" && date != "" {
		return version, commit, date
	}
	if bi, ok := read(); ok && bi != nil {
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if commit == "" {
					commit = s.Value
				}
			case "vcs.time":
				if date == "" {
					date = s.Value
				}
			}
		}
	}
	if version == "" {
		version = DefaultVersion
	}
	return version, commit, date
}
