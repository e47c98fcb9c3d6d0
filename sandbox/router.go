package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// bodyKind is how a route's JSON body is decoded.
type bodyKind int

const (
	bodyNone  bodyKind = iota // no body model: the body is ignored
	bodyCamel                 // Kernia dataclass: camelCase or snake_case keys, normalised to snake_case
	bodyExact                 // Pydantic / raw: exactly the declared key names
)

// route is one entry of the route table.
type route struct {
	method  string
	prefix  string // authPrefix or dashboardPrefix
	path    string // relative to prefix
	access  Access
	owner   string // OpenAPI tag: owning plugin id
	body    bodyKind
	summary string
	// forbidden is the 403 code for a signed-in caller who is not an admin.
	forbidden string
	// configAdmin makes the admin gate use admin_config's rule (role list
	// contains admin or owner) instead of "contains admin".
	configAdmin bool
	// allowImpersonated lets an impersonation session through the admin gate.
	allowImpersonated bool
	// skipBanCheck exempts the route from the banned-user check.
	skipBanCheck bool
	// apiKeySession marks a route Kernia does not flag requires_session (it
	// checks the session in the handler): the x-api-key before hook runs
	// first, then a missing session gets 401 (code unauthorized, default
	// UNAUTHORIZED).
	apiKeySession bool
	unauthorized  string
	handle        func(ctx context.Context, rq *request) (any, error)
}

func (rt *route) fullPath() string { return rt.prefix + rt.path }

// request is the per-request state handed to a route handler.
type request struct {
	w    http.ResponseWriter
	r    *http.Request
	rt   *route
	body body
	// auth is the caller's session, nil when unauthenticated.
	auth *authState
	now  int64
	// params are the :name path segments of the matched route.
	params map[string]string
}

// authState is a resolved, unexpired session and its user.
type authState struct {
	session   *session
	user      *user
	viaCookie bool
}

// emptyBody makes the handler answer 200 with a 0-byte body.
type emptyBody struct{}

// apiError is an error answered with the {"code","message"} envelope.
type apiError struct {
	status    int
	code      string
	message   string
	noMessage bool
	// data is the optional "data" object of the envelope.
	data map[string]any
	// raw, when set, is written as the whole body instead of the envelope
	// (SCIM's own error envelope).
	raw any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

// errCode returns an error whose message equals its code.
func errCode(status int, code string) *apiError {
	return &apiError{status: status, code: code, message: code}
}

// errMsg returns an error with explicit message text.
func errMsg(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func errInvalid(message string) *apiError {
	return errMsg(http.StatusBadRequest, "INVALID_REQUEST", message)
}

// statusRecorder captures the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			if rec.status == 0 {
				writeError(rec, errMsg(http.StatusInternalServerError, "INTERNAL", "internal error"))
			}
		}
		s.logRequest(r, rec.status, time.Since(start))
	}()
	s.dispatch(rec, r)
}

func (s *Server) logRequest(r *http.Request, status int, d time.Duration) {
	if s.logger == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.logger, "%s %s %s %d %s\n", time.Now().UTC().Format(time.RFC3339), r.Method,
		strings.ReplaceAll(r.URL.Path, "\n", ""), status, d.Round(time.Microsecond))
}

