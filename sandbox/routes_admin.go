package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

func errUserNotFound() *apiError { return errCode(http.StatusNotFound, "USER_NOT_FOUND") }

// knownRoles is the sandbox roles map: role → resource → actions (Kernia's
// default admin and user roles).
func knownRoles() map[string]map[string][]string {
	return map[string]map[string][]string{
		"admin": {
			"user":    {"create", "list", "set-role", "ban", "impersonate", "delete", "set-password", "get", "update"},
			"session": {"list", "revoke", "delete"},
		},
		"user": {},
	}
}

// parseRole accepts a role string (comma-separated) or an array of strings
// and returns the stored comma-joined form; every role must exist.
func parseRole(v any) (string, error) {
	var parts []string
	switch x := v.(type) {
	case string:
		parts = strings.Split(x, ",")
	case []any:
		for _, item := range x {
			s, ok := item.(string)
			if !ok {
				return "", errCode(http.StatusBadRequest, "INVALID_ROLE_TYPE")
			}
			parts = append(parts, s)
		}
	default:
		return "", errCode(http.StatusBadRequest, "INVALID_ROLE_TYPE")
	}
	roles := knownRoles()
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if _, ok := roles[p]; !ok {
			return "", errCode(http.StatusBadRequest, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE")
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return "", errCode(http.StatusBadRequest, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE")
	}
	return strings.Join(out, ","), nil
}

// applyUserData merges a data object into u, checking every key against the
// user columns and its value against the column type.
func applyUserData(u *user, data map[string]any) error {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := data[k]
		kind, ok := userColumnKind(k)
		if !ok || k == "id" {
			return errInvalid("unknown or read-only user field: " + k)
		}
		bad := errInvalid("invalid value for user field: " + k)
		switch kind {
		case colText:
			var sp *string
			switch x := v.(type) {
			case nil:
			case string:
				sp = &x
			default:
				return bad
			}
			switch k {
			case "email":
				if sp == nil || *sp == "" {
					return bad
				}
				u.Email = *sp
			case "name":
				u.Name = sp
			case "image":
				u.Image = sp
			case "banReason":
				u.BanReason = sp
			case "role":
				if v == nil {
					u.Role = nil
					continue
				}
				role, err := parseRole(v)
				if err != nil {
					return err
				}
				u.Role = &role
			}
		case colBool:
			b, ok := v.(bool)
			if !ok {
				return bad
			}
			if k == "banned" {
				u.Banned = b
			} else {
				u.EmailVerified = b
			}
		case colInt:
			var np *int64
			if v != nil {
				num, ok := v.(json.Number)
				if !ok {
					return bad
				}
				n, ok := numberToInt(num)
				if !ok {
					return bad
				}
				np = &n
			}
			switch k {
			case "banExpires":
				u.BanExpires = np
			case "createdAt", "updatedAt":
				if np == nil {
					return bad
				}
				if k == "createdAt" {
					u.CreatedAt = *np
				} else {
					u.UpdatedAt = *np
				}
			}
		}
	}
	return nil
}

// saveUser writes every column of u (insert when insert is true).
func saveUser(ctx context.Context, q dbtx, u *user, insert bool) error {
	var banExpires any
	if u.BanExpires != nil {
		banExpires = *u.BanExpires
	}
	args := []any{u.Email, u.EmailVerified, strOrNil(u.Name), strOrNil(u.Image), u.CreatedAt, u.UpdatedAt,
		strOrNil(u.Role), u.Banned, strOrNil(u.BanReason), banExpires, u.ID}
	var err error
	if insert {
		_, err = q.ExecContext(ctx, `INSERT INTO "user" (email, emailVerified, name, image, createdAt, updatedAt, role,
			banned, banReason, banExpires, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = q.ExecContext(ctx, `UPDATE "user" SET email = ?, emailVerified = ?, name = ?, image = ?, createdAt = ?,
			updatedAt = ?, role = ?, banned = ?, banReason = ?, banExpires = ? WHERE id = ?`, args...)
	}
	if isUniqueViolation(err) {
		return errCode(http.StatusBadRequest, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
	}
	return err
}

// targetUser reads the required userId and loads that user (404 if absent).
func (s *Server) targetUser(ctx context.Context, q dbtx, b body) (*user, error) {
	id, err := b.requiredStr("user_id")
	if err != nil {
		return nil, err
	}
	u, err := s.getUser(ctx, q, "id", id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUserNotFound()
	}
	return u, nil
}

// objectField decodes an object-valued field; absent gives nil.
func objectField(b body, key string) (map[string]any, error) {
	v, ok := b.any(key)
	if !ok {
		return nil, nil
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, errInvalid(key + " must be an object")
	}
	return m, nil
}

// POST /admin/get-user
func (s *Server) adminGetUser(ctx context.Context, rq *request) (any, error) {
	for _, key := range []string{"id", "user_id", "email"} {
		v, ok, err := rq.body.str(key)
		if err != nil {
			return nil, err
		}
		if !ok || v == "" {
			continue
		}
		col := "id"
		if key == "email" {
			col = "email"
		}
		u, err := s.getUser(ctx, s.db, col, v)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, errUserNotFound()
		}
		return u, nil
	}
	return nil, errInvalid("id or email required")
}

// POST /admin/create-user
func (s *Server) adminCreateUser(ctx context.Context, rq *request) (any, error) {
	email, err := rq.body.requiredStr("email")
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
	password, _, err := rq.body.str("password")
	if err != nil {
		return nil, err
	}
	role := "user"
	if v, ok := rq.body.any("role"); ok {
		if role, err = parseRole(v); err != nil {
			return nil, err
		}
	}
	data, err := objectField(rq.body, "data")
	if err != nil {
		return nil, err
	}
	u := &user{ID: newID(), Email: strings.ToLower(email), Name: &name, Role: &role, CreatedAt: rq.now, UpdatedAt: rq.now}
	if err := applyUserData(u, data); err != nil {
		return nil, err
	}
	var hash string
	if password != "" {
		if hash, err = hashPassword(password); err != nil {
			return nil, err
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if existing, err := s.getUser(ctx, tx, "email", u.Email); err != nil {
			return err
		} else if existing != nil {
			return errCode(http.StatusBadRequest, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
		}
		if err := saveUser(ctx, tx, u, true); err != nil {
			return err
		}
		if hash != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO account (id, userId, providerId, accountId, password, createdAt, updatedAt)
				VALUES (?, ?, 'credential', ?, ?, ?, ?)`, newID(), u.ID, u.ID, hash, rq.now, rq.now); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditUserCreate, auditTargetUser, u.ID,
			map[string]any{"email": u.Email, "role": role, "withPassword": hash != ""})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": u}, nil
}

// POST /admin/update-user
func (s *Server) adminUpdateUser(ctx context.Context, rq *request) (any, error) {
	if _, err := rq.body.requiredStr("user_id"); err != nil {
		return nil, err
	}
	data, err := objectField(rq.body, "data")
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errCode(http.StatusBadRequest, "NO_DATA_TO_UPDATE")
	}
	var u *user
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if u, err = s.targetUser(ctx, tx, rq.body); err != nil {
			return err
		}
		u.UpdatedAt = rq.now
		if err := applyUserData(u, data); err != nil {
			return err
		}
		if err := saveUser(ctx, tx, u, false); err != nil {
			return err
		}
		fields := make([]string, 0, len(data))
		for k := range data {
			fields = append(fields, k)
		}
		sort.Strings(fields)
		return s.audit(ctx, tx, rq.auth.user.ID, auditUserUpdate, auditTargetUser, u.ID, map[string]any{"fields": fields})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// POST /admin/set-role
func (s *Server) adminSetRole(ctx context.Context, rq *request) (any, error) {
	if _, err := rq.body.requiredStr("user_id"); err != nil {
		return nil, err
	}
	v, ok := rq.body.any("role")
	if !ok {
		return nil, errInvalid("role is required")
	}
	role, err := parseRole(v)
	if err != nil {
		return nil, err
	}
	var u *user
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if u, err = s.targetUser(ctx, tx, rq.body); err != nil {
			return err
		}
		previous := strOrNil(u.Role)
		u.Role, u.UpdatedAt = &role, rq.now
		if err := saveUser(ctx, tx, u, false); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditUserSetRole, auditTargetUser, u.ID,
			map[string]any{"role": role, "previousRole": previous})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": u}, nil
}

