package keys

import (
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/output"
)

func TestMsText(t *testing.T) {
	for ms, want := range map[int64]string{86400000: "1d", 3600000: "1h", 5400000: "1h30m", 600000: "10m", 1500: "1500ms", 90061000: "1d1h1m1s", 0: "0s"} {
		if got := msText(ms); got != want {
			t.Errorf("msText(%d) = %q, want %q", ms, got, want)
		}
	}
}

func TestParseRate(t *testing.T) {
	n, w, err := parseRate("--rate-limit", "100/1h")
	if err != nil || n != 100 || w != time.Hour {
		t.Errorf("100/1h = %d %v %v", n, w, err)
	}
	n, w, err = parseRate("--refill", "5/2d")
	if err != nil || n != 5 || w != 48*time.Hour {
		t.Errorf("5/2d = %d %v %v", n, w, err)
	}
	for _, bad := range []string{"", "100", "x/1h", "0/1h", "-1/1h", "10/", "10/-1h", "10/0s", "10/soon"} {
		if _, _, err := parseRate("--rate-limit", bad); err == nil {
			t.Errorf("parseRate(%q) accepted", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "1d12h": 36 * time.Hour, "10m": 10 * time.Minute, "2s": 2 * time.Second} {
		if got, err := parseDuration("--x", in); err != nil || got != want {
			t.Errorf("%s = %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "0s", "-5m", "1d-1h", "soon"} {
		if _, err := parseDuration("--x", bad); err == nil {
			t.Errorf("parseDuration(%q) accepted", bad)
		}
	}
}

// The table view never carries the plaintext of a listed key and shows durations in words;
// JSON keeps the wire model (milliseconds).
func TestRecord(t *testing.T) {
	k := &apiclient.APIKey{ID: "k", ReferenceID: "u1", RateLimitEnabled: true, RateLimitMax: apiclient.Ptr(int64(10)),
		RateLimitTimeWindow: apiclient.Ptr(int64(86400000)), RefillAmount: apiclient.Ptr(int64(5)), RefillInterval: apiclient.Ptr(int64(3600000)),
		User: &apiclient.SessionUser{Email: "a@x.test"}}
	v := record(output.Format{}, k).(keyView)
	if v.RateLimit != "10 per 1d" || v.Refill != "5 every 1h" || v.Owner != "a@x.test" {
		t.Errorf("view %+v", v)
	}
	if _, ok := record(output.Format{JSON: true}, k).(*apiclient.APIKey); !ok {
		t.Error("JSON record is not the wire model")
	}
	k.RateLimitEnabled = false
	if v := record(output.Format{}, k).(keyView); v.RateLimit != "off" {
		t.Errorf("rate limit %q", v.RateLimit)
	}
}
