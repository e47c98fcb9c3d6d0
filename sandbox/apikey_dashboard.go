package sandbox

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
)

// Audit actions of the keys family.
const (
	auditAPIKeyCreate = "apikey.create"
	auditAPIKeyRotate = "apikey.rotate"
	auditAPIKeyRevoke = "apikey.revoke"
	auditTargetAPIKey = "apiKey"
	maxRotateGrace    = 86400 // seconds
)

// camelBody keeps only the camelCase keys of an exact-name dashboard body,
// converted to the snake_case names the API-key validators read.
func camelBody(b body) body {
	out := body{}
	for k, v := range b {
		if !strings.Contains(k, "_") {
			out[camelToSnake(k)] = v
		}
	}
	return out
}

// dashAPIKey is an ApiKey with its owner.
type dashAPIKey struct {
	*apiKey
	User dashUser `json:"user"`
}

// GET /api/admin/api-keys?userId=&limit=&offset=
func (s *Server) dashAPIKeys(ctx context.Context, rq *request) (any, error) {
	limit, offset, err := page(rq)
	if err != nil {
		return nil, err
	}
	if err := s.purgeExpiredKeys(ctx, s.db, s.nowMs()); err != nil {
		return nil, err
	}
	cond, args := "", []any{}
	if uid := rq.r.URL.Query().Get("userId"); uid != "" {
		cond, args = ` WHERE k.referenceId = ?`, append(args, uid)
	}
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM apikey k`+cond, args...).Scan(&total); err != nil {
		return nil, err
	}
	cols := "k." + strings.ReplaceAll(strings.Join(strings.Fields(apiKeyColumns), " "), ", ", ", k.")
	rows, err := s.db.QueryContext(ctx, `SELECT `+cols+`, u.email, u.name FROM apikey k JOIN "user" u ON u.id = k.referenceId`+
		cond+` ORDER BY k.createdAt DESC, k.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []dashAPIKey{}
	for rows.Next() {
		var (
			email string
			name  sql.NullString
		)
		k, err := scanAPIKey(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &email, &name)...) }))
		if err != nil {
			return nil, err
		}
		out = append(out, dashAPIKey{k, dashUser{ID: k.ReferenceID, Email: email, Name: nullStr(name)}})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return struct {
		APIKeys []dashAPIKey `json:"apiKeys"`
		Total   int64        `json:"total"`
	}{out, total}, nil
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// POST /api/admin/api-keys/create: a key for any user, server-only fields
// allowed.
func (s *Server) dashCreateAPIKey(ctx context.Context, rq *request) (any, error) {
	b := camelBody(rq.body)
	uid, err := b.requiredStr("user_id")
	if err != nil {
		return nil, errInvalid("userId is required")
	}
	sp, err := parseKeySpec(b, true)
	if err != nil {
		return nil, err
	}
	now := s.nowMs()
	var k *apiKey
	var plain string
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := s.getUser(ctx, tx, "id", uid)
		if err != nil {
			return err
		}
		if u == nil {
			return errUserNotFound()
		}
		k, plain = newAPIKey(uid, sp, now)
		if err := insertAPIKey(ctx, tx, k); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditAPIKeyCreate, auditTargetAPIKey, k.ID, map[string]any{
			"userId": uid, "name": strOrNil(k.Name), "prefix": strOrNil(k.Prefix), "expiresAt": intOrNil(k.ExpiresAt)})
	})
	if err != nil {
		return nil, err
	}
	return createdAPIKey{k, plain}, nil
}

