package apiclient

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// RedactedMarker is what Kernia's admin_config plugin shows instead of a stored secret. Kernia
// stores whatever is written back, so sending it would overwrite the real secret.
const RedactedMarker = "********"

// AdminConfigService covers Kernia's admin_config plugin (kernia-wire.md §5): the auth-method
// map, the email-client document and the Stripe settings document. Every POST replaces the
// whole stored document for its key; reads redact secrets with RedactedMarker.
type AdminConfigService service

// AdminConfig returns the admin_config service of c.
func (c *Client) AdminConfig() *AdminConfigService { return (*AdminConfigService)(&c.common) }

// EmailSecretFields are Kernia's default secret fields of the email-clients document
// (kernia-wire.md §5.2).
func EmailSecretFields() []string { return []string{"password", "apiKey", "token", "secret"} }

// StripeSecretFields are Kernia's default secret fields of the stripe document.
func StripeSecretFields() []string { return []string{"apiKey", "webhookSecret"} }

// DefaultAuthMethodKeys are Kernia's 13 default auth methods, in Kernia's order.
func DefaultAuthMethodKeys() []string {
	return []string{"email-password", "magic-link", "email-otp", "google", "github", "passkey",
		"two-factor", "username", "phone-number", "siwe", "anonymous", "one-tap", "sso"}
}

// MethodEntry is one auth-method entry as stored: "enabled", "label" and whatever else the
// server keeps. It is kept whole so that a write-back drops nothing.
type MethodEntry map[string]any

// Enabled reports whether Kernia lets the method through: only an "enabled" that is exactly
// false blocks it.
func (m MethodEntry) Enabled() bool {
	b, ok := m["enabled"].(bool)
	return !ok || b
}

// Label returns the entry's label ("" when none).
func (m MethodEntry) Label() string {
	s, _ := m["label"].(string)
	return s
}

// AuthMethods is the merged auth-method map (stored document over the defaults).
type AuthMethods map[string]MethodEntry

// Keys returns the method keys: Kernia's defaults in their order, then the others sorted.
func (a AuthMethods) Keys() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range DefaultAuthMethodKeys() {
		if _, ok := a[k]; ok {
			out = append(out, k)
			seen[k] = true
		}
	}
	var extra []string
	for k := range a {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// Clone returns a deep-enough copy (each entry copied).
func (a AuthMethods) Clone() AuthMethods {
	out := make(AuthMethods, len(a))
	for k, v := range a {
		e := make(MethodEntry, len(v))
		for kk, vv := range v {
			e[kk] = vv
		}
		out[k] = e
	}
	return out
}

func (s *AdminConfigService) get(ctx context.Context, route string, auth bool, v any) (*Response, error) {
	if !auth {
		ctx = WithBearer(ctx, "")
	}
	req, err := s.client.NewRequest(ctx, http.MethodGet, AuthBase+"/admin/config/"+route, nil)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, v)
}

func (s *AdminConfigService) post(ctx context.Context, route string, value any, secretFields []string, v any) (*Response, error) {
	if path, ok := FindRedacted(value); ok {
		return nil, &RedactedSecretError{Key: route, Path: path}
	}
	body := map[string]any{"value": value}
	if secretFields != nil {
		body["secretFields"] = secretFields
	}
	// Writing the same whole document twice gives the same state: safe to retry.
	req, err := s.client.NewRequest(Idempotent(ctx), http.MethodPost, AuthBase+"/admin/config/"+route, body)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, v)
}

// PublicAuth reads GET /admin/config/public-auth without credentials: what a login screen sees.
func (s *AdminConfigService) PublicAuth(ctx context.Context) (AuthMethods, *Response, error) {
	var out struct {
		Methods AuthMethods `json:"methods"`
	}
	resp, err := s.get(ctx, "public-auth", false, &out)
	if err != nil {
		return nil, resp, err
	}
	return nonNilMethods(out.Methods), resp, nil
}

