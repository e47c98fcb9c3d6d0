package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Audit actions of the SSO routes.
const (
	auditSSORegister       = "sso.provider.register"
	auditSSOUpdate         = "sso.provider.update"
	auditSSODelete         = "sso.provider.delete"
	auditSSODomainRegister = "sso.domain.register"
	auditSSODomainVerify   = "sso.domain.verify"
	auditTargetSSOProvider = "ssoProvider"
	auditTargetSSODomain   = "ssoDomain"
)

// ssoProvider is one ssoProvider row; the exported fields are Kernia's Full
// shape (kernia-wire.md §7.2), secrets included, exactly as Kernia sends it.
type ssoProvider struct {
	ID             string         `json:"id"`
	Issuer         string         `json:"issuer"`
	Kind           string         `json:"kind"`
	Name           *string        `json:"name"`
	Domains        []string       `json:"domains"`
	OIDCConfig     map[string]any `json:"oidcConfig"`
	SAMLConfig     map[string]any `json:"samlConfig"`
	Mapping        map[string]any `json:"mapping"`
	OrganizationID *string        `json:"organizationId"`
	CreatedAt      int64          `json:"createdAt"`
	UpdatedAt      int64          `json:"updatedAt"`

	userID *string
}

const ssoProviderColumns = `id, issuer, kind, name, domains, oidcConfig, samlConfig, mapping, organizationId, userId, createdAt, updatedAt`