// POST /admin/ban-user
func (s *Server) adminBanUser(ctx context.Context, rq *request) (any, error) {
	reason, ok, err := rq.body.str("ban_reason")
	if err != nil {
		return nil, err
	}
	if !ok || reason == "" {
		reason = "No reason"
	}
	var u *user
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if u, err = s.targetUser(ctx, tx, rq.body); err != nil {
			return err
		}
		if u.ID == rq.auth.user.ID {
			return errCode(http.StatusBadRequest, "YOU_CANNOT_BAN_YOURSELF")
		}
		u.Banned, u.BanReason, u.BanExpires, u.UpdatedAt = true, &reason, nil, rq.now
		if secs, ok := rq.body.integer("ban_expires_in"); ok && secs > 0 {
			exp := rq.now + secs
			u.BanExpires = &exp
		}
		if err := saveUser(ctx, tx, u, false); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM session WHERE userId = ?`, u.ID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		var exp any
		if u.BanExpires != nil {
			exp = *u.BanExpires
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditUserBan, auditTargetUser, u.ID,
			map[string]any{"banReason": reason, "banExpires": exp, "revokedSessions": n})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": u}, nil
}

// POST /admin/unban-user
func (s *Server) adminUnbanUser(ctx context.Context, rq *request) (any, error) {
	var u *user
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = s.targetUser(ctx, tx, rq.body); err != nil {
			return err
		}
		u.Banned, u.BanReason, u.BanExpires, u.UpdatedAt = false, nil, nil, rq.now
		if err := saveUser(ctx, tx, u, false); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditUserUnban, auditTargetUser, u.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": u}, nil
}

// POST /admin/impersonate-user
func (s *Server) adminImpersonateUser(ctx context.Context, rq *request) (any, error) {
	var (
		u    *user
		sess *session
	)
	admin := rq.auth.user
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = s.targetUser(ctx, tx, rq.body); err != nil {
			return err
		}
		if u.isAdmin() {
			return errCode(http.StatusForbidden, "YOU_CANNOT_IMPERSONATE_ADMINS")
		}
		if sess, err = s.createSession(ctx, tx, u.ID, requestMeta(rq.r), impersonationLifetime, admin.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, admin.ID, auditUserImpersonate, auditTargetUser, u.ID,
			map[string]any{"sessionId": sess.ID, "expiresAt": sess.ExpiresAt})
	})
	if err != nil {
		return nil, err
	}
	// Kernia: the impersonation cookie keeps the normal 7-day Max-Age, and
	// the admin's own session is parked in better-auth.admin_session.
	s.setSessionCookie(rq.w, sess.Token, true)
	rq.w.Header().Add("Set-Cookie", s.cookieString(adminSessionCookie, s.sign(rq.auth.session.Token), int(sessionLifetime.Seconds())))
	type impSession struct {
		ID             string `json:"id"`
		Token          string `json:"token"`
		ExpiresAt      int64  `json:"expiresAt"`
		ImpersonatedBy string `json:"impersonatedBy"`
	}
	return struct {
		Session impSession `json:"session"`
		User    *user      `json:"user"`
	}{impSession{ID: sess.ID, Token: sess.Token, ExpiresAt: sess.ExpiresAt, ImpersonatedBy: admin.ID}, u}, nil
}

// POST /admin/stop-impersonating, called with the impersonation session.
func (s *Server) adminStopImpersonating(ctx context.Context, rq *request) (any, error) {
	sess := rq.auth.session
	if sess.ImpersonatedBy == nil {
		return nil, errCode(http.StatusBadRequest, "NOT_IMPERSONATING")
	}
	adminID := *sess.ImpersonatedBy
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM session WHERE id = ?`, sess.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, adminID, auditUserStopImperson, auditTargetUser, sess.UserID,
			map[string]any{"sessionId": sess.ID})
	})
	if err != nil {
		return nil, err
	}
	// Browser flow: restore the admin session parked in admin_session.
	if c, err := rq.r.Cookie(adminSessionCookie); err == nil {
		if raw, ok := s.unsign(c.Value); ok {
			adminAuth, err := s.lookupSession(ctx, raw, rq.now)
			if err != nil {
				return nil, err
			}
			if adminAuth != nil && adminAuth.user.ID == adminID {
				s.setSessionCookie(rq.w, raw, true)
				rq.w.Header().Add("Set-Cookie", s.cookieString(adminSessionCookie, "", 0))
				type adminSession struct {
					ID        string `json:"id"`
					Token     string `json:"token"`
					ExpiresAt int64  `json:"expiresAt"`
				}
				return map[string]any{
					"session": adminSession{ID: adminAuth.session.ID, Token: raw, ExpiresAt: adminAuth.session.ExpiresAt},
					"user":    adminAuth.user,
					"success": true,
				}, nil
			}
		}
	}
	return map[string]bool{"success": true}, nil
}

