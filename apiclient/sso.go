package apiclient

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

// SSOService covers Kernia's SSO plugin management routes (kernia-wire.md §7) and the
// dashboard's "sso-domains" family (the domain list Kernia has no route for).
type SSOService service

// SSO returns the SSO service of c.
func (c *Client) SSO() *SSOService { return (*SSOService)(&c.common) }

// SSODomainsFamily is the dashboard route family of the SSO domain list.
const SSODomainsFamily = "sso-domains"

// SSOProvider is the full provider shape (register, update, list-providers). Kernia returns
// oidcConfig.clientSecret and samlConfig.sp.privateKey in clear: they are registered with the
// scrubber, and output redaction hides them by key name.
type SSOProvider struct {
	ID             string            `json:"id"`
	Issuer         string            `json:"issuer"`
	Kind           string            `json:"kind"`
	Name           *string           `json:"name"`
	Domains        []string          `json:"domains"`
	OIDCConfig     map[string]any    `json:"oidcConfig"`
	SAMLConfig     map[string]any    `json:"samlConfig"`
	Mapping        map[string]string `json:"mapping"`
	OrganizationID *string           `json:"organizationId"`
	CreatedAt      Time              `json:"createdAt"`
	UpdatedAt      Time              `json:"updatedAt"`
}

// rememberSecrets registers every secret-named string in v with the scrubber.
func (s *SSOService) rememberSecrets(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if str, ok := val.(string); ok && isSSOSecretKey(k) {
				s.client.scrubber.Add(str)
				continue
			}
			s.rememberSecrets(val)
		}
	case []any:
		for _, e := range x {
			s.rememberSecrets(e)
		}
	}
}

func isSSOSecretKey(k string) bool {
	switch strings.ToLower(k) {
	case "clientsecret", "client_secret", "privatekey", "private_key":
		return true
	}
	return false
}

func (s *SSOService) remember(p *SSOProvider) {
	if p == nil {
		return
	}
	s.rememberSecrets(p.OIDCConfig)
	s.rememberSecrets(p.SAMLConfig)
}

// RegisterProvider registers a provider (POST /api/auth/sso/register-provider). body holds
// issuer, kind, name, domains, oidcConfig or samlConfig, mapping, organizationId.
func (s *SSOService) RegisterProvider(ctx context.Context, body map[string]any) (*SSOProvider, *Response, error) {
	s.rememberSecrets(body)
	var out struct {
		Provider SSOProvider `json:"provider"`
	}
	resp, err := (*service)(s).kpost(ctx, AuthBase+"/sso/register-provider", body, &out)
	if err != nil {
		return nil, resp, err
	}
	s.remember(&out.Provider)
	return &out.Provider, resp, nil
}

// UpdateProvider changes a provider (POST /api/auth/sso/update-provider); Kernia shallow-merges
// oidcConfig / samlConfig into the stored config and replaces the other fields given.
func (s *SSOService) UpdateProvider(ctx context.Context, id string, fields map[string]any) (*SSOProvider, *Response, error) {
	s.rememberSecrets(fields)
	body := map[string]any{}
	for k, v := range fields {
		body[k] = v
	}
	body[s.idKey(ctx)] = id
	var raw json.RawMessage
	resp, err := (*service)(s).kpost(Idempotent(ctx), AuthBase+"/sso/update-provider", body, &raw)
	if err != nil {
		return nil, resp, err
	}
	// Kernia wraps the provider in {"provider":…}; Better Auth answers it bare.
	var out struct {
		Provider *SSOProvider `json:"provider"`
	}
	p := &SSOProvider{}
	if json.Unmarshal(raw, &out) == nil && out.Provider != nil {
		p = out.Provider
	} else if err := json.Unmarshal(raw, p); err != nil {
		return nil, resp, &DecodeError{Path: AuthBase + "/sso/update-provider", Status: resp.StatusCode, Err: err}
	}
	s.remember(p)
	return p, resp, nil
}

