package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/itchyny/gojq"

	"github.com/kernia-dev/kernia-admin/internal/redact"
)

type mode int

const (
	modeTSV     mode = iota // not a TTY: tab-separated rows, streamed
	modeTable               // TTY: buffered, aligned table
	modeJSON                // JSON array, streamed
	modeJSONL               // one object a line, streamed
	modeJQ                  // jq over the whole array at Close
	modeJSONLJQ             // jq over each record
)

func modeOf(ios *IOStreams, f Format) mode {
	switch {
	case f.JSONL && f.JQ != "":
		return modeJSONLJQ
	case f.JSONL:
		return modeJSONL
	case f.JQ != "":
		return modeJQ
	case f.JSON:
		return modeJSON
	case ios.IsStdoutTTY():
		return modeTable
	default:
		return modeTSV
	}
}

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("output: list already closed")

// List prints a sequence of records in the chosen format. It streams
// wherever the format allows (JSON array, JSON Lines, TSV): memory does not
// grow with the number of records. Only the TTY table and --jq over a whole
// list buffer. List is safe for concurrent use.
type List struct {
	ios  *IOStreams
	spec Spec
	now  func() time.Time
	mode mode
	code *gojq.Code

	mu     sync.Mutex
	n      int
	cols   []Column   // TSV/table columns, fixed at the first record
	rows   [][]string // modeTable only
	all    []any      // modeJQ only
	closed bool
	err    error
}

// NewList returns a List writing to ios.Out. now gives the reference time
// for humanized times (nil means time.Now). An invalid jq expression is
// reported by the first Add or by Close.
func NewList(ios *IOStreams, f Format, spec Spec, now func() time.Time) *List {
	if now == nil {
		now = time.Now
	}
	l := &List{ios: ios, spec: spec, now: now, mode: modeOf(ios, f)}
	if f.JQ != "" {
		l.code, l.err = compileJQ(f.JQ)
		if l.err != nil {
			l.err = &UsageError{l.err}
		}
	}
	return l
}

// Add prints (or, for the TTY table and --jq, keeps) one record. The record
// is any JSON-marshallable value; it is redacted before anything else.
func (l *List) Add(record any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if l.err != nil {
		return l.err
	}
	model, err := Prepare(record, l.spec.Reveal...)
	if err != nil {
		return err
	}
	if err := l.add(model); err != nil {
		l.err = err
		return err
	}
	l.n++
	return nil
}

func (l *List) add(model any) error {
	out := l.ios.Out
	switch l.mode {
	case modeJSON:
		var buf bytes.Buffer
		if l.n == 0 {
			buf.WriteString("[\n  ")
		} else {
			buf.WriteString(",\n  ")
		}
		if err := encodeJSON(&buf, model, "  ", "  "); err != nil {
			return err
		}
		_, err := out.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	case modeJSONL:
		return writeJSONLine(out, model)
	case modeJSONLJQ:
		return runJQ(l.ios.Context(), out, l.code, model)
	case modeJQ:
		l.all = append(l.all, model)
		return nil
	case modeTable:
		if l.cols == nil {
			l.cols = columnsFor(l.spec, model)
		}
		now := l.now()
		row := make([]string, len(l.cols))
		for i, c := range l.cols {
			row[i] = cell(model, c, true, now)
		}
		l.rows = append(l.rows, row)
		return nil
	default: // modeTSV
		if l.cols == nil {
			l.cols = columnsFor(l.spec, model)
		}
		var b strings.Builder
		for i, c := range l.cols {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(cell(model, c, false, time.Time{}))
		}
		b.WriteByte('\n')
		_, err := io.WriteString(out, b.String())
		return err
	}
}

