// Package api implements `kernia-admin api`, a raw passthrough to the server's HTTP routes
// with the CLI's authentication, retries, --debug tracing, redaction and output formats.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

type apiOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Method      string
	MethodSet   bool
	Path        string
	RawFields   []string
	TypedFields []string
	Input       string
	Headers     []string
	Include     bool
	DryRun      bool
}

func newCmdAPI(f *cmdutil.Factory, runF func(*apiOptions) error) *cobra.Command {
	opts := &apiOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "api [METHOD] PATH",
		Short: "Make an authenticated request to any route of the server",
		Long: heredoc.Doc(`
			Send a request to the server with the same credentials, retries, --debug trace and
			output as every other command, and print the JSON answer (secrets redacted; --jq
			filters it).

			PATH starting with /api/ is taken from the server root (/api/auth/ok,
			/api/admin/sessions). Any other PATH is relative to /api/auth: "admin/list-users" and
			"/admin/list-users" both mean /api/auth/admin/list-users. A query string may be part
			of PATH.

			The method is METHOD, or -X, or GET, or POST when a body is given. Kernia's admin
			routes are POST, even the read-only ones.

			Body:
			  -f key=value   a string field
			  -F key=value   a typed field: true, false, null and numbers become JSON values;
			                 @FILE is the file's content (one trailing newline removed), @- stdin
			  --input FILE   the raw JSON body from FILE (- for stdin); -f/-F then go to the query
			With GET, -f/-F fields become query parameters. A secret field (password, token,
			newPassword, ...) is refused as a flag value: use -F key=@FILE, -F key=@- or --input.

			-H 'Name: value' adds a header. Authorization, Cookie, Origin, Referer and x-api-key
			cannot be set this way (exit 2): credentials come from the profile or environment,
			and Kernia ignores bearer tokens next to a cookie and checks Origin on writes.

			-i prints the status line and the response headers (redacted) to stderr before the
			body, so stdout stays valid JSON.

			An empty 2xx body prints nothing. A non-2xx answer prints its body (redacted) to
			stderr and exits with the usual code: 3 unauthenticated, 4 forbidden, 5 not found,
			6 refused, 7 rate limited or unreachable, 9 route not mounted on this server.

			Only GET, HEAD and OPTIONS are treated as reads: any other method is a mutation for
			--dry-run (the request is printed, not sent) and is never retried, except after a 429.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin api ok
			$ kernia-admin api /api/admin/capabilities --jq '.families'
			$ kernia-admin api admin/list-users -F limit=5 --jq '.users[].email'
			$ kernia-admin api POST admin/ban-user -f userId=7f3kq2 -f banReason=spam --dry-run
			$ kernia-admin api admin/set-user-password -f userId=7f3kq2 -F newPassword=@- < pw.txt
			$ kernia-admin api -X POST /api/admin/sessions/revoke --input body.json
			$ kernia-admin api -i get-session
		`),
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.MethodSet = cmd.Flags().Changed("method")
			opts.Path = args[len(args)-1]
			if len(args) == 2 {
				m := strings.ToUpper(args[0])
				if opts.MethodSet && !strings.EqualFold(opts.Method, m) {
					return cmdutil.FlagErrorf("method given twice: %s and -X %s", args[0], opts.Method)
				}
				opts.Method, opts.MethodSet = m, true
			}
			opts.Method = strings.ToUpper(opts.Method)
			if opts.MethodSet && !validMethod(opts.Method) {
				return cmdutil.FlagErrorf("invalid method %q: use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", opts.Method)
			}
			if _, err := normalizePath(opts.Path); err != nil {
				return err
			}
			if _, err := parseHeaders(opts.Headers); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return apiRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Method, "method", "X", "GET", "HTTP `METHOD` (default GET, or POST with a body)")
	fl.StringArrayVarP(&opts.RawFields, "raw-field", "f", nil, "Add a string field `key=value`")
	fl.StringArrayVarP(&opts.TypedFields, "field", "F", nil, "Add a typed field `key=value` (true/false/null/number/@file)")
	fl.StringVar(&opts.Input, "input", "", "Send the JSON body from `FILE` (- for stdin)")
	fl.StringArrayVarP(&opts.Headers, "header", "H", nil, "Add a request header `'Name: value'`")
	fl.BoolVarP(&opts.Include, "include", "i", false, "Print the status line and response headers (redacted) to stderr")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print a mutating request instead of sending it (reads are still sent)")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

// NewCmdAPI returns the api command.
func NewCmdAPI(f *cmdutil.Factory) *cobra.Command { return newCmdAPI(f, nil) }

func validMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// normalizePath maps PATH to a path from the server root: /api/... as is, anything else
// under /api/auth.
func normalizePath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", cmdutil.FlagErrorf("empty PATH")
	}
	if strings.Contains(p, "://") {
		return "", cmdutil.FlagErrorf("PATH %q must be a path on the configured server (e.g. /api/auth/ok or admin/list-users), not a URL: use --server to pick the server", p)
	}
	if strings.Contains(p, "..") {
		return "", cmdutil.FlagErrorf("PATH %q must not contain ..", p)
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasPrefix(p, "/api/") {
		p = apiclient.AuthBase + p
	}
	return p, nil
}

// forbiddenHeader reports headers that must not be set by hand.
func forbiddenHeader(name string) bool {
	switch strings.ToLower(name) {
	case "authorization", "cookie", "origin", "referer", "x-api-key", "host", "content-length":
		return true
	}
	return false
}

func parseHeaders(hs []string) (http.Header, error) {
	out := http.Header{}
	for _, h := range hs {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			return nil, cmdutil.FlagErrorf("invalid -H %q: use 'Name: value'", redact.Scrub(h))
		}
		if forbiddenHeader(name) {
			return nil, cmdutil.FlagErrorf("-H %s is not allowed: credentials come from the profile or the environment (KERNIA_TOKEN, KERNIA_API_KEY), and Kernia rejects cookies next to bearer tokens and checks Origin", name)
		}
		value = strings.TrimSpace(value)
		if strings.ContainsAny(value, "\r\n") {
			return nil, cmdutil.FlagErrorf("invalid -H %s: the value must be on one line", name)
		}
		out.Add(name, value)
	}
	return out, nil
}

// parseFields builds the fields of -f (strings) and -F (typed). stdin is used by @-.
func parseFields(raw, typed []string, stdin io.Reader) (map[string]any, []string, error) {
	fields := map[string]any{}
	var order []string
	add := func(flag, kv string, typedField bool) error {
		key, value, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			return cmdutil.FlagErrorf("invalid %s %q: use key=value", flag, redact.Scrub(kv))
		}
		fromFile := typedField && strings.HasPrefix(value, "@")
		if redact.IsSecretKey(key) && !fromFile {
			return cmdutil.FlagErrorf("refusing to take the secret field %q as a flag value (it would show in ps and shell history): use -F %s=@FILE, -F %s=@- (stdin) or --input", key, key, key)
		}
		var v any = value
		if typedField {
			tv, err := typedValue(value, stdin)
			if err != nil {
				return cmdutil.FlagErrorf("%s %s: %v", flag, key, err)
			}
			v = tv
		}
		if _, dup := fields[key]; !dup {
			order = append(order, key)
		}
		fields[key] = v
		return nil
	}
	for _, kv := range raw {
		if err := add("-f", kv, false); err != nil {
			return nil, nil, err
		}
	}
	for _, kv := range typed {
		if err := add("-F", kv, true); err != nil {
			return nil, nil, err
		}
	}
	return fields, order, nil
}

func typedValue(v string, stdin io.Reader) (any, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		var b []byte
		var err error
		if name == "-" {
			b, err = io.ReadAll(io.LimitReader(stdin, 16<<20))
		} else {
			b, err = os.ReadFile(name)
		}
		if err != nil {
			return nil, err
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		return s, nil
	}
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return i, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXnN") {
		return f, nil
	}
	return v, nil
}

