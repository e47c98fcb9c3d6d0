package email

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/mail"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

// Client kinds and their secret field.
const (
	kindSMTP     = "smtp"
	kindResend   = "resend"
	kindPostmark = "postmark"
)

func kinds() []string { return []string{kindSMTP, kindResend, kindPostmark} }

// secretFieldOf is the field holding a kind's credential.
func secretFieldOf(kind string) string {
	switch kind {
	case kindSMTP:
		return "password"
	case kindResend:
		return "apiKey"
	case kindPostmark:
		return "token"
	}
	return ""
}

func tlsModes() []string { return []string{"none", "starttls", "tls"} }

// dashboardFamily is the capabilities family of the per-client email routes.
const dashboardFamily = "email"

// secretView is the state of one stored secret, never its value.
type secretView struct {
	Field       string `json:"field"`
	Set         bool   `json:"set"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// clientView is the JSON model of an email client that every command prints.
type clientView struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	From     string `json:"from"`
	Host     string `json:"host,omitempty"`
	Port     *int   `json:"port,omitempty"`
	Username string `json:"username,omitempty"`
	TLS      string `json:"tls,omitempty"`
	// Credential summarises the kind's secret: "******** (hmac:1a2b3c4d)", "********" or
	// "not set".
	Credential string       `json:"credential"`
	Secrets    []secretView `json:"secrets"`
}

func listSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Kind", Field: "kind"},
		{Header: "From", Field: "from"},
		{Header: "Server", Field: "server"},
		{Header: "Secret", Field: "credential"},
	}}
}

func detailSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Kind", Field: "kind"},
		{Header: "From", Field: "from"},
		{Header: "Host", Field: "host"},
		{Header: "Port", Field: "port"},
		{Header: "Username", Field: "username"},
		{Header: "TLS", Field: "tls"},
		{Header: "Secret", Field: "credential"},
	}}
}

// listRow adds the table-only "server" column (host:port) to a view.
type listRow struct {
	clientView
	Server string `json:"server,omitempty"`
}

func rowOf(v clientView) listRow {
	r := listRow{clientView: v}
	if v.Host != "" {
		r.Server = v.Host
		if v.Port != nil {
			r.Server = net.JoinHostPort(v.Host, strconv.Itoa(*v.Port))
		}
	}
	return r
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func intOf(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) {
			return int(x), true
		}
	case int:
		return x, true
	case int64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// viewOf builds the printable model of a client from its stored fields (secrets redacted by
// the server) and, when the dashboard gave them, the states of its secrets.
func viewOf(fields map[string]any, states map[string]apiclient.SecretState) clientView {
	v := clientView{
		ID: str(fields, "id"), Kind: str(fields, "kind"), From: str(fields, "from"),
		Host: str(fields, "host"), Username: str(fields, "username"), TLS: str(fields, "tls"),
		Secrets: []secretView{},
	}
	if p, ok := intOf(fields["port"]); ok {
		v.Port = &p
	}
	seen := map[string]bool{}
	for field, st := range states {
		v.Secrets = append(v.Secrets, secretView{Field: field, Set: st.Set, Fingerprint: st.Fingerprint})
		seen[field] = true
	}
	for _, field := range apiclient.EmailSecretFields() {
		if seen[field] {
			continue
		}
		if val, ok := fields[field]; ok {
			s, _ := val.(string)
			v.Secrets = append(v.Secrets, secretView{Field: field, Set: s != ""})
		}
	}
	sort.Slice(v.Secrets, func(i, j int) bool { return v.Secrets[i].Field < v.Secrets[j].Field })
	v.Credential = "not set"
	main := secretFieldOf(v.Kind)
	for _, s := range v.Secrets {
		if s.Field != main && main != "" {
			continue
		}
		if s.Set {
			v.Credential = apiclient.RedactedMarker
			if s.Fingerprint != "" {
				v.Credential += " (" + s.Fingerprint + ")"
			}
			break
		}
	}
	return v
}

// store reads and writes email clients either through the dashboard's per-client routes or
// through Kernia's whole-document route.
type store struct {
	c         *apiclient.Client
	dashboard bool
}

func openStore(ctx context.Context, c *apiclient.Client) (*store, error) {
	has, err := c.Admin.HasFamily(ctx, dashboardFamily)
	if err != nil {
		return nil, err
	}
	return &store{c: c, dashboard: has}, nil
}

// entry is one stored client: its fields as the server shows them and its secret states
// (dashboard only).
type entry struct {
	Fields map[string]any
	States map[string]apiclient.SecretState
}

func (s *store) list(ctx context.Context) ([]entry, error) {
	if s.dashboard {
		cl, _, err := s.c.Admin.EmailClients(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]entry, 0, len(cl))
		for _, c := range cl {
			out = append(out, entry{Fields: c.Fields, States: c.Secrets})
		}
		return out, nil
	}
	doc, _, err := s.c.AdminConfig().EmailClients(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]entry, 0, len(doc))
	for _, c := range doc {
		out = append(out, entry{Fields: c})
	}
	return out, nil
}

func notFound(id string) error {
	return cmdutil.Errorf(cmdutil.ExitNotFound, "run `kernia-admin email list` to see the configured clients", "no email client with id %q", id)
}

// ---- validation (exit 2, before anything is sent) ----

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func validateID(id string) error {
	if !idRE.MatchString(id) {
		return cmdutil.FlagErrorf("invalid client id %q: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", id)
	}
	return nil
}

// validateAddress accepts "user@example.com" or "Name <user@example.com>".
func validateAddress(flag, s string) error {
	bad := cmdutil.FlagErrorf("invalid %s %q: not an email address", flag, s)
	a, err := mail.ParseAddress(s)
	if err != nil || strings.ContainsAny(a.Address, " \t") {
		return bad
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(strings.Trim(domain, "."), ".") && domain != "localhost" {
		return bad
	}
	return nil
}

var hostRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$`)

func validateHost(h string) error {
	if net.ParseIP(strings.Trim(h, "[]")) != nil || hostRE.MatchString(h) {
		return nil
	}
	return cmdutil.FlagErrorf("invalid --host %q: give a host name or IP address (no scheme, no port)", h)
}

func validatePort(p int) error {
	if p < 1 || p > 65535 {
		return cmdutil.FlagErrorf("invalid --port %d: must be between 1 and 65535", p)
	}
	return nil
}

func validateTLS(mode string) error {
	for _, m := range tlsModes() {
		if m == mode {
			return nil
		}
	}
	return cmdutil.FlagErrorf("invalid --tls %q: use none, starttls or tls", mode)
}

// ---- the secrets file: re-supplied secrets for whole-document writes ----

// secretsFile maps client id → field → secret.
type secretsFile map[string]map[string]string

func loadSecretsFile(path string, scrub *redact.Scrubber) (secretsFile, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, cmdutil.FlagErrorf("--secrets-file: %v", err)
	}
	var raw map[string]map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		// The YAML error may quote the file: never echo it.
		return nil, cmdutil.FlagErrorf("--secrets-file %s: not a JSON or YAML mapping of client id to {field: secret}", path)
	}
	out := secretsFile{}
	for id, fields := range raw {
		out[id] = map[string]string{}
		for field, v := range fields {
			s, ok := v.(string)
			if !ok || s == "" {
				return nil, cmdutil.FlagErrorf("--secrets-file %s: %s.%s must be a non-empty string", path, id, field)
			}
			if s == apiclient.RedactedMarker {
				return nil, cmdutil.FlagErrorf("--secrets-file %s: %s.%s is the redaction marker %q, not the secret", path, id, field, apiclient.RedactedMarker)
			}
			scrub.Add(s)
			out[id][field] = s
		}
	}
	return out, nil
}

// resupply replaces every redacted secret of the document with the value given in secrets.
// It returns the secrets still missing as "client.field" (nothing is written then), and the
// secrets-file entries that were not needed.
func resupply(doc []map[string]any, secrets secretsFile) (missing, unused []string) {
	used := map[string]bool{}
	for _, c := range doc {
		id := str(c, "id")
		keys := make([]string, 0, len(c))
		for k := range c {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if apiclient.IsRedacted(c[k]) {
				if s, ok := secrets[id][k]; ok {
					c[k] = s
					used[id+"."+k] = true
					continue
				}
				missing = append(missing, id+"."+k)
				continue
			}
			if p, ok := apiclient.FindRedacted(c[k]); ok {
				missing = append(missing, id+"."+k+"."+p)
			}
		}
	}
	for id, fields := range secrets {
		for f := range fields {
			if !used[id+"."+f] {
				unused = append(unused, id+"."+f)
			}
		}
	}
	sort.Strings(unused)
	return missing, unused
}

// lossError explains why a whole-document write was refused (exit 6).
func lossError(action string, missing []string) error {
	return cmdutil.Errorf(cmdutil.ExitConflict,
		"re-supply them with --secrets-file FILE (JSON or YAML: {\"<client id>\": {\"<field>\": \"<secret>\"}}), or use a server with the dashboard's per-client email routes",
		"refusing to %s: this server only has Kernia's whole-document route, which shows stored secrets as %q and stores whatever is sent back; writing the client list would overwrite %d stored secret(s): %s. Nothing was changed",
		action, apiclient.RedactedMarker, len(missing), strings.Join(missing, ", "))
}

// guardErr turns the apiclient's last-line guard into a refusal (exit 6).
func guardErr(err error) error {
	var re *apiclient.RedactedSecretError
	if errors.As(err, &re) {
		return cmdutil.Errorf(cmdutil.ExitConflict, "", "%s; nothing was sent", re.Error())
	}
	return err
}

func warnUnused(ios *output.IOStreams, unused []string) {
	if len(unused) > 0 {
		fmt.Fprintf(ios.ErrOut, "warning: --secrets-file entries not needed (no redacted secret there): %s\n", strings.Join(unused, ", "))
	}
}