func scanSSOProvider(sc scanner) (*ssoProvider, error) {
	var (
		p                        ssoProvider
		name, oidc, saml, org, u sql.NullString
		domains, mapping         string
	)
	if err := sc.Scan(&p.ID, &p.Issuer, &p.Kind, &name, &domains, &oidc, &saml, &mapping, &org, &u, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.Name, p.OrganizationID, p.userID = nullStr(name), nullStr(org), nullStr(u)
	p.Domains = []string{}
	_ = json.Unmarshal([]byte(domains), &p.Domains)
	if p.Domains == nil {
		p.Domains = []string{}
	}
	p.Mapping = map[string]any{}
	_ = json.Unmarshal([]byte(mapping), &p.Mapping)
	if oidc.Valid {
		_ = json.Unmarshal([]byte(oidc.String), &p.OIDCConfig)
	}
	if saml.Valid {
		_ = json.Unmarshal([]byte(saml.String), &p.SAMLConfig)
	}
	return &p, nil
}

func jsonText(v any) (any, error) {
	if m, ok := v.(map[string]any); ok && m == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (p *ssoProvider) save(ctx context.Context, q dbtx, insert bool) error {
	domains, err := jsonText(p.Domains)
	if err != nil {
		return err
	}
	mapping, err := jsonText(p.Mapping)
	if err != nil {
		return err
	}
	if mapping == nil {
		mapping = "{}"
	}
	oidc, err := jsonText(p.OIDCConfig)
	if err != nil {
		return err
	}
	saml, err := jsonText(p.SAMLConfig)
	if err != nil {
		return err
	}
	if insert {
		_, err = q.ExecContext(ctx, `INSERT INTO ssoProvider (`+ssoProviderColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Issuer, p.Kind, strOrNil(p.Name), domains, oidc, saml, mapping, strOrNil(p.OrganizationID),
			strOrNil(p.userID), p.CreatedAt, p.UpdatedAt)
	} else {
		_, err = q.ExecContext(ctx, `UPDATE ssoProvider SET issuer = ?, name = ?, domains = ?, oidcConfig = ?, samlConfig = ?,
			mapping = ?, organizationId = ?, updatedAt = ? WHERE id = ?`, p.Issuer, strOrNil(p.Name), domains, oidc, saml,
			mapping, strOrNil(p.OrganizationID), p.UpdatedAt, p.ID)
	}
	if isUniqueViolation(err) {
		return errCode(http.StatusConflict, "SSO_PROVIDER_EXISTS")
	}
	return err
}

func getSSOProvider(ctx context.Context, q dbtx, id string) (*ssoProvider, error) {
	p, err := scanSSOProvider(q.QueryRowContext(ctx, `SELECT `+ssoProviderColumns+` FROM ssoProvider WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

func errProviderNotFound() *apiError {
	return errMsg(http.StatusNotFound, "SSO_PROVIDER_NOT_FOUND", "Provider not found")
}

// alias returns the first present (non-null) key of names.
func (b body) alias(names ...string) (string, bool) {
	for _, n := range names {
		if b.has(n) {
			return n, true
		}
	}
	return "", false
}

// optObject decodes an optional object field under any of names.
func optObject(b body, names ...string) (map[string]any, bool, error) {
	k, ok := b.alias(names...)
	if !ok {
		return nil, false, nil
	}
	v, _ := b.any(k)
	m, isObj := v.(map[string]any)
	if !isObj {
		return nil, false, errInvalid(names[0] + ": Input should be a valid dictionary")
	}
	return m, true, nil
}

func optStringList(b body, key string) ([]string, bool, error) {
	if !b.has(key) {
		return nil, false, nil
	}
	var out []string
	if err := json.Unmarshal(b[key], &out); err != nil {
		return nil, false, errInvalid(key + ": Input should be a valid list of strings")
	}
	if out == nil {
		out = []string{}
	}
	return out, true, nil
}

func optAliasString(b body, names ...string) (*string, error) {
	k, ok := b.alias(names...)
	if !ok {
		return nil, nil
	}
	v, _, err := b.str(k)
	if err != nil {
		return nil, errInvalid(names[0] + ": Input should be a valid string")
	}
	return &v, nil
}

// POST /sso/register-provider
func (s *Server) ssoRegisterProvider(ctx context.Context, rq *request) (any, error) {
	b := rq.body
	issuer, err := b.requiredStr("issuer")
	if err != nil {
		return nil, err
	}
	kind, err := b.requiredStr("kind")
	if err != nil {
		return nil, err
	}
	kind = strings.ToLower(strings.TrimSpace(kind))
	if kind != "oidc" && kind != "saml" {
		return nil, errCode(http.StatusBadRequest, "SSO_INVALID_KIND")
	}
	p := &ssoProvider{ID: newID(), Issuer: issuer, Kind: kind, Domains: []string{}, Mapping: map[string]any{},
		CreatedAt: rq.now, UpdatedAt: rq.now}
	uid := rq.auth.user.ID
	p.userID = &uid
	oidc, hasOIDC, err := optObject(b, "oidcConfig", "oidc_config")
	if err != nil {
		return nil, err
	}
	saml, hasSAML, err := optObject(b, "samlConfig", "saml_config")
	if err != nil {
		return nil, err
	}
	switch {
	case kind == "oidc" && !hasOIDC:
		return nil, errMsg(http.StatusBadRequest, "SSO_MISSING_CONFIG", "oidcConfig is required")
	case kind == "saml" && !hasSAML:
		return nil, errMsg(http.StatusBadRequest, "SSO_MISSING_CONFIG", "samlConfig is required")
	case kind == "oidc":
		p.OIDCConfig = oidc
	default:
		p.SAMLConfig = saml
	}
	if p.Name, err = optAliasString(b, "name"); err != nil {
		return nil, err
	}
	if d, ok, err := optStringList(b, "domains"); err != nil {
		return nil, err
	} else if ok {
		p.Domains = d
	}
	if m, ok, err := optObject(b, "mapping"); err != nil {
		return nil, err
	} else if ok {
		p.Mapping = m
	}
	if p.OrganizationID, err = optAliasString(b, "organizationId", "organization_id"); err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := p.save(ctx, tx, true); err != nil {
			return err
		}
		return s.audit(ctx, tx, uid, auditSSORegister, auditTargetSSOProvider, p.ID,
			map[string]any{"issuer": p.Issuer, "kind": p.Kind, "domains": p.Domains})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"provider": p}, nil
}

func isHTTPURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// POST /sso/update-provider {id, issuer?, name?, domains?, oidcConfig?, samlConfig?, mapping?, organizationId?}
func (s *Server) ssoUpdateProvider(ctx context.Context, rq *request) (any, error) {
	b := rq.body
	id, err := b.requiredStr("id")
	if err != nil {
		return nil, err
	}
	issuer, err := optAliasString(b, "issuer")
	if err != nil {
		return nil, err
	}
	name, err := optAliasString(b, "name")
	if err != nil {
		return nil, err
	}
	domains, hasDomains, err := optStringList(b, "domains")
	if err != nil {
		return nil, err
	}
	oidc, hasOIDC, err := optObject(b, "oidcConfig", "oidc_config")
	if err != nil {
		return nil, err
	}
	saml, hasSAML, err := optObject(b, "samlConfig", "saml_config")
	if err != nil {
		return nil, err
	}
	mapping, hasMapping, err := optObject(b, "mapping")
	if err != nil {
		return nil, err
	}
	org, err := optAliasString(b, "organizationId", "organization_id")
	if err != nil {
		return nil, err
	}
	if issuer == nil && name == nil && !hasDomains && !hasOIDC && !hasSAML && !hasMapping && org == nil {
		return nil, errMsg(http.StatusBadRequest, "SSO_NO_UPDATE_FIELDS", "No fields provided for update")
	}
	var p *ssoProvider
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if p, err = getSSOProvider(ctx, tx, id); err != nil {
			return err
		}
		if p == nil {
			return errProviderNotFound()
		}
		if issuer != nil {
			if !isHTTPURL(*issuer) {
				return errMsg(http.StatusBadRequest, "SSO_INVALID_ISSUER", "issuer must be an http(s) URL")
			}
			p.Issuer = *issuer
		}
		if (hasOIDC && p.Kind != "oidc") || (hasSAML && p.Kind != "saml") {
			return errMsg(http.StatusBadRequest, "SSO_CONFIG_KIND_MISMATCH",
				fmt.Sprintf("provider kind is %s", p.Kind))
		}
		merge := func(dst map[string]any, src map[string]any) map[string]any {
			if dst == nil {
				dst = map[string]any{}
			}
			for k, v := range src {
				dst[k] = v
			}
			return dst
		}
		if hasOIDC {
			p.OIDCConfig = merge(p.OIDCConfig, oidc)
		}
		if hasSAML {
			p.SAMLConfig = merge(p.SAMLConfig, saml)
		}
		if name != nil {
			p.Name = name
		}
		if hasDomains {
			p.Domains = domains
		}
		if hasMapping {
			p.Mapping = mapping
		}
		if org != nil {
			p.OrganizationID = org
		}
		p.UpdatedAt = rq.now
		if err := p.save(ctx, tx, false); err != nil {
			return err
		}
		fields := []string{}
		for _, f := range []struct {
			name string
			set  bool
		}{{"issuer", issuer != nil}, {"name", name != nil}, {"domains", hasDomains}, {"oidcConfig", hasOIDC},
			{"samlConfig", hasSAML}, {"mapping", hasMapping}, {"organizationId", org != nil}} {
			if f.set {
				fields = append(fields, f.name)
			}
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditSSOUpdate, auditTargetSSOProvider, p.ID, map[string]any{"fields": fields})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"provider": p}, nil
}

// POST /sso/delete-provider {id}
func (s *Server) ssoDeleteProvider(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("id")
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var issuer string
		err := tx.QueryRowContext(ctx, `DELETE FROM ssoProvider WHERE id = ? RETURNING issuer`, id).Scan(&issuer)
		if errors.Is(err, sql.ErrNoRows) {
			return errProviderNotFound()
		}
		if err != nil {
			return err
		}
		// Domain rows go by ON DELETE CASCADE.
		return s.audit(ctx, tx, rq.auth.user.ID, auditSSODelete, auditTargetSSOProvider, id, map[string]any{"issuer": issuer})
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

func (s *Server) querySSOProviders(ctx context.Context, tail string, args ...any) ([]*ssoProvider, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+ssoProviderColumns+` FROM ssoProvider `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*ssoProvider{}
	for rows.Next() {
		p, err := scanSSOProvider(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GET /sso/list-providers: every provider, Full shape (secrets in clear, as Kernia).
func (s *Server) ssoListProviders(ctx context.Context, _ *request) (any, error) {
	ps, err := s.querySSOProviders(ctx, `ORDER BY createdAt, id`)
	if err != nil {
		return nil, err
	}
	return map[string]any{"providers": ps}, nil
}

// GET /sso/providers: the caller's own providers, sanitized.
func (s *Server) ssoProviders(ctx context.Context, rq *request) (any, error) {
	ps, err := s.querySSOProviders(ctx, `WHERE userId = ? ORDER BY createdAt, id`, rq.auth.user.ID)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, s.sanitizeProvider(p))
	}
	return map[string]any{"providers": out}, nil
}

// GET /sso/get-provider?providerId=
func (s *Server) ssoGetProvider(ctx context.Context, rq *request) (any, error) {
	q := rq.r.URL.Query()
	id := q.Get("providerId")
	if id == "" {
		id = q.Get("provider_id")
	}
	if id == "" {
		return nil, errInvalid("providerId is required")
	}
	p, err := getSSOProvider(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errProviderNotFound()
	}
	if p.userID == nil || *p.userID != rq.auth.user.ID {
		return nil, errCode(http.StatusForbidden, "SSO_PROVIDER_ACCESS_DENIED")
	}
	return s.sanitizeProvider(p), nil
}

func strField(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	return nil
}

func subMap(m map[string]any, key string) map[string]any {
	sub, _ := m[key].(map[string]any)
	if sub == nil {
		return map[string]any{}
	}
	return sub
}

// sanitizeProvider is Kernia's sanitized view: no secrets, no name.
func (s *Server) sanitizeProvider(p *ssoProvider) map[string]any {
	out := map[string]any{
		"id": p.ID, "type": p.Kind, "issuer": p.Issuer, "domains": p.Domains, "organizationId": p.OrganizationID,
		"spMetadataUrl": s.baseOrigin + "/sso/saml/metadata/" + p.ID,
	}
	if p.Kind == "oidc" {
		c := p.OIDCConfig
		if c == nil {
			c = map[string]any{}
		}
		clientID, _ := c["clientId"].(string)
		last := clientID
		if len(last) > 4 {
			last = last[len(last)-4:]
		}
		pkce := any(true)
		if v, ok := c["pkce"]; ok {
			pkce = v
		}
		scopes := any([]string{"openid", "email", "profile"})
		if v, ok := c["scopes"]; ok && v != nil {
			scopes = v
		}
		out["oidcConfig"] = map[string]any{
			"issuer": strField(c, "issuer"), "clientIdLastFour": "****" + last, "pkce": pkce,
			"authorizationEndpoint": strField(c, "authorizationEndpoint"), "tokenEndpoint": strField(c, "tokenEndpoint"),
			"userInfoEndpoint": strField(c, "userInfoEndpoint"), "jwksEndpoint": strField(c, "jwksEndpoint"),
			"scopes": scopes,
		}
		return out
	}
	c := p.SAMLConfig
	if c == nil {
		c = map[string]any{}
	}
	idp, sp := subMap(c, "idp"), subMap(c, "sp")
	audience := strField(sp, "audience")
	if audience == nil {
		audience = strField(sp, "entityId")
	}
	if audience == nil {
		audience = s.baseOrigin + "/sso/saml/metadata/" + p.ID
	}
	want := any(true)
	if v, ok := c["wantAssertionsSigned"]; ok {
		want = v
	}
	var cert any
	if pemText, ok := idp["cert"].(string); ok && strings.TrimSpace(pemText) != "" {
		cert = certificateSummary(pemText)
	}
	out["samlConfig"] = map[string]any{
		"entryPoint": strField(idp, "ssoUrl"), "idpEntityId": strField(idp, "entityId"), "audience": audience,
		"wantAssertionsSigned": want, "signatureAlgorithm": strField(c, "signatureAlgorithm"),
		"digestAlgorithm": strField(c, "digestAlgorithm"), "certificate": cert,
	}
	return out
}

// certificateSummary parses a PEM (or bare base64 DER) certificate.
func certificateSummary(text string) map[string]any {
	fail := map[string]any{"error": "Failed to parse certificate"}
	var der []byte
	if blk, _ := pem.Decode([]byte(strings.TrimSpace(text))); blk != nil {
		der = blk.Bytes
	} else {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
		if err != nil {
			return fail
		}
		der = b
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return fail
	}
	sum := sha256.Sum256(c.Raw)
	hexParts := make([]string, len(sum))
	for i, b := range sum {
		hexParts[i] = fmt.Sprintf("%02X", b)
	}
	const iso = "2006-01-02T15:04:05+00:00"
	return map[string]any{
		"fingerprintSha256":  strings.Join(hexParts, ":"),
		"notBefore":          c.NotBefore.UTC().Format(iso),
		"notAfter":           c.NotAfter.UTC().Format(iso),
		"publicKeyAlgorithm": c.PublicKeyAlgorithm.String(),
	}
}

// ---- domains ----

func newDomainToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]) // 32 chars
}

func normalizeDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

// POST /sso/register-domain {ssoProviderId | provider_id, domain}
func (s *Server) ssoRegisterDomain(ctx context.Context, rq *request) (any, error) {
	b := rq.body
	key, ok := b.alias("ssoProviderId", "provider_id")
	if !ok {
		return nil, errInvalid("ssoProviderId: Field required")
	}
	pid, _, err := b.str(key)
	if err != nil {
		return nil, err
	}
	raw, _, err := b.str("domain")
	if err != nil {
		return nil, err
	}
	domain := normalizeDomain(raw)
	if domain == "" {
		return nil, errInvalid("domain is required")
	}
	token := newDomainToken()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := getSSOProvider(ctx, tx, pid)
		if err != nil {
			return err
		}
		if p == nil {
			return errProviderNotFound()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ssoDomain (id, domain, ssoProviderId, verified, verificationToken, createdAt)
			VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (domain) DO UPDATE SET ssoProviderId = excluded.ssoProviderId, verified = 0,
			verificationToken = excluded.verificationToken`, newID(), domain, pid, sha256B64(token), rq.now); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditSSODomainRegister, auditTargetSSODomain, domain,
			map[string]any{"ssoProviderId": pid})
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"domain": domain,
		"token":  token,
		"instructions": fmt.Sprintf("Publish a DNS TXT record named _better-auth-token.%s with the value %s "+
			"(or serve the token at https://%s/.well-known/better-auth-domain.txt), then call POST /sso/verify-domain "+
			"with the domain and the token.", domain, token, domain),
	}, nil
}

// POST /sso/verify-domain {domain, token}: compares the token (no DNS lookup).
func (s *Server) ssoVerifyDomain(ctx context.Context, rq *request) (any, error) {
	raw, err := rq.body.requiredStr("domain")
	if err != nil {
		return nil, err
	}
	token, _, err := rq.body.str("token")
	if err != nil {
		return nil, err
	}
	domain := normalizeDomain(raw)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var id, stored string
		err := tx.QueryRowContext(ctx, `SELECT id, verificationToken FROM ssoDomain WHERE domain = ?`, domain).Scan(&id, &stored)
		if errors.Is(err, sql.ErrNoRows) {
			return errCode(http.StatusNotFound, "SSO_DOMAIN_NOT_FOUND")
		}
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(sha256B64(token)), []byte(stored)) != 1 {
			return errCode(http.StatusBadRequest, "SSO_DOMAIN_VERIFICATION_FAILED")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ssoDomain SET verified = 1 WHERE id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditSSODomainVerify, auditTargetSSODomain, domain, nil)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"domain": domain, "verified": true}, nil
}

