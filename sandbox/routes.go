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
			body: bodyCamel, summary: summary, forbidden: forbidden, apiKeySession: true, handle: h}
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
	signOut.apiKeySession = true
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
		auth(post, webhookPath, Public, "stripe", bodyNone, "Stripe webhook (Stripe-Signature)", s.stripeWebhook),
		auth(get, "/subscription/list", Session, "stripe", bodyNone, "List active or trialing subscriptions of a reference", s.subscriptionList),

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

		keyRoute(post, "/api-key/create", Session, bodyCamel, "Create an API key for the caller", s.apiKeyCreate),
		keyRoute(post, "/api-key/verify", Public, bodyCamel, "Verify an API key (consumes one use)", s.apiKeyVerify),
		keyRoute(get, "/api-key/get", Session, bodyNone, "Get one of the caller's API keys", s.apiKeyGet),
		keyRoute(get, "/api-key/list", Session, bodyNone, "List the caller's API keys", s.apiKeyList),
		keyRoute(post, "/api-key/update", Session, bodyCamel, "Update one of the caller's API keys", s.apiKeyUpdate),
		keyRoute(post, "/api-key/delete", Session, bodyCamel, "Delete one of the caller's API keys", s.apiKeyDelete),
		keyRoute(post, "/api-key/delete-all-expired-api-keys", Public, bodyNone, "Delete every expired API key", s.apiKeyDeleteExpired),

		ssoRoute(post, "/sso/register-provider", "Register an OIDC or SAML provider", s.ssoRegisterProvider),
		ssoRoute(post, "/sso/update-provider", "Update a provider (configs shallow-merged)", s.ssoUpdateProvider),
		ssoRoute(post, "/sso/delete-provider", "Delete a provider and its domains", s.ssoDeleteProvider),
		ssoRoute(get, "/sso/list-providers", "List every provider (full shape)", s.ssoListProviders),
		ssoRoute(get, "/sso/providers", "List the caller's providers (sanitized)", s.ssoProviders),
		ssoRoute(get, "/sso/get-provider", "Get one provider (sanitized)", s.ssoGetProvider),
		ssoRoute(post, "/sso/register-domain", "Register a domain and issue its verification token", s.ssoRegisterDomain),
		ssoRoute(post, "/sso/verify-domain", "Verify a domain by its token", s.ssoVerifyDomain),

		scimRoute(post, "/scim/generate-token", Admin, "Generate a SCIM token (replaces the provider's connection)", s.scimGenerateToken),
		scimRoute(get, "/scim/list-provider-connections", Admin, "List SCIM provider connections", s.scimListConnections),
		scimRoute(get, "/scim/get-provider-connection", Admin, "Get a SCIM provider connection", s.scimGetConnection),
		scimRoute(post, "/scim/delete-provider-connection", Admin, "Delete a SCIM provider connection", s.scimDeleteConnection),
		scimRoute(post, "/scim/v2/Users", Public, "SCIM: create a user (SCIM token)", s.scimCreateUser),
		scimRoute(get, "/scim/v2/Users", Public, "SCIM: list users (SCIM token)", s.scimListUsers),
		scimRoute(get, "/scim/v2/Users/:userId", Public, "SCIM: get a user (SCIM token)", s.scimGetUser),
		scimRoute(http.MethodPut, "/scim/v2/Users/:userId", Public, "SCIM: replace a user (SCIM token)", s.scimPutUser),
		scimRoute(http.MethodPatch, "/scim/v2/Users/:userId", Public, "SCIM: patch a user (SCIM token)", s.scimPatchUser),
		scimRoute(http.MethodDelete, "/scim/v2/Users/:userId", Public, "SCIM: delete a user (SCIM token)", s.scimDeleteUser),
		scimRoute(get, "/scim/v2/ServiceProviderConfig", Public, "SCIM service provider configuration", s.scimServiceProviderConfig),
		scimRoute(get, "/scim/v2/Schemas", Public, "SCIM schemas", s.scimSchemas),
		scimRoute(get, "/scim/v2/Schemas/:schemaId", Public, "SCIM schema", s.scimSchema),
		scimRoute(get, "/scim/v2/ResourceTypes", Public, "SCIM resource types", s.scimResourceTypes),
		scimRoute(get, "/scim/v2/ResourceTypes/:resourceTypeId", Public, "SCIM resource type", s.scimResourceTypeByID),

		dash(get, "/capabilities", bodyNone, "Dashboard route families", s.dashCapabilities),
		dash(get, "/overview", bodyNone, "Overview counts", s.dashOverview),
		dash(get, "/sessions", bodyNone, "List all sessions", s.dashSessions),
		dash(post, "/sessions/revoke", bodyExact, "Revoke a session by id", s.dashRevokeSession),
		dash(post, "/sessions/revoke-all", bodyExact, "Revoke all sessions of a user, or of everyone", s.dashRevokeAll),
		dash(get, "/audit", bodyNone, "List audit events", s.dashAudit),
		dash(get, "/api-keys", bodyNone, "List every user's API keys", s.dashAPIKeys),
		dash(post, "/api-keys/create", bodyExact, "Create an API key for any user", s.dashCreateAPIKey),
		dash(post, "/api-keys/rotate", bodyExact, "Rotate an API key (optional grace period)", s.dashRotateAPIKey),
		dash(post, "/api-keys/revoke", bodyExact, "Revoke (delete) an API key", s.dashRevokeAPIKey),
		dash(get, "/api-keys/usage", bodyNone, "API key usage and history", s.dashAPIKeyUsage),
		dash(get, "/sso/domains", bodyNone, "List SSO domains and their verification state", s.dashSSODomains),
		dash(get, "/scim/directories", bodyNone, "SCIM connections with provisioned user counts", s.dashSCIMDirectories),
		dash(get, "/email/clients", bodyNone, "List email clients (secrets redacted, with fingerprints)", s.dashEmailClients),
		dash(post, "/email/clients/upsert", bodyExact, "Insert or replace one email client, keeping absent secrets", s.dashUpsertEmailClient),
		dash(post, "/email/clients/delete", bodyExact, "Delete one email client", s.dashDeleteEmailClient),
		dash(post, "/email/test", bodyExact, "Send a test message through an email client", s.dashEmailTest),
		dash(get, "/email/outbox", bodyNone, "List recorded test messages, newest first", s.dashEmailOutbox),
		dash(get, "/billing/products", bodyNone, "List catalog products", s.billingListProducts),
		dash(post, "/billing/products/upsert", bodyExact, "Create or update a catalog product", s.billingUpsertProduct),
		dash(post, "/billing/products/archive", bodyExact, "Archive a catalog product", s.billingArchiveProduct),
		dash(get, "/billing/prices", bodyNone, "List catalog prices", s.billingListPrices),
		dash(post, "/billing/prices/upsert", bodyExact, "Create or update a catalog price", s.billingUpsertPrice),
		dash(post, "/billing/prices/archive", bodyExact, "Archive a catalog price", s.billingArchivePrice),
		dash(post, "/billing/prices/map", bodyExact, "Map a price to a plan", s.billingMapPrice),
		dash(get, "/billing/features", bodyNone, "List features", s.billingListFeatures),
		dash(post, "/billing/features", bodyExact, "Create a feature", s.billingCreateFeature),
		dash(get, "/billing/plans", bodyNone, "List plans", s.billingListPlans),
		dash(post, "/billing/plans", bodyExact, "Create a plan", s.billingCreatePlan),
		dash(get, "/billing/plans/get", bodyNone, "Get a plan", s.billingGetPlan),
		dash(post, "/billing/plans/set-feature", bodyExact, "Set a plan's limit for a feature", s.billingPlanSetFeature),
		dash(get, "/billing/subscriptions", bodyNone, "List subscription rows", s.billingListSubscriptions),
		dash(get, "/billing/entitlements", bodyNone, "Entitlements of a reference", s.billingEntitlements),
		dash(get, "/billing/entitlements/get", bodyNone, "One feature's entitlement of a reference", s.billingEntitlement),
		dash(get, "/billing/grants", bodyNone, "List grants", s.billingListGrants),
		dash(post, "/billing/grants", bodyExact, "Grant extra allowance", s.billingCreateGrant),
		dash(get, "/billing/usage", bodyNone, "List usage events", s.billingListUsage),
		dash(post, "/billing/usage", bodyExact, "Record a usage event (idempotent)", s.billingTrackUsage),
		dash(get, "/billing/webhooks/health", bodyNone, "Stripe webhook delivery health", s.billingWebhookHealth),
	}
}
