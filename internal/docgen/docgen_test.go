package docgen

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDocsUpToDate fails when docs/commands differs from what the command tree generates.
// Regenerate with: go run ./cmd/gen-docs
func TestDocsUpToDate(t *testing.T) {
	pages, err := Markdown()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "docs", "commands")
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s missing: run go run ./cmd/gen-docs", name)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s is stale: run go run ./cmd/gen-docs", name)
		}
	}
	existing, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range existing {
		if _, ok := pages[filepath.Base(p)]; !ok {
			t.Errorf("%s documents no command: run go run ./cmd/gen-docs", p)
		}
	}
	if len(pages) < 10 {
		t.Fatalf("only %d pages generated", len(pages))
	}
}

func TestCompletions(t *testing.T) {
	dir := t.TempDir()
	if err := WriteCompletions(dir); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"kernia-admin.bash", "_kernia-admin", "kernia-admin.fish", "kernia-admin.ps1"} {
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil || fi.Size() < 100 {
			t.Errorf("%s: %v", n, err)
		}
	}
}
