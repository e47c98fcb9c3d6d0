package apiclient

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// AuthService covers sign-in, sign-out, the current session and public auth settings.
type AuthService service

// SignInResult is a successful email/password sign-in.
type SignInResult struct {
	User    User    `json:"user"`
	Session Session `json:"session"`
	// Token is the bearer token: set-auth-token, else the session cookie value, else the
	// body's token (Better Auth).
	Token string `json:"-"`
}

// SignIn signs in with email and password. It sends no Origin and no cookie.
func (s *AuthService) SignIn(ctx context.Context, email, password string) (*SignInResult, *Response, error) {
	s.client.scrubber.Add(password)
	req, err := s.client.NewRequest(ctx, http.MethodPost, AuthBase+"/sign-in/email", map[string]any{"email": email, "password": password})
	if err != nil {
		return nil, nil, err
	}
	// Sign-in never carries the (possibly stale) stored credentials.
	req = req.WithContext(WithBearer(ctx, ""))
	var raw map[string]json.RawMessage
	resp, err := s.client.Do(req, &raw)
	if err != nil {
		return nil, resp, err
	}
	var challenge struct {
		Code              string   `json:"code"`
		Redirect          string   `json:"redirect"`
		TwoFactorRedirect bool     `json:"twoFactorRedirect"`
		TwoFactorMethods  []string `json:"twoFactorMethods"`
	}
	_ = json.Unmarshal(resp.Body, &challenge)
	if challenge.Code == "SSO_REDIRECT" {
		return nil, resp, &SignInChallengeError{Code: "SSO_REDIRECT", Redirect: challenge.Redirect}
	}
	if challenge.TwoFactorRedirect {
		return nil, resp, &SignInChallengeError{Code: "TWO_FACTOR_REQUIRED", Methods: challenge.TwoFactorMethods}
	}
	var out SignInResult
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, resp, &DecodeError{Path: req.URL.Path, Status: resp.StatusCode, Err: err}
	}
	out.Token = resp.Header.Get("set-auth-token")
	if out.Token == "" {
		out.Token = sessionCookie(resp.Header)
	}
	if out.Token == "" {
		var body struct {
			Token string `json:"token"`
		}
		_ = json.Unmarshal(resp.Body, &body)
		out.Token = body.Token
	}
	if out.Token == "" {
		return nil, resp, &DecodeError{Path: req.URL.Path, Status: resp.StatusCode, Err: errNoToken}
	}
	s.client.scrubber.Add(out.Token)
	return &out, resp, nil
}

type constErr string

func (e constErr) Error() string { return string(e) }

const errNoToken = constErr("sign-in succeeded but the server sent no session token (no set-auth-token header and no better-auth.session_token cookie)")

func sessionCookie(h http.Header) string {
	for _, sc := range h.Values("Set-Cookie") {
		first, _, _ := strings.Cut(sc, ";")
		name, val, ok := strings.Cut(strings.TrimSpace(first), "=")
		if ok && (name == "better-auth.session_token" || name == "__Secure-better-auth.session_token") && val != "" {
			return val
		}
	}
	return ""
}

// CurrentSession is get-session's answer.
type CurrentSession struct {
	Session Session `json:"session"`
	User    User    `json:"user"`
}

// GetSession returns the caller's session, or nil when the server says there is none
// (Kernia: 200 with an empty body; Better Auth: 200 null).
func (s *AuthService) GetSession(ctx context.Context) (*CurrentSession, *Response, error) {
	var out *CurrentSession
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/get-session?disableRefresh=true", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	if out != nil && out.Session.ID == "" && out.User.ID == "" {
		out = nil
	}
	return out, resp, nil
}

// SignOut ends the caller's session.
func (s *AuthService) SignOut(ctx context.Context) (*Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodPost, AuthBase+"/sign-out", struct{}{})
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, nil)
}

// AuthMethod is one entry of the admin-config auth-methods map.
type AuthMethod struct {
	Enabled *bool  `json:"enabled"`
	Label   string `json:"label"`
}

// On reports whether the method is enabled (a missing "enabled" key is not blocked by Kernia).
func (m AuthMethod) On() bool { return m.Enabled == nil || *m.Enabled }

// PublicAuth reads GET /admin/config/public-auth (no auth needed).
func (s *AuthService) PublicAuth(ctx context.Context) (map[string]AuthMethod, *Response, error) {
	var out struct {
		Methods map[string]AuthMethod `json:"methods"`
	}
	req, err := s.client.NewRequest(WithBearer(ctx, ""), http.MethodGet, AuthBase+"/admin/config/public-auth", nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Methods, resp, nil
}
