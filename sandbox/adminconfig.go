package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// adminConfigAuthMethods is the adminConfig key of the auth-method document.
const adminConfigAuthMethods = "auth-methods"

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

// readAdminConfig returns the stored JSON object under key, or nil.
func (s *Server) readAdminConfig(ctx context.Context, key string) (map[string]any, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM adminConfig WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, fmt.Errorf("sandbox: adminConfig %s: %w", key, err)
	}
	return v, nil
}

// authMethods is the merged auth-method map: the stored document shallowly
// merged per method over the defaults; unknown stored ids are kept.
func (s *Server) authMethods(ctx context.Context) (map[string]map[string]any, error) {
	stored, err := s.readAdminConfig(ctx, adminConfigAuthMethods)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, m := range defaultAuthMethods() {
		out[m.id] = map[string]any{"enabled": m.enabled, "label": m.label}
	}
	for id, v := range stored {
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
