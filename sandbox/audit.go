package sandbox

import (
	"context"
	"encoding/json"
)

// Audit actions recorded by the sandbox (docs/dashboard-api.yaml lists them).
const (
	auditUserCreate        = "user.create"
	auditUserUpdate        = "user.update"
	auditUserSetRole       = "user.set-role"
	auditUserBan           = "user.ban"
	auditUserUnban         = "user.unban"
	auditUserRemove        = "user.remove"
	auditUserSetPassword   = "user.set-password"
	auditUserImpersonate   = "user.impersonate"
	auditUserStopImperson  = "user.stop-impersonating"
	auditSessionRevoke     = "session.revoke"
	auditSessionRevokeUser = "session.revoke-user"
	auditSessionRevokeAll  = "session.revoke-all"
	auditConfigUpdate      = "config.update"
	auditEmailClientUpsert = "email.client.upsert"
	auditEmailClientDelete = "email.client.delete"
	auditEmailTest         = "email.test"
	auditTargetUser        = "user"
	auditTargetConfig      = "adminConfig"
	auditTargetEmailClient = "emailClient"
	auditTargetSession     = "session"
	auditTargetAllSessions = "sessions"
)

// auditEvent is one row of auditEvent as it travels on the wire.
type auditEvent struct {
	ID         string          `json:"id"`
	ActorID    *string         `json:"actorId"`
	Action     string          `json:"action"`
	TargetType *string         `json:"targetType"`
	TargetID   *string         `json:"targetId"`
	Data       json.RawMessage `json:"data"`
	CreatedAt  int64           `json:"createdAt"`
}

// audit records an admin mutation. data must never hold secrets
// (passwords, tokens); callers pass ids, emails, roles and counts only.
func (s *Server) audit(ctx context.Context, q dbtx, actorID, action, targetType, targetID string, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO auditEvent (id, actorId, action, targetType, targetId, data, createdAt)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, newID(), nilIfEmpty(actorID), action, nilIfEmpty(targetType), nilIfEmpty(targetID),
		string(b), s.now().Unix())
	return err
}