// dispatch runs Kernia's request pipeline (kernia-wire.md §0.2).
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	// 1. Route match: exact (method, path), then :param routes.
	rt, params := s.matchRoute(r.Method, r.URL.Path)
	if rt == nil {
		writeError(w, &apiError{status: http.StatusNotFound, code: "NOT_FOUND", noMessage: true})
		return
	}
	ctx := r.Context()
	rq := &request{w: w, r: r, rt: rt, now: s.now().Unix(), params: params}
	// 2. CSRF / trusted origin.
	if err := s.checkOrigin(r); err != nil {
		writeError(w, err)
		return
	}
	// 3. Cookie session.
	cookieAuth, hasCookie, err := s.cookieSession(ctx, rq)
	if err != nil {
		s.fail(w, err)
		return
	}
	// 4. Rate limit.
	if s.limiter != nil {
		actor := clientActor(r)
		if cookieAuth != nil {
			actor = cookieAuth.user.ID
		}
		if retry, ok := s.limiter.allow(rt.fullPath(), actor, s.now()); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(retry))
			writeError(w, errMsg(http.StatusTooManyRequests, "RATE_LIMITED", fmt.Sprintf("Too many requests. Retry in %ds.", retry)))
			return
		}
	}
	// 5. Body.
	if rt.body != bodyNone {
		b, err := decodeBody(r, rt.body)
		if err != nil {
			s.fail(w, err)
			return
		}
		rq.body = b
	}
	// 6. Bearer (ignored whenever a session cookie is present).
	rq.auth = cookieAuth
	if !hasCookie {
		if rq.auth, err = s.bearerSession(ctx, rq); err != nil {
			s.fail(w, err)
			return
		}
	}
	// 6b. admin_config's on_request gate: a disabled auth method's paths.
	if err := s.authMethodGate(ctx, rt); err != nil {
		s.fail(w, err)
		return
	}
	// 7. Access: session required (requires_session routes only).
	if rt.access != Public && rq.auth == nil && !rt.apiKeySession {
		writeError(w, errCode(http.StatusUnauthorized, "UNAUTHORIZED"))
		return
	}
	// 8a. kernia_api_key before hook: x-api-key acts as a session.
	if keyAuth, keyID, err := s.apiKeyBeforeHook(ctx, rq); err != nil {
		s.fail(w, err)
		return
	} else if keyAuth != nil {
		rq.auth = keyAuth
		defer s.recordAPIKeyUse(keyID, rt.path, w, rq)
	}
	if rt.access != Public && rq.auth == nil {
		code := rt.unauthorized
		if code == "" {
			code = "UNAUTHORIZED"
		}
		writeError(w, errCode(http.StatusUnauthorized, code))
		return
	}
	// 8b. kernia_sso before hook: sign-in for a verified SSO domain.
	if redirect, err := s.ssoSignInRedirect(ctx, rq); err != nil {
		s.fail(w, err)
		return
	} else if redirect != nil {
		writeJSON(w, http.StatusOK, redirect)
		return
	}
	// 8. Ban check on any request carrying a session.
	if rq.auth != nil && !rt.skipBanCheck {
		banned, err := s.enforceBan(ctx, rq.auth.user, rq.now)
		if err != nil {
			s.fail(w, err)
			return
		}
		if banned {
			writeError(w, errMsg(http.StatusForbidden, "USER_BANNED", bannedUserMessage))
			return
		}
	}
	// Admin gate (deviation: Kernia leaves some admin routes open).
	// allowImpersonated routes (stop-impersonating) check the session themselves.
	if rt.access == Admin && !rt.allowImpersonated && !rt.callerIsAdmin(rq.auth.user) {
		writeError(w, errCode(http.StatusForbidden, rt.forbidden))
		return
	}
	// 9. Handler.
	out, err := rt.handle(ctx, rq)
	if err != nil {
		s.fail(w, err)
		return
	}
	if _, ok := out.(emptyBody); ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// fail answers err: an *apiError as is, anything else as 500 INTERNAL.
func (s *Server) fail(w http.ResponseWriter, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeError(w, ae)
		return
	}
	writeError(w, errMsg(http.StatusInternalServerError, "INTERNAL", "internal error"))
	if s.logger != nil {
		s.logMu.Lock()
		fmt.Fprintf(s.logger, "internal error: %v\n", err)
		s.logMu.Unlock()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"code":"INTERNAL","message":"response encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.raw != nil {
		writeJSON(w, e.status, e.raw)
		return
	}
	if e.noMessage {
		writeJSON(w, e.status, struct {
			Code string `json:"code"`
		}{e.code})
		return
	}
	writeJSON(w, e.status, struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data,omitempty"`
	}{e.code, e.message, e.data})
}

// callerIsAdmin applies the route's admin rule to u.
func (rt *route) callerIsAdmin(u *user) bool {
	if rt.configAdmin {
		return u.hasRole("admin", "owner")
	}
	return u.isAdmin()
}

