// Package apiclient is a typed client for the Kernia (and Better Auth) wire protocol and
// for the kernia-admin dashboard contract under /api/admin.
//
// It follows go-github: one Client with services, ctx first on every call, typed errors,
// streaming pagination iterators. It never prints and never imports cobra or viper.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kernia-dev/kernia-admin/internal/redact"
)

// Dialect selects the wire flavour of the server.
type Dialect int

const (
	// DialectKernia: admin reads are POST with JSON bodies, timestamps are epoch seconds.
	DialectKernia Dialect = iota
	// DialectBetterAuth: admin list/get routes are GET with query strings, ISO timestamps.
	DialectBetterAuth
)

func (d Dialect) String() string {
	if d == DialectBetterAuth {
		return "better-auth"
	}
	return "kernia"
}

// Base paths of the two route families.
const (
	AuthBase      = "/api/auth"
	DashboardBase = "/api/admin"
)

const maxErrorBody = 1 << 20

// ReauthFunc signs in again and returns a fresh session token. It is called at most once
// per request, after a 401.
type ReauthFunc func(ctx context.Context) (string, error)

// Client talks to one server.
type Client struct {
	baseURL    *url.URL
	httpClient *http.Client
	userAgent  string
	dialect    Dialect

	dialectMu    sync.Mutex // guards dialect and dialectState (see dialect.go)
	dialectState dialectState

	mu     sync.RWMutex
	token  string
	apiKey string

	reauth       ReauthFunc
	insecureHTTP bool

	maxRetries   int
	retryBase    time.Duration
	maxRetryWait time.Duration
	sleep        func(ctx context.Context, d time.Duration) error
	jitter       func() float64

	debug    io.Writer
	dryRun   func(PlannedRequest)
	scrubber *redact.Scrubber

	common service

	Auth     *AuthService
	Users    *UsersService
	Sessions *SessionsService
	Admin    *AdminService
	Meta     *MetaService
}

type service struct{ client *Client }

// Option configures a Client.
type Option func(*Client) error

// WithHTTPClient uses hc for every request (copied, so the caller's client is not changed).
// The copy has no cookie jar: a jar would send the session cookie back after a sign-in,
// and Kernia ignores the bearer token on any request that carries one.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("apiclient: nil http client")
		}
		cp := *hc
		cp.Jar = nil
		c.httpClient = &cp
		return nil
	}
}

// WithToken authenticates with "Authorization: Bearer <token>".
func WithToken(token string) Option {
	return func(c *Client) error { c.token = token; c.scrubber.Add(token); return nil }
}

// WithAPIKey sends "x-api-key: <key>" (Kernia accepts it where the route does not require a
// session cookie or bearer session).
func WithAPIKey(key string) Option {
	return func(c *Client) error { c.apiKey = key; c.scrubber.Add(key); return nil }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.userAgent = ua; return nil }
}

// WithDialect selects the wire dialect.
func WithDialect(d Dialect) Option {
	return func(c *Client) error { c.dialect, c.dialectState = d, dialectState{done: true}; return nil }
}

// WithReauth installs a function that signs in again after a 401.
func WithReauth(f ReauthFunc) Option { return func(c *Client) error { c.reauth = f; return nil } }

// WithInsecureHTTP allows credentials over plain http to a host that is not loopback.
func WithInsecureHTTP(allow bool) Option {
	return func(c *Client) error { c.insecureHTTP = allow; return nil }
}

// WithRetry sets the number of retries and the base back-off.
func WithRetry(maxRetries int, base, maxWait time.Duration) Option {
	return func(c *Client) error {
		if maxRetries < 0 || base < 0 || maxWait < 0 {
			return errors.New("apiclient: negative retry setting")
		}
		c.maxRetries, c.retryBase, c.maxRetryWait = maxRetries, base, maxWait
		return nil
	}
}

// WithDebug writes a redacted HTTP trace to w.
func WithDebug(w io.Writer) Option { return func(c *Client) error { c.debug = w; return nil } }

