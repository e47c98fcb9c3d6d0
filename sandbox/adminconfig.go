package sandbox

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// adminConfig keys (kernia-wire.md §5).
const (
	adminConfigAuthMethods  = "auth-methods"
	adminConfigEmailClients = "email-clients"
	adminConfigStripe       = "stripe"
	// redactionMarker is what Kernia shows instead of a truthy secret value.
	redactionMarker = "********"
)

// ErrAdminConfigNotFound is returned by AdminConfigRaw when no row is stored
// under the key.
var ErrAdminConfigNotFound = errors.New("sandbox: no adminConfig row for this key")

// defaultSecretFields are the secret fields used when a row stores none.
func defaultSecretFields(key string) []string {
	switch key {
	case adminConfigEmailClients:
		return []string{"password", "apiKey", "token", "secret"}
	case adminConfigStripe:
		return []string{"apiKey", "webhookSecret"}
	}
	return nil
}

// authMethod is one of Kernia's auth-method keys (kernia-wire.md §5.3).
type authMethod struct {
	id      string
	enabled bool
	label   string
	// blocks lists the request paths (relative to /api/auth) the
	// admin_config gate rejects when the method's enabled is exactly false:
	// an exact match or a prefix followed by "/".
	blocks []string
}

// defaultAuthMethods returns the 13 default auth methods in Kernia's order.
func defaultAuthMethods() []authMethod {
	return []authMethod{
		{"email-password", true, "Email and password", []string{"/sign-up/email", "/sign-in/email", "/forget-password", "/reset-password"}},
		{"magic-link", false, "Magic link", []string{"/sign-in/magic-link", "/magic-link/verify"}},
		{"email-otp", false, "Email OTP", []string{"/sign-in/email-otp", "/email-otp/verify", "/email-otp/send-verification-otp",
			"/email-otp/verify-email", "/forget-password/email-otp", "/email-otp/reset-password", "/email-otp/request-email-change",
			"/email-otp/change-email"}},
		{"google", false, "Google", nil},
		{"github", false, "GitHub", nil},
		{"passkey", false, "Passkey", []string{"/passkey"}},
		{"two-factor", false, "Two-factor", nil},
		{"username", false, "Username", []string{"/sign-up/username", "/sign-in/username"}},
		{"phone-number", false, "Phone number", []string{"/phone-number"}},
		{"siwe", false, "Ethereum wallet", []string{"/siwe"}},
		{"anonymous", false, "Anonymous", []string{"/sign-in/anonymous"}},
		{"one-tap", false, "Google One Tap", []string{"/one-tap"}},
		{"sso", false, "Enterprise SSO", []string{"/sso", "/saml"}},
	}
}

// gatePath reports whether rel (a path relative to /api/auth) is rel to a
// blocked path p: equal, or p followed by "/".
func gatePath(rel, p string) bool {
	return rel == p || strings.HasPrefix(rel, p+"/")
}

// authMethodGate is admin_config's on_request hook (kernia-wire.md §5.3):
// a request to a path of a method whose merged enabled is exactly false is
// answered 403 AUTH_METHOD_DISABLED. Dashboard routes are not under
// /api/auth and are never gated.
func (s *Server) authMethodGate(ctx context.Context, rt *route) error {
	if rt.prefix != authPrefix {
		return nil
	}
	// Kernia reads the stored document on every request; reading only when
	// the path is one a method can block is observably the same.
	if gateCandidates(rt.path) == nil {
		return nil
	}
	methods, err := s.authMethods(ctx)
	if err != nil {
		return err
	}
	if id := gatedBy(rt.path, methods); id != "" {
		return errMsg(http.StatusForbidden, "AUTH_METHOD_DISABLED", id+" is disabled.")
	}
	return nil
}

