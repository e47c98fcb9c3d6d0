package sandbox

import (
	"context"
	"net/http"
)

// buildRoutes is the route table: the single source for dispatch, Routes()
// and openapi.json.
func (s *Server) buildRoutes() []*route {
	auth := func(method, path string, access Access, owner string, kind bodyKind, summary string,
		h func(ctx context.Context, rq *request) (any, error)) *route {
		return &route{method: method, prefix: authPrefix, path: path, access: access, owner: owner, body: kind,
			summary: summary, handle: h}
	}
	admin := func(path, forbidden, summary string, h func(ctx context.Context, rq *request) (any, error)) *route {
		return &route{method: http.MethodPost, prefix: authPrefix, path: path, access: Admin, owner: "admin",
			body: bodyCamel, summary: summary, forbidden: forbidden, handle: h}
	}
	config := func(method, path, summary string, h func(ctx context.Context, rq *request) (any, error)) *route {
		kind := bodyNone
		if method == http.MethodPost {
			kind = bodyExact
		}
		return &route{method: method, prefix: authPrefix, path: path, access: Admin, owner: "admin-config",
			body: kind, summary: summary, forbidden: "ADMIN_CONFIG_FORBIDDEN", configAdmin: true, handle: h}
	}
	dash := func(method, path string, kind bodyKind, summary string, h func(ctx context.Context, rq *request) (any, error)) *route {
		return &route{method: method, prefix: dashboardPrefix, path: path, access: Admin, owner: "dashboard",
			body: kind, summary: summary, forbidden: "ADMIN_REQUIRED", handle: h}
	}
	const get, post = http.MethodGet, http.MethodPost

	signUp := auth(post, "/sign-up/email", Public, "email-password", bodyCamel, "Sign up with email and password", s.signUpEmail)
	signUp.skipBanCheck = true
	signIn := auth(post, "/sign-in/email", Public, "email-password", bodyCamel, "Sign in with email and password", s.signInEmail)
	signIn.skipBanCheck = true
	signOut := auth(post, "/sign-out", Session, "email-password", bodyNone, "Sign out", s.signOut)
	signOut.skipBanCheck = true
	stopImp := admin("/admin/stop-impersonating", "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS", "Stop impersonating", s.adminStopImpersonating)
	stopImp.allowImpersonated = true
	stopImp.skipBanCheck = true

	return []*route{
		signUp,
		signIn,
		auth(get, "/get-session", Public, "email-password", bodyNone, "Get the current session", s.getSession),
		signOut,
		auth(get, "/list-sessions", Session, "core", bodyNone, "List the caller's sessions", s.listSessions),
		auth(post, "/revoke-session", Session, "core", bodyExact, "Revoke one of the caller's sessions", s.revokeSession),
		auth(post, "/revoke-sessions", Session, "core", bodyNone, "Revoke all of the caller's sessions", s.revokeSessions),
		auth(post, "/revoke-other-sessions", Session, "core", bodyNone, "Revoke the caller's other sessions", s.revokeOtherSessions),
		auth(post, "/update-session", Session, "core", bodyExact, "Update the current session", s.updateSession),
		auth(get, "/ok", Public, "core", bodyNone, "Health check", s.ok),
		auth(get, "/error", Public, "core", bodyNone, "Error page", s.errorRoute),
		auth(get, "/openapi.json", Public, "open-api", bodyNone, "OpenAPI document", s.openAPI),
		auth(get, "/admin/config/public-auth", Public, "admin-config", bodyNone, "Public auth-method map", s.publicAuth),
		config(get, "/admin/config/auth-methods", "Get the auth-method map", s.getAuthMethods),
		config(post, "/admin/config/auth-methods", "Replace the stored auth-method overrides", s.postAuthMethods),
		config(get, "/admin/config/email-clients", "Get the email clients (redacted)", s.getEmailClientsConfig),
		config(post, "/admin/config/email-clients", "Replace the email-clients document", s.postEmailClientsConfig),
		config(get, "/admin/config/stripe", "Get the Stripe settings (redacted)", s.getStripeConfig),
		config(post, "/admin/config/stripe", "Replace the Stripe settings document", s.postStripeConfig),

		admin("/admin/list-users", "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS", "List users", s.adminListUsers),
		admin("/admin/get-user", "YOU_ARE_NOT_ALLOWED_TO_GET_USER", "Get a user", s.adminGetUser),
		admin("/admin/create-user", "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS", "Create a user", s.adminCreateUser),
		admin("/admin/update-user", "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS", "Update a user", s.adminUpdateUser),
		admin("/admin/set-role", "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE", "Set a user's role", s.adminSetRole),
		admin("/admin/ban-user", "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS", "Ban a user", s.adminBanUser),
		admin("/admin/unban-user", "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS", "Unban a user", s.adminUnbanUser),
		admin("/admin/impersonate-user", "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS", "Impersonate a user", s.adminImpersonateUser),
		stopImp,
		admin("/admin/list-user-sessions", "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS", "List a user's sessions", s.adminListUserSessions),
		admin("/admin/revoke-user-session", "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS", "Revoke a session by token", s.adminRevokeUserSession),
		admin("/admin/revoke-user-sessions", "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS", "Revoke all sessions of a user", s.adminRevokeUserSessions),
		admin("/admin/set-user-password", "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD", "Set a user's password", s.adminSetUserPassword),
		admin("/admin/remove-user", "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS", "Remove a user", s.adminRemoveUser),
		admin("/admin/has-permission", "FORBIDDEN", "Check permissions", s.adminHasPermission),

		dash(get, "/capabilities", bodyNone, "Dashboard route families", s.dashCapabilities),
		dash(get, "/overview", bodyNone, "Overview counts", s.dashOverview),
		dash(get, "/sessions", bodyNone, "List all sessions", s.dashSessions),
		dash(post, "/sessions/revoke", bodyExact, "Revoke a session by id", s.dashRevokeSession),
		dash(post, "/sessions/revoke-all", bodyExact, "Revoke all sessions of a user, or of everyone", s.dashRevokeAll),
		dash(get, "/audit", bodyNone, "List audit events", s.dashAudit),
		dash(get, "/email/clients", bodyNone, "List email clients (secrets redacted, with fingerprints)", s.dashEmailClients),
		dash(post, "/email/clients/upsert", bodyExact, "Insert or replace one email client, keeping absent secrets", s.dashUpsertEmailClient),
		dash(post, "/email/clients/delete", bodyExact, "Delete one email client", s.dashDeleteEmailClient),
		dash(post, "/email/test", bodyExact, "Send a test message through an email client", s.dashEmailTest),
		dash(get, "/email/outbox", bodyNone, "List recorded test messages, newest first", s.dashEmailOutbox),
	}
}
