package sandbox

import (
	"context"
	"net/http"
	"strings"
)

// matchRoute finds the route for (method, path): an exact match first, then
// a route whose path has :name segments (SCIM /scim/v2/Users/:userId). A
// parameter matches one non-empty segment.
func (s *Server) matchRoute(method, path string) (*route, map[string]string) {
	if rt := s.index[method+" "+path]; rt != nil && !strings.Contains(rt.path, "/:") {
		return rt, nil
	}
	got := strings.Split(path, "/")
	for _, rt := range s.routes {
		if rt.method != method || !strings.Contains(rt.path, "/:") {
			continue
		}
		want := strings.Split(rt.fullPath(), "/")
		if len(want) != len(got) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, w := range want {
			if name, isParam := strings.CutPrefix(w, ":"); isParam && got[i] != "" {
				params[name] = got[i]
			} else if w != got[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt, params
		}
	}
	return nil, nil
}

type handlerFunc = func(ctx context.Context, rq *request) (any, error)

// keyRoute is a kernia_api_key route. Its session routes check the session
// in the handler (x-api-key is accepted); no session → 401
// UNAUTHORIZED_SESSION.
func keyRoute(method, path string, access Access, kind bodyKind, summary string, h handlerFunc) *route {
	rt := &route{method: method, prefix: authPrefix, path: path, access: access, owner: "api-key", body: kind,
		summary: summary, handle: h}
	if access != Public {
		rt.apiKeySession, rt.unauthorized = true, "UNAUTHORIZED_SESSION"
	}
	return rt
}

// ssoRoute is a kernia_sso management route: an admin in the sandbox
// (Kernia: any session), session checked in the handler (x-api-key
// accepted), Pydantic bodies.
func ssoRoute(method, path, summary string, h handlerFunc) *route {
	kind := bodyNone
	if method == http.MethodPost {
		kind = bodyExact
	}
	return &route{method: method, prefix: authPrefix, path: path, access: Admin, owner: "sso", body: kind,
		summary: summary, forbidden: "SSO_ADMIN_REQUIRED", apiKeySession: true, handle: h}
}

// scimRoute is a kernia_scim route: management routes are requires_session
// (an admin in the sandbox); SCIM v2 routes are Public at the session level
// and check their own bearer SCIM token.
func scimRoute(method, path string, access Access, summary string, h handlerFunc) *route {
	kind := bodyNone
	if method != http.MethodGet {
		kind = bodyExact
	}
	return &route{method: method, prefix: authPrefix, path: path, access: access, owner: "scim", body: kind,
		summary: summary, forbidden: "FORBIDDEN", handle: h}
}
