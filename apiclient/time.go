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

// FromEpoch interprets n as epoch seconds or milliseconds.
func FromEpoch(n float64) time.Time {
	if math.Abs(n) >= msThreshold {
		ms := int64(n)
		return time.UnixMilli(ms).UTC()
	}
	sec, frac := math.Modf(n)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
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
	t.Time = FromEpoch(n)
	return nil
}

func (t *Time) parseString(s string) error {
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		t.Time = FromEpoch(n)
		return nil
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