// AuthMethods reads GET /admin/config/auth-methods (admin): the merged map.
func (s *AdminConfigService) AuthMethods(ctx context.Context) (AuthMethods, *Response, error) {
	var out struct {
		Methods AuthMethods `json:"methods"`
	}
	resp, err := s.get(ctx, "auth-methods", true, &out)
	if err != nil {
		return nil, resp, err
	}
	return nonNilMethods(out.Methods), resp, nil
}

// SetAuthMethods replaces the stored auth-method document with methods and returns the
// merged map the server answers with. Pass every method (the whole map): what is left out
// falls back to Kernia's defaults.
func (s *AdminConfigService) SetAuthMethods(ctx context.Context, methods AuthMethods) (AuthMethods, *Response, error) {
	var out struct {
		Methods AuthMethods `json:"methods"`
	}
	resp, err := s.post(ctx, "auth-methods", methods, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return nonNilMethods(out.Methods), resp, nil
}

func nonNilMethods(m AuthMethods) AuthMethods {
	if m == nil {
		return AuthMethods{}
	}
	return m
}

// EmailClients reads GET /admin/config/email-clients: the whole client list, secrets
// replaced by RedactedMarker. Clients are kept as generic objects so a write-back drops no
// field.
func (s *AdminConfigService) EmailClients(ctx context.Context) ([]map[string]any, *Response, error) {
	var out struct {
		Clients []map[string]any `json:"clients"`
	}
	resp, err := s.get(ctx, "email-clients", true, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Clients == nil {
		out.Clients = []map[string]any{}
	}
	return out.Clients, resp, nil
}

// SetEmailClients replaces the whole email-client document. It refuses (before sending) a
// document that holds RedactedMarker anywhere.
func (s *AdminConfigService) SetEmailClients(ctx context.Context, clients []map[string]any, secretFields []string) ([]map[string]any, *Response, error) {
	if clients == nil {
		clients = []map[string]any{}
	}
	var out struct {
		Clients []map[string]any `json:"clients"`
	}
	resp, err := s.post(ctx, "email-clients", map[string]any{"clients": clients}, secretFields, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Clients == nil {
		out.Clients = []map[string]any{}
	}
	return out.Clients, resp, nil
}

// Stripe reads GET /admin/config/stripe (secrets replaced by RedactedMarker).
func (s *AdminConfigService) Stripe(ctx context.Context) (map[string]any, *Response, error) {
	var out struct {
		Stripe map[string]any `json:"stripe"`
	}
	resp, err := s.get(ctx, "stripe", true, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Stripe == nil {
		out.Stripe = map[string]any{}
	}
	return out.Stripe, resp, nil
}

// SetStripe replaces the whole Stripe settings document. It refuses (before sending) a
// document that holds RedactedMarker anywhere.
func (s *AdminConfigService) SetStripe(ctx context.Context, value map[string]any, secretFields []string) (map[string]any, *Response, error) {
	var out struct {
		Stripe map[string]any `json:"stripe"`
	}
	resp, err := s.post(ctx, "stripe", value, secretFields, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Stripe == nil {
		out.Stripe = map[string]any{}
	}
	return out.Stripe, resp, nil
}

// RedactedSecretError: a write was refused before sending because the document still holds a
// redaction marker, which the server would store in place of the real secret.
type RedactedSecretError struct {
	Key  string // admin-config key or dashboard route
	Path string // where the marker is, e.g. "clients.1.password"
}

func (e *RedactedSecretError) Error() string {
	return fmt.Sprintf("refusing to write %s: %s holds the redaction marker %q, which would overwrite the stored secret", e.Key, e.Path, RedactedMarker)
}

// FindRedacted returns the dotted path of the first string equal to RedactedMarker in a
// document built from maps, slices and scalars (map keys visited in sorted order).
func FindRedacted(v any) (string, bool) {
	return findRedacted(v, "")
}

func findRedacted(v any, path string) (string, bool) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch x := v.(type) {
	case string:
		if x == RedactedMarker {
			return path, true
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := findRedacted(x[k], join(k)); ok {
				return p, true
			}
		}
	case MethodEntry:
		return findRedacted(map[string]any(x), path)
	case AuthMethods:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = map[string]any(e)
		}
		return findRedacted(m, path)
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return findRedacted(m, path)
	case []map[string]any:
		for i, e := range x {
			if p, ok := findRedacted(e, join(fmt.Sprint(i))); ok {
				return p, true
			}
		}
	case []any:
		for i, e := range x {
			if p, ok := findRedacted(e, join(fmt.Sprint(i))); ok {
				return p, true
			}
		}
	case []string:
		for i, e := range x {
			if e == RedactedMarker {
				return join(fmt.Sprint(i)), true
			}
		}
	case EmailClientInput:
		return findRedacted(map[string]any(x), path)
	}
	return "", false
}

// ---- dashboard: per-client email configuration (docs/dashboard-api.yaml, family "email") ----

// SecretState is the dashboard's description of one stored secret: whether it is set and a
// short fingerprint ("hmac:1a2b3c4d") that changes when the secret does.
type SecretState struct {
	Set         bool   `json:"set"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// DashboardEmailClient is one client as the dashboard returns it: the client object (secret
// fields replaced by RedactedMarker) and the state of its secrets.
type DashboardEmailClient struct {
	Fields  map[string]any
	Secrets map[string]SecretState
}

// EmailClientInput is a client object to upsert. Secret fields that are absent keep their
// stored value on the server.
type EmailClientInput map[string]any

// EmailTestResult is the answer of POST /api/admin/email/test.
type EmailTestResult struct {
	Delivered bool   `json:"delivered"`
	Kind      string `json:"kind"`
	OutboxID  string `json:"outboxId"`
	MessageID string `json:"messageId"`
}

func splitDashboardClient(raw map[string]any) DashboardEmailClient {
	c := DashboardEmailClient{Fields: map[string]any{}, Secrets: map[string]SecretState{}}
	for k, v := range raw {
		if k != "secrets" {
			c.Fields[k] = v
			continue
		}
		m, _ := v.(map[string]any)
		for field, st := range m {
			sm, _ := st.(map[string]any)
			var ss SecretState
			ss.Set, _ = sm["set"].(bool)
			ss.Fingerprint, _ = sm["fingerprint"].(string)
			c.Secrets[field] = ss
		}
	}
	return c
}

// EmailClients reads GET /api/admin/email/clients.
func (s *AdminService) EmailClients(ctx context.Context) ([]DashboardEmailClient, *Response, error) {
	var out struct {
		Clients []map[string]any `json:"clients"`
	}
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/email/clients", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	list := make([]DashboardEmailClient, 0, len(out.Clients))
	for _, c := range out.Clients {
		list = append(list, splitDashboardClient(c))
	}
	return list, resp, nil
}

// UpsertEmailClient creates or updates one client (POST /api/admin/email/clients/upsert).
// Secret fields left out keep their stored value. A client holding RedactedMarker is refused
// before sending.
func (s *AdminService) UpsertEmailClient(ctx context.Context, client EmailClientInput) (*DashboardEmailClient, bool, *Response, error) {
	if path, ok := FindRedacted(client); ok {
		return nil, false, nil, &RedactedSecretError{Key: "email client", Path: path}
	}
	var out struct {
		Client  map[string]any `json:"client"`
		Created bool           `json:"created"`
	}
	resp, err := s.post(Idempotent(ctx), "/email/clients/upsert", map[string]any{"client": client}, &out)
	if err != nil {
		return nil, false, resp, err
	}
	c := splitDashboardClient(out.Client)
	return &c, out.Created, resp, nil
}

// DeleteEmailClient removes one client (POST /api/admin/email/clients/delete); 404
// EMAIL_CLIENT_NOT_FOUND when there is none.
func (s *AdminService) DeleteEmailClient(ctx context.Context, id string) (*Response, error) {
	return s.post(ctx, "/email/clients/delete", map[string]string{"id": id}, nil)
}

// TestEmailClient sends a test message through one client (POST /api/admin/email/test).
func (s *AdminService) TestEmailClient(ctx context.Context, id, to string) (*EmailTestResult, *Response, error) {
	var out EmailTestResult
	resp, err := s.post(ctx, "/email/test", map[string]string{"id": id, "to": to}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// IsRedacted reports whether v is the redaction marker.
func IsRedacted(v any) bool {
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) == RedactedMarker
}
