package sandbox

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// SCIM constants (kernia-wire.md §8).
const (
	scimSecretLen      = 24
	scimErrorSchema    = "urn:ietf:params:scim:api:messages:2.0:Error"
	scimListSchema     = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimUserSchema     = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimPatchSchema    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	scimSPConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	scimRTSchema       = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	scimSchemaSchema   = "urn:ietf:params:scim:schemas:core:2.0:Schema"

	auditSCIMToken      = "scim.token.generate"
	auditSCIMDelete     = "scim.connection.delete"
	auditTargetSCIMConn = "scimProvider"
)

// scimReservedProviders cannot be SCIM provider ids.
var scimReservedProviders = map[string]bool{"credential": true, "email-otp": true, "magic-link": true,
	"phone-number": true, "anonymous": true, "siwe": true}

// scimConn is one scimProvider row (never the token hash on the wire).
type scimConn struct {
	ID             string  `json:"id"`
	ProviderID     string  `json:"providerId"`
	OrganizationID *string `json:"organizationId"`

	tokenHash string
}

func errBadRequest(msg string) *apiError { return errMsg(http.StatusBadRequest, "BAD_REQUEST", msg) }

func errSCIMConnNotFound() *apiError {
	return errMsg(http.StatusNotFound, "NOT_FOUND", "SCIM provider not found")
}

// scimErr is an error answered with SCIM's own envelope.
func scimErr(status int, detail, scimType string) *apiError {
	raw := map[string]any{"schemas": []string{scimErrorSchema}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		raw["scimType"] = scimType
	}
	return &apiError{status: status, code: "SCIM_ERROR", message: detail, raw: raw}
}

func getSCIMConn(ctx context.Context, q dbtx, providerID string) (*scimConn, error) {
	var c scimConn
	var org sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, providerId, organizationId, scimToken FROM scimProvider WHERE providerId = ?`,
		providerID).Scan(&c.ID, &c.ProviderID, &org, &c.tokenHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.OrganizationID = nullStr(org)
	return &c, nil
}

// ---- management (requires_session; admin in the sandbox) ----

// POST /scim/generate-token {providerId, organizationId?}
func (s *Server) scimGenerateToken(ctx context.Context, rq *request) (any, error) {
	pid, _, err := rq.body.str("providerId")
	if err != nil || pid == "" {
		return nil, errBadRequest("providerId is required")
	}
	if strings.Contains(pid, ":") {
		return nil, errBadRequest("providerId must not contain ':'")
	}
	if scimReservedProviders[pid] {
		return nil, errBadRequest("providerId is reserved")
	}
	org, hasOrg, err := rq.body.str("organizationId")
	if err != nil {
		return nil, errBadRequest("organizationId must be a string")
	}
	if strings.Contains(org, ":") {
		return nil, errBadRequest("organizationId must not contain ':'")
	}
	secret := randomFrom(alphanumeric, scimSecretLen)
	plain := secret + ":" + pid
	if hasOrg && org != "" {
		plain += ":" + org
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM scimProvider WHERE providerId = ?`, pid)
		if err != nil {
			return err
		}
		replaced, _ := res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `INSERT INTO scimProvider (id, providerId, scimToken, organizationId, userId, createdAt)
			VALUES (?, ?, ?, ?, ?, ?)`, newID(), pid, sha256B64(secret), nilIfEmpty(org), rq.auth.user.ID, rq.now); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditSCIMToken, auditTargetSCIMConn, pid,
			map[string]any{"organizationId": nilIfEmpty(org), "replaced": replaced > 0})
	})
	if err != nil {
		return nil, err
	}
	rq.w.Header().Set("x-scim-status", "201")
	return map[string]string{"scimToken": base64.RawURLEncoding.EncodeToString([]byte(plain))}, nil
}

// GET /scim/list-provider-connections
func (s *Server) scimListConnections(ctx context.Context, _ *request) (any, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, providerId, organizationId FROM scimProvider ORDER BY providerId`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []scimConn{}
	for rows.Next() {
		var c scimConn
		var org sql.NullString
		if err := rows.Scan(&c.ID, &c.ProviderID, &org); err != nil {
			return nil, err
		}
		c.OrganizationID = nullStr(org)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return map[string]any{"providers": out}, nil
}

// GET /scim/get-provider-connection?providerId=
func (s *Server) scimGetConnection(ctx context.Context, rq *request) (any, error) {
	pid := rq.r.URL.Query().Get("providerId")
	if pid == "" {
		return nil, errBadRequest("providerId is required")
	}
	c, err := getSCIMConn(ctx, s.db, pid)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errSCIMConnNotFound()
	}
	return c, nil
}

// POST /scim/delete-provider-connection {providerId}
func (s *Server) scimDeleteConnection(ctx context.Context, rq *request) (any, error) {
	pid, _, err := rq.body.str("providerId")
	if err != nil || pid == "" {
		return nil, errBadRequest("providerId is required")
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM scimProvider WHERE providerId = ?`, pid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errSCIMConnNotFound()
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditSCIMDelete, auditTargetSCIMConn, pid, nil)
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// ---- SCIM v2 ----

