package apiclient

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
)

// MetaService discovers what a server offers.
type MetaService service

// OK calls GET /api/auth/ok, the one health route every Kernia server has.
func (s *MetaService) OK(ctx context.Context) (*Response, error) {
	var out struct {
		OK bool `json:"ok"`
	}
	return (*service)(s).getQuery(WithBearer(ctx, ""), AuthBase+"/ok", nil, &out)
}

// OpenAPIDoc is the part of openapi.json the CLI reads.
type OpenAPIDoc struct {
	OpenAPI string                                 `json:"openapi"`
	Paths   map[string]map[string]OpenAPIOperation `json:"paths"`
}

// OpenAPIOperation is one operation of a path.
type OpenAPIOperation struct {
	Tags []string `json:"tags"`
}

// OpenAPI reads GET /api/auth/openapi.json (Kernia's open-api plugin), falling back to
// Better Auth's /open-api/generate-schema.
func (s *MetaService) OpenAPI(ctx context.Context) (*OpenAPIDoc, *Response, error) {
	var doc OpenAPIDoc
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/openapi.json", nil, &doc)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		resp, err = (*service)(s).getQuery(ctx, AuthBase+"/open-api/generate-schema", nil, &doc)
	}
	if err != nil {
		return nil, resp, err
	}
	return &doc, resp, nil
}

// Plugins returns the plugin ids named in the operations' tags, lower-cased (Better Auth
// tags its operations "Admin", "Api-key", "Sso", ...; Kernia uses the plugin ids).
func (d *OpenAPIDoc) Plugins() []string {
	set := map[string]bool{}
	for _, ops := range d.Paths {
		for _, op := range ops {
			for _, t := range op.Tags {
				set[strings.ToLower(t)] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Probe is a read-only route per plugin, used when openapi.json is not mounted: an absent
// plugin answers {"code":"NOT_FOUND"} without a message; anything else means it is there.
func probeRoutes() []struct{ Plugin, Method, Path string } {
	return []struct{ Plugin, Method, Path string }{
		{"email-password", http.MethodGet, "/get-session"},
		{"admin", http.MethodPost, "/admin/list-users"},
		{"admin-config", http.MethodGet, "/admin/config/public-auth"},
		{"api-key", http.MethodGet, "/api-key/list"},
		{"sso", http.MethodGet, "/sso/providers"},
		{"scim", http.MethodGet, "/scim/list-provider-connections"},
		{"stripe", http.MethodGet, "/subscription/list"},
		{"organization", http.MethodGet, "/organization/list"},
	}
}

// ProbePlugins detects mounted plugins by calling one harmless read route of each.
func (s *MetaService) ProbePlugins(ctx context.Context) ([]string, error) {
	var out []string
	for _, p := range probeRoutes() {
		var body any
		if p.Method == http.MethodPost {
			body = map[string]int{"limit": 1}
		}
		req, err := s.client.NewRequest(ReadOnly(ctx), p.Method, AuthBase+p.Path, body)
		if err != nil {
			return nil, err
		}
		_, err = s.client.Do(req, nil)
		var ae *APIError
		switch {
		case err == nil:
			out = append(out, p.Plugin)
		case errors.As(err, &ae):
			if !ae.RouteMissing {
				out = append(out, p.Plugin)
			}
		default:
			return out, err
		}
	}
	return out, nil
}