// Close finishes the output: closes the JSON array (an empty list is []),
// runs --jq over the whole list, or renders the TTY table. An empty table on
// a TTY prints nothing on stdout and "No results" on stderr. Close may be
// called more than once.
func (l *List) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.err
	}
	l.closed = true
	if l.err != nil {
		var ue *UsageError
		if errors.As(l.err, &ue) {
			return l.err
		}
	}
	out := l.ios.Out
	var err error
	switch l.mode {
	case modeJSON:
		if l.n == 0 {
			_, err = io.WriteString(out, "[]\n")
		} else {
			_, err = io.WriteString(out, "\n]\n")
		}
	case modeJQ:
		all := l.all
		if all == nil {
			all = []any{}
		}
		l.all = nil
		err = runJQ(l.ios.Context(), out, l.code, all)
	case modeTable:
		if len(l.rows) == 0 {
			_, err = io.WriteString(l.ios.ErrOut, "No results\n")
			break
		}
		headers := make([]string, len(l.cols))
		for i, c := range l.cols {
			headers[i] = c.Header
		}
		err = renderTable(out, headers, l.rows, l.ios.TerminalWidth())
		l.rows = nil
	}
	if l.err == nil {
		l.err = err
	}
	return l.err
}

// Len returns the number of records added so far.
func (l *List) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// PrintObject prints one record: an indented JSON object (--json), one
// compact line (--jsonl), the --jq results, or a FIELD/VALUE table of the
// spec's columns (TTY: with a header and humanized times; otherwise
// "field<TAB>value" lines, the field being the column's Field path).
func PrintObject(ios *IOStreams, f Format, spec Spec, now func() time.Time, record any) error {
	model, err := Prepare(record, spec.Reveal...)
	if err != nil {
		return err
	}
	out := ios.Out
	switch modeOf(ios, f) {
	case modeJSON:
		return encodeJSON(out, model, "", "  ")
	case modeJSONL:
		return writeJSONLine(out, model)
	case modeJQ, modeJSONLJQ:
		code, err := compileJQ(f.JQ)
		if err != nil {
			return &UsageError{err}
		}
		return runJQ(ios.Context(), out, code, model)
	case modeTable:
		if now == nil {
			now = time.Now
		}
		t := now()
		cols := columnsFor(spec, model)
		rows := make([][]string, len(cols))
		for i, c := range cols {
			rows[i] = []string{c.Header, cell(model, c, true, t)}
		}
		return renderTable(out, []string{"Field", "Value"}, rows, ios.TerminalWidth())
	default:
		var b strings.Builder
		for _, c := range columnsFor(spec, model) {
			name := c.Field
			if name == "" {
				name = strings.ToLower(c.Header)
			}
			fmt.Fprintf(&b, "%s\t%s\n", sanitize(name), cell(model, c, false, time.Time{}))
		}
		_, err := io.WriteString(out, b.String())
		return err
	}
}

// PrintRaw prints any JSON value (the api passthrough): redacted, as
// indented JSON, or through --jq. With --jsonl an array is printed one
// element a line and anything else as one compact line. A []byte that is not
// JSON is printed as text with secrets scrubbed.
func PrintRaw(ios *IOStreams, f Format, v any) error {
	model, err := Prepare(v)
	if err != nil {
		b, isBytes := v.([]byte)
		if !isBytes {
			if raw, ok := v.(json.RawMessage); ok {
				b, isBytes = raw, true
			}
		}
		if !isBytes {
			return err
		}
		text := redact.Scrub(string(b))
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		_, err := io.WriteString(ios.Out, text)
		return err
	}
	out := ios.Out
	if f.JQ != "" {
		code, err := compileJQ(f.JQ)
		if err != nil {
			return &UsageError{err}
		}
		if arr, ok := model.([]any); ok && f.JSONL {
			for _, e := range arr {
				if err := runJQ(ios.Context(), out, code, e); err != nil {
					return err
				}
			}
			return nil
		}
		return runJQ(ios.Context(), out, code, model)
	}
	if f.JSONL {
		if arr, ok := model.([]any); ok {
			for _, e := range arr {
				if err := writeJSONLine(out, e); err != nil {
					return err
				}
			}
			return nil
		}
		return writeJSONLine(out, model)
	}
	return encodeJSON(out, model, "", "  ")
}

// encodeJSON writes v as indented JSON followed by a newline, without HTML
// escaping.
func encodeJSON(w io.Writer, v any, prefix, indent string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, indent)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeJSONLine writes v as one compact JSON line in a single Write.
func writeJSONLine(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
