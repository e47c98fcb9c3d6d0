package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Time decodes every timestamp form seen on the wire: epoch seconds (Kernia core), epoch
// milliseconds (Kernia API keys), RFC 3339 / ISO-8601 strings (Better Auth, SAML certs),
// numeric strings, and null. It encodes as RFC 3339 UTC, or null when zero.
type Time struct{ time.Time }

// msThreshold separates seconds from milliseconds: 1e11 seconds is the year 5138, while
// 1e11 milliseconds is March 1973, so any plausible value is classified correctly.
const msThreshold = 1e11

// maxEpoch bounds the numbers accepted as timestamps: 9999-12-31T23:59:59.999Z in
// milliseconds. Anything larger (or NaN, ±Inf) overflows int64 nanoseconds or RFC 3339's
// four-digit year and would decode to a nonsense date instead of an error.
const maxEpoch = 253402300799999

func epochTime(n float64) (time.Time, error) {
	if math.IsNaN(n) || math.IsInf(n, 0) || math.Abs(n) > maxEpoch {
		return time.Time{}, fmt.Errorf("apiclient: timestamp %v is out of range", n)
	}
	return FromEpoch(n), nil
}

// FromEpoch interprets n as epoch seconds or milliseconds.
func FromEpoch(n float64) time.Time {
	if math.Abs(n) >= msThreshold {
		ms := int64(n)
		return time.UnixMilli(ms).UTC()
	}
	// A float64 near 1.7e9 resolves about 0.24 µs: round the fraction to microseconds so
	// that 1700000000.793 is .793000000, not .792999982.
	sec, frac := math.Modf(n)
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC()
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return t.parseString(s)
	}
	n, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("apiclient: timestamp %s is neither a number nor a string", b)
	}
	t.Time, err = epochTime(n)
	return err
}

func (t *Time) parseString(s string) error {
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		t.Time, err = epochTime(n)
		return err
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05", "2006-01-02"} {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p.UTC()
			return nil
		}
	}
	return fmt.Errorf("apiclient: cannot parse timestamp %q", s)
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(time.RFC3339Nano) + `"`), nil
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }
