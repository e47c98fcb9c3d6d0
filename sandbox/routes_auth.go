package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"
)

const (
	minPasswordLen = 8
	maxPasswordLen = 128
)

// checkPasswordLength applies email_and_password's 8–128 character rule.
func checkPasswordLength(p string, withText bool) error {
	n := utf8.RuneCountInString(p)
	switch {
	case n < minPasswordLen && withText:
		return errMsg(http.StatusBadRequest, "PASSWORD_TOO_SHORT", "Password too short")
	case n < minPasswordLen:
		return errCode(http.StatusBadRequest, "PASSWORD_TOO_SHORT")
	case n > maxPasswordLen && withText:
		return errMsg(http.StatusBadRequest, "PASSWORD_TOO_LONG", "Password too long")
	case n > maxPasswordLen:
		return errCode(http.StatusBadRequest, "PASSWORD_TOO_LONG")
	}
	return nil
}

// POST /sign-up/email
func (s *Server) signUpEmail(ctx context.Context, rq *request) (any, error) {
	email, err := rq.body.requiredStr("email")
	if err != nil {
		return nil, err
	}
	password, err := rq.body.requiredStr("password")
	if err != nil {
		return nil, err
	}
	name, ok, err := rq.body.str("name")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInvalid("name is required")
	}
	image, _, err := rq.body.str("image")
	if err != nil {
		return nil, err
	}
	if err := checkPasswordLength(password, false); err != nil {
		return nil, err
	}
	if existing, err := s.getUser(ctx, s.db, "email", email); err != nil {
		return nil, err
	} else if existing != nil {
		return nil, errCode(http.StatusConflict, "EMAIL_ALREADY_IN_USE")
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	var u *user
	var sess *session
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO "user" (`+userColumns+`) VALUES (?, ?, 0, ?, ?, ?, ?, 'user', 0, NULL, NULL)`,
			id, email, name, nilIfEmpty(image), rq.now, rq.now); err != nil {
			if isUniqueViolation(err) {
				return errCode(http.StatusConflict, "EMAIL_ALREADY_IN_USE")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO account (id, userId, providerId, accountId, password, createdAt, updatedAt)
			VALUES (?, ?, 'credential', ?, ?, ?, ?)`, newID(), id, id, hash, rq.now, rq.now); err != nil {
			return err
		}
		if sess, err = s.createSession(ctx, tx, id, requestMeta(rq.r), sessionLifetime, ""); err != nil {
			return err
		}
		u, err = s.getUser(ctx, tx, "id", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.setSessionCookie(rq.w, sess.Token, true)
	return userSession{User: u, Session: sessionView{ID: sess.ID, ExpiresAt: sess.ExpiresAt}}, nil
}

// POST /sign-in/email
func (s *Server) signInEmail(ctx context.Context, rq *request) (any, error) {
	email, err := rq.body.requiredStr("email")
	if err != nil {
		return nil, err
	}
	password, ok, err := rq.body.str("password")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInvalid("password is required")
	}
	remember, err := rq.body.boolean("remember_me", true)
	if err != nil {
		return nil, err
	}
	u, err := s.getUser(ctx, s.db, "email", email)
	if err != nil {
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		var h sql.NullString
		err := s.db.QueryRowContext(ctx, `SELECT password FROM account WHERE userId = ? AND providerId = 'credential'`, u.ID).Scan(&h)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if h.Valid && h.String != "" {
			hash = h.String
		} else {
			u = nil
		}
	}
	if !verifyPassword(password, hash) || u == nil {
		return nil, errCode(http.StatusUnauthorized, "INVALID_CREDENTIALS")
	}
	banned, err := s.enforceBan(ctx, u, rq.now)
	if err != nil {
		return nil, err
	}
	if banned {
		return nil, errMsg(http.StatusForbidden, "BANNED_USER", bannedUserMessage)
	}
	sess, err := s.createSession(ctx, s.db, u.ID, requestMeta(rq.r), sessionLifetime, "")
	if err != nil {
		return nil, err
	}
	s.setSessionCookie(rq.w, sess.Token, remember)
	type signInUser struct {
		ID    string  `json:"id"`
		Email string  `json:"email"`
		Name  *string `json:"name"`
	}
	return userSession{
		User:    signInUser{ID: u.ID, Email: u.Email, Name: u.Name},
		Session: sessionView{ID: sess.ID, ExpiresAt: sess.ExpiresAt},
	}, nil
}

