package output

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fuzzSecret turns fuzz bytes into a secret of [A-Za-z0-9] (at least 8 characters), a
// charset redaction fingerprints ("*", "…") cannot produce, so any occurrence in the output
// is a leak.
func fuzzSecret(raw string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for i := 0; i < len(raw) && i < 48; i++ {
		b.WriteByte(alphabet[int(raw[i])%len(alphabet)])
	}
	s := b.String()
	for len(s) < 8 {
		s += "Zq8vR2xK"
	}
	return s
}

// mayNotTerminate skips jq programs that can loop or allocate without bound: --jq is the
// user's own program (it is bounded by Ctrl-C, not by the CLI), and a fuzzer that hangs
// finds nothing.
func mayNotTerminate(expr string) bool {
	for _, w := range []string{"def", "range", "repeat", "recurse", "while", "until", "limit", "..", "setpath",
		"input", "splits", "pow", "exp", "*", "implode", "$__", "getpath", "paths", "walk", "env", "tojson", "fromjson", "ltrimstr", "@"} {
		if strings.Contains(expr, w) {
			return true
		}
	}
	return len(expr) > 64
}

// FuzzJQ: any --jq program over any JSON answer carrying secrets (a password, a session
// token, an API key under secret key names) never panics, fails only with a *UsageError
// (a program that does not compile) or a "jq: " runtime error, and never prints a secret.
func FuzzJQ(f *testing.F) {
	for _, s := range [][2]string{
		{".", `{"id":"u1"}`},
		{".[0].token", `[{"id":"s1"}]`},
		{"[.[] | .password]", `[{"email":"a@x"}]`},
		{".session", `{"user":{"id":"u"}}`},
		{"to_entries", `{"a":1}`},
		{"keys", `{"a":{"b":[1,2,{"c":null}]}}`},
		{"map(.key)", `[{"key":"k"}]`},
		{".apiKey | length", `{}`},
		{"error(.)", `{"message":"boom"}`},
		{"{", `{}`},
		{"$ENV", `{}`},
		{".a.b[", `{}`},
		{"[.[] | ascii_downcase]", `["A"]`},
		{"map_values(tostring)", `{"a":1}`},
		{"halt_error", `"x"`},
		{"halt", `1`},
		{"group_by(.x)", `[{"x":1},{"x":2}]`},
		{".[] |= empty", `[1,2,3]`},
		{"first(.[])", `[]`},
	} {
		f.Add(s[0], []byte(s[1]), "S3cretValue")
	}
	f.Fuzz(func(t *testing.T, expr string, doc []byte, secretRaw string) {
		if mayNotTerminate(expr) {
			t.Skip()
		}
		secret := fuzzSecret(secretRaw)
		if strings.Contains(expr, secret[len(secret)-4:]) || strings.Contains(string(doc), secret[:4]) {
			t.Skip() // the program or the document spells (part of) it out itself
		}
		var inner any
		if json.Unmarshal(doc, &inner) != nil {
			inner = string(doc)
		}
		answer := map[string]any{
			"data":     inner,
			"password": secret,
			"session":  map[string]any{"id": "s1", "token": secret},
			"keys":     []any{map[string]any{"id": "k1", "key": secret, "apiKey": secret}},
			"user":     map[string]any{"id": "u1", "secret": secret},
		}
		raw, err := json.Marshal(answer)
		if err != nil {
			t.Skip()
		}
		for _, format := range []Format{{JQ: expr}, {JQ: expr, JSONL: true}} {
			ios, _, out, _ := Test()
			err := PrintRaw(ios, format, json.RawMessage(raw))
			if err != nil {
				var ue *UsageError
				if !errors.As(err, &ue) && !strings.HasPrefix(err.Error(), "jq: ") {
					t.Fatalf("PrintRaw(%q): %T %v", expr, err, err)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("secret in the error of %q: %v", expr, err)
				}
			}
			if strings.Contains(out.String(), secret) {
				t.Fatalf("secret printed by %q:\n%s", expr, out)
			}
		}
	})
}