// scimAuth resolves Authorization: Bearer <scimToken> to its connection.
func (s *Server) scimAuth(ctx context.Context, rq *request) (*scimConn, error) {
	h := strings.TrimSpace(rq.r.Header.Get("Authorization"))
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "bearer") || tok == "" {
		return nil, scimErr(http.StatusUnauthorized, "SCIM token is required", "")
	}
	invalid := scimErr(http.StatusUnauthorized, "Invalid SCIM token", "")
	dec, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(tok, "="))
	if err != nil {
		return nil, invalid
	}
	parts := strings.Split(string(dec), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, invalid
	}
	c, err := getSCIMConn(ctx, s.db, parts[1])
	if err != nil {
		return nil, err
	}
	if c == nil || subtle.ConstantTimeCompare([]byte(sha256B64(parts[0])), []byte(c.tokenHash)) != 1 {
		return nil, invalid
	}
	org := ""
	if len(parts) == 3 {
		org = parts[2]
	}
	if (c.OrganizationID == nil && org != "") || (c.OrganizationID != nil && *c.OrganizationID != org) {
		return nil, invalid
	}
	return c, nil
}

// scimUser is a provisioned user with its SCIM account.
type scimUser struct {
	u         *user
	accountID string
}

func (s *Server) scimResource(su *scimUser) map[string]any {
	name := su.u.Email
	if su.u.Name != nil && *su.u.Name != "" {
		name = *su.u.Name
	}
	return map[string]any{
		"schemas":    []string{scimUserSchema},
		"id":         su.u.ID,
		"externalId": su.accountID,
		"meta": map[string]any{"resourceType": "User", "created": su.u.CreatedAt, "lastModified": su.u.UpdatedAt,
			"location": s.baseOrigin + "/scim/v2/Users/" + su.u.ID},
		"userName":    su.u.Email,
		"name":        map[string]any{"formatted": name},
		"displayName": name,
		"active":      true,
		"emails":      []map[string]any{{"primary": true, "value": su.u.Email}},
	}
}

