package apiclient

import (
	"context"
	"net/url"
)

// SCIMService covers Kernia's SCIM plugin (kernia-wire.md §8): the management routes (which
// need a session; an API key is not enough), the SCIM v2 Users endpoint (authenticated by a
// SCIM token), and the dashboard's "scim-directories" family.
type SCIMService service

// SCIM returns the SCIM service of c.
func (c *Client) SCIM() *SCIMService { return (*SCIMService)(&c.common) }

// SCIMDirectoriesFamily is the dashboard route family of the directory counts.
const SCIMDirectoriesFamily = "scim-directories"

// SCIMConnection is one provider connection.
type SCIMConnection struct {
	ID             string  `json:"id"`
	ProviderID     string  `json:"providerId"`
	OrganizationID *string `json:"organizationId"`
}

// GenerateToken creates a SCIM token for providerID (POST /api/auth/scim/generate-token).
// Generating again for the same provider deletes the previous connection and its token.
func (s *SCIMService) GenerateToken(ctx context.Context, providerID, organizationID string) (string, *Response, error) {
	body := map[string]string{"providerId": providerID}
	if organizationID != "" {
		body["organizationId"] = organizationID
	}
	var out struct {
		SCIMToken string `json:"scimToken"`
	}
	resp, err := (*service)(s).kpost(ctx, AuthBase+"/scim/generate-token", body, &out)
	if err != nil {
		return "", resp, err
	}
	s.client.scrubber.Add(out.SCIMToken)
	return out.SCIMToken, resp, nil
}

// ListConnections reads GET /api/auth/scim/list-provider-connections.
func (s *SCIMService) ListConnections(ctx context.Context) ([]SCIMConnection, *Response, error) {
	var out struct {
		Providers []SCIMConnection `json:"providers"`
	}
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/scim/list-provider-connections", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Providers == nil {
		out.Providers = []SCIMConnection{}
	}
	return out.Providers, resp, nil
}

// GetConnection reads GET /api/auth/scim/get-provider-connection?providerId=.
func (s *SCIMService) GetConnection(ctx context.Context, providerID string) (*SCIMConnection, *Response, error) {
	var out SCIMConnection
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/scim/get-provider-connection", url.Values{"providerId": {providerID}}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// DeleteConnection deletes a connection, which invalidates its token
// (POST /api/auth/scim/delete-provider-connection).
func (s *SCIMService) DeleteConnection(ctx context.Context, providerID string) (*Response, error) {
	return (*service)(s).kpost(Idempotent(ctx), AuthBase+"/scim/delete-provider-connection", map[string]string{"providerId": providerID}, nil)
}

// SCIMDirectory is one connection with its provisioned user count (dashboard).
type SCIMDirectory struct {
	ID                string  `json:"id"`
	ProviderID        string  `json:"providerId"`
	OrganizationID    *string `json:"organizationId"`
	UserCount         int64   `json:"userCount"`
	LastProvisionedAt Time    `json:"lastProvisionedAt"`
}

// ListDirectories reads GET /api/admin/scim/directories.
func (s *SCIMService) ListDirectories(ctx context.Context) ([]SCIMDirectory, *Response, error) {
	var out struct {
		Directories []SCIMDirectory `json:"directories"`
	}
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/scim/directories", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Directories == nil {
		out.Directories = []SCIMDirectory{}
	}
	return out.Directories, resp, nil
}

// CountUsers counts the users a SCIM token's connection sees (GET /api/auth/scim/v2/Users with
// "Authorization: Bearer <token>", not the client's session). Kernia does not page this list.
func (s *SCIMService) CountUsers(ctx context.Context, token string) (int64, *Response, error) {
	s.client.scrubber.Add(token)
	var out struct {
		TotalResults int64 `json:"totalResults"`
	}
	resp, err := (*service)(s).getQuery(WithBearer(ctx, token), AuthBase+"/scim/v2/Users", nil, &out)
	if err != nil {
		return 0, resp, err
	}
	return out.TotalResults, resp, nil
}