func readInput(name string, stdin io.Reader) (json.RawMessage, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, 64<<20))
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, cmdutil.FlagErrorf("--input: %v", err)
	}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && !json.Valid(b) {
		return nil, cmdutil.FlagErrorf("--input: %s is not valid JSON", name)
	}
	return json.RawMessage(b), nil
}

func apiRun(ctx context.Context, opts *apiOptions) error {
	path, err := normalizePath(opts.Path)
	if err != nil {
		return err
	}
	headers, err := parseHeaders(opts.Headers)
	if err != nil {
		return err
	}
	if opts.Input == "-" && hasStdinField(opts.TypedFields) {
		return cmdutil.FlagErrorf("--input - and -F key=@- cannot both read stdin")
	}
	fields, order, err := parseFields(opts.RawFields, opts.TypedFields, opts.IO.In)
	if err != nil {
		return err
	}
	var body any
	if opts.Input != "" {
		raw, err := readInput(opts.Input, opts.IO.In)
		if err != nil {
			return err
		}
		if len(raw) > 0 {
			body = raw
		}
	}
	method := opts.Method
	if !opts.MethodSet {
		method = http.MethodGet
		if body != nil || len(fields) > 0 {
			method = http.MethodPost
		}
	}
	if body != nil && (method == http.MethodGet || method == http.MethodHead) {
		return cmdutil.FlagErrorf("--input sends a body: use -X POST (or another method with a body), not %s", method)
	}
	// Fields go to the query with GET/HEAD or next to --input, else they are the JSON body.
	if len(fields) > 0 {
		if body != nil || method == http.MethodGet || method == http.MethodHead {
			path, err = addQuery(path, fields, order)
			if err != nil {
				return err
			}
		} else {
			body = fields
		}
	}

	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	for k, v := range fields {
		if sv, ok := v.(string); ok && redact.IsSecretKey(k) {
			c.Scrubber().Add(sv) // read from a file or stdin: never in traces or errors
		}
	}
	req, err := c.NewRequest(ctx, method, path, body)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	for k, vs := range headers {
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.BareDo(req)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if resp != nil && opts.Include {
		writeHead(opts.IO.ErrOut, resp, c.Scrubber())
	}
	var ae *apiclient.APIError
	if errors.As(err, &ae) && resp != nil {
		if b := bytes.TrimSpace(resp.Body); len(b) > 0 {
			fmt.Fprintln(opts.IO.ErrOut, c.Scrubber().Scrub(string(redact.JSON(b))))
		}
		return err
	}
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(resp.Body)) == 0 || method == http.MethodHead {
		return nil
	}
	return output.PrintRaw(opts.IO, opts.Format, resp.Body)
}

func hasStdinField(typed []string) bool {
	for _, kv := range typed {
		if _, v, ok := strings.Cut(kv, "="); ok && v == "@-" {
			return true
		}
	}
	return false
}

func addQuery(path string, fields map[string]any, order []string) (string, error) {
	p, rawQuery, _ := strings.Cut(path, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", cmdutil.FlagErrorf("invalid query string in PATH: %v", err)
	}
	for _, k := range order {
		switch v := fields[k].(type) {
		case nil:
			q.Add(k, "")
		case string:
			q.Add(k, v)
		default:
			q.Add(k, fmt.Sprint(v))
		}
	}
	return p + "?" + q.Encode(), nil
}

// writeHead prints the status line and the response headers, secrets masked.
func writeHead(w io.Writer, resp *apiclient.Response, s *redact.Scrubber) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", resp.Proto, resp.Status)
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range resp.Header[k] {
			if redact.IsSecretKey(k) {
				v = redact.Mask
			}
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	fmt.Fprint(w, s.Scrub(b.String()))
}