// gateCandidates lists, in Kernia's order, the methods that block rel (a
// path relative to /api/auth). /admin/*, /api-key/* and /scim/* are never
// gated.
func gateCandidates(rel string) []authMethod {
	for _, p := range []string{"/admin", "/api-key", "/scim"} {
		if gatePath(rel, p) {
			return nil
		}
	}
	var out []authMethod
	for _, m := range defaultAuthMethods() {
		for _, p := range m.blocks {
			if gatePath(rel, p) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// gatedBy returns the id of the first method blocking rel whose merged
// enabled is exactly false, or "".
func gatedBy(rel string, methods map[string]map[string]any) string {
	for _, m := range gateCandidates(rel) {
		if enabled, ok := methods[m.id]["enabled"].(bool); ok && !enabled {
			return m.id
		}
	}
	return ""
}

// configRow is one adminConfig row, decoded.
type configRow struct {
	exists       bool
	value        map[string]any
	secretFields []string // as stored (possibly empty)
}

// effectiveSecrets is the stored list, or the key's defaults when empty.
func (r *configRow) effectiveSecrets(key string) []string {
	if len(r.secretFields) > 0 {
		return r.secretFields
	}
	return defaultSecretFields(key)
}

// decodeJSON decodes JSON text keeping numbers as json.Number.
func decodeJSON(text string, v any) error {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	return dec.Decode(v)
}

// encodeJSON is compact JSON without HTML escaping.
func encodeJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimRight(buf.String(), "\n"), nil
}

// readConfigRow reads and decodes the row stored under key.
func readConfigRow(ctx context.Context, q dbtx, key string) (*configRow, error) {
	var value, secrets string
	err := q.QueryRowContext(ctx, `SELECT value, secretFields FROM adminConfig WHERE key = ?`, key).Scan(&value, &secrets)
	if errors.Is(err, sql.ErrNoRows) {
		return &configRow{value: map[string]any{}}, nil
	}
	if err != nil {
		return nil, err
	}
	row := &configRow{exists: true}
	if err := decodeJSON(value, &row.value); err != nil {
		return nil, fmt.Errorf("sandbox: adminConfig %s value: %w", key, err)
	}
	if row.value == nil {
		row.value = map[string]any{}
	}
	var list []any
	if decodeJSON(secrets, &list) == nil {
		for _, f := range list {
			if f, ok := f.(string); ok {
				row.secretFields = append(row.secretFields, f)
			}
		}
	}
	return row, nil
}

// writeConfigRow replaces the document stored under key.
func (s *Server) writeConfigRow(ctx context.Context, q dbtx, key string, value map[string]any, secretFields []string) error {
	if secretFields == nil {
		secretFields = []string{}
	}
	v, err := encodeJSON(value)
	if err != nil {
		return err
	}
	sf, err := encodeJSON(secretFields)
	if err != nil {
		return err
	}
	now := s.now().Unix()
	_, err = q.ExecContext(ctx, `INSERT INTO adminConfig (id, key, value, secretFields, createdAt, updatedAt)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, secretFields = excluded.secretFields,
		updatedAt = excluded.updatedAt`, newID(), key, v, sf, now, now)
	return err
}

// AdminConfigRaw returns the value and secretFields columns stored under
// key exactly as they are in the database (JSON text, secrets in clear).
// It returns ErrAdminConfigNotFound when there is no row. Meant for tests.
func (s *Server) AdminConfigRaw(ctx context.Context, key string) (value string, secretFields string, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT value, secretFields FROM adminConfig WHERE key = ?`, key).Scan(&value, &secretFields)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrAdminConfigNotFound
	}
	return value, secretFields, err
}

// truthy is Python truthiness of a decoded JSON value.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case json.Number:
		f, err := t.Float64()
		return err != nil || f != 0
	case float64:
		return t != 0
	case map[string]any:
		return len(t) > 0
	case []any:
		return len(t) > 0
	}
	return true
}

// redact replaces, at any depth inside maps and lists, every key named in
// secrets whose value is truthy with the literal "********". v is not
// modified.
func redact(v any, secrets map[string]bool) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if secrets[k] && truthy(val) {
				out[k] = redactionMarker
				continue
			}
			out[k] = redact(val, secrets)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = redact(val, secrets)
		}
		return out
	}
	return v
}

func stringSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// authMethods is the merged auth-method map: the stored document shallowly
// merged per method over the defaults; unknown stored ids are kept.
func (s *Server) authMethods(ctx context.Context) (map[string]map[string]any, error) {
	row, err := readConfigRow(ctx, s.db, adminConfigAuthMethods)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, m := range defaultAuthMethods() {
		out[m.id] = map[string]any{"enabled": m.enabled, "label": m.label}
	}
	for id, v := range row.value {
		entry, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if out[id] == nil {
			out[id] = map[string]any{}
		}
		for k, val := range entry {
			out[id][k] = val
		}
	}
	return out, nil
}

// GET /admin/config/public-auth (no auth)
func (s *Server) publicAuth(ctx context.Context, _ *request) (any, error) {
	methods, err := s.authMethods(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"methods": methods}, nil
}

// GET /admin/config/auth-methods
func (s *Server) getAuthMethods(ctx context.Context, _ *request) (any, error) {
	return s.publicAuth(ctx, nil)
}

// configBody decodes admin_config's Pydantic body {"value":{},"secretFields":[]}.
func configBody(b body) (map[string]any, []string, error) {
	value := map[string]any{}
	if b.has("value") {
		v, _ := b.any("value")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil, errInvalid("value: Input should be a valid dictionary")
		}
		value = m
	}
	var secrets []string
	if b.has("secretFields") {
		v, _ := b.any("secretFields")
		list, ok := v.([]any)
		if !ok {
			return nil, nil, errInvalid("secretFields: Input should be a valid list")
		}
		for _, f := range list {
			f, ok := f.(string)
			if !ok {
				return nil, nil, errInvalid("secretFields: Input should be a valid string")
			}
			secrets = append(secrets, f)
		}
	}
	return value, secrets, nil
}

// putConfig stores a whole document (Kernia's POST: replace, no
// keep-existing logic, a posted "********" is stored as is) and records an
// audit event naming only the key.
func (s *Server) putConfig(ctx context.Context, rq *request, key string, value map[string]any, secrets []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.writeConfigRow(ctx, tx, key, value, secrets); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditConfigUpdate, auditTargetConfig, key,
			map[string]any{"via": "admin-config"})
	})
}

// POST /admin/config/auth-methods {"value":{<id>:{...}}}; stored without
// secret fields.
func (s *Server) postAuthMethods(ctx context.Context, rq *request) (any, error) {
	value, _, err := configBody(rq.body)
	if err != nil {
		return nil, err
	}
	if err := s.putConfig(ctx, rq, adminConfigAuthMethods, value, nil); err != nil {
		return nil, err
	}
	return s.publicAuth(ctx, nil)
}

// redactedConfig reads key and returns its redacted document.
func (s *Server) redactedConfig(ctx context.Context, key string) (map[string]any, error) {
	row, err := readConfigRow(ctx, s.db, key)
	if err != nil {
		return nil, err
	}
	return redact(row.value, stringSet(row.effectiveSecrets(key))).(map[string]any), nil
}

func clientsOf(doc map[string]any) any {
	if c, ok := doc["clients"]; ok && c != nil {
		return c
	}
	return []any{}
}

// GET /admin/config/email-clients
func (s *Server) getEmailClientsConfig(ctx context.Context, _ *request) (any, error) {
	doc, err := s.redactedConfig(ctx, adminConfigEmailClients)
	if err != nil {
		return nil, err
	}
	return map[string]any{"clients": clientsOf(doc)}, nil
}

// POST /admin/config/email-clients {"value":{"clients":[...]},"secretFields":[...]}
func (s *Server) postEmailClientsConfig(ctx context.Context, rq *request) (any, error) {
	value, secrets, err := configBody(rq.body)
	if err != nil {
		return nil, err
	}
	if err := s.putConfig(ctx, rq, adminConfigEmailClients, value, secrets); err != nil {
		return nil, err
	}
	return s.getEmailClientsConfig(ctx, rq)
}

// GET /admin/config/stripe
func (s *Server) getStripeConfig(ctx context.Context, _ *request) (any, error) {
	doc, err := s.redactedConfig(ctx, adminConfigStripe)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stripe": doc}, nil
}

// POST /admin/config/stripe {"value":{...},"secretFields":[...]}
func (s *Server) postStripeConfig(ctx context.Context, rq *request) (any, error) {
	value, secrets, err := configBody(rq.body)
	if err != nil {
		return nil, err
	}
	if err := s.putConfig(ctx, rq, adminConfigStripe, value, secrets); err != nil {
		return nil, err
	}
	return s.getStripeConfig(ctx, rq)
}