// POST /api/admin/api-keys/rotate {keyId, gracePeriod?}
func (s *Server) dashRotateAPIKey(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("keyId")
	if err != nil {
		return nil, err
	}
	var grace int64
	if rq.body.has("gracePeriod") {
		n, ok := rq.body.integer("gracePeriod")
		if !ok || n < 0 || n > maxRotateGrace {
			return nil, errInvalid("gracePeriod must be an integer between 0 and 86400 (seconds)")
		}
		grace = n
	}
	now := s.nowMs()
	var (
		nk     *apiKey
		plain  string
		oldExp *int64
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.purgeExpiredKeys(ctx, tx, now); err != nil {
			return err
		}
		old, err := getAPIKey(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if old == nil {
			return errCode(http.StatusNotFound, "KEY_NOT_FOUND")
		}
		sp := &keySpec{name: old.Name, prefix: old.Prefix, permissions: old.Permissions, metadata: old.Metadata,
			rateLimitEnabled: &old.RateLimitEnabled, window: old.RateLimitTimeWindow, max: old.RateLimitMax,
			remaining: old.Remaining, refillAmount: old.RefillAmount, refillInterval: old.RefillInterval}
		nk, plain = newAPIKey(old.ReferenceID, sp, now)
		nk.Enabled = old.Enabled
		nk.RateLimitTimeWindow, nk.RateLimitMax = old.RateLimitTimeWindow, old.RateLimitMax
		if old.ExpiresAt != nil {
			exp := now + (*old.ExpiresAt - old.CreatedAt)
			nk.ExpiresAt = &exp
		}
		// The new key exists before the old one is touched.
		if err := insertAPIKey(ctx, tx, nk); err != nil {
			return err
		}
		if grace == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM apikey WHERE id = ?`, old.ID); err != nil {
				return err
			}
		} else {
			exp := now + grace*1000
			if old.ExpiresAt != nil && *old.ExpiresAt < exp {
				exp = *old.ExpiresAt
			}
			oldExp = &exp
			if _, err := tx.ExecContext(ctx, `UPDATE apikey SET expiresAt = ?, updatedAt = ? WHERE id = ?`, exp, now, old.ID); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditAPIKeyRotate, auditTargetAPIKey, old.ID, map[string]any{
			"userId": old.ReferenceID, "newKeyId": nk.ID, "gracePeriod": grace})
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Key             createdAPIKey `json:"key"`
		OldKeyID        string        `json:"oldKeyId"`
		OldKeyExpiresAt *int64        `json:"oldKeyExpiresAt"`
	}{createdAPIKey{nk, plain}, id, oldExp}, nil
}

// POST /api/admin/api-keys/revoke {keyId}
func (s *Server) dashRevokeAPIKey(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("keyId")
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var owner string
		err := tx.QueryRowContext(ctx, `DELETE FROM apikey WHERE id = ? RETURNING referenceId`, id).Scan(&owner)
		if err == sql.ErrNoRows {
			return errCode(http.StatusNotFound, "KEY_NOT_FOUND")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditAPIKeyRevoke, auditTargetAPIKey, id, map[string]any{"userId": owner})
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// GET /api/admin/api-keys/usage?keyId=&limit=
func (s *Server) dashAPIKeyUsage(ctx context.Context, rq *request) (any, error) {
	q := rq.r.URL.Query()
	id := q.Get("keyId")
	if id == "" {
		return nil, errInvalid("keyId is required")
	}
	limit := int64(dashboardDefaultLimit)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return nil, errInvalid("limit must be a positive integer")
		}
		limit = min(n, dashboardMaxLimit)
	}
	k, err := getAPIKey(ctx, s.db, id, "")
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, errCode(http.StatusNotFound, "KEY_NOT_FOUND")
	}
	type use struct {
		At     int64  `json:"at"`
		Path   string `json:"path"`
		Status int    `json:"status"`
	}
	rows, err := s.db.QueryContext(ctx, `SELECT at, path, status FROM apikeyUsage WHERE keyId = ? ORDER BY at DESC, id DESC LIMIT ?`,
		id, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	history := []use{}
	for rows.Next() {
		var u use
		if err := rows.Scan(&u.At, &u.Path, &u.Status); err != nil {
			return nil, err
		}
		history = append(history, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A window that has run out counts as empty.
	windowStart, windowRequests := k.windowStart, k.windowRequests
	if windowStart != nil && k.RateLimitTimeWindow != nil && s.nowMs()-*windowStart >= *k.RateLimitTimeWindow {
		windowStart, windowRequests = nil, 0
	}
	return map[string]any{
		"keyId": k.ID, "requestCount": k.RequestCount, "remaining": intOrNil(k.Remaining),
		"lastRequest": intOrNil(k.LastRequest), "rateLimitEnabled": k.RateLimitEnabled,
		"rateLimitTimeWindow": intOrNil(k.RateLimitTimeWindow), "rateLimitMax": intOrNil(k.RateLimitMax),
		"windowStart": intOrNil(windowStart), "windowRequests": windowRequests, "history": history,
	}, nil
}