// WithScrubber shares a scrubber that knows the secrets of this invocation, so that debug
// traces and error texts never show them.
func WithScrubber(s *redact.Scrubber) Option {
	return func(c *Client) error {
		if s != nil {
			s.Add(c.token)
			s.Add(c.apiKey)
			c.scrubber = s
		}
		return nil
	}
}

// WithSleep replaces the back-off sleep (tests).
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error { c.sleep = f; return nil }
}

// NewClient returns a client for the server at baseURL (scheme://host[:port], optionally with
// a path prefix under which /api/auth is mounted).
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("apiclient: invalid server URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("apiclient: server URL must be http(s)://host, got %q", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, AuthBase)
	c := &Client{
		baseURL:      u,
		httpClient:   &http.Client{Timeout: 30 * time.Second},
		userAgent:    "kernia-admin",
		maxRetries:   3,
		retryBase:    500 * time.Millisecond,
		maxRetryWait: 65 * time.Second,
		sleep:        sleepCtx,
		jitter:       defaultJitter,
		scrubber:     &redact.Scrubber{},
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if u.Scheme == "http" && !c.insecureHTTP && !IsLoopbackHost(u.Hostname()) {
		if c.token != "" || c.apiKey != "" || c.reauth != nil {
			return nil, &InsecureTransportError{Host: u.Host}
		}
	}
	c.common.client = c
	c.Auth = (*AuthService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	c.Sessions = (*SessionsService)(&c.common)
	c.Admin = (*AdminService)(&c.common)
	c.Meta = (*MetaService)(&c.common)
	return c, nil
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL returns the server root.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// Dialect returns the wire dialect known so far (Kernia until a detection has run; see
// ResolveDialect).
func (c *Client) Dialect() Dialect {
	c.dialectMu.Lock()
	defer c.dialectMu.Unlock()
	return c.dialect
}

// Token returns the current session token ("" when none).
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

// SetToken replaces the session token (after a sign-in).
func (c *Client) SetToken(t string) {
	c.mu.Lock()
	c.token = t
	c.mu.Unlock()
	c.scrubber.Add(t)
}

// HasAPIKey reports whether requests carry an x-api-key.
func (c *Client) HasAPIKey() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.apiKey != ""
}

// Scrubber returns the scrubber holding this client's secrets.
func (c *Client) Scrubber() *redact.Scrubber { return c.scrubber }

type ctxKey int

const (
	idempotentKey ctxKey = iota + 1
	bearerKey
	readOnlyKey
)

// ReadOnly marks requests made with the returned context as reads: they are idempotent and
// they are sent even in dry-run mode. Kernia's admin reads are POST, so they need the mark.
func ReadOnly(ctx context.Context) context.Context {
	return context.WithValue(Idempotent(ctx), readOnlyKey, true)
}

func isReadOnly(req *http.Request) bool {
	if req.Method == http.MethodGet || req.Method == http.MethodHead || req.Method == http.MethodOptions {
		return true
	}
	v, _ := req.Context().Value(readOnlyKey).(bool)
	return v
}

// PlannedRequest is a mutation that dry-run mode did not send.
type PlannedRequest struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// DryRunError is returned instead of sending a mutation in dry-run mode.
type DryRunError struct{ Planned PlannedRequest }

func (e *DryRunError) Error() string {
	return "dry run: " + e.Planned.Method + " " + e.Planned.Path + " not sent"
}

// WithDryRun stops every request that is not a read: it is passed to record (which must be
// safe for concurrent use) and Do returns *DryRunError. Reads still go out, so that ids can
// be resolved and plans are real.
func WithDryRun(record func(PlannedRequest)) Option {
	return func(c *Client) error { c.dryRun = record; return nil }
}

// WithBearer makes requests sent with the returned context carry token instead of the
// client's own session (and no API key, and no automatic re-login).
func WithBearer(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, bearerKey, token)
}

// Idempotent marks requests made with the returned context as safe to repeat, so they are
// retried after 5xx answers and connection resets. Reads are always idempotent; Kernia's
// admin reads are POST and are marked by the services.
func Idempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey, true)
}

func isIdempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	v, _ := req.Context().Value(idempotentKey).(bool)
	return v
}

// NewRequest builds a request for path (absolute from the server root, e.g.
// "/api/auth/admin/list-users"). A non-nil body is JSON-encoded; json.RawMessage and []byte
// are sent as-is.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	if strings.Contains(path, "..") {
		return nil, fmt.Errorf("apiclient: path %q must not contain ..", path)
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	rel, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("apiclient: invalid path %q: %w", path, err)
	}
	u := *c.baseURL
	u.Path = strings.TrimSuffix(c.baseURL.Path, "/") + rel.Path
	u.RawQuery = rel.RawQuery
	var buf []byte
	switch b := body.(type) {
	case nil:
	case json.RawMessage:
		buf = b
	case []byte:
		buf = b
	default:
		var bb bytes.Buffer
		enc := json.NewEncoder(&bb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("apiclient: encoding request body: %w", err)
		}
		buf = bytes.TrimRight(bb.Bytes(), "\n")
	}
	var rd io.Reader
	if buf != nil {
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if buf != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	return req, nil
}

// Response wraps the HTTP response of a call. Body holds the raw bytes that were decoded.
type Response struct {
	*http.Response
	Body []byte
}

func (c *Client) authorize(req *http.Request) {
	c.mu.RLock()
	token, key := c.token, c.apiKey
	c.mu.RUnlock()
	if t, ok := req.Context().Value(bearerKey).(string); ok {
		token, key = t, ""
	}
	// Never a Cookie header (Kernia ignores bearer when any session cookie is present) and
	// never an Origin header (it turns on the CSRF check).
	req.Header.Del("Cookie")
	req.Header.Del("Origin")
	req.Header.Del("Referer")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	} else {
		req.Header.Del("Authorization")
	}
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
}

// Do sends req, retrying where safe, and decodes a 2xx JSON body into v (when v is not nil).
// An empty 2xx body (or the literal null) leaves v untouched. Non-2xx answers become
// *APIError. If v is an io.Writer the body is copied into it.
func (c *Client) Do(req *http.Request, v any) (*Response, error) {
	resp, err := c.BareDo(req)
	if err != nil {
		return resp, err
	}
	if v == nil || string(bytes.TrimSpace(resp.Body)) == "null" {
		return resp, nil
	}
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		// Only routes that answer "nothing" this way may; anywhere else an empty body is
		// a broken answer, never an empty result (faults.go).
		if _, ok := v.(io.Writer); ok || emptyBodyAllowed(req) {
			return resp, nil
		}
		return resp, &DecodeError{Path: req.URL.Path, Status: resp.StatusCode, Err: errEmptyBody}
	}
	if w, ok := v.(io.Writer); ok {
		_, err := w.Write(resp.Body)
		return resp, err
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return resp, &DecodeError{Path: req.URL.Path, Status: resp.StatusCode, Err: err}
	}
	return resp, nil
}