// GET /get-session
func (s *Server) getSession(ctx context.Context, rq *request) (any, error) {
	if rq.auth == nil {
		return emptyBody{}, nil
	}
	sess := rq.auth.session
	switch strings.ToLower(rq.r.URL.Query().Get("disableRefresh")) {
	case "true", "1", "yes":
	default:
		// Re-issue the cookie once the session is older than update_age;
		// the database expiry is never extended.
		if rq.now-sess.CreatedAt > int64(sessionUpdateAge.Seconds()) {
			s.setSessionCookie(rq.w, sess.Token, true)
		}
	}
	return sessionUser{Session: sessionView{ID: sess.ID, ExpiresAt: sess.ExpiresAt}, User: rq.auth.user}, nil
}

// POST /sign-out
func (s *Server) signOut(ctx context.Context, rq *request) (any, error) {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM session WHERE id = ?`, rq.auth.session.ID); err != nil {
		return nil, err
	}
	s.clearSessionCookies(rq.w)
	return map[string]bool{"success": true}, nil
}

// GET /list-sessions
func (s *Server) listSessions(ctx context.Context, rq *request) (any, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM session WHERE userId = ? ORDER BY createdAt, id`, rq.auth.user.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type item struct {
		ID        string  `json:"id"`
		ExpiresAt int64   `json:"expiresAt"`
		IPAddress *string `json:"ipAddress"`
		UserAgent *string `json:"userAgent"`
		Current   bool    `json:"current"`
	}
	out := []item{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, item{ss.ID, ss.ExpiresAt, ss.IPAddress, ss.UserAgent, ss.ID == rq.auth.session.ID})
	}
	return out, rows.Err()
}

// POST /revoke-session {"session_id"} (snake_case only)
func (s *Server) revokeSession(ctx context.Context, rq *request) (any, error) {
	id, ok, err := rq.body.str("session_id")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInvalid("session_id: Field required")
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM session WHERE id = ? AND userId = ?`, id, rq.auth.user.ID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errCode(http.StatusNotFound, "NOT_FOUND")
	}
	return map[string]bool{"success": true}, nil
}

// POST /revoke-sessions
func (s *Server) revokeSessions(ctx context.Context, rq *request) (any, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM session WHERE userId = ?`, rq.auth.user.ID)
	if err != nil {
		return nil, err
	}
	n, _ := res.RowsAffected()
	return map[string]int64{"revoked": n}, nil
}

// POST /revoke-other-sessions
func (s *Server) revokeOtherSessions(ctx context.Context, rq *request) (any, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM session WHERE userId = ? AND id <> ?`, rq.auth.user.ID, rq.auth.session.ID)
	if err != nil {
		return nil, err
	}
	n, _ := res.RowsAffected()
	return map[string]int64{"revoked": n}, nil
}

// POST /update-session {"ip_address"?, "user_agent"?}
func (s *Server) updateSession(ctx context.Context, rq *request) (any, error) {
	sess := rq.auth.session
	ip, hasIP, err := rq.body.str("ip_address")
	if err != nil {
		return nil, err
	}
	ua, hasUA, err := rq.body.str("user_agent")
	if err != nil {
		return nil, err
	}
	if hasIP {
		sess.IPAddress = &ip
	}
	if hasUA {
		sess.UserAgent = &ua
	}
	sess.UpdatedAt = rq.now
	if _, err := s.db.ExecContext(ctx, `UPDATE session SET ipAddress = ?, userAgent = ?, updatedAt = ? WHERE id = ?`,
		strOrNil(sess.IPAddress), strOrNil(sess.UserAgent), sess.UpdatedAt, sess.ID); err != nil {
		return nil, err
	}
	return map[string]any{"session": sess}, nil
}

// GET /ok
func (s *Server) ok(context.Context, *request) (any, error) {
	return map[string]bool{"ok": true}, nil
}

// GET /error?error=CODE
func (s *Server) errorRoute(_ context.Context, rq *request) (any, error) {
	code := rq.r.URL.Query().Get("error")
	if code == "" {
		code = "UNKNOWN"
	}
	return nil, errCode(http.StatusBadRequest, code)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
