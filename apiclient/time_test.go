package apiclient

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTimeUnmarshal(t *testing.T) {
	t.Parallel()
	instant := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC) // 1700000000
	tests := []struct {
		name string
		json string
		want time.Time
	}{
		{"epoch seconds (Kernia core)", `1700000000`, instant},
		{"epoch seconds with fraction", `1700000000.25`, instant.Add(250 * time.Millisecond)},
		{"epoch milliseconds (Kernia API keys)", `1700000000000`, instant},
		{"epoch milliseconds with ms part", `1700000000123`, instant.Add(123 * time.Millisecond)},
		{"RFC 3339 Z", `"2023-11-14T22:13:20Z"`, instant},
		{"RFC 3339 fractional (Better Auth)", `"2023-11-14T22:13:20.793Z"`, instant.Add(793 * time.Millisecond)},
		{"RFC 3339 offset becomes UTC", `"2023-11-14T23:13:20+01:00"`, instant},
		{"RFC 3339 fractional with offset", `"2023-11-14T17:13:20.5-05:00"`, instant.Add(500 * time.Millisecond)},
		{"ISO without zone is UTC", `"2023-11-14T22:13:20"`, instant},
		{"ISO without zone fractional", `"2023-11-14T22:13:20.100"`, instant.Add(100 * time.Millisecond)},
		{"numeric string seconds", `"1700000000"`, instant},
		{"numeric string milliseconds", `"1700000000000"`, instant},
		{"date only", `"2023-11-14"`, time.Date(2023, 11, 14, 0, 0, 0, 0, time.UTC)},
		{"null", `null`, time.Time{}},
		{"empty string", `""`, time.Time{}},
		{"zero epoch", `0`, time.Unix(0, 0).UTC()},
		{"before 1970", `-86400`, time.Unix(-86400, 0).UTC()},
		{"whitespace around number", ` 1700000000 `, instant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got Time
			if err := got.UnmarshalJSON([]byte(tt.json)); err != nil {
				t.Fatalf("UnmarshalJSON(%s): %v", tt.json, err)
			}
			if !got.Equal(tt.want) || got.IsZero() != tt.want.IsZero() {
				t.Errorf("UnmarshalJSON(%s) = %v, want %v", tt.json, got.Time, tt.want)
			}
			if !got.IsZero() && got.Location() != time.UTC {
				t.Errorf("UnmarshalJSON(%s) location = %v, want UTC", tt.json, got.Location())
			}
		})
	}
}

func TestTimeUnmarshalInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"yesterday"`, `true`, `{}`, `[]`, `"2023-13-45T99:00:00Z"`, `"NaN"`, `"Infinity"`, `"-inf"`, `1e300`, `"1e300"`} {
		var got Time
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("json.Unmarshal(%s) = %v, want an error", in, got.Time)
		}
	}
}

// TestTimeInStruct checks missing and null keys (the memory adapter leaves unset columns
// out; SQL adapters send null) and both servers' units in one decode.
func TestTimeInStruct(t *testing.T) {
	t.Parallel()
	var u User
	in := `{"id":"u1","email":"a@example.com","createdAt":1700000000,"updatedAt":"2023-11-14T22:13:20.000Z","banExpires":null}`
	if err := json.Unmarshal([]byte(in), &u); err != nil {
		t.Fatal(err)
	}
	want := User{ID: "u1", Email: "a@example.com",
		CreatedAt: Time{time.Unix(1700000000, 0).UTC()},
		UpdatedAt: Time{time.Unix(1700000000, 0).UTC()},
	}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("decoded user mismatch (-want +got):\n%s", diff)
	}
	var missing struct {
		At Time `json:"at"`
	}
	if err := json.Unmarshal([]byte(`{}`), &missing); err != nil || !missing.At.IsZero() {
		t.Errorf("missing key: %v, %v; want zero time", missing.At, err)
	}
}

func TestTimeMarshal(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		in   Time
		want string
	}{
		{"zero is null", Time{}, `null`},
		{"UTC", Time{time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)}, `"2023-11-14T22:13:20Z"`},
		{"offset is converted to UTC", Time{time.Date(2023, 11, 14, 23, 13, 20, 0, paris)}, `"2023-11-14T22:13:20Z"`},
		{"milliseconds kept", Time{time.UnixMilli(1700000000123)}, `"2023-11-14T22:13:20.123Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("Marshal = %s, want %s", b, tt.want)
			}
		})
	}
	// The wire forms of the same instant all normalize to one JSON value.
	var out []string
	for _, in := range []string{`1700000000`, `1700000000000`, `"2023-11-14T22:13:20Z"`, `"2023-11-14T23:13:20+01:00"`, `"1700000000"`} {
		var tm Time
		if err := json.Unmarshal([]byte(in), &tm); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(tm)
		out = append(out, string(b))
	}
	want := []string{`"2023-11-14T22:13:20Z"`, `"2023-11-14T22:13:20Z"`, `"2023-11-14T22:13:20Z"`, `"2023-11-14T22:13:20Z"`, `"2023-11-14T22:13:20Z"`}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("normalized forms differ (-want +got):\n%s", diff)
	}
}

// FuzzTime: decoding never panics; a decoded time re-encodes to RFC 3339 that decodes to
// the same instant; and epoch seconds and the epoch milliseconds of the same whole second
// decode to the same time. The seconds/milliseconds property holds where the unit can be
// told from the size of the number (msThreshold): milliseconds from March 1973 on, seconds
// before the year 5138. Smaller millisecond values are read as seconds by design.
func FuzzTime(f *testing.F) {
	for _, s := range []string{`1700000000`, `1700000000000`, `"2023-11-14T22:13:20Z"`, `"2023-11-14T22:13:20.793Z"`, `"1700000000"`, `null`, `""`, `-1`, `"NaN"`, `1e300`, `"2023-11-14"`, `1.5`} {
		f.Add([]byte(s), int64(1700000000))
	}
	f.Add([]byte(`0`), int64(100_000_000))
	f.Add([]byte(`0`), int64(99_999_999_999))
	f.Fuzz(func(t *testing.T, raw []byte, sec int64) {
		var tm Time
		if err := tm.UnmarshalJSON(raw); err == nil && !tm.IsZero() && tm.Year() >= 1 && tm.Year() <= 9999 {
			b, err := tm.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON(%v): %v", tm.Time, err)
			}
			var back Time
			if err := back.UnmarshalJSON(b); err != nil {
				t.Fatalf("re-decoding %s (from %q): %v", b, raw, err)
			}
			if !back.Equal(tm.Time) {
				t.Fatalf("round trip of %q: %v → %s → %v", raw, tm.Time, b, back.Time)
			}
		}
		if sec < 0 {
			sec = -sec
		}
		if sec < msThreshold/1000 || sec >= msThreshold {
			return
		}
		var s, ms Time
		if err := s.UnmarshalJSON([]byte(strconv.FormatInt(sec, 10))); err != nil {
			t.Fatalf("seconds %d: %v", sec, err)
		}
		if err := ms.UnmarshalJSON([]byte(strconv.FormatInt(sec*1000, 10))); err != nil {
			t.Fatalf("milliseconds %d: %v", sec*1000, err)
		}
		if !s.Equal(ms.Time) || !s.Equal(time.Unix(sec, 0)) {
			t.Fatalf("%d s → %v but %d ms → %v", sec, s.Time, sec*1000, ms.Time)
		}
	})
}
