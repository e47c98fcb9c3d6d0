package acceptance

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kernia-dev/kernia-admin/sandbox"
)

// TestREADMECommands runs the README's first command (the main job on a fresh machine) with
// the real binary in an empty directory, and checks that its second command is the one
// .ci/run calls.
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```sh\n")
	if !ok {
		t.Fatal("README has no ```sh block")
	}
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) < 2 {
		t.Fatalf("README's first block has %d lines, want the two commands", len(lines))
	}
	first := strings.TrimSpace(strings.SplitN(lines[0], "#", 2)[0])
	second := strings.TrimSpace(strings.SplitN(lines[1], "#", 2)[0])

	const goRun = "go run ./cmd/kernia-admin "
	if !strings.HasPrefix(first, goRun) {
		t.Fatalf("first command %q does not start with %q", first, goRun)
	}
	dir := t.TempDir()
	cmd := exec.Command(buildBinary(t), strings.Fields(strings.TrimPrefix(first, goRun))...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "KERNIA_CONFIG_DIR="+dir+"/cfg", "KERNIA_SERVER=", "KERNIA_TOKEN=", "KERNIA_PROFILE=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", first, err)
	}
	rows := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(rows) != sandbox.SeedUserCount || !strings.Contains(string(out), sandbox.AdminEmail+"\t") {
		t.Fatalf("%s printed %d rows, want the %d seeded users:\n%s", first, len(rows), sandbox.SeedUserCount, out)
	}

	ci, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if second != "go test ./..." || !strings.Contains(string(ci), "go test -count=1 ./...") {
		t.Fatalf("README's test command %q and .ci/run disagree", second)
	}
}
