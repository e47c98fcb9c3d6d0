package apiclient

import (
	"context"
	"encoding/json"
	"net/http"
)

// SessionsService covers session routes: the admin plugin's per-user routes and the core
// routes for the caller's own sessions.
type SessionsService service

// Session is the normalized session model. Token is kept for the calls that need it (the
// admin plugin revokes by raw token) but is never marshalled: it cannot reach any output.
type Session struct {
	ID             string       `json:"id"`
	UserID         string       `json:"userId,omitempty"`
	Token          string       `json:"-"`
	ExpiresAt      Time         `json:"expiresAt"`
	IPAddress      string       `json:"ipAddress"`
	UserAgent      string       `json:"userAgent"`
	CreatedAt      Time         `json:"createdAt"`
	UpdatedAt      Time         `json:"updatedAt"`
	ImpersonatedBy string       `json:"impersonatedBy"`
	Current        *bool        `json:"current,omitempty"`
	User           *SessionUser `json:"user,omitempty"`
}

// SessionUser is the owner summary the dashboard attaches to a session.
type SessionUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// UnmarshalJSON captures the token, which the struct never marshals.
func (s *Session) UnmarshalJSON(b []byte) error {
	type plain Session
	var aux struct {
		plain
		Token          *string `json:"token"`
		IPAddress      *string `json:"ipAddress"`
		UserAgent      *string `json:"userAgent"`
		ImpersonatedBy *string `json:"impersonatedBy"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*s = Session(aux.plain)
	if aux.Token != nil {
		s.Token = *aux.Token
	}
	if aux.IPAddress != nil {
		s.IPAddress = *aux.IPAddress
	}
	if aux.UserAgent != nil {
		s.UserAgent = *aux.UserAgent
	}
	if aux.ImpersonatedBy != nil {
		s.ImpersonatedBy = *aux.ImpersonatedBy
	}
	return nil
}

// ListForUser lists one user's sessions (admin list-user-sessions). The raw tokens Kernia
// returns stay inside Session.Token and are registered with the scrubber.
func (s *SessionsService) ListForUser(ctx context.Context, userID string) ([]Session, *Response, error) {
	var out struct {
		Sessions []Session `json:"sessions"`
	}
	resp, err := (*service)(s).adminCall(ctx, "list-user-sessions", map[string]string{"userId": userID}, true, &out)
	if err != nil {
		return nil, resp, err
	}
	for _, ss := range out.Sessions {
		s.client.scrubber.Add(ss.Token)
	}
	if out.Sessions == nil {
		out.Sessions = []Session{}
	}
	return out.Sessions, resp, nil
}

// RevokeByToken revokes one session by its raw token (admin revoke-user-session). Kernia
// answers success even when nothing matched.
func (s *SessionsService) RevokeByToken(ctx context.Context, token string) (*Response, error) {
	return (*service)(s).adminCall(ctx, "revoke-user-session", map[string]string{"sessionToken": token}, true, &ack{})
}

// RevokeAllForUser revokes every session of a user (admin revoke-user-sessions).
func (s *SessionsService) RevokeAllForUser(ctx context.Context, userID string) (*Response, error) {
	return (*service)(s).adminCall(ctx, "revoke-user-sessions", map[string]string{"userId": userID}, true, &ack{})
}

// ListMine lists the caller's own sessions (core GET /list-sessions).
func (s *SessionsService) ListMine(ctx context.Context) ([]Session, *Response, error) {
	var out []Session
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/list-sessions", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	if out == nil {
		out = []Session{}
	}
	return out, resp, nil
}

// RevokeMine revokes one of the caller's sessions by id (core /revoke-session, whose body
// field is snake_case session_id).
func (s *SessionsService) RevokeMine(ctx context.Context, sessionID string) (*Response, error) {
	req, err := s.client.NewRequest(Idempotent(ctx), http.MethodPost, AuthBase+"/revoke-session", map[string]string{"session_id": sessionID})
	if err != nil {
		return nil, err
	}
	return s.client.doAck(req)
}

// FindForUser returns the session with id sessionID among userID's sessions (admin
// list-user-sessions), or nil when the user has no such session. The returned session
// carries the raw token that RevokeByToken needs; it is never marshalled.
func (s *SessionsService) FindForUser(ctx context.Context, userID, sessionID string) (*Session, *Response, error) {
	list, resp, err := s.ListForUser(ctx, userID)
	if err != nil {
		return nil, resp, err
	}
	for i := range list {
		if list[i].ID == sessionID {
			return &list[i], resp, nil
		}
	}
	return nil, resp, nil
}
