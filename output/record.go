package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kernia-dev/kernia-admin/internal/redact"
)

// ColumnKind says how a table cell is formatted.
type ColumnKind int

const (
	// Text prints the value as is (numbers, strings; objects as compact JSON).
	Text ColumnKind = iota
	// Time expects an RFC 3339 string (or epoch seconds/milliseconds):
	// humanized on a TTY ("5 minutes ago"), RFC 3339 UTC otherwise.
	Time
	// Bool prints yes/no on a TTY, true/false otherwise.
	Bool
	// Secret always prints a fingerprint of the value, whatever its key.
	Secret
)

// Column is one table column: its header and the dotted path of its value
// in the JSON model of a record ("user.email", "members.0.role"; "" is the
// record itself).
type Column struct {
	Header string
	Field  string
	Kind   ColumnKind
}

// Spec describes how records are shown as a table. With no Columns, the
// top-level keys of the (first) record are used, sorted.
type Spec struct {
	Columns []Column

	// Reveal lists dotted paths whose values are printed in clear even
	// though redaction would hide them. It exists only for the one time a
	// command shows a secret it has just created (a new API key, a SCIM
	// token); nothing else may use it.
	Reveal []string
}

// Prepare turns a record into the JSON model that every printer renders:
// the record is marshalled with encoding/json (no HTML escaping), decoded
// with UseNumber, and passed through redact.Value. A []byte record must
// hold a JSON document. Paths in reveal keep their unredacted values.
func Prepare(record any, reveal ...string) (any, error) {
	model, err := toModel(record)
	if err != nil {
		return nil, err
	}
	red := redact.Value(model)
	for _, p := range reveal {
		if v, ok := lookup(model, p); ok {
			red = setPath(red, splitPath(p), v)
		}
	}
	return red, nil
}

func toModel(record any) (any, error) {
	var doc []byte
	switch r := record.(type) {
	case []byte:
		doc = r
	case json.RawMessage:
		doc = r
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(record); err != nil {
			return nil, fmt.Errorf("encoding record: %w", err)
		}
		doc = buf.Bytes()
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding record: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decoding record: trailing data after JSON value")
	}
	return v, nil
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

// lookup finds the value at a dotted path in the JSON model.
func lookup(v any, path string) (any, bool) {
	for _, seg := range splitPath(path) {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// setPath sets the value at path in a model produced by redact.Value (which
// is a fresh copy, so it may be modified in place).
func setPath(root any, path []string, val any) any {
	if len(path) == 0 {
		return val
	}
	switch x := root.(type) {
	case map[string]any:
		x[path[0]] = setPath(x[path[0]], path[1:], val)
	case []any:
		if i, err := strconv.Atoi(path[0]); err == nil && i >= 0 && i < len(x) {
			x[i] = setPath(x[i], path[1:], val)
		}
	}
	return root
}

// columnsFor returns spec's columns, or columns derived from the model.
func columnsFor(spec Spec, model any) []Column {
	if len(spec.Columns) > 0 {
		return spec.Columns
	}
	m, ok := model.(map[string]any)
	if !ok {
		return []Column{{Header: "Value"}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cols := make([]Column, len(keys))
	for i, k := range keys {
		cols[i] = Column{Header: k, Field: k}
	}
	return cols
}

// cell formats the value of col in model for a table.
func cell(model any, col Column, tty bool, now time.Time) string {
	v, _ := lookup(model, col.Field)
	if v == nil {
		if tty {
			return "-"
		}
		return ""
	}
	switch col.Kind {
	case Time:
		if t, ok := toTime(v); ok {
			return FormatTime(t, tty, now)
		}
	case Bool:
		if b, ok := v.(bool); ok {
			switch {
			case !tty:
				return strconv.FormatBool(b)
			case b:
				return "yes"
			default:
				return "no"
			}
		}
	case Secret:
		if s, ok := v.(string); ok {
			return sanitize(redact.Fingerprint(s))
		}
		return redact.Mask
	}
	return sanitize(text(v))
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return fmt.Sprint(x)
		}
		return strings.TrimSuffix(buf.String(), "\n")
	}
}

// sanitize keeps a cell on one line and free of terminal control sequences:
// tabs, newlines and other control characters become spaces.
func sanitize(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

// toTime accepts an RFC 3339 string or epoch seconds / milliseconds.
func toTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t, true
		}
	case json.Number:
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return time.Time{}, false
		}
		if math.Abs(f) >= 1e11 { // milliseconds
			return time.UnixMilli(int64(f)), true
		}
		return time.Unix(int64(f), 0), true
	}
	return time.Time{}, false
}

// FormatTime formats t for a table: on a TTY relative to now ("just now",
// "5 minutes ago", "in 6 days", "2 months ago"), otherwise RFC 3339 UTC.
// The zero time is "".
func FormatTime(t time.Time, tty bool, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	if !tty {
		return t.UTC().Format(time.RFC3339)
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var n int
	var unit string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		n, unit = int(d/time.Minute), "minute"
	case d < 24*time.Hour:
		n, unit = int(d/time.Hour), "hour"
	case d < 30*24*time.Hour:
		n, unit = int(d/(24*time.Hour)), "day"
	case d < 365*24*time.Hour:
		n, unit = int(d/(30*24*time.Hour)), "month"
	default:
		n, unit = int(d/(365*24*time.Hour)), "year"
	}
	if n != 1 {
		unit += "s"
	}
	if future {
		return fmt.Sprintf("in %d %s", n, unit)
	}
	return fmt.Sprintf("%d %s ago", n, unit)
}
