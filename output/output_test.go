package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./output -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s mismatch\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

type user struct {
	ID         string  `json:"id"`
	Email      string  `json:"email"`
	Name       string  `json:"name"`
	Role       string  `json:"role"`
	Banned     bool    `json:"banned"`
	CreatedAt  string  `json:"createdAt"`
	LastSeenAt *string `json:"lastSeenAt"`
	Plan       struct {
		Name string `json:"name"`
	} `json:"plan"`
}

func ptr[T any](v T) *T { return &v }

func testUsers() []user {
	u := []user{
		{ID: "usr_1", Email: "alice@example.com", Name: "Alice <Admin>", Role: "admin",
			CreatedAt: "2026-01-15T11:55:00Z", LastSeenAt: ptr("2025-11-10T09:00:00+02:00")},
		{ID: "usr_2", Email: "bob@example.com", Name: "Bob\tTab", Role: "user", Banned: true,
			CreatedAt: "2026-01-12T08:00:00Z"},
		{ID: "usr_3", Email: "carol@example.com", Name: "Carol", Role: "user",
			CreatedAt: "2024-12-01T00:00:00Z", LastSeenAt: ptr("2026-01-21T12:30:00Z")},
	}
	u[0].Plan.Name = "pro"
	return u
}

var userSpec = Spec{Columns: []Column{
	{Header: "ID", Field: "id"},
	{Header: "Email", Field: "email"},
	{Header: "Name", Field: "name"},
	{Header: "Role", Field: "role"},
	{Header: "Plan", Field: "plan.name"},
	{Header: "Banned", Field: "banned", Kind: Bool},
	{Header: "Created", Field: "createdAt", Kind: Time},
	{Header: "Last seen", Field: "lastSeenAt", Kind: Time},
}}

func printList(t *testing.T, tty bool, f Format, recs []user) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := Test()
	ios.SetStdoutTTY(tty)
	ios.SetTerminalWidth(120)
	l := NewList(ios, f, userSpec, fixedNow)
	for _, r := range recs {
		if err := l.Add(r); err != nil {
			return out.String(), errOut.String(), err
		}
	}
	err := l.Close()
	return out.String(), errOut.String(), err
}

func TestListGolden(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		f    Format
		recs []user
	}{
		{"list_tty", true, Format{}, testUsers()},
		{"list_notty", false, Format{}, testUsers()},
		{"list_json", false, Format{JSON: true}, testUsers()},
		{"list_json_tty", true, Format{JSON: true}, testUsers()},
		{"list_jsonl", false, Format{JSONL: true}, testUsers()},
		{"list_jq", false, Format{JSON: true, JQ: `.[] | select(.role == "user") | .email`}, testUsers()},
		{"list_jq_object", false, Format{JSON: true, JQ: `map({id, banned}) | .[0], length`}, testUsers()},
		{"list_jsonl_jq", false, Format{JSONL: true, JQ: `{id, plan: .plan.name}`}, testUsers()},
		{"list_empty_json", false, Format{JSON: true}, nil},
		{"list_empty_jq", false, Format{JQ: `length`}, nil},
		{"list_empty_notty", false, Format{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := printList(t, tt.tty, tt.f, tt.recs)
			if err != nil {
				t.Fatal(err)
			}
			if errOut != "" {
				t.Errorf("stderr: %q", errOut)
			}
			golden(t, tt.name, out)
		})
	}
}

