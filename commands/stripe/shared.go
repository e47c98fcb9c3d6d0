package stripecmd

import (
	"errors"
	"net/http"
	"strings"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

// Environment variables the keys may come from.
const (
	envSecretKey      = "STRIPE_API_KEY"
	envPublishableKey = "STRIPE_PUBLISHABLE_KEY"
	envWebhookSecret  = "STRIPE_WEBHOOK_SECRET"
)

// Fields of the Stripe settings document (Kernia key "stripe").
const (
	fieldSecretKey      = "apiKey"
	fieldPublishableKey = "publishableKey"
	fieldWebhookSecret  = "webhookSecret"
	fieldMode           = "mode"
	// fieldSecretKeyFingerprint is a non-secret field set-keys stores beside the key.
	fieldSecretKeyFingerprint = "apiKeyFingerprint"
)

// Key kinds, by prefix.
const (
	keySecret      = "secret"
	keyPublishable = "publishable"
	keyWebhook     = "webhook"
)

// keyMode returns "test" or "live" for a Stripe key of the given kind, and false when the
// prefix is not one of that kind's (sk_/rk_ for secret keys, pk_ for publishable keys,
// whsec_ for webhook secrets, which have no mode).
func keyMode(kind, key string) (string, bool) {
	var prefixes []string
	switch kind {
	case keySecret:
		prefixes = []string{"sk_", "rk_"}
	case keyPublishable:
		prefixes = []string{"pk_"}
	case keyWebhook:
		return "", strings.HasPrefix(key, "whsec_") && len(key) > len("whsec_")
	}
	for _, p := range prefixes {
		for _, mode := range []string{"test", "live"} {
			if pre := p + mode + "_"; strings.HasPrefix(key, pre) && len(key) > len(pre) {
				return mode, true
			}
		}
	}
	return "", false
}

// statusView is the JSON model printed by status and set-keys: no secret, only whether each
// is set (and, right after set-keys, the fingerprint of the key just stored).
type statusView struct {
	Configured           bool   `json:"configured"`
	Mode                 string `json:"mode"`
	SecretKeySet         bool   `json:"secretKeySet"`
	SecretKeyFingerprint string `json:"secretKeyFingerprint,omitempty"`
	PublishableKey       string `json:"publishableKey"`
	WebhookSecretSet     bool   `json:"webhookSecretSet"`
}

func statusSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Mode", Field: "mode"},
		{Header: "Secret key", Field: "secretKeySet", Kind: output.Bool},
		{Header: "Secret key fingerprint", Field: "secretKeyFingerprint"},
		{Header: "Publishable key", Field: "publishableKey"},
		{Header: "Webhook secret", Field: "webhookSecretSet", Kind: output.Bool},
	}}
}

func isSet(v any) bool {
	s, ok := v.(string)
	return ok && s != ""
}

// modeOf is the stored mode, else the publishable key's.
func modeOf(doc map[string]any) string {
	if m, _ := doc[fieldMode].(string); m == "test" || m == "live" {
		return m
	}
	if pk, _ := doc[fieldPublishableKey].(string); pk != "" {
		if m, ok := keyMode(keyPublishable, pk); ok {
			return m
		}
	}
	return ""
}

func statusOf(doc map[string]any) statusView {
	pk, _ := doc[fieldPublishableKey].(string)
	v := statusView{
		Mode:             modeOf(doc),
		SecretKeySet:     isSet(doc[fieldSecretKey]),
		PublishableKey:   pk,
		WebhookSecretSet: isSet(doc[fieldWebhookSecret]),
	}
	if fp, _ := doc[fieldSecretKeyFingerprint].(string); v.SecretKeySet && redact.IsFingerprint(fp) {
		v.SecretKeyFingerprint = fp
	}
	v.Configured = v.SecretKeySet || v.PublishableKey != "" || v.WebhookSecretSet
	if !v.Configured {
		v.Mode = ""
	}
	return v
}

// redactedFields lists the top-level fields of doc that hold the redaction marker.
func redactedFields(doc map[string]any) []string {
	var out []string
	for k, v := range doc {
		if apiclient.IsRedacted(v) {
			out = append(out, k)
		}
	}
	return out
}

// explain turns admin-config refusals into one clear line.
func explain(err error) error {
	var ae *apiclient.APIError
	if !errors.As(err, &ae) {
		var re *apiclient.RedactedSecretError
		if errors.As(err, &re) {
			return cmdutil.Errorf(cmdutil.ExitConflict, "", "%s; nothing was sent", re.Error())
		}
		return err
	}
	switch {
	case ae.Status == http.StatusForbidden && ae.Code == "ADMIN_CONFIG_FORBIDDEN":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "admin-config needs a user whose role is admin or owner (or listed in the server's admin_user_ids)",
			"forbidden: the signed-in account may not read or change the server's admin configuration (ADMIN_CONFIG_FORBIDDEN)")
	case ae.RouteMissing:
		return &cmdutil.UnavailableError{Feature: "Stripe settings (Kernia's admin-config plugin, /api/auth/admin/config/stripe)",
			Hint: "the server does not mount the admin_config plugin"}
	}
	return err
}
