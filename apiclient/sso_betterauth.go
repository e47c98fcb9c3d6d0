package apiclient

import (
	"context"
	"strings"
)

// listProvidersBetterAuth reads Better Auth's GET /api/auth/sso/providers: only the caller's
// own providers, with the client id masked (oidcConfig.clientIdLastFour) and no secret. Its
// shape differs from Kernia's list-providers (providerId, type, one domain string) and is
// mapped onto SSOProvider.
func (s *SSOService) listProvidersBetterAuth(ctx context.Context) ([]SSOProvider, *Response, error) {
	var out struct {
		Providers []struct {
			ProviderID     string         `json:"providerId"`
			Type           string         `json:"type"`
			Issuer         string         `json:"issuer"`
			Domain         string         `json:"domain"`
			OrganizationID *string        `json:"organizationId"`
			OIDCConfig     map[string]any `json:"oidcConfig"`
			SAMLConfig     map[string]any `json:"samlConfig"`
			CreatedAt      Time           `json:"createdAt"`
			UpdatedAt      Time           `json:"updatedAt"`
		} `json:"providers"`
	}
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/sso/providers", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	list := make([]SSOProvider, 0, len(out.Providers))
	for _, p := range out.Providers {
		sp := SSOProvider{ID: p.ProviderID, Issuer: p.Issuer, Kind: p.Type, OrganizationID: p.OrganizationID,
			OIDCConfig: p.OIDCConfig, SAMLConfig: p.SAMLConfig, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Domains: []string{}}
		for _, d := range strings.Split(p.Domain, ",") {
			if d = strings.TrimSpace(d); d != "" {
				sp.Domains = append(sp.Domains, d)
			}
		}
		s.remember(&sp)
		list = append(list, sp)
	}
	return list, resp, nil
}