func TestListEmptyTTY(t *testing.T) {
	out, errOut, err := printList(t, true, Format{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		t.Errorf("stdout = %q, want empty", out)
	}
	if errOut != "No results\n" {
		t.Errorf("stderr = %q", errOut)
	}
}

func TestListJSONEqualsArray(t *testing.T) {
	// The streamed array is byte-identical to an indented encoding of the
	// whole slice (keys sorted, no HTML escaping).
	out, _, err := printList(t, false, Format{JSON: true}, testUsers())
	if err != nil {
		t.Fatal(err)
	}
	ios, _, raw, _ := Test()
	if err := PrintRaw(ios, Format{}, testUsers()); err != nil {
		t.Fatal(err)
	}
	if out != raw.String() {
		t.Errorf("streamed array differs from PrintRaw:\n%s\n---\n%s", out, raw)
	}
}

func TestObjectGolden(t *testing.T) {
	rec := testUsers()[0]
	tests := []struct {
		name string
		tty  bool
		f    Format
		spec Spec
	}{
		{"object_tty", true, Format{}, userSpec},
		{"object_notty", false, Format{}, userSpec},
		{"object_json", false, Format{JSON: true}, userSpec},
		{"object_jsonl", false, Format{JSONL: true}, userSpec},
		{"object_jq", false, Format{JSON: true, JQ: `.email, .plan`}, userSpec},
		{"object_notty_nospec", false, Format{}, Spec{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := Test()
			ios.SetStdoutTTY(tt.tty)
			if err := PrintObject(ios, tt.f, tt.spec, fixedNow, rec); err != nil {
				t.Fatal(err)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr: %q", errOut)
			}
			golden(t, tt.name, out.String())
		})
	}
}

func TestPrintRaw(t *testing.T) {
	doc := []byte(`{"data":{"sessions":[{"id":"s1","token":"raw-session-token-0123456789abc"}]},"n":12345678901234567890}`)
	tests := []struct {
		name string
		f    Format
		v    any
		want string
	}{
		{"json bytes", Format{}, doc, "{\n  \"data\": {\n    \"sessions\": [\n      {\n        \"id\": \"s1\",\n        \"token\": \"********…9abc\"\n      }\n    ]\n  },\n  \"n\": 12345678901234567890\n}\n"},
		{"jq", Format{JQ: ".data.sessions[].token"}, doc, "********…9abc\n"},
		{"jsonl array", Format{JSONL: true}, []any{map[string]any{"a": 1}, "x"}, "{\"a\":1}\n\"x\"\n"},
		{"not json", Format{}, []byte("upstream error: Bearer abcdef123"), "upstream error: Bearer ********\n"},
		{"scalar", Format{}, 42, "42\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := Test()
			if err := PrintRaw(ios, tt.f, tt.v); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
		})
	}
}

// TestSecretsNeverPrinted plants secrets in a record and checks every
// format, for lists and single objects, on and off a TTY.
func TestSecretsNeverPrinted(t *testing.T) {
	secrets := []string{
		"SECRET-session-token-9f8e7d6c5b4a",
		"SECRET-pa55w0rd",
		"SECRETsk_live_51HxYzAbCdEfGhIjKl",
		"SECRET-client-secret-value",
		"SECRET-private-key-pem",
		"SECRET-smtp",
	}
	rec := map[string]any{
		"id":       "ses_1",
		"token":    secrets[0],
		"password": secrets[1],
		"stripe":   map[string]any{"secretKey": "sk_live_" + secrets[2][6:]},
		"note":     "rotated sk_live_" + secrets[2][6:],
		"sso": []any{map[string]any{
			"oidcConfig": map[string]any{"clientSecret": secrets[3], "privateKey": secrets[4]},
		}},
		"smtp": struct {
			Password string `json:"smtpPassword"`
		}{secrets[5]},
	}
	spec := Spec{Columns: []Column{
		{Header: "ID", Field: "id"},
		{Header: "Token", Field: "token"},
		{Header: "Password", Field: "password", Kind: Secret},
		{Header: "Stripe", Field: "stripe"},
		{Header: "Note", Field: "note"},
		{Header: "SSO", Field: "sso"},
		{Header: "SMTP", Field: "smtp.smtpPassword"},
		{Header: "ID as secret", Field: "id", Kind: Secret},
	}}
	formats := []Format{
		{}, {JSON: true}, {JSONL: true},
		{JSON: true, JQ: "."}, {JSON: true, JQ: ".. | strings"}, {JSONL: true, JQ: ".token, .password"},
	}
	check := func(t *testing.T, what, s string) {
		t.Helper()
		for _, sec := range secrets {
			if strings.Contains(s, sec) || strings.Contains(s, sec[6:]) {
				t.Errorf("%s leaks %q:\n%s", what, sec, s)
			}
		}
	}
	for _, tty := range []bool{false, true} {
		for _, f := range formats {
			for _, s := range []Spec{spec, {}} {
				ios, _, out, errOut := Test()
				ios.SetStdoutTTY(tty)
				l := NewList(ios, f, s, fixedNow)
				if err := l.Add(rec); err != nil {
					t.Fatal(err)
				}
				if err := l.Add(rec); err != nil {
					t.Fatal(err)
				}
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				if err := PrintObject(ios, f, s, fixedNow, rec); err != nil {
					t.Fatal(err)
				}
				if err := PrintRaw(ios, f, rec); err != nil {
					t.Fatal(err)
				}
				if out.Len() == 0 {
					t.Errorf("tty=%v %+v: no output", tty, f)
				}
				check(t, "stdout", out.String())
				check(t, "stderr", errOut.String())
			}
		}
	}
	// The record itself was not modified.
	if rec["token"] != secrets[0] {
		t.Error("record mutated")
	}
}