// idKey is the body field naming a provider in update/delete: Kernia's "id", Better Auth's
// "providerId".
func (s *SSOService) idKey(ctx context.Context) string {
	if s.client.ResolveDialect(ctx) == DialectBetterAuth {
		return "providerId"
	}
	return "id"
}

// DeleteProvider deletes a provider and its domains (POST /api/auth/sso/delete-provider).
func (s *SSOService) DeleteProvider(ctx context.Context, id string) (*Response, error) {
	return (*service)(s).kpost(Idempotent(ctx), AuthBase+"/sso/delete-provider", map[string]string{s.idKey(ctx): id}, nil)
}

// ListProviders returns every provider in the full shape (GET /api/auth/sso/list-providers).
func (s *SSOService) ListProviders(ctx context.Context) ([]SSOProvider, *Response, error) {
	if s.client.ResolveDialect(ctx) == DialectBetterAuth {
		return s.listProvidersBetterAuth(ctx) // sso_betterauth.go
	}
	var out struct {
		Providers []SSOProvider `json:"providers"`
	}
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/sso/list-providers", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	for i := range out.Providers {
		s.remember(&out.Providers[i])
	}
	if out.Providers == nil {
		out.Providers = []SSOProvider{}
	}
	return out.Providers, resp, nil
}

// GetProvider returns the sanitized view of one provider (GET /api/auth/sso/get-provider),
// which only its owner (or an org admin) may read.
func (s *SSOService) GetProvider(ctx context.Context, id string) (map[string]any, *Response, error) {
	var out map[string]any
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/sso/get-provider", url.Values{"providerId": {id}}, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// DomainRegistration is register-domain's answer. Token is the verification token, shown
// once, to be published as a TXT record.
type DomainRegistration struct {
	Domain       string `json:"domain"`
	Token        string `json:"token"`
	Instructions string `json:"instructions,omitempty"`
}

// RegisterDomain asks for a verification token for domain (POST /api/auth/sso/register-domain).
func (s *SSOService) RegisterDomain(ctx context.Context, providerID, domain string) (*DomainRegistration, *Response, error) {
	var out DomainRegistration
	resp, err := (*service)(s).kpost(ctx, AuthBase+"/sso/register-domain", map[string]string{"ssoProviderId": providerID, "domain": domain}, &out)
	if err != nil {
		return nil, resp, err
	}
	s.client.scrubber.Add(out.Token)
	return &out, resp, nil
}

// DomainVerification is verify-domain's answer.
type DomainVerification struct {
	Domain   string `json:"domain"`
	Verified bool   `json:"verified"`
}

// VerifyDomain submits the token (POST /api/auth/sso/verify-domain). Kernia only compares it
// with the stored one: checking DNS is the caller's job.
func (s *SSOService) VerifyDomain(ctx context.Context, domain, token string) (*DomainVerification, *Response, error) {
	s.client.scrubber.Add(token)
	var out DomainVerification
	resp, err := (*service)(s).kpost(Idempotent(ctx), AuthBase+"/sso/verify-domain", map[string]string{"domain": domain, "token": token}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// SSODomain is one row of the dashboard's domain list.
type SSODomain struct {
	ID            string `json:"id"`
	Domain        string `json:"domain"`
	SSOProviderID string `json:"ssoProviderId"`
	Verified      bool   `json:"verified"`
	CreatedAt     Time   `json:"createdAt"`
}

// ListDomains reads GET /api/admin/sso/domains (optionally one provider's).
func (s *SSOService) ListDomains(ctx context.Context, providerID string) ([]SSODomain, *Response, error) {
	q := url.Values{}
	if providerID != "" {
		q.Set("providerId", providerID)
	}
	var out struct {
		Domains []SSODomain `json:"domains"`
	}
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/sso/domains", q, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Domains == nil {
		out.Domains = []SSODomain{}
	}
	return out.Domains, resp, nil
}