// checkOrigin is Kernia's CSRF check (kernia-wire.md §1.8).
func (s *Server) checkOrigin(r *http.Request) *apiError {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil
	}
	candidate, present := r.Header.Get("Origin"), len(r.Header.Values("Origin")) > 0
	if !present {
		candidate, present = r.Header.Get("Referer"), len(r.Header.Values("Referer")) > 0
	}
	if !present {
		return nil
	}
	if u, err := url.Parse(candidate); err == nil && u.Scheme != "" && u.Host != "" &&
		u.Scheme+"://"+u.Host == s.baseOrigin {
		return nil
	}
	return errMsg(http.StatusForbidden, "FORBIDDEN", "Origin is not trusted.")
}

// clientActor is the rate-limit actor of a request without a cookie session.
func clientActor(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		if first := strings.TrimSpace(strings.Split(xff, ",")[0]); first != "" {
			return first
		}
	}
	if ip := strings.TrimSpace(r.Header.Get("X-Real-IP")); ip != "" {
		return ip
	}
	return "unknown"
}

// body is a decoded JSON object body.
type body map[string]json.RawMessage

// decodeBody reads a JSON object body. An empty body yields nil (no fields).
func decodeBody(r *http.Request, kind bodyKind) (body, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, errMsg(http.StatusBadRequest, "INVALID_REQUEST", "cannot read body")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, errMsg(http.StatusInternalServerError, "INTERNAL", err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMsg(http.StatusInternalServerError, "INTERNAL", "invalid character after top-level value")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errInvalid("Body must be a JSON object")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, errMsg(http.StatusInternalServerError, "INTERNAL", err.Error())
	}
	if kind != bodyCamel {
		return raw, nil
	}
	out := make(body, len(raw))
	for k, v := range raw { // converted camelCase keys first ...
		if sk := camelToSnake(k); sk != k {
			out[sk] = v
		}
	}
	for k, v := range raw { // ... then explicit snake_case keys win
		if camelToSnake(k) == k {
			out[k] = v
		}
	}
	return out, nil
}

func camelToSnake(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('_')
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// has reports whether key is present and not null.
func (b body) has(key string) bool {
	v, ok := b[key]
	return ok && string(bytes.TrimSpace(v)) != "null"
}

// str returns a string field; absent or null gives "", false.
func (b body) str(key string) (string, bool, error) {
	if !b.has(key) {
		return "", false, nil
	}
	var v string
	if err := json.Unmarshal(b[key], &v); err != nil {
		return "", false, errInvalid(key + " must be a string")
	}
	return v, true, nil
}

// requiredStr returns a non-empty string field or 400 INVALID_REQUEST.
func (b body) requiredStr(key string) (string, error) {
	v, ok, err := b.str(key)
	if err != nil {
		return "", err
	}
	if !ok || v == "" {
		return "", errInvalid(key + " is required")
	}
	return v, nil
}

// boolean returns a bool field or def when absent.
func (b body) boolean(key string, def bool) (bool, error) {
	if !b.has(key) {
		return def, nil
	}
	var v bool
	if err := json.Unmarshal(b[key], &v); err != nil {
		return false, errInvalid(key + " must be a boolean")
	}
	return v, nil
}

// integer returns an integer field (number or numeric string); ok is false
// when absent, null or not a number.
func (b body) integer(key string) (int64, bool) {
	if !b.has(key) {
		return 0, false
	}
	var n json.Number
	if err := json.Unmarshal(b[key], &n); err == nil {
		return numberToInt(n)
	}
	var s string
	if err := json.Unmarshal(b[key], &s); err == nil {
		return numberToInt(json.Number(strings.TrimSpace(s)))
	}
	return 0, false
}

func numberToInt(n json.Number) (int64, bool) {
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	if f, err := n.Float64(); err == nil && f == float64(int64(f)) {
		return int64(f), true
	}
	return 0, false
}

// any decodes a field into a generic value (numbers as json.Number).
func (b body) any(key string) (any, bool) {
	if !b.has(key) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b[key]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}