func TestReveal(t *testing.T) {
	created := map[string]any{"id": "key_1", "key": "ka_live_NEWSECRETVALUE1234567890", "prefix": "ka_live_"}
	ios, _, out, _ := Test()
	spec := Spec{Reveal: []string{"key"}}
	if err := PrintObject(ios, Format{JSON: true}, spec, fixedNow, created); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ka_live_NEWSECRETVALUE1234567890") {
		t.Errorf("revealed key missing:\n%s", out)
	}
	out.Reset()
	if err := PrintObject(ios, Format{JSON: true}, Spec{}, fixedNow, created); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "NEWSECRET") {
		t.Errorf("key printed without Reveal:\n%s", out)
	}
}

func TestListStreams(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Format
	}{
		{"json", Format{JSON: true}},
		{"jsonl", Format{JSONL: true}},
		{"jsonl+jq", Format{JSONL: true, JQ: ".id"}},
		{"tsv", Format{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, out, _ := Test()
			l := NewList(ios, tc.f, userSpec, fixedNow)
			users := testUsers()
			if err := l.Add(users[0]); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "usr_1") {
				t.Fatalf("nothing written after first Add: %q", out)
			}
			n := out.Len()
			if err := l.Add(users[1]); err != nil {
				t.Fatal(err)
			}
			if out.Len() <= n || !strings.Contains(out.String(), "usr_2") {
				t.Fatalf("second record not written through: %q", out)
			}
			// Many records: nothing is retained in the List.
			for range 1000 {
				if err := l.Add(users[2]); err != nil {
					t.Fatal(err)
				}
			}
			if l.rows != nil || l.all != nil {
				t.Errorf("streaming list buffered records: rows=%d all=%d", len(l.rows), len(l.all))
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if l.Len() != 1002 {
				t.Errorf("Len = %d", l.Len())
			}
		})
	}
}

func TestListAddAfterClose(t *testing.T) {
	ios, _, _, _ := Test()
	l := NewList(ios, Format{JSON: true}, Spec{}, nil)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(1); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestListBadJQ(t *testing.T) {
	ios, _, out, _ := Test()
	l := NewList(ios, Format{JQ: ".["}, Spec{}, nil)
	err := l.Add(1)
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "invalid --jq expression") {
		t.Errorf("Add: %v", err)
	}
	if err := l.Close(); !errors.As(err, &ue) {
		t.Errorf("Close: %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("output: %q", out)
	}
}

func TestJQRuntimeError(t *testing.T) {
	ios, _, _, _ := Test()
	l := NewList(ios, Format{JSON: true, JQ: `.[] | error("boom")`}, Spec{}, nil)
	_ = l.Add(map[string]any{"a": 1})
	if err := l.Close(); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Close: %v", err)
	}
}

func TestTableTruncates(t *testing.T) {
	ios, _, out, _ := Test()
	ios.SetStdoutTTY(true)
	ios.SetTerminalWidth(40)
	l := NewList(ios, Format{}, Spec{Columns: []Column{
		{Header: "ID", Field: "id"}, {Header: "Description", Field: "d"}, {Header: "Flag", Field: "f", Kind: Bool},
	}}, fixedNow)
	_ = l.Add(map[string]any{"id": "x1", "d": strings.Repeat("long text ", 10), "f": false})
	_ = l.Add(map[string]any{"id": "x2", "d": "short", "f": true})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	golden(t, "table_truncated", out.String())
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if w := len([]rune(line)); w > 40 {
			t.Errorf("line %q is %d wide", line, w)
		}
	}
}

func TestFormatFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    Format
		wantErr string
	}{
		{nil, Format{}, ""},
		{[]string{"--json"}, Format{JSON: true}, ""},
		{[]string{"--jsonl"}, Format{JSONL: true}, ""},
		{[]string{"--jq", ".id"}, Format{JSON: true, JQ: ".id"}, ""},
		{[]string{"--jsonl", "--jq", ".id"}, Format{JSONL: true, JQ: ".id"}, ""},
		{[]string{"--json", "--jsonl"}, Format{}, "--json and --jsonl cannot be used together"},
		{[]string{"--jq", ".["}, Format{}, "invalid --jq expression"},
		{[]string{"--jq", "nosuchfunc(1)"}, Format{}, "invalid --jq expression"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var f Format
			ran, preRan := false, false
			cmd := &cobra.Command{
				Use:           "x",
				PreRun:        func(*cobra.Command, []string) { preRan = true },
				RunE:          func(*cobra.Command, []string) error { ran = true; return nil },
				SilenceUsage:  true,
				SilenceErrors: true,
			}
			AddFormatFlags(cmd, &f)
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v (%T), want UsageError %q", err, err, tt.wantErr)
				}
				if ran {
					t.Error("command ran despite bad flags")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !ran || !preRan {
				t.Errorf("ran=%v preRan=%v", ran, preRan)
			}
			if f != tt.want {
				t.Errorf("format = %+v, want %+v", f, tt.want)
			}
			if f.Machine() != (tt.want != Format{}) {
				t.Errorf("Machine() = %v", f.Machine())
			}
		})
	}
}

func TestFormatTime(t *testing.T) {
	now := testNow
	tests := []struct {
		t    time.Time
		tty  bool
		want string
	}{
		{time.Time{}, true, ""},
		{now.Add(-5 * time.Minute), true, "5 minutes ago"},
		{now.Add(-30 * time.Second), true, "just now"},
		{now.Add(-1 * time.Minute), true, "1 minute ago"},
		{now.Add(-3 * time.Hour), true, "3 hours ago"},
		{now.Add(7*24*time.Hour - time.Second), true, "in 6 days"},
		{now.Add(24 * time.Hour), true, "in 1 day"},
		{now.Add(-65 * 24 * time.Hour), true, "2 months ago"},
		{now.Add(-800 * 24 * time.Hour), true, "2 years ago"},
		{now.Add(90 * time.Minute), true, "in 1 hour"},
		{time.Date(2026, 1, 15, 14, 0, 0, 0, time.FixedZone("x", 2*3600)), false, "2026-01-15T12:00:00Z"},
	}
	for _, tt := range tests {
		if got := FormatTime(tt.t, tt.tty, now); got != tt.want {
			t.Errorf("FormatTime(%v, %v) = %q, want %q", tt.t, tt.tty, got, tt.want)
		}
	}
}

