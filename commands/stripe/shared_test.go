package stripecmd

import (
	"strings"
	"testing"
)

func TestKeyMode(t *testing.T) {
	tests := []struct {
		kind, key, mode string
		ok              bool
	}{
		{keySecret, "sk_test_abc", "test", true},
		{keySecret, "sk_live_abc", "live", true},
		{keySecret, "rk_test_abc", "test", true},
		{keySecret, "rk_live_abc", "live", true},
		{keySecret, "pk_test_abc", "", false},
		{keySecret, "sk_test_", "", false},
		{keyPublishable, "pk_live_abc", "live", true},
		{keyPublishable, "sk_live_abc", "", false},
		{keyWebhook, "whsec_abc", "", true},
		{keyWebhook, "whsec_", "", false},
	}
	for _, tt := range tests {
		mode, ok := keyMode(tt.kind, tt.key)
		if mode != tt.mode || ok != tt.ok {
			t.Errorf("keyMode(%s, %s) = %q, %v; want %q, %v", tt.kind, tt.key, mode, ok, tt.mode, tt.ok)
		}
	}
}

func TestSameMode(t *testing.T) {
	if err := sameMode(map[string]string{"secret key": "test", "publishable key": "test"}); err != nil {
		t.Error(err)
	}
	err := sameMode(map[string]string{"secret key": "live", "publishable key": "test"})
	if err == nil || !strings.Contains(err.Error(), "publishable key test, secret key live") {
		t.Errorf("sameMode = %v", err)
	}
}

func TestReadKeyLines(t *testing.T) {
	got, err := readKeyLines(strings.NewReader("sk_test_a\r\n\nwhsec_c\n"))
	if err != nil || got != [3]string{"sk_test_a", "", "whsec_c"} {
		t.Errorf("readKeyLines = %q, %v", got, err)
	}
	if _, err := readKeyLines(strings.NewReader("a\nb\nc\nd\n")); err == nil {
		t.Errorf("a fourth line was accepted")
	}
}

func TestStatusOf(t *testing.T) {
	v := statusOf(map[string]any{"apiKey": "********", "publishableKey": "pk_live_x"})
	if !v.Configured || v.Mode != "live" || !v.SecretKeySet || v.WebhookSecretSet {
		t.Errorf("statusOf = %+v", v)
	}
	if v := statusOf(map[string]any{}); v.Configured || v.Mode != "" {
		t.Errorf("empty statusOf = %+v", v)
	}
}
