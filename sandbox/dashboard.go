package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"
)

const (
	dashboardVersion      = 1
	dashboardDefaultLimit = 100
	dashboardMaxLimit     = 1000
)

// dashboardFamilies lists the dashboard route families implemented.
func dashboardFamilies() []string {
	return []string{"overview", "sessions", "audit", "email", "keys", "sso-domains", "scim-directories", "billing"}
}

// GET /api/admin/capabilities
func (s *Server) dashCapabilities(context.Context, *request) (any, error) {
	return struct {
		Version  int      `json:"version"`
		Families []string `json:"families"`
	}{dashboardVersion, dashboardFamilies()}, nil
}

// GET /api/admin/overview
func (s *Server) dashOverview(ctx context.Context, rq *request) (any, error) {
	var users, admins, banned, sessions, imp int64
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM "user"),
		(SELECT count(*) FROM "user" WHERE ',' || replace(coalesce(role, ''), ' ', '') || ',' LIKE '%,admin,%'),
		(SELECT count(*) FROM "user" WHERE banned = 1 AND (banExpires IS NULL OR banExpires > ?1)),
		(SELECT count(*) FROM session WHERE expiresAt > ?1),
		(SELECT count(*) FROM session WHERE expiresAt > ?1 AND impersonatedBy IS NOT NULL)`, rq.now).
		Scan(&users, &admins, &banned, &sessions, &imp)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"users": users, "admins": admins, "bannedUsers": banned, "sessions": sessions,
		"impersonationSessions": imp}, nil
}

// page parses limit and offset query parameters.
func page(rq *request) (limit, offset int64, err error) {
	q := rq.r.URL.Query()
	limit, offset = dashboardDefaultLimit, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.ParseInt(v, 10, 64); err != nil || limit < 1 {
			return 0, 0, errInvalid("limit must be a positive integer")
		}
		limit = min(limit, dashboardMaxLimit)
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.ParseInt(v, 10, 64); err != nil || offset < 0 {
			return 0, 0, errInvalid("offset must be a non-negative integer")
		}
	}
	return limit, offset, nil
}

type dashUser struct {
	ID    string  `json:"id"`
	Email string  `json:"email"`
	Name  *string `json:"name"`
}

type dashSession struct {
	ID             string   `json:"id"`
	UserID         string   `json:"userId"`
	ExpiresAt      int64    `json:"expiresAt"`
	IPAddress      *string  `json:"ipAddress"`
	UserAgent      *string  `json:"userAgent"`
	CreatedAt      int64    `json:"createdAt"`
	UpdatedAt      int64    `json:"updatedAt"`
	ImpersonatedBy *string  `json:"impersonatedBy"`
	User           dashUser `json:"user"`
}

// GET /api/admin/sessions?limit=&offset=&userId=: unexpired sessions, never
// the token.
func (s *Server) dashSessions(ctx context.Context, rq *request) (any, error) {
	limit, offset, err := page(rq)
	if err != nil {
		return nil, err
	}
	cond, args := `s.expiresAt > ?`, []any{rq.now}
	if uid := rq.r.URL.Query().Get("userId"); uid != "" {
		cond += ` AND s.userId = ?`
		args = append(args, uid)
	}
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM session s WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.userId, s.expiresAt, s.ipAddress, s.userAgent, s.createdAt, s.updatedAt,
		s.impersonatedBy, u.email, u.name FROM session s JOIN "user" u ON u.id = s.userId WHERE `+cond+`
		ORDER BY s.createdAt DESC, s.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []dashSession{}
	for rows.Next() {
		var (
			d                 dashSession
			ip, ua, imp, name sql.NullString
		)
		if err := rows.Scan(&d.ID, &d.UserID, &d.ExpiresAt, &ip, &ua, &d.CreatedAt, &d.UpdatedAt, &imp, &d.User.Email, &name); err != nil {
			return nil, err
		}
		d.IPAddress, d.UserAgent, d.ImpersonatedBy, d.User.Name = nullStr(ip), nullStr(ua), nullStr(imp), nullStr(name)
		d.User.ID = d.UserID
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return struct {
		Sessions []dashSession `json:"sessions"`
		Total    int64         `json:"total"`
		Limit    int64         `json:"limit"`
		Offset   int64         `json:"offset"`
	}{out, total, limit, offset}, nil
}

// POST /api/admin/sessions/revoke {"sessionId"}
func (s *Server) dashRevokeSession(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("sessionId")
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var userID string
		err := tx.QueryRowContext(ctx, `DELETE FROM session WHERE id = ? RETURNING userId`, id).Scan(&userID)
		if err == sql.ErrNoRows {
			return errMsg(http.StatusNotFound, "SESSION_NOT_FOUND", "Session not found")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditSessionRevoke, auditTargetSession, id,
			map[string]any{"userId": userID, "via": "dashboard"})
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// POST /api/admin/sessions/revoke-all {"userId"} or {"all":true}
func (s *Server) dashRevokeAll(ctx context.Context, rq *request) (any, error) {
	userID, hasUser, err := rq.body.str("userId")
	if err != nil {
		return nil, err
	}
	all, err := rq.body.boolean("all", false)
	if err != nil {
		return nil, err
	}
	if (!hasUser || userID == "") && !all {
		return nil, errInvalid("userId or all:true required")
	}
	if hasUser && userID != "" && all {
		return nil, errInvalid("send either userId or all:true, not both")
	}
	var n int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if all {
			res, err := tx.ExecContext(ctx, `DELETE FROM session WHERE id <> ?`, rq.auth.session.ID)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			return s.audit(ctx, tx, rq.auth.user.ID, auditSessionRevokeAll, auditTargetAllSessions, "",
				map[string]any{"revoked": n, "via": "dashboard"})
		}
		u, err := s.getUser(ctx, tx, "id", userID)
		if err != nil {
			return err
		}
		if u == nil {
			return errUserNotFound()
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM session WHERE userId = ?`, userID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return s.audit(ctx, tx, rq.auth.user.ID, auditSessionRevokeUser, auditTargetUser, userID,
			map[string]any{"revoked": n, "via": "dashboard"})
	})
	if err != nil {
		return nil, err
	}
	return map[string]int64{"revoked": n}, nil
}

// GET /api/admin/audit?limit=&offset=&action=
func (s *Server) dashAudit(ctx context.Context, rq *request) (any, error) {
	limit, offset, err := page(rq)
	if err != nil {
		return nil, err
	}
	cond, args := "", []any{}
	if action := rq.r.URL.Query().Get("action"); action != "" {
		cond, args = ` WHERE action = ?`, append(args, action)
	}
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM auditEvent`+cond, args...).Scan(&total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, actorId, action, targetType, targetId, data, createdAt FROM auditEvent`+cond+`
		ORDER BY createdAt DESC, rowid DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []auditEvent{}
	for rows.Next() {
		var (
			e                         auditEvent
			actor, targetType, target sql.NullString
			data                      string
		)
		if err := rows.Scan(&e.ID, &actor, &e.Action, &targetType, &target, &data, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.ActorID, e.TargetType, e.TargetID = nullStr(actor), nullStr(targetType), nullStr(target)
		if !json.Valid([]byte(data)) {
			data = "{}"
		}
		e.Data = json.RawMessage(data)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return struct {
		Events []auditEvent `json:"events"`
		Total  int64        `json:"total"`
	}{out, total}, nil
}
