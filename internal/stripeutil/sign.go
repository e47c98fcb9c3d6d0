package stripeutil

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// ValidWebhookSecret reports whether s looks like a Stripe webhook signing secret.
func ValidWebhookSecret(s string) bool {
	body, ok := strings.CutPrefix(s, "whsec_")
	return ok && len(body) >= 8 && !strings.ContainsAny(body, " \t\r\n")
}

// SignatureHeader returns the Stripe-Signature header for payload: "t=<unix>,v1=<hex>", where
// the HMAC-SHA256 is keyed with the whole secret over "<t>." + payload (as Stripe does and
// Kernia verifies).
func SignatureHeader(payload []byte, secret string, t time.Time) string {
	sig := webhook.ComputeSignature(t, payload, secret)
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(sig))
}
