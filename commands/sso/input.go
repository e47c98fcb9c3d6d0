package sso

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
)

// Environment variables that may hold provider secrets.
const (
	envClientSecret = "KERNIA_SSO_CLIENT_SECRET"
	envPrivateKey   = "KERNIA_SSO_PRIVATE_KEY"
)

// providerFlags are the flags shared by register and update.
type providerFlags struct {
	FromFile string
	Issuer   string
	Kind     string
	Name     string
	Domains  []string
	Org      string
	Mapping  []string

	// OIDC
	OIDCIssuer        string
	ClientID          string
	ClientSecretFile  string
	ClientSecretStdin bool
	ClientSecretEnv   bool
	AuthEndpoint      string
	TokenEndpoint     string
	UserInfoEndpoint  string
	JWKSEndpoint      string
	Scopes            []string

	// SAML
	IdPEntityID        string
	IdPSSOURL          string
	IdPSLOURL          string
	IdPCertFile        string
	SPEntityID         string
	SPACSURL           string
	SPCertFile         string
	PrivateKeyFile     string
	PrivateKeyStdin    bool
	PrivateKeyEnv      bool
	WantAssertions     bool
	SignatureAlgorithm string
	DigestAlgorithm    string
}

func (p *providerFlags) register(cmd *cobra.Command, update bool) {
	fl := cmd.Flags()
	fl.StringVar(&p.FromFile, "from-file", "", "Read the provider from a JSON or YAML `FILE` (- for stdin); flags override it")
	fl.StringVar(&p.Issuer, "issuer", "", "Issuer `URL` of the identity provider (http or https)")
	if !update {
		fl.StringVar(&p.Kind, "kind", "", "Provider kind: oidc or saml (default: from the config given)")
	}
	fl.StringVar(&p.Name, "name", "", "Display name")
	fl.StringSliceVar(&p.Domains, "domain", nil, "Email `DOMAIN` served by this provider (repeat or comma-separate)")
	fl.StringVar(&p.Org, "org", "", "Organization `ID` the provider belongs to")
	fl.StringArrayVar(&p.Mapping, "mapping", nil, "Attribute mapping `FIELD=CLAIM` (repeatable), e.g. email=mail")

	fl.StringVar(&p.OIDCIssuer, "oidc-issuer", "", "OIDC discovery issuer `URL` (default: --issuer)")
	fl.StringVar(&p.ClientID, "client-id", "", "OIDC client ID")
	fl.StringVar(&p.ClientSecretFile, "client-secret-file", "", "Read the OIDC client secret from `FILE`")
	fl.BoolVar(&p.ClientSecretStdin, "client-secret-stdin", false, "Read the OIDC client secret from stdin")
	fl.StringVar(&p.AuthEndpoint, "authorization-endpoint", "", "OIDC authorization endpoint `URL` (default: discovery)")
	fl.StringVar(&p.TokenEndpoint, "token-endpoint", "", "OIDC token endpoint `URL` (default: discovery)")
	fl.StringVar(&p.UserInfoEndpoint, "userinfo-endpoint", "", "OIDC userinfo endpoint `URL` (default: discovery)")
	fl.StringVar(&p.JWKSEndpoint, "jwks-endpoint", "", "OIDC JWKS endpoint `URL` (default: discovery)")
	fl.StringSliceVar(&p.Scopes, "scopes", nil, "OIDC scopes (default: openid,email,profile)")

	fl.StringVar(&p.IdPEntityID, "idp-entity-id", "", "SAML IdP entity ID")
	fl.StringVar(&p.IdPSSOURL, "idp-sso-url", "", "SAML IdP single sign-on `URL`")
	fl.StringVar(&p.IdPSLOURL, "idp-slo-url", "", "SAML IdP single logout `URL`")
	fl.StringVar(&p.IdPCertFile, "idp-cert-file", "", "SAML IdP signing certificate, a PEM `FILE`")
	fl.StringVar(&p.SPEntityID, "sp-entity-id", "", "SAML service-provider entity ID (default: the server's)")
	fl.StringVar(&p.SPACSURL, "sp-acs-url", "", "SAML assertion consumer service `URL` (default: the server's)")
	fl.StringVar(&p.SPCertFile, "sp-cert-file", "", "SAML service-provider certificate, a PEM `FILE`")
	fl.StringVar(&p.PrivateKeyFile, "private-key-file", "", "Read the SAML service-provider private key (PEM) from `FILE`")
	fl.BoolVar(&p.PrivateKeyStdin, "private-key-stdin", false, "Read the SAML service-provider private key (PEM) from stdin")
	fl.BoolVar(&p.WantAssertions, "want-assertions-signed", true, "SAML: require signed assertions")
	fl.StringVar(&p.SignatureAlgorithm, "signature-algorithm", "", "SAML signature algorithm, e.g. rsa-sha256")
	fl.StringVar(&p.DigestAlgorithm, "digest-algorithm", "", "SAML digest algorithm, e.g. sha256")
	if update {
		fl.BoolVar(&p.ClientSecretEnv, "client-secret-env", false, "Read the new OIDC client secret from $"+envClientSecret)
		fl.BoolVar(&p.PrivateKeyEnv, "private-key-env", false, "Read the new SAML private key from $"+envPrivateKey)
	}
}

// readFileDoc reads a JSON or YAML document into a map with JSON-compatible values.
func readFileDoc(name string, stdin io.Reader) (map[string]any, error) {
	var raw []byte
	var err error
	if name == "-" {
		raw, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		raw, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, cmdutil.FlagErrorf("--from-file: %v", err)
	}
	var doc any
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, cmdutil.FlagErrorf("--from-file %s: invalid JSON: %v", name, err)
		}
	} else if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, cmdutil.FlagErrorf("--from-file %s: invalid YAML: %v", name, err)
	}
	m, ok := normalizeYAML(doc).(map[string]any)
	if !ok {
		return nil, cmdutil.FlagErrorf("--from-file %s: want an object (issuer, kind, oidcConfig or samlConfig, ...)", name)
	}
	// snake_case aliases Kernia also accepts.
	for alias, key := range map[string]string{"oidc_config": "oidcConfig", "saml_config": "samlConfig", "organization_id": "organizationId"} {
		if v, ok := m[alias]; ok {
			if _, dup := m[key]; !dup {
				m[key] = v
			}
			delete(m, alias)
		}
	}
	return m, nil
}

// normalizeYAML turns YAML's map[any]any (old decoders) and keys into JSON-compatible values.
func normalizeYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeYAML(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalizeYAML(e)
		}
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return v
}

// sub returns m[key] as a map, creating it when create is set.
func sub(m map[string]any, key string, create bool) map[string]any {
	if v, ok := m[key].(map[string]any); ok {
		return v
	}
	if !create {
		return nil
	}
	v := map[string]any{}
	m[key] = v
	return v
}

// secretSources reads the client secret and private key from their file, stdin or env
// sources; at most one stdin reader is allowed.
type secretSources struct {
	Stdin  io.Reader
	Getenv func(string) string
}

func readAllSecret(r io.Reader, what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return "", cmdutil.FlagErrorf("reading %s: %v", what, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if strings.TrimSpace(s) == "" {
		return "", cmdutil.FlagErrorf("%s is empty", what)
	}
	return s, nil
}

func readSecretFile(name, what string) (string, error) {
	fh, err := os.Open(name)
	if err != nil {
		return "", cmdutil.FlagErrorf("%s: %v", what, err)
	}
	defer fh.Close()
	return readAllSecret(fh, what)
}

// build assembles the request body: the file (if any), then the flags over it. changed
// tells which flags were given. update leaves out what was not given.
func (p *providerFlags) build(cmd *cobra.Command, src secretSources, update bool) (map[string]any, error) {
	fl := cmd.Flags()
	stdinUsers := 0
	for _, b := range []bool{p.FromFile == "-", p.ClientSecretStdin, p.PrivateKeyStdin} {
		if b {
			stdinUsers++
		}
	}
	if stdinUsers > 1 {
		return nil, cmdutil.FlagErrorf("only one of --from-file -, --client-secret-stdin and --private-key-stdin can read stdin")
	}
	if p.ClientSecretFile != "" && p.ClientSecretStdin {
		return nil, cmdutil.FlagErrorf("--client-secret-file and --client-secret-stdin cannot be used together")
	}
	if p.PrivateKeyFile != "" && p.PrivateKeyStdin {
		return nil, cmdutil.FlagErrorf("--private-key-file and --private-key-stdin cannot be used together")
	}
	body := map[string]any{}
	if p.FromFile != "" {
		doc, err := readFileDoc(p.FromFile, src.Stdin)
		if err != nil {
			return nil, err
		}
		body = doc
	}
	set := func(m map[string]any, key, flag string, v any) {
		if fl.Changed(flag) {
			m[key] = v
		}
	}
	set(body, "issuer", "issuer", p.Issuer)
	if !update {
		set(body, "kind", "kind", strings.ToLower(p.Kind))
	}
	set(body, "name", "name", p.Name)
	set(body, "organizationId", "org", p.Org)
	if fl.Changed("domain") {
		var ds []any
		for _, d := range p.Domains {
			d = strings.ToLower(strings.TrimSpace(d))
			if d == "" || strings.ContainsAny(d, " /@") || !strings.Contains(d, ".") {
				return nil, cmdutil.FlagErrorf("invalid --domain %q: want a domain name like example.com", d)
			}
			ds = append(ds, d)
		}
		body["domains"] = ds
	}
	if fl.Changed("mapping") {
		m := map[string]any{}
		for _, kv := range p.Mapping {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
				return nil, cmdutil.FlagErrorf("invalid --mapping %q: use FIELD=CLAIM", kv)
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		body["mapping"] = m
	}

	oidcFlags := []string{"oidc-issuer", "client-id", "client-secret-file", "client-secret-stdin", "client-secret-env",
		"authorization-endpoint", "token-endpoint", "userinfo-endpoint", "jwks-endpoint", "scopes"}
	samlFlags := []string{"idp-entity-id", "idp-sso-url", "idp-slo-url", "idp-cert-file", "sp-entity-id", "sp-acs-url",
		"sp-cert-file", "private-key-file", "private-key-stdin", "private-key-env", "want-assertions-signed", "signature-algorithm", "digest-algorithm"}
	anyChanged := func(names []string) bool {
		for _, n := range names {
			if fl.Lookup(n) != nil && fl.Changed(n) {
				return true
			}
		}
		return false
	}
	oidcGiven, samlGiven := anyChanged(oidcFlags), anyChanged(samlFlags)
	if oidcGiven && samlGiven {
		return nil, cmdutil.FlagErrorf("OIDC flags (--client-id, ...) and SAML flags (--idp-..., --sp-...) cannot be mixed")
	}
	kind, _ := body["kind"].(string)
	if !update && kind == "" {
		switch {
		case oidcGiven || body["oidcConfig"] != nil:
			kind = "oidc"
		case samlGiven || body["samlConfig"] != nil:
			kind = "saml"
		}
		if kind != "" {
			body["kind"] = kind
		}
	}
	if oidcGiven || (!update && kind == "oidc") {
		oc := sub(body, "oidcConfig", true)
		set(oc, "issuer", "oidc-issuer", p.OIDCIssuer)
		set(oc, "clientId", "client-id", p.ClientID)
		set(oc, "authorizationEndpoint", "authorization-endpoint", p.AuthEndpoint)
		set(oc, "tokenEndpoint", "token-endpoint", p.TokenEndpoint)
		set(oc, "userInfoEndpoint", "userinfo-endpoint", p.UserInfoEndpoint)
		set(oc, "jwksEndpoint", "jwks-endpoint", p.JWKSEndpoint)
		if fl.Changed("scopes") {
			var sc []any
			for _, s := range p.Scopes {
				sc = append(sc, strings.TrimSpace(s))
			}
			oc["scopes"] = sc
		}
		if _, ok := oc["issuer"]; !ok && !update {
			if iss, ok := body["issuer"].(string); ok {
				oc["issuer"] = iss
			}
		}
		secret, err := p.clientSecret(src, update, oc)
		if err != nil {
			return nil, err
		}
		if secret != "" {
			oc["clientSecret"] = secret
		}
		if update && len(oc) == 0 {
			delete(body, "oidcConfig")
		}
	}
	if samlGiven {
		sc := sub(body, "samlConfig", true)
		idpSet := fl.Changed("idp-entity-id") || fl.Changed("idp-sso-url") || fl.Changed("idp-slo-url") || fl.Changed("idp-cert-file")
		if idpSet {
			idp := sub(sc, "idp", true)
			set(idp, "entityId", "idp-entity-id", p.IdPEntityID)
			set(idp, "ssoUrl", "idp-sso-url", p.IdPSSOURL)
			set(idp, "sloUrl", "idp-slo-url", p.IdPSLOURL)
			if p.IdPCertFile != "" {
				b, err := os.ReadFile(p.IdPCertFile)
				if err != nil {
					return nil, cmdutil.FlagErrorf("--idp-cert-file: %v", err)
				}
				idp["cert"] = strings.TrimSpace(string(b))
			}
		}
		spSet := fl.Changed("sp-entity-id") || fl.Changed("sp-acs-url") || fl.Changed("sp-cert-file") ||
			p.PrivateKeyFile != "" || p.PrivateKeyStdin || p.PrivateKeyEnv
		if spSet {
			sp := sub(sc, "sp", true)
			set(sp, "entityId", "sp-entity-id", p.SPEntityID)
			set(sp, "acsUrl", "sp-acs-url", p.SPACSURL)
			if p.SPCertFile != "" {
				b, err := os.ReadFile(p.SPCertFile)
				if err != nil {
					return nil, cmdutil.FlagErrorf("--sp-cert-file: %v", err)
				}
				sp["cert"] = strings.TrimSpace(string(b))
			}
			key, err := p.privateKey(src)
			if err != nil {
				return nil, err
			}
			if key != "" {
				sp["privateKey"] = key
			}
		}
		set(sc, "wantAssertionsSigned", "want-assertions-signed", p.WantAssertions)
		set(sc, "signatureAlgorithm", "signature-algorithm", p.SignatureAlgorithm)
		set(sc, "digestAlgorithm", "digest-algorithm", p.DigestAlgorithm)
	} else if !update && kind == "saml" {
		if sc := sub(body, "samlConfig", false); sc != nil {
			if _, has := sub(sc, "sp", false)["privateKey"]; !has {
				if key := src.Getenv(envPrivateKey); key != "" {
					sub(sc, "sp", true)["privateKey"] = key
				}
			}
		}
	}
	return body, nil
}

func (p *providerFlags) clientSecret(src secretSources, update bool, oc map[string]any) (string, error) {
	switch {
	case p.ClientSecretFile != "":
		return readSecretFile(p.ClientSecretFile, "--client-secret-file")
	case p.ClientSecretStdin:
		return readAllSecret(src.Stdin, "the client secret on stdin")
	case p.ClientSecretEnv:
		if v := src.Getenv(envClientSecret); v != "" {
			return v, nil
		}
		return "", cmdutil.FlagErrorf("--client-secret-env: $%s is not set", envClientSecret)
	case !update:
		if _, has := oc["clientSecret"]; !has {
			return src.Getenv(envClientSecret), nil
		}
	}
	return "", nil
}

func (p *providerFlags) privateKey(src secretSources) (string, error) {
	switch {
	case p.PrivateKeyFile != "":
		return readSecretFile(p.PrivateKeyFile, "--private-key-file")
	case p.PrivateKeyStdin:
		return readAllSecret(src.Stdin, "the private key on stdin")
	case p.PrivateKeyEnv:
		if v := src.Getenv(envPrivateKey); v != "" {
			return v, nil
		}
		return "", cmdutil.FlagErrorf("--private-key-env: $%s is not set", envPrivateKey)
	}
	return "", nil
}

// validation is what validate found out besides errors: certificate notes to show.
type validation struct {
	Notes []string
	Certs map[string]*certInfo
}

func checkURL(field string, v any, required bool) error {
	s, _ := v.(string)
	if s == "" {
		if required {
			return cmdutil.FlagErrorf("%s is required", field)
		}
		if v != nil {
			return cmdutil.FlagErrorf("%s must be a URL string", field)
		}
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cmdutil.FlagErrorf("invalid %s %q: want an http(s) URL", field, s)
	}
	return nil
}

func checkString(field string, v any, required bool) error {
	s, ok := v.(string)
	if v != nil && !ok {
		return cmdutil.FlagErrorf("%s must be a string", field)
	}
	if required && strings.TrimSpace(s) == "" {
		return cmdutil.FlagErrorf("%s is required", field)
	}
	return nil
}

// validate checks a register body (full) or an update body (only what it holds) before
// anything is sent: URLs, the fields each kind needs, readable certificates and keys.
func validate(body map[string]any, update bool, now time.Time) (*validation, error) {
	res := &validation{Certs: map[string]*certInfo{}}
	allowed := map[string]bool{"issuer": true, "kind": true, "name": true, "domains": true, "oidcConfig": true,
		"samlConfig": true, "mapping": true, "organizationId": true}
	for k := range body {
		if !allowed[k] {
			return nil, cmdutil.FlagErrorf("unknown provider field %q (want issuer, kind, name, domains, oidcConfig, samlConfig, mapping, organizationId)", k)
		}
	}
	if _, ok := body["issuer"]; ok || !update {
		if err := checkURL("issuer (--issuer)", body["issuer"], true); err != nil {
			return nil, err
		}
	}
	kind, _ := body["kind"].(string)
	if !update {
		switch kind {
		case "oidc", "saml":
		case "":
			return nil, cmdutil.FlagErrorf("the provider kind is required: --kind oidc|saml, or give its OIDC or SAML settings")
		default:
			return nil, cmdutil.FlagErrorf("invalid kind %q: use oidc or saml", kind)
		}
		if kind == "oidc" && body["samlConfig"] != nil || kind == "saml" && body["oidcConfig"] != nil {
			return nil, cmdutil.FlagErrorf("a %s provider cannot carry the other kind's config", kind)
		}
	}
	if d, ok := body["domains"]; ok {
		list, ok := d.([]any)
		if !ok && d != nil {
			return nil, cmdutil.FlagErrorf("domains must be a list")
		}
		for _, e := range list {
			if s, ok := e.(string); !ok || !strings.Contains(s, ".") {
				return nil, cmdutil.FlagErrorf("invalid domain %v", e)
			}
		}
	}
	if m, ok := body["mapping"]; ok && m != nil {
		if _, ok := m.(map[string]any); !ok {
			return nil, cmdutil.FlagErrorf("mapping must be an object of field: claim")
		}
	}
	if v, ok := body["oidcConfig"]; ok && v != nil {
		oc, ok := v.(map[string]any)
		if !ok {
			return nil, cmdutil.FlagErrorf("oidcConfig must be an object")
		}
		if err := checkURL("oidcConfig.issuer (--oidc-issuer)", oc["issuer"], !update); err != nil {
			return nil, err
		}
		if err := checkString("oidcConfig.clientId (--client-id)", oc["clientId"], !update); err != nil {
			return nil, err
		}
		if _, has := oc["clientSecret"]; has || !update {
			if err := checkString("oidcConfig.clientSecret", oc["clientSecret"], true); err != nil {
				return nil, cmdutil.FlagErrorf("the OIDC client secret is required: --client-secret-file FILE, --client-secret-stdin or $%s", envClientSecret)
			}
		}
		for _, f := range []string{"authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint", "jwksEndpoint"} {
			if err := checkURL("oidcConfig."+f, oc[f], false); err != nil {
				return nil, err
			}
		}
	} else if !update && kind == "oidc" {
		return nil, cmdutil.FlagErrorf("an OIDC provider needs --client-id and a client secret (or oidcConfig in --from-file)")
	}
	if v, ok := body["samlConfig"]; ok && v != nil {
		sc, ok := v.(map[string]any)
		if !ok {
			return nil, cmdutil.FlagErrorf("samlConfig must be an object")
		}
		idp := sub(sc, "idp", false)
		if idp == nil && !update {
			return nil, cmdutil.FlagErrorf("a SAML provider needs --idp-entity-id, --idp-sso-url and --idp-cert-file (samlConfig.idp)")
		}
		if idp != nil {
			if err := checkString("samlConfig.idp.entityId (--idp-entity-id)", idp["entityId"], !update); err != nil {
				return nil, err
			}
			if err := checkURL("samlConfig.idp.ssoUrl (--idp-sso-url)", idp["ssoUrl"], !update); err != nil {
				return nil, err
			}
			if err := checkURL("samlConfig.idp.sloUrl (--idp-slo-url)", idp["sloUrl"], false); err != nil {
				return nil, err
			}
			if cert, has := idp["cert"]; has || !update {
				s, _ := cert.(string)
				if s == "" {
					return nil, cmdutil.FlagErrorf("samlConfig.idp.cert (--idp-cert-file) is required")
				}
				ci, err := parseCert(s, now)
				if err != nil {
					return nil, cmdutil.FlagErrorf("samlConfig.idp.cert (--idp-cert-file): %v", err)
				}
				res.Certs["idp"] = ci
				res.Notes = append(res.Notes, expiryNote("IdP", ci, now))
			}
		}
		if sp := sub(sc, "sp", false); sp != nil {
			if err := checkURL("samlConfig.sp.acsUrl (--sp-acs-url)", sp["acsUrl"], false); err != nil {
				return nil, err
			}
			if s, _ := sp["cert"].(string); s != "" {
				ci, err := parseCert(s, now)
				if err != nil {
					return nil, cmdutil.FlagErrorf("samlConfig.sp.cert (--sp-cert-file): %v", err)
				}
				res.Certs["sp"] = ci
				res.Notes = append(res.Notes, expiryNote("SP", ci, now))
			}
			if k, has := sp["privateKey"]; has {
				s, _ := k.(string)
				if err := checkPrivateKey(s); err != nil {
					return nil, cmdutil.FlagErrorf("samlConfig.sp.privateKey: %v", err)
				}
			}
		}
	} else if !update && kind == "saml" {
		return nil, cmdutil.FlagErrorf("a SAML provider needs --idp-entity-id, --idp-sso-url and --idp-cert-file (or samlConfig in --from-file)")
	}
	return res, nil
}