// POST /admin/list-user-sessions: full rows including the raw token, as
// Kernia does (the CLI redacts them).
func (s *Server) adminListUserSessions(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("user_id")
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM session WHERE userId = ? ORDER BY createdAt, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*session{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return map[string]any{"sessions": out}, nil
}

// POST /admin/revoke-user-session {sessionToken: raw token}
func (s *Server) adminRevokeUserSession(ctx context.Context, rq *request) (any, error) {
	token, err := rq.body.requiredStr("session_token")
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var id, userID string
		err := tx.QueryRowContext(ctx, `DELETE FROM session WHERE token = ? RETURNING id, userId`, token).Scan(&id, &userID)
		if err == sql.ErrNoRows {
			return s.audit(ctx, tx, rq.auth.user.ID, auditSessionRevoke, auditTargetSession, "", map[string]any{"matched": false})
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditSessionRevoke, auditTargetSession, id,
			map[string]any{"matched": true, "userId": userID})
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// POST /admin/revoke-user-sessions {userId}
func (s *Server) adminRevokeUserSessions(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("user_id")
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM session WHERE userId = ?`, id)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		return s.audit(ctx, tx, rq.auth.user.ID, auditSessionRevokeUser, auditTargetUser, id, map[string]any{"revoked": n})
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// POST /admin/set-user-password {userId, newPassword}
func (s *Server) adminSetUserPassword(ctx context.Context, rq *request) (any, error) {
	id, _, err := rq.body.str("user_id")
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, errCode(http.StatusBadRequest, "userId cannot be empty")
	}
	password, _, err := rq.body.str("new_password")
	if err != nil {
		return nil, err
	}
	if err := checkPasswordLength(password, true); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE account SET password = ?, updatedAt = ? WHERE userId = ? AND providerId = 'credential'`,
			hash, rq.now, id)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		// Never the password or its hash.
		return s.audit(ctx, tx, rq.auth.user.ID, auditUserSetPassword, auditTargetUser, id, map[string]any{"updated": n > 0})
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"status": true}, nil
}

