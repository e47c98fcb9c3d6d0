package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
)

// AdminService covers this project's dashboard contract under /api/admin
// (docs/dashboard-api.yaml): what Kernia leaves to the application.
type AdminService service

// Capabilities lists the dashboard route families a server implements.
type Capabilities struct {
	Version  int      `json:"version"`
	Families []string `json:"families"`
}

// Has reports whether family is implemented.
func (c *Capabilities) Has(family string) bool {
	if c == nil {
		return false
	}
	for _, f := range c.Families {
		if f == family {
			return true
		}
	}
	return false
}

// Capabilities reads GET /api/admin/capabilities. A server without the dashboard answers 404;
// callers turn that into "not available here".
func (s *AdminService) Capabilities(ctx context.Context) (*Capabilities, *Response, error) {
	var out Capabilities
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/capabilities", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// HasFamily reports whether the dashboard implements family. A server without the dashboard
// (any 404 on /api/admin/capabilities) reports false with a nil error; other failures (401,
// 403, network) are returned.
func (s *AdminService) HasFamily(ctx context.Context, family string) (bool, error) {
	caps, _, err := s.Capabilities(ctx)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return caps.Has(family), nil
}

// Overview is the dashboard's summary counts.
type Overview struct {
	Users                 int `json:"users"`
	Admins                int `json:"admins"`
	BannedUsers           int `json:"bannedUsers"`
	Sessions              int `json:"sessions"`
	ImpersonationSessions int `json:"impersonationSessions"`
}

// Overview reads GET /api/admin/overview.
func (s *AdminService) Overview(ctx context.Context) (*Overview, *Response, error) {
	var out Overview
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/overview", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// SessionListOptions filter the all-users session list.
type SessionListOptions struct {
	UserID string
	Limit  int
	Offset int
}

// SessionList is one page of sessions.
type SessionList struct {
	Sessions []Session `json:"sessions"`
	Total    int       `json:"total"`
}

// ListSessions returns one page of every user's sessions (never their tokens).
func (s *AdminService) ListSessions(ctx context.Context, o SessionListOptions) (*SessionList, *Response, error) {
	q := url.Values{}
	if o.UserID != "" {
		q.Set("userId", o.UserID)
	}
	setPage(q, o.Limit, o.Offset)
	var out SessionList
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/sessions", q, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Sessions == nil {
		out.Sessions = []Session{}
	}
	return &out, resp, nil
}

// ListSessionsAll streams every session, a page at a time. o.Limit caps the total.
func (s *AdminService) ListSessionsAll(ctx context.Context, o SessionListOptions, pageSize int) iter.Seq2[*Session, error] {
	return pages(o.Offset, o.Limit, pageSize, func(offset, limit int) ([]Session, int, error) {
		p := o
		p.Offset, p.Limit = offset, limit
		list, _, err := s.ListSessions(ctx, p)
		if err != nil {
			return nil, 0, err
		}
		return list.Sessions, list.Total, nil
	})
}

func (s *AdminService) post(ctx context.Context, path string, body, v any) (*Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodPost, DashboardBase+path, body)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, v)
}

// RevokeSession revokes one session by id.
func (s *AdminService) RevokeSession(ctx context.Context, id string) (*Response, error) {
	req, err := s.client.NewRequest(Idempotent(ctx), http.MethodPost, DashboardBase+"/sessions/revoke", map[string]string{"sessionId": id})
	if err != nil {
		return nil, err
	}
	return s.client.doAck(req)
}

// RevokeUserSessions revokes every session of one user and returns how many were revoked.
func (s *AdminService) RevokeUserSessions(ctx context.Context, userID string) (int, *Response, error) {
	var out struct {
		Revoked int `json:"revoked"`
	}
	resp, err := s.post(Idempotent(ctx), "/sessions/revoke-all", map[string]string{"userId": userID}, &out)
	return out.Revoked, resp, err
}

// RevokeEverySession revokes every session of every user except the caller's own.
func (s *AdminService) RevokeEverySession(ctx context.Context) (int, *Response, error) {
	var out struct {
		Revoked int `json:"revoked"`
	}
	resp, err := s.post(Idempotent(ctx), "/sessions/revoke-all", map[string]bool{"all": true}, &out)
	return out.Revoked, resp, err
}

// AuditEvent is one recorded admin mutation.
type AuditEvent struct {
	ID         string          `json:"id"`
	ActorID    string          `json:"actorId"`
	Action     string          `json:"action"`
	TargetType string          `json:"targetType"`
	TargetID   string          `json:"targetId"`
	Data       json.RawMessage `json:"data"`
	CreatedAt  Time            `json:"createdAt"`
}

// AuditList is one page of audit events.
type AuditList struct {
	Events []AuditEvent `json:"events"`
	Total  int          `json:"total"`
}

// ListAudit returns one page of audit events, newest first.
func (s *AdminService) ListAudit(ctx context.Context, action string, limit, offset int) (*AuditList, *Response, error) {
	q := url.Values{}
	if action != "" {
		q.Set("action", action)
	}
	setPage(q, limit, offset)
	var out AuditList
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/audit", q, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Events == nil {
		out.Events = []AuditEvent{}
	}
	return &out, resp, nil
}