func TestCellKinds(t *testing.T) {
	model, err := Prepare(map[string]any{
		"s": "a\tb\nc\x1b[31m", "n": json.RawMessage("12345678901234567890"), "b": true, "nil": nil,
		"epoch": 1768478400, "ms": int64(1768478400000), "obj": map[string]any{"k": "<v>"},
		"list": []any{"x", map[string]any{"y": 1}}, "badtime": "yesterday",
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		col  Column
		tty  bool
		want string
	}{
		{Column{Field: "s"}, false, "a b c [31m"},
		{Column{Field: "n"}, false, "12345678901234567890"},
		{Column{Field: "b"}, false, "true"},
		{Column{Field: "b", Kind: Bool}, true, "yes"},
		{Column{Field: "b", Kind: Bool}, false, "true"},
		{Column{Field: "nil"}, false, ""},
		{Column{Field: "nil"}, true, "-"},
		{Column{Field: "missing"}, true, "-"},
		{Column{Field: "epoch", Kind: Time}, false, "2026-01-15T12:00:00Z"},
		{Column{Field: "ms", Kind: Time}, true, "just now"},
		{Column{Field: "badtime", Kind: Time}, true, "yesterday"},
		{Column{Field: "obj"}, false, `{"k":"<v>"}`},
		{Column{Field: "list.1.y"}, false, "1"},
		{Column{Field: "list.5"}, false, ""},
		{Column{Field: "s", Kind: Secret}, false, "********"},
	}
	for _, tt := range tests {
		if got := cell(model, tt.col, tt.tty, testNow); got != tt.want {
			t.Errorf("cell(%+v, tty=%v) = %q, want %q", tt.col, tt.tty, got, tt.want)
		}
	}
}

func TestIOStreams(t *testing.T) {
	ios, _, _, _ := Test()
	if ios.IsStdinTTY() || ios.IsStdoutTTY() || ios.IsStderrTTY() || ios.ColorEnabled() || ios.CanPrompt() {
		t.Error("Test() streams should have every TTY and color off")
	}
	if ios.TerminalWidth() != 80 {
		t.Errorf("width %d", ios.TerminalWidth())
	}
	ios.SetStdinTTY(true)
	ios.SetStdoutTTY(true)
	if !ios.CanPrompt() {
		t.Error("CanPrompt with both TTYs")
	}
	ios.SetNeverPrompt(true)
	if ios.CanPrompt() {
		t.Error("CanPrompt with neverPrompt")
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	env := func(m map[string]string) envLookup { return func(k string) string { return m[k] } }

	s := newSystem(env(nil), r, w, w)
	if s.IsStdoutTTY() || s.ColorEnabled() || s.TerminalWidth() != 80 {
		t.Errorf("pipe: tty=%v color=%v width=%d", s.IsStdoutTTY(), s.ColorEnabled(), s.TerminalWidth())
	}
	s = newSystem(env(map[string]string{"KERNIA_FORCE_TTY": "1", "COLUMNS": "132"}), r, w, w)
	if !s.IsStdoutTTY() || s.IsStderrTTY() || !s.ColorEnabled() || s.TerminalWidth() != 132 {
		t.Errorf("forced: tty=%v color=%v width=%d", s.IsStdoutTTY(), s.ColorEnabled(), s.TerminalWidth())
	}
	s = newSystem(env(map[string]string{"KERNIA_FORCE_TTY": "1", "NO_COLOR": "1", "CLICOLOR_FORCE": "1"}), r, w, w)
	if s.ColorEnabled() {
		t.Error("NO_COLOR ignored")
	}
	s = newSystem(env(map[string]string{"KERNIA_FORCE_TTY": "0", "CLICOLOR_FORCE": "1"}), r, w, w)
	if s.IsStdoutTTY() || !s.ColorEnabled() {
		t.Errorf("FORCE_TTY=0 / CLICOLOR_FORCE: tty=%v color=%v", s.IsStdoutTTY(), s.ColorEnabled())
	}
	s.SetTerminalWidth(50)
	if s.TerminalWidth() != 50 {
		t.Error("SetTerminalWidth")
	}
	if System() == nil {
		t.Error("System() nil")
	}
}

func TestProgress(t *testing.T) {
	ios, _, out, errOut := Test()
	p := NewProgress(ios, 10, "Banning")
	p.Add(3)
	p.Done()
	if out.Len()+errOut.Len() != 0 {
		t.Errorf("progress wrote off a TTY: out=%q err=%q", out, errOut)
	}
	var nilP *Progress
	nilP.Add(1)
	nilP.Done()

	ios.SetStderrTTY(true)
	p = NewProgress(ios, 2, "Banning")
	p.Add(1)
	p.Add(1)
	p.Done()
	p.Done()
	if out.Len() != 0 {
		t.Errorf("progress wrote to stdout: %q", out)
	}
	if !strings.Contains(errOut.String(), "Banning") {
		t.Errorf("no bar on stderr TTY: %q", errOut)
	}
}