// ssoSignInRedirect is kernia_sso's before hook on /sign-in/email: an email
// whose domain is verified for a provider gets the 200 SSO_REDIRECT answer.
func (s *Server) ssoSignInRedirect(ctx context.Context, rq *request) (map[string]any, error) {
	if rq.rt.prefix != authPrefix || rq.rt.path != "/sign-in/email" {
		return nil, nil
	}
	email, _, _ := rq.body.str("email")
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return nil, nil
	}
	var pid, kind string
	err := s.db.QueryRowContext(ctx, `SELECT p.id, p.kind FROM ssoDomain d JOIN ssoProvider p ON p.id = d.ssoProviderId
		WHERE d.domain = ? AND d.verified = 1`, normalizeDomain(email[at+1:])).Scan(&pid, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"redirect": s.baseOrigin + "/sso/" + kind + "/sign-in/" + pid, "providerId": pid,
		"code": "SSO_REDIRECT"}, nil
}

// GET /api/admin/sso/domains?providerId=: never the verification token.
func (s *Server) dashSSODomains(ctx context.Context, rq *request) (any, error) {
	cond, args := "", []any{}
	if pid := rq.r.URL.Query().Get("providerId"); pid != "" {
		cond, args = ` WHERE ssoProviderId = ?`, append(args, pid)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, domain, ssoProviderId, verified, createdAt FROM ssoDomain`+cond+
		` ORDER BY domain`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type domainView struct {
		ID            string `json:"id"`
		Domain        string `json:"domain"`
		SSOProviderID string `json:"ssoProviderId"`
		Verified      bool   `json:"verified"`
		CreatedAt     int64  `json:"createdAt"`
	}
	out := []domainView{}
	for rows.Next() {
		var d domainView
		if err := rows.Scan(&d.ID, &d.Domain, &d.SSOProviderID, &d.Verified, &d.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return map[string]any{"domains": out}, nil
}
