package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	sessionCookie      = "better-auth.session_token"
	dontRememberCookie = "better-auth.dont_remember"
	adminSessionCookie = "better-auth.admin_session"
)

// lookupSession resolves a raw token to an unexpired session and its user.
// An expired session is deleted and reported as absent.
func (s *Server) lookupSession(ctx context.Context, raw string, now int64) (*authState, error) {
	var ss sessionScan
	var us userScan
	err := s.db.QueryRowContext(ctx, `SELECT s.id, s.userId, s.token, s.expiresAt, s.ipAddress, s.userAgent, s.createdAt,
		s.updatedAt, s.impersonatedBy, u.id, u.email, u.emailVerified, u.name, u.image, u.createdAt, u.updatedAt, u.role,
		u.banned, u.banReason, u.banExpires
		FROM session s JOIN "user" u ON u.id = s.userId WHERE s.token = ?`, raw).Scan(append(ss.dest(), us.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sess := ss.session()
	if sess.ExpiresAt <= now {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM session WHERE id = ?`, sess.ID); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return &authState{session: sess, user: us.user()}, nil
}

// cookieSession resolves the better-auth.session_token cookie. hasCookie is
// true whenever such a cookie is present, valid or not (the bearer trap).
func (s *Server) cookieSession(ctx context.Context, rq *request) (auth *authState, hasCookie bool, err error) {
	c, err := rq.r.Cookie(sessionCookie)
	if err != nil {
		return nil, false, nil
	}
	value := c.Value
	if strings.Contains(value, "%") {
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
	}
	raw, ok := s.unsign(value)
	if !ok {
		return nil, true, nil
	}
	auth, err = s.lookupSession(ctx, raw, rq.now)
	if err != nil {
		return nil, true, err
	}
	if auth == nil {
		s.clearSessionCookies(rq.w)
		return nil, true, nil
	}
	auth.viaCookie = true
	return auth, true, nil
}

// bearerSession resolves Authorization: Bearer <signed or raw token>.
func (s *Server) bearerSession(ctx context.Context, rq *request) (*authState, error) {
	h := strings.TrimSpace(rq.r.Header.Get("Authorization"))
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return nil, nil
	}
	token = strings.TrimSpace(token)
	if strings.Contains(token, "%") {
		if v, err := url.QueryUnescape(token); err == nil {
			token = v
		}
	}
	if token == "" {
		return nil, nil
	}
	raw := token
	if strings.Contains(token, ".") {
		if raw, ok = s.unsign(token); !ok {
			return nil, nil
		}
	}
	return s.lookupSession(ctx, raw, rq.now)
}

// enforceBan reports whether u is banned now; a lapsed ban is cleared.
func (s *Server) enforceBan(ctx context.Context, u *user, now int64) (bool, error) {
	if !u.Banned {
		return false, nil
	}
	if u.activeBan(now) {
		return true, nil
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE "user" SET banned = 0, banReason = NULL, banExpires = NULL, updatedAt = ?
		WHERE id = ?`, now, u.ID); err != nil {
		return false, err
	}
	u.Banned, u.BanReason, u.BanExpires = false, nil, nil
	return false, nil
}

// setSessionCookie sets better-auth.session_token and the bearer plugin's
// set-auth-token header to the signed token.
func (s *Server) setSessionCookie(w http.ResponseWriter, raw string, remember bool) {
	signed := s.sign(raw)
	maxAge := int(sessionLifetime.Seconds())
	if !remember {
		maxAge = -1
	}
	w.Header().Add("Set-Cookie", s.cookieString(sessionCookie, signed, maxAge))
	if !remember {
		w.Header().Add("Set-Cookie", s.cookieString(dontRememberCookie, "1", -1))
	}
	w.Header().Set("set-auth-token", signed)
	w.Header().Set("Access-Control-Expose-Headers", "set-auth-token")
}

// clearSessionCookies expires the session cookies.
func (s *Server) clearSessionCookies(w http.ResponseWriter) {
	w.Header().Add("Set-Cookie", s.cookieString(sessionCookie, "", 0))
	w.Header().Add("Set-Cookie", s.cookieString(dontRememberCookie, "", 0))
}

// cookieString formats a cookie as Kernia does:
// name=value; Path=/; Max-Age=N; HttpOnly; [Secure; ]SameSite=Lax.
// maxAge < 0 omits Max-Age (a browser-session cookie).
func (s *Server) cookieString(name, value string, maxAge int) string {
	var b strings.Builder
	b.WriteString(name + "=" + value + "; Path=/")
	if maxAge >= 0 {
		b.WriteString("; Max-Age=" + strconv.Itoa(maxAge))
	}
	b.WriteString("; HttpOnly")
	if s.secure {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=Lax")
	return b.String()
}

// requestMeta is the ipAddress / userAgent recorded on a new session.
func requestMeta(r *http.Request) sessionMeta {
	return sessionMeta{ipAddress: r.Header.Get("X-Forwarded-For"), userAgent: r.Header.Get("User-Agent")}
}
