// Package doctor implements `kernia-admin doctor`.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/output"
)

// Check statuses.
const (
	statusOK   = "ok"
	statusWarn = "warn"
	statusFail = "fail"
	statusSkip = "skip"
)

// checkTimeout bounds each check, so that a server that accepts connections but never
// answers cannot hold the report for long.
const checkTimeout = 15 * time.Second

type doctorOptions struct {
	IO          *output.IOStreams
	APIClient   func(...apiclient.Option) (*apiclient.Client, error)
	Resolved    func() (*config.Resolved, error)
	AuthContext func() cmdutil.AuthContext
	Now         func() time.Time
	Format      output.Format
}

// check is one line of the report.
type check struct {
	Check     string `json:"check"`
	Status    string `json:"status"`
	Detail    string `json:"detail"`
	LatencyMs *int64 `json:"latencyMs,omitempty"`
	Data      any    `json:"data,omitempty"`

	code int // exit code when this check failed
	hint string
}

func reportSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Check", Field: "check"},
		{Header: "Status", Field: "status"},
		{Header: "Detail", Field: "detail"},
	}}
}

// NewCmdDoctor returns the doctor command.
func NewCmdDoctor(f *cmdutil.Factory) *cobra.Command { return newCmdDoctor(f, nil) }

func newCmdDoctor(f *cmdutil.Factory, runF func(*doctorOptions) error) *cobra.Command {
	opts := &doctorOptions{IO: f.IOStreams, APIClient: f.APIClient, Resolved: f.Resolved, AuthContext: f.AuthContext, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the server, the credentials and what the server offers",
		Long: heredoc.Doc(`
			Run a health report against the configured server, one check a line
			(CHECK, STATUS ok/warn/fail/skip, DETAIL), or an array of checks with --json:

			  server           GET /api/auth/ok answers, with its latency
			  plugins          mounted plugins, from openapi.json tags or else by probing one
			                   harmless read route per plugin (the detail says which)
			  signed in        get-session: who, and when the session expires (warn when less
			                   than 24 hours are left: Kernia never extends sessions)
			  dialect          the wire dialect in use, checked against the timestamps the
			                   server sends (epoch numbers: kernia; ISO strings: better-auth)
			  admin rights     a harmless admin read (list-users with limit 1)
			  dashboard        the /api/admin route families, or "not implemented"
			  sign-in methods  enabled methods from admin-config's public-auth, when mounted

			When the server is unreachable the other checks are skipped. Retries are bounded
			(one quick retry) and each check times out after 15 seconds.

			Exit status: 0 when no check failed (warnings do not count). Otherwise the code of
			the first failed check, in the order above: 7 the server is unreachable,
			3 not signed in, 4 signed in but not an admin, 9 the admin plugin is not mounted,
			1 anything else.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin doctor
			$ kernia-admin --server sandbox:./demo.db doctor
			$ kernia-admin doctor --json --jq '.[] | select(.status == "fail") | .check'
			$ kernia-admin doctor --jq '.[] | select(.check == "plugins") | .data.plugins[]'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func doctorRun(ctx context.Context, opts *doctorOptions) error {
	server := ""
	if opts.Resolved != nil {
		if r, err := opts.Resolved(); err == nil {
			server = r.Server
		}
	}
	c, err := opts.APIClient(apiclient.WithRetry(1, 200*time.Millisecond, 2*time.Second))
	if err != nil {
		return err
	}
	if server == "" {
		server = c.BaseURL()
	}
	mode := ""
	if opts.AuthContext != nil {
		mode = opts.AuthContext().Mode
	}
	d := &doctor{c: c, now: opts.Now, server: server, mode: mode}
	checks := d.run(ctx)

	list := output.NewList(opts.IO, opts.Format, reportSpec(), opts.Now)
	for _, ch := range checks {
		if err := list.Add(ch); err != nil {
			return err
		}
	}
	if err := list.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var failed []string
	var first *check
	for _, ch := range checks {
		if ch.Status == statusFail {
			failed = append(failed, ch.Check)
			if first == nil {
				first = ch
			}
		}
	}
	if first == nil {
		return nil
	}
	code := first.code
	if code == 0 {
		code = cmdutil.ExitFailure
	}
	if first.Check == "server" {
		return cmdutil.Errorf(code, first.hint, "cannot reach the server at %s: %s", server, first.Detail)
	}
	return cmdutil.Errorf(code, first.hint, "%d check(s) failed: %s (%s)", len(failed), strings.Join(failed, ", "), first.Detail)
}

type doctor struct {
	c      *apiclient.Client
	now    func() time.Time
	server string
	mode   string

	plugins       []string
	pluginsKnown  bool
	session       *apiclient.CurrentSession
	sessionBody   []byte
	authenticated bool
	admin         bool
}

func (d *doctor) run(ctx context.Context) []*check {
	srv := d.checkServer(ctx)
	out := []*check{srv}
	rest := []struct {
		name string
		fn   func(context.Context) *check
	}{
		{"plugins", d.checkPlugins},
		{"signed in", d.checkSession},
		{"dialect", d.checkDialect},
		{"admin rights", d.checkAdmin},
		{"dashboard", d.checkDashboard},
		{"sign-in methods", d.checkMethods},
	}
	for _, r := range rest {
		if srv.Status == statusFail {
			out = append(out, &check{Check: r.name, Status: statusSkip, Detail: "server unreachable"})
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		ch := r.fn(cctx)
		cancel()
		ch.Check = r.name
		out = append(out, ch)
	}
	return out
}

// failFrom builds a failed check from an error, with the exit code and hint the error
// printer would give it.
func (d *doctor) failFrom(err error, detail string) *check {
	code, msg, hint := cmdutil.Describe(err, cmdutil.AuthContext{Mode: d.mode, Server: d.server})
	if detail == "" {
		detail = msg
	}
	return &check{Status: statusFail, Detail: detail, code: code, hint: hint}
}

func (d *doctor) checkServer(ctx context.Context) *check {
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	start := time.Now()
	_, err := d.c.Meta.OK(cctx)
	ms := time.Since(start).Milliseconds()
	if err != nil {
		ch := d.failFrom(err, "")
		ch.Check = "server"
		var ne *apiclient.NetworkError
		switch {
		case errors.As(err, &ne):
			ch.Detail = ne.Err.Error()
			var ue *url.Error
			if errors.As(ne.Err, &ue) {
				ch.Detail = ue.Err.Error()
			}
		case errors.Is(err, context.DeadlineExceeded):
			ch.Detail, ch.code = fmt.Sprintf("no answer within %s", checkTimeout), cmdutil.ExitNetwork
		case cmdutil.IsRouteMissing(err):
			ch.Detail = "GET /api/auth/ok is not mounted: is this a Kernia or Better Auth server?"
			ch.code = cmdutil.ExitNetwork
		}
		if ch.hint == "" {
			ch.hint = "check --server (or KERNIA_SERVER) and that the server is running"
		}
		return ch
	}
	return &check{Check: "server", Status: statusOK, Detail: fmt.Sprintf("%s answered /api/auth/ok in %d ms", d.server, ms), LatencyMs: &ms}
}

func (d *doctor) checkPlugins(ctx context.Context) *check {
	source := "openapi.json"
	doc, _, err := d.c.Meta.OpenAPI(ctx)
	if err == nil {
		d.plugins = doc.Plugins()
	} else {
		source = "probe"
		d.plugins, err = d.c.Meta.ProbePlugins(ctx)
		if err != nil {
			return d.failFrom(err, "")
		}
		sort.Strings(d.plugins)
	}
	d.pluginsKnown = true
	data := map[string]any{"plugins": d.plugins, "source": source}
	if len(d.plugins) == 0 {
		return &check{Status: statusWarn, Detail: "no plugins found (from " + source + ")", Data: data}
	}
	return &check{Status: statusOK, Detail: strings.Join(d.plugins, ", ") + " (from " + source + ")", Data: data}
}

func (d *doctor) hasPlugin(p string) bool {
	for _, x := range d.plugins {
		if x == p {
			return true
		}
	}
	return false
}

func (d *doctor) checkSession(ctx context.Context) *check {
	if d.mode == "none" {
		return &check{Status: statusFail, Detail: "not signed in: no session token or API key", code: cmdutil.ExitAuth,
			hint: "run `kernia-admin auth login`, or set KERNIA_TOKEN, or KERNIA_EMAIL and KERNIA_PASSWORD"}
	}
	cur, resp, err := d.c.Auth.GetSession(ctx)
	if err != nil {
		if cmdutil.IsRouteMissing(err) {
			d.authenticated = true // cannot tell; let the admin check decide
			return &check{Status: statusWarn, Detail: "cannot tell: GET /api/auth/get-session is not mounted (no email-password plugin)"}
		}
		return d.failFrom(err, "")
	}
	if cur == nil && d.mode == "reauth" {
		// Only KERNIA_EMAIL/KERNIA_PASSWORD: get-session answers "no session" without a 401,
		// so ask a route that needs a session; its 401 makes the client sign in.
		if _, _, err := d.c.Sessions.ListMine(ctx); err == nil || d.c.Token() != "" {
			cur, resp, err = d.c.Auth.GetSession(ctx)
			if err != nil {
				return d.failFrom(err, "")
			}
		} else {
			return d.failFrom(err, "automatic sign-in failed")
		}
	}
	if cur == nil {
		return &check{Status: statusFail, Detail: "the server does not recognise the credentials (expired or revoked session)", code: cmdutil.ExitAuth,
			hint: "run `kernia-admin auth login`, or set KERNIA_EMAIL and KERNIA_PASSWORD for automatic sign-in"}
	}
	d.authenticated = true
	d.session = cur
	if resp != nil {
		d.sessionBody = resp.Body
	}
	who := cur.User.Email
	if who == "" {
		who = cur.User.ID
	}
	if cur.User.Role != "" {
		who += " (role " + cur.User.Role + ")"
	}
	data := map[string]any{"userId": cur.User.ID, "email": cur.User.Email, "role": cur.User.Role, "sessionId": cur.Session.ID}
	exp := cur.Session.ExpiresAt.Time
	if exp.IsZero() {
		return &check{Status: statusOK, Detail: "as " + who + "; expiry unknown", Data: data}
	}
	data["expiresAt"] = exp.UTC().Format(time.RFC3339)
	left := exp.Sub(d.now())
	detail := fmt.Sprintf("as %s; expires %s (in %s)", who, exp.UTC().Format(time.RFC3339), humanDuration(left))
	if left < 24*time.Hour {
		return &check{Status: statusWarn, Detail: detail + "; sessions are never extended: sign in again soon", Data: data}
	}
	return &check{Status: statusOK, Detail: detail, Data: data}
}

func humanDuration(d time.Duration) string {
	if d < 0 {
		return "the past"
	}
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dm", int(d/time.Minute))
}

func (d *doctor) checkDialect(ctx context.Context) *check {
	configured := d.c.ResolveDialect(ctx).String()
	data := map[string]any{"configured": configured}
	if len(d.sessionBody) == 0 {
		return &check{Status: statusOK, Detail: configured + " (configured; not verified without a session)", Data: data}
	}
	var probe struct {
		Session struct {
			ExpiresAt json.RawMessage `json:"expiresAt"`
		} `json:"session"`
	}
	if json.Unmarshal(d.sessionBody, &probe) != nil || len(probe.Session.ExpiresAt) == 0 {
		return &check{Status: statusOK, Detail: configured + " (configured; not verified)", Data: data}
	}
	seen := apiclient.DialectKernia.String()
	if strings.HasPrefix(string(probe.Session.ExpiresAt), `"`) {
		seen = apiclient.DialectBetterAuth.String()
	}
	data["detected"] = seen
	if seen != configured {
		return &check{Status: statusWarn, Detail: fmt.Sprintf("configured %s, but the server's timestamps look like %s: try --dialect %s", configured, seen, seen), Data: data}
	}
	return &check{Status: statusOK, Detail: configured + " (timestamps match)", Data: data}
}

func (d *doctor) checkAdmin(ctx context.Context) *check {
	if !d.authenticated {
		return &check{Status: statusSkip, Detail: "not signed in"}
	}
	list, _, err := d.c.Users.List(apiclient.ReadOnly(ctx), apiclient.ListUsersOptions{Limit: 1})
	if err != nil {
		var ae *apiclient.APIError
		switch {
		case cmdutil.IsRouteMissing(err):
			return &check{Status: statusFail, Detail: "the admin plugin is not mounted on this server", code: cmdutil.ExitUnavailable,
				hint: "kernia-admin needs Kernia's admin plugin for user and session management"}
		case errors.As(err, &ae) && ae.Status == http.StatusForbidden:
			ch := d.failFrom(err, "not an admin ("+ae.Code+")")
			ch.hint = "sign in with an account whose role includes admin"
			return ch
		}
		return d.failFrom(err, "")
	}
	d.admin = true
	return &check{Status: statusOK, Detail: fmt.Sprintf("admin: can list users (%d in total)", list.Total), Data: map[string]any{"users": list.Total}}
}

func (d *doctor) checkDashboard(ctx context.Context) *check {
	if !d.authenticated {
		return &check{Status: statusSkip, Detail: "not signed in"}
	}
	caps, _, err := d.c.Admin.Capabilities(ctx)
	if err != nil {
		var ae *apiclient.APIError
		if errors.As(err, &ae) {
			switch ae.Status {
			case http.StatusNotFound:
				return &check{Status: statusWarn, Detail: "not implemented (no /api/admin dashboard): all-user session views are unavailable",
					Data: map[string]any{"families": []string{}}}
			case http.StatusUnauthorized, http.StatusForbidden:
				return &check{Status: statusSkip, Detail: fmt.Sprintf("needs admin rights (HTTP %d %s)", ae.Status, ae.Code)}
			}
		}
		return d.failFrom(err, "")
	}
	fams := append([]string(nil), caps.Families...)
	sort.Strings(fams)
	if fams == nil {
		fams = []string{}
	}
	data := map[string]any{"families": fams, "version": caps.Version}
	if len(fams) == 0 {
		return &check{Status: statusWarn, Detail: "implemented, but no route families", Data: data}
	}
	return &check{Status: statusOK, Detail: fmt.Sprintf("%s (version %d)", strings.Join(fams, ", "), caps.Version), Data: data}
}

func (d *doctor) checkMethods(ctx context.Context) *check {
	if d.pluginsKnown && !d.hasPlugin("admin-config") {
		return &check{Status: statusSkip, Detail: "admin-config plugin not mounted"}
	}
	methods, _, err := d.c.Auth.PublicAuth(ctx)
	if err != nil {
		if cmdutil.IsRouteMissing(err) {
			return &check{Status: statusSkip, Detail: "admin-config plugin not mounted"}
		}
		_, msg, _ := cmdutil.Describe(err, cmdutil.AuthContext{Mode: d.mode})
		return &check{Status: statusWarn, Detail: "cannot read public-auth: " + msg}
	}
	names := make([]string, 0, len(methods))
	for k := range methods {
		names = append(names, k)
	}
	sort.Strings(names)
	var on, off []string
	for _, n := range names {
		if methods[n].On() {
			on = append(on, n)
		} else {
			off = append(off, n)
		}
	}
	if on == nil {
		on = []string{}
	}
	if off == nil {
		off = []string{}
	}
	data := map[string]any{"enabled": on, "disabled": off}
	detail := "enabled: " + strings.Join(on, ", ")
	if len(on) == 0 {
		detail = "enabled: none"
	}
	if len(off) > 0 {
		detail += "; disabled: " + strings.Join(off, ", ")
	}
	if len(on) == 0 && len(names) > 0 {
		return &check{Status: statusWarn, Detail: detail + " (nobody can sign in)", Data: data}
	}
	if len(names) == 0 {
		return &check{Status: statusOK, Detail: "no methods configured (Kernia's defaults apply)", Data: data}
	}
	return &check{Status: statusOK, Detail: detail, Data: data}
}