// POST /admin/remove-user {userId}
func (s *Server) adminRemoveUser(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("user_id")
	if err != nil {
		return nil, err
	}
	if id == rq.auth.user.ID {
		return nil, errCode(http.StatusBadRequest, "YOU_CANNOT_REMOVE_YOURSELF")
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := s.targetUser(ctx, tx, rq.body)
		if err != nil {
			return err
		}
		// Sessions and accounts go by ON DELETE CASCADE.
		if _, err := tx.ExecContext(ctx, `DELETE FROM "user" WHERE id = ?`, u.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditUserRemove, auditTargetUser, u.ID, map[string]any{"email": u.Email})
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// POST /admin/has-permission
func (s *Server) adminHasPermission(ctx context.Context, rq *request) (any, error) {
	perms, err := objectField(rq.body, "permissions")
	if err != nil {
		return nil, err
	}
	if perms == nil {
		if perms, err = objectField(rq.body, "permission"); err != nil {
			return nil, err
		}
	}
	if len(perms) == 0 {
		return nil, errInvalid("invalid permission check. no permission(s) were passed.")
	}
	var roleNames []string
	role, hasRole, err := rq.body.str("role")
	if err != nil {
		return nil, err
	}
	userID, _, err := rq.body.str("user_id")
	if err != nil {
		return nil, err
	}
	switch {
	case hasRole:
		roleNames = (&user{Role: &role}).roles()
	case userID != "":
		u, err := s.getUser(ctx, s.db, "id", userID)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, errMsg(http.StatusNotFound, "USER_NOT_FOUND", "user not found")
		}
		roleNames = u.roles()
	case rq.auth != nil:
		roleNames = rq.auth.user.roles()
	default:
		return nil, errInvalid("user id or role is required")
	}
	roles := knownRoles()
	success := false
	for _, name := range roleNames {
		if grants, ok := roles[name]; ok && roleGrants(grants, perms) {
			success = true
			break
		}
	}
	return map[string]any{"error": nil, "success": success}, nil
}

// roleGrants reports whether a role grants every requested resource. A
// resource maps to a list of actions (all required) or to
// {"actions":[...],"connector":"OR"} (any one suffices).
func roleGrants(grants map[string][]string, perms map[string]any) bool {
	for resource, spec := range perms {
		allowed := map[string]bool{}
		for _, a := range grants[resource] {
			allowed[a] = true
		}
		var actions []any
		connector := "AND"
		switch x := spec.(type) {
		case []any:
			actions = x
		case map[string]any:
			actions, _ = x["actions"].([]any)
			if c, ok := x["connector"].(string); ok {
				connector = strings.ToUpper(c)
			}
		default:
			return false
		}
		if len(actions) == 0 {
			return false
		}
		anyOK, allOK := false, true
		for _, a := range actions {
			name, _ := a.(string)
			if allowed[name] {
				anyOK = true
			} else {
				allOK = false
			}
		}
		if (connector == "OR" && !anyOK) || (connector != "OR" && !allOK) {
			return false
		}
	}
	return true
}
