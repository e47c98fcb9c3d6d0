package sso

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// enableHint is the one remedy for Kernia's sso gate.
const enableHint = "kernia-admin auth-methods enable sso"

// explain turns Kernia's SSO refusals into one clear line; other errors pass unchanged.
func explain(err error) error {
	var ae *apiclient.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.Status == http.StatusForbidden && ae.Code == "AUTH_METHOD_DISABLED":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "an admin can turn it on; nothing was changed", "SSO is disabled on this server: %s", enableHint)
	case ae.Code == "SSO_ADMIN_REQUIRED":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "", "forbidden: the server allows only SSO admins to manage providers (%s)", ae.Code)
	case ae.Code == "SSO_PROVIDER_NOT_FOUND":
		return cmdutil.Errorf(cmdutil.ExitNotFound, "list providers with `kernia-admin sso providers list`", "SSO provider not found (%s)", ae.Code)
	case ae.Code == "SSO_DOMAIN_NOT_FOUND":
		return cmdutil.Errorf(cmdutil.ExitNotFound, "register it first with `kernia-admin sso domains register PROVIDER DOMAIN`", "domain not registered (%s)", ae.Code)
	case ae.Code == "SSO_PROVIDER_EXISTS":
		return cmdutil.Errorf(cmdutil.ExitConflict, "update it with `kernia-admin sso providers update ID`", "a provider with this issuer already exists (%s)", ae.Code)
	case ae.Code == "SSO_DOMAIN_VERIFICATION_FAILED":
		return cmdutil.Errorf(cmdutil.ExitConflict, "the token is not the one the server issued for this domain; register the domain again for a new one", "the server refused the verification token (%s)", ae.Code)
	}
	return err
}

// providerOut is the output model of a provider: the full shape (secrets redacted by
// output) plus what kernia-admin read from its certificates.
type providerOut struct {
	*apiclient.SSOProvider
	Certificate   *certInfo `json:"certificate,omitempty"`
	SPCertificate *certInfo `json:"spCertificate,omitempty"`
}

func withCerts(p *apiclient.SSOProvider, now time.Time) providerOut {
	out := providerOut{SSOProvider: p}
	if p.SAMLConfig != nil {
		if idp, ok := p.SAMLConfig["idp"].(map[string]any); ok {
			if s, _ := idp["cert"].(string); s != "" {
				out.Certificate, _ = parseCert(s, now)
			}
		}
		if sp, ok := p.SAMLConfig["sp"].(map[string]any); ok {
			if s, _ := sp["cert"].(string); s != "" {
				out.SPCertificate, _ = parseCert(s, now)
			}
		}
	}
	return out
}

func providerListSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Kind", Field: "kind"},
		{Header: "Issuer", Field: "issuer"},
		{Header: "Name", Field: "name"},
		{Header: "Domains", Field: "domains"},
		{Header: "Cert expires", Field: "certificate.notAfter", Kind: output.Time},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
	}}
}

func providerDetailSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Kind", Field: "kind"},
		{Header: "Issuer", Field: "issuer"},
		{Header: "Name", Field: "name"},
		{Header: "Domains", Field: "domains"},
		{Header: "Organization", Field: "organizationId"},
		{Header: "Client ID", Field: "oidcConfig.clientId"},
		{Header: "Client secret", Field: "oidcConfig.clientSecret", Kind: output.Secret},
		{Header: "Discovery issuer", Field: "oidcConfig.issuer"},
		{Header: "Scopes", Field: "oidcConfig.scopes"},
		{Header: "IdP entity ID", Field: "samlConfig.idp.entityId"},
		{Header: "IdP SSO URL", Field: "samlConfig.idp.ssoUrl"},
		{Header: "IdP certificate", Field: "certificate.subject"},
		{Header: "Cert fingerprint", Field: "certificate.fingerprintSha256"},
		{Header: "Cert expires", Field: "certificate.notAfter", Kind: output.Time},
		{Header: "SP private key", Field: "samlConfig.sp.privateKey", Kind: output.Secret},
		{Header: "Mapping", Field: "mapping"},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
		{Header: "Updated", Field: "updatedAt", Kind: output.Time},
	}}
}

// findProvider returns the provider with id from list-providers (404 → exit 5).
func findProvider(ctx context.Context, c *apiclient.Client, id string) (*apiclient.SSOProvider, error) {
	ps, _, err := c.SSO().ListProviders(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].ID == id {
			return &ps[i], nil
		}
	}
	return nil, cmdutil.Errorf(cmdutil.ExitNotFound, "list providers with `kernia-admin sso providers list`", "SSO provider %s not found", id)
}

// printNotes writes certificate notes to stderr.
func printNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
}

// normalizeDomain lower-cases a domain and checks its shape.
func normalizeDomain(d string) (string, error) {
	d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " /@:") {
		return "", cmdutil.FlagErrorf("invalid domain %q: want a domain name like example.com", d)
	}
	return d, nil
}
