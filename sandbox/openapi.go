package sandbox

import (
	"context"
	"net/http"
	"strings"
)

// GET /openapi.json: generated from the route table, so it never drifts.
// Like Kernia's open-api plugin, paths are relative to /api/auth and each
// operation is tagged with its owning plugin id. Dashboard routes are
// described separately (docs/dashboard-api.yaml).
func (s *Server) openAPI(context.Context, *request) (any, error) {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		if rt.prefix != authPrefix {
			continue
		}
		op := map[string]any{
			"operationId": operationID(rt),
			"summary":     rt.summary,
			"tags":        []string{rt.owner},
			"responses": map[string]any{
				"200": map[string]any{
					"description": "Success",
					"content": map[string]any{
						"application/json": map[string]any{"schema": map[string]any{"type": "object"}},
					},
				},
			},
		}
		if rt.access != Public {
			op["security"] = []map[string][]string{{"sessionCookie": {}}, {"bearerAuth": {}}}
		}
		if rt.method == http.MethodPost && rt.body == bodyExact {
			op["requestBody"] = map[string]any{
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}},
			}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Kernia",
			"description": "Kernia-compatible sandbox (kernia-admin)",
			"version":     "0.1.0",
		},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"sessionCookie": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
				"bearerAuth":    map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
	}, nil
}

func operationID(rt *route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	up := true
	for _, r := range rt.path {
		if r == '/' || r == '-' || r == '.' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}