// BareDo sends req with auth, retries and tracing, and returns the response with its body
// read. Non-2xx answers are returned as *APIError together with the response.
func (c *Client) BareDo(req *http.Request) (*Response, error) {
	ctx := req.Context()
	if c.dryRun != nil && !isReadOnly(req) {
		p := PlannedRequest{Method: req.Method, Path: req.URL.Path}
		if req.URL.RawQuery != "" {
			p.Path += "?" + sanitizeURL("?" + req.URL.RawQuery)[1:]
		}
		if req.GetBody != nil {
			if rc, err := req.GetBody(); err == nil {
				b, _ := io.ReadAll(rc)
				rc.Close()
				if json.Valid(b) {
					p.Body = redact.JSON(b)
				}
			}
		}
		c.dryRun(p)
		return nil, &DryRunError{Planned: p}
	}
	reauthed := false
	for attempt := 0; ; attempt++ {
		r := req.Clone(ctx)
		if req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = b
		}
		c.authorize(r)
		start := time.Now()
		c.traceRequest(r)
		hresp, err := c.httpClient.Do(r)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			err = c.sanitizeErr(err)
			if attempt < c.maxRetries && isIdempotent(req) && retryableNetErr(err) {
				c.tracef("! %v; retrying", err)
				if serr := c.sleep(ctx, c.backoff(attempt)); serr != nil {
					return nil, serr
				}
				continue
			}
			return nil, &NetworkError{Op: req.Method + " " + req.URL.Path, Err: err, Unconfirmed: unconfirmed(req, err)}
		}
		body, rerr := io.ReadAll(io.LimitReader(hresp.Body, 64<<20))
		hresp.Body.Close()
		resp := &Response{Response: hresp, Body: body}
		c.traceResponse(resp, time.Since(start))
		if rerr != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			if attempt < c.maxRetries && isIdempotent(req) {
				if serr := c.sleep(ctx, c.backoff(attempt)); serr != nil {
					return nil, serr
				}
				continue
			}
			return nil, &NetworkError{Op: req.Method + " " + req.URL.Path, Err: c.sanitizeErr(rerr), Unconfirmed: unconfirmed(req, nil)}
		}
		if hresp.StatusCode >= 200 && hresp.StatusCode < 300 {
			return resp, nil
		}
		apiErr := parseAPIError(resp)
		switch {
		case hresp.StatusCode == http.StatusUnauthorized && c.reauth != nil && !reauthed && !isSignIn(req) && ctx.Value(bearerKey) == nil:
			reauthed = true
			tok, err := c.reauth(ctx)
			if err != nil {
				return resp, &ReauthError{Err: err, Original: apiErr}
			}
			c.SetToken(tok)
			attempt--
			continue
		case hresp.StatusCode == http.StatusTooManyRequests && apiErr.Code != "USAGE_EXCEEDED":
			// A 429 is answered before the handler runs, so repeating is safe for any method.
			wait, ok := apiErr.RetryAfter, apiErr.RetryAfter > 0
			if !ok {
				wait = c.backoff(attempt)
			}
			if attempt < c.maxRetries && wait <= c.maxRetryWait {
				c.tracef("! 429; waiting %s before retry", wait.Round(time.Millisecond))
				if serr := c.sleep(ctx, wait+time.Duration(c.jitter()*float64(200*time.Millisecond))); serr != nil {
					return nil, serr
				}
				continue
			}
		case hresp.StatusCode == http.StatusBadGateway || hresp.StatusCode == http.StatusServiceUnavailable || hresp.StatusCode == http.StatusGatewayTimeout:
			if attempt < c.maxRetries && isIdempotent(req) {
				wait := c.backoff(attempt)
				if apiErr.RetryAfter > 0 && apiErr.RetryAfter <= c.maxRetryWait {
					wait = apiErr.RetryAfter
				}
				if serr := c.sleep(ctx, wait); serr != nil {
					return nil, serr
				}
				continue
			}
		}
		apiErr.Attempts = attempt + 1
		return resp, apiErr
	}
}

func isSignIn(req *http.Request) bool {
	return strings.HasSuffix(req.URL.Path, "/sign-in/email") || strings.HasSuffix(req.URL.Path, "/sign-up/email")
}

// backoff is exponential with full jitter: base*2^attempt scaled by [0.5, 1.5).
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retryBase << attempt
	if d > c.maxRetryWait {
		d = c.maxRetryWait
	}
	return time.Duration(float64(d) * (0.5 + c.jitter()))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) sanitizeErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: sanitizeURL(ue.URL), Err: ue.Err}
	}
	return err
}

// sanitizeURL removes credentials and secret query parameters from a URL string.
func sanitizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redact.Scrub(raw)
	}
	u.User = nil
	q := u.Query()
	changed := false
	for k := range q {
		if redact.IsSecretKey(k) {
			q.Set(k, "REDACTED")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