// scimUsers returns the users provisioned through c's provider (cond on u).
func (s *Server) scimUsers(ctx context.Context, q dbtx, c *scimConn, cond string, args ...any) ([]*scimUser, error) {
	cols := "u." + strings.ReplaceAll(userColumns, ", ", ", u.")
	rows, err := q.QueryContext(ctx, `SELECT `+cols+`, a.accountId FROM "user" u JOIN account a ON a.userId = u.id
		WHERE a.providerId = ?`+cond+` ORDER BY u.createdAt, u.id`, append([]any{c.ProviderID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*scimUser
	for rows.Next() {
		var x userScan
		var acc string
		if err := rows.Scan(append(x.dest(), &acc)...); err != nil {
			return nil, err
		}
		out = append(out, &scimUser{u: x.user(), accountID: acc})
	}
	return out, rows.Err()
}

func (s *Server) scimUserByID(ctx context.Context, q dbtx, c *scimConn, id string) (*scimUser, error) {
	us, err := s.scimUsers(ctx, q, c, ` AND u.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, scimErr(http.StatusNotFound, "User not found", "")
	}
	return us[0], nil
}

// scimInput is the user data of a POST or PUT body.
type scimInput struct {
	userName, email, name, externalID string
}

func parseSCIMUser(b body) (*scimInput, error) {
	var in struct {
		UserName   string `json:"userName"`
		ExternalID string `json:"externalId"`
		Name       *struct {
			Formatted  string `json:"formatted"`
			GivenName  string `json:"givenName"`
			FamilyName string `json:"familyName"`
		} `json:"name"`
		DisplayName string `json:"displayName"`
		Emails      []struct {
			Value   string `json:"value"`
			Primary bool   `json:"primary"`
		} `json:"emails"`
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, scimErr(http.StatusBadRequest, "Invalid user resource: "+err.Error(), "invalidValue")
	}
	if strings.TrimSpace(in.UserName) == "" {
		return nil, scimErr(http.StatusBadRequest, "userName is required", "invalidValue")
	}
	out := &scimInput{userName: in.UserName, externalID: in.ExternalID}
	email := in.UserName
	for i, e := range in.Emails {
		if e.Value != "" && (e.Primary || i == 0) {
			email = e.Value
			if e.Primary {
				break
			}
		}
	}
	out.email = strings.ToLower(strings.TrimSpace(email))
	switch {
	case in.Name != nil && in.Name.Formatted != "":
		out.name = in.Name.Formatted
	case in.Name != nil && (in.Name.GivenName != "" || in.Name.FamilyName != ""):
		out.name = strings.TrimSpace(in.Name.GivenName + " " + in.Name.FamilyName)
	case in.DisplayName != "":
		out.name = in.DisplayName
	default:
		out.name = in.UserName
	}
	if out.externalID == "" {
		out.externalID = in.UserName
	}
	return out, nil
}

func (s *Server) scimLocation(rq *request, id string) {
	rq.w.Header().Set("location", s.baseOrigin+"/scim/v2/Users/"+id)
}

// POST /scim/v2/Users
func (s *Server) scimCreateUser(ctx context.Context, rq *request) (any, error) {
	c, err := s.scimAuth(ctx, rq)
	if err != nil {
		return nil, err
	}
	in, err := parseSCIMUser(rq.body)
	if err != nil {
		return nil, err
	}
	var su *scimUser
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if u, err := s.getUser(ctx, tx, "email", in.email); err != nil {
			return err
		} else if u != nil {
			return scimErr(http.StatusConflict, "User already exists", "uniqueness")
		}
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO "user" (`+userColumns+`) VALUES (?, ?, 1, ?, NULL, ?, ?, 'user', 0, NULL, NULL)`,
			id, in.email, in.name, rq.now, rq.now); err != nil {
			if isUniqueViolation(err) {
				return scimErr(http.StatusConflict, "User already exists", "uniqueness")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO account (id, userId, providerId, accountId, createdAt, updatedAt)
			VALUES (?, ?, ?, ?, ?, ?)`, newID(), id, c.ProviderID, in.externalID, rq.now, rq.now); err != nil {
			if isUniqueViolation(err) {
				return scimErr(http.StatusConflict, "User already exists", "uniqueness")
			}
			return err
		}
		su, err = s.scimUserByID(ctx, tx, c, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.scimLocation(rq, su.u.ID)
	rq.w.Header().Set("x-scim-status", "201")
	return s.scimResource(su), nil
}

var scimFilterRe = regexp.MustCompile(`(?i)^\s*userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$`)

// GET /scim/v2/Users?filter=userName eq "x"
func (s *Server) scimListUsers(ctx context.Context, rq *request) (any, error) {
	c, err := s.scimAuth(ctx, rq)
	if err != nil {
		return nil, err
	}
	cond, args := "", []any{}
	if f := rq.r.URL.Query().Get("filter"); f != "" {
		m := scimFilterRe.FindStringSubmatch(f)
		if m == nil {
			return nil, scimErr(http.StatusBadRequest, "Invalid filter: only userName eq \"<value>\" is supported", "invalidFilter")
		}
		cond, args = ` AND u.email = ?`, append(args, strings.ToLower(strings.ReplaceAll(m[1], `\"`, `"`)))
	}
	us, err := s.scimUsers(ctx, s.db, c, cond, args...)
	if err != nil {
		return nil, err
	}
	res := make([]map[string]any, 0, len(us))
	for _, su := range us {
		res = append(res, s.scimResource(su))
	}
	return map[string]any{"schemas": []string{scimListSchema}, "totalResults": len(res), "startIndex": 1,
		"itemsPerPage": len(res), "Resources": res}, nil
}

// GET /scim/v2/Users/:userId
func (s *Server) scimGetUser(ctx context.Context, rq *request) (any, error) {
	c, err := s.scimAuth(ctx, rq)
	if err != nil {
		return nil, err
	}
	su, err := s.scimUserByID(ctx, s.db, c, rq.params["userId"])
	if err != nil {
		return nil, err
	}
	s.scimLocation(rq, su.u.ID)
	return s.scimResource(su), nil
}

// applySCIM stores new email, name and external id for su.
func (s *Server) applySCIM(ctx context.Context, tx *sql.Tx, c *scimConn, su *scimUser, email, name, externalID string, now int64) error {
	if email != su.u.Email {
		if other, err := s.getUser(ctx, tx, "email", email); err != nil {
			return err
		} else if other != nil && other.ID != su.u.ID {
			return scimErr(http.StatusConflict, "User already exists", "uniqueness")
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE "user" SET email = ?, name = ?, updatedAt = ? WHERE id = ?`,
		email, name, now, su.u.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE account SET accountId = ?, updatedAt = ? WHERE userId = ? AND providerId = ?`,
		externalID, now, su.u.ID, c.ProviderID); err != nil {
		if isUniqueViolation(err) {
			return scimErr(http.StatusConflict, "User already exists", "uniqueness")
		}
		return err
	}
	return nil
}

// PUT /scim/v2/Users/:userId
func (s *Server) scimPutUser(ctx context.Context, rq *request) (any, error) {
	c, err := s.scimAuth(ctx, rq)
	if err != nil {
		return nil, err
	}
	in, err := parseSCIMUser(rq.body)
	if err != nil {
		return nil, err
	}
	var su *scimUser
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if su, err = s.scimUserByID(ctx, tx, c, rq.params["userId"]); err != nil {
			return err
		}
		if err := s.applySCIM(ctx, tx, c, su, in.email, in.name, in.externalID, rq.now); err != nil {
			return err
		}
		su, err = s.scimUserByID(ctx, tx, c, su.u.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.scimLocation(rq, su.u.ID)
	return s.scimResource(su), nil
}

// PATCH /scim/v2/Users/:userId: 200 {} with x-scim-status 204.
func (s *Server) scimPatchUser(ctx context.Context, rq *request) (any, error) {
	c, err := s.scimAuth(ctx, rq)
	if err != nil {
		return nil, err
	}
	var ops []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if raw, ok := rq.body["Operations"]; ok {
		if err := json.Unmarshal(raw, &ops); err != nil {
			return nil, scimErr(http.StatusBadRequest, "Operations must be a list", "invalidSyntax")
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		su, err := s.scimUserByID(ctx, tx, c, rq.params["userId"])
		if err != nil {
			return err
		}
		email, name, ext := su.u.Email, su.u.Email, su.accountID
		if su.u.Name != nil {
			name = *su.u.Name
		}
		str := func(raw json.RawMessage) string {
			var v string
			_ = json.Unmarshal(raw, &v)
			return v
		}
		var apply func(path string, value json.RawMessage)
		apply = func(path string, value json.RawMessage) {
			switch strings.ToLower(path) {
			case "username":
				email = strings.ToLower(str(value))
			case "externalid":
				ext = str(value)
			case "name.formatted", "displayname":
				name = str(value)
			case "name":
				var n map[string]string
				if json.Unmarshal(value, &n) == nil {
					if n["formatted"] != "" {
						name = n["formatted"]
					} else if g := strings.TrimSpace(n["givenName"] + " " + n["familyName"]); g != "" {
						name = g
					}
				}
			case "emails":
				var es []struct {
					Value   string `json:"value"`
					Primary bool   `json:"primary"`
				}
				if json.Unmarshal(value, &es) == nil && len(es) > 0 {
					email = strings.ToLower(es[0].Value)
					for _, e := range es {
						if e.Primary {
							email = strings.ToLower(e.Value)
						}
					}
				}
			case "":
				var m map[string]json.RawMessage
				if json.Unmarshal(value, &m) == nil {
					for k, v := range m {
						apply(k, v)
					}
				}
			}
		}
		for _, op := range ops {
			switch strings.ToLower(op.Op) {
			case "add", "replace":
				apply(op.Path, op.Value)
			case "remove":
			default:
				return errMsg(http.StatusBadRequest, "VALIDATION_ERROR", "Invalid PATCH op: "+op.Op)
			}
		}
		if email == "" {
			return scimErr(http.StatusBadRequest, "userName must not be empty", "invalidValue")
		}
		return s.applySCIM(ctx, tx, c, su, email, name, ext, rq.now)
	})
	if err != nil {
		return nil, err
	}
	rq.w.Header().Set("x-scim-status", "204")
	return map[string]any{}, nil
}

// DELETE /scim/v2/Users/:userId: sessions, accounts and the user; 200 {} + 204.
func (s *Server) scimDeleteUser(ctx context.Context, rq *request) (any, error) {
	c, err := s.scimAuth(ctx, rq)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		su, err := s.scimUserByID(ctx, tx, c, rq.params["userId"])
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM "user" WHERE id = ?`, su.u.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	rq.w.Header().Set("x-scim-status", "204")
	return map[string]any{}, nil
}

// ---- discovery (no authentication) ----

func (s *Server) scimUserSchemaDoc() map[string]any {
	attr := func(name, typ string, required bool) map[string]any {
		return map[string]any{"name": name, "type": typ, "multiValued": false, "required": required,
			"mutability": "readWrite", "returned": "default", "uniqueness": "none"}
	}
	userName := attr("userName", "string", true)
	userName["uniqueness"] = "server"
	emails := attr("emails", "complex", false)
	emails["multiValued"] = true
	return map[string]any{
		"schemas": []string{scimSchemaSchema}, "id": scimUserSchema, "name": "User", "description": "User Account",
		"attributes": []map[string]any{userName, attr("externalId", "string", false), attr("name", "complex", false),
			attr("displayName", "string", false), attr("active", "boolean", false), emails},
		"meta": map[string]any{"resourceType": "Schema", "location": s.baseOrigin + "/scim/v2/Schemas/" + scimUserSchema},
	}
}

func (s *Server) scimUserResourceType() map[string]any {
	return map[string]any{
		"schemas": []string{scimRTSchema}, "id": "User", "name": "User", "endpoint": "/Users",
		"description": "User Account", "schema": scimUserSchema,
		"meta": map[string]any{"resourceType": "ResourceType", "location": s.baseOrigin + "/scim/v2/ResourceTypes/User"},
	}
}

func scimList(resources ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{scimListSchema}, "totalResults": len(resources), "startIndex": 1,
		"itemsPerPage": len(resources), "Resources": resources}
}

// GET /scim/v2/ServiceProviderConfig
func (s *Server) scimServiceProviderConfig(context.Context, *request) (any, error) {
	no := map[string]bool{"supported": false}
	return map[string]any{
		"schemas": []string{scimSPConfigSchema},
		"patch":   map[string]bool{"supported": true}, "bulk": map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": 0},
		"changePassword": no, "sort": no, "etag": no,
		"authenticationSchemes": []map[string]any{{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			"description": "Authentication with a SCIM token from /scim/generate-token", "primary": true}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": s.baseOrigin + "/scim/v2/ServiceProviderConfig"},
	}, nil
}

// GET /scim/v2/Schemas
func (s *Server) scimSchemas(context.Context, *request) (any, error) {
	return scimList(s.scimUserSchemaDoc()), nil
}

// GET /scim/v2/Schemas/:schemaId
func (s *Server) scimSchema(_ context.Context, rq *request) (any, error) {
	if rq.params["schemaId"] != scimUserSchema {
		return nil, scimErr(http.StatusNotFound, "Schema not found", "")
	}
	return s.scimUserSchemaDoc(), nil
}

// GET /scim/v2/ResourceTypes
func (s *Server) scimResourceTypes(context.Context, *request) (any, error) {
	return scimList(s.scimUserResourceType()), nil
}

// GET /scim/v2/ResourceTypes/:resourceTypeId
func (s *Server) scimResourceTypeByID(_ context.Context, rq *request) (any, error) {
	if rq.params["resourceTypeId"] != "User" {
		return nil, scimErr(http.StatusNotFound, "Resource type not found", "")
	}
	return s.scimUserResourceType(), nil
}

// GET /api/admin/scim/directories: each connection with its provisioned users.
func (s *Server) dashSCIMDirectories(ctx context.Context, _ *request) (any, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.providerId, p.organizationId,
		(SELECT count(*) FROM account a WHERE a.providerId = p.providerId),
		(SELECT max(a.createdAt) FROM account a WHERE a.providerId = p.providerId)
		FROM scimProvider p ORDER BY p.providerId`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type dir struct {
		ID                string  `json:"id"`
		ProviderID        string  `json:"providerId"`
		OrganizationID    *string `json:"organizationId"`
		UserCount         int64   `json:"userCount"`
		LastProvisionedAt *int64  `json:"lastProvisionedAt"`
	}
	out := []dir{}
	for rows.Next() {
		var (
			d    dir
			org  sql.NullString
			last sql.NullInt64
		)
		if err := rows.Scan(&d.ID, &d.ProviderID, &org, &d.UserCount, &last); err != nil {
			return nil, err
		}
		d.OrganizationID, d.LastProvisionedAt = nullStr(org), nullInt(last)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return map[string]any{"directories": out}, nil
}
