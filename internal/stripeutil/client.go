package stripeutil

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/kernia-dev/kernia-admin/internal/redact"
)

// Config builds a client.
type Config struct {
	Key     string
	BaseURL string // DefaultAPIBase when empty
	// Debug, when set, receives a redacted trace of every Stripe request.
	Debug io.Writer
	// Scrubber learns the key, so that error text and traces never show it.
	Scrubber *redact.Scrubber
	// Timeout bounds each request (30s when zero).
	Timeout time.Duration
	// MaxRetries is stripe-go's network retry count (1 when nil).
	MaxRetries *int64
}

// New returns a stripe-go client of its own: every service bound to cfg.Key and to backends
// pointed at cfg.BaseURL. The package-global stripe.Key and backends are never touched.
func New(cfg Config) *client.API {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultAPIBase
	}
	if cfg.Scrubber == nil {
		cfg.Scrubber = &redact.Scrubber{}
	}
	cfg.Scrubber.Add(cfg.Key)
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	var rt http.RoundTripper = http.DefaultTransport
	if cfg.Debug != nil {
		rt = &traceTransport{next: rt, w: cfg.Debug, scrub: cfg.Scrubber}
	}
	hc := &http.Client{Timeout: timeout, Transport: rt}
	retries := cfg.MaxRetries
	if retries == nil {
		retries = stripe.Int64(1)
	}
	backend := func(t stripe.SupportedBackend) stripe.Backend {
		return stripe.GetBackendWithConfig(t, &stripe.BackendConfig{
			URL:               stripe.String(cfg.BaseURL),
			HTTPClient:        hc,
			LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
			MaxNetworkRetries: retries,
			EnableTelemetry:   stripe.Bool(false),
		})
	}
	return client.New(cfg.Key, &stripe.Backends{
		API:     backend(stripe.APIBackend),
		Connect: backend(stripe.ConnectBackend),
		Uploads: backend(stripe.UploadsBackend),
	})
}

// traceTransport prints method, URL and status of each Stripe request, with the
// Authorization header masked, through the scrubber.
type traceTransport struct {
	next  http.RoundTripper
	w     io.Writer
	scrub *redact.Scrubber
}

func (t *traceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	fmt.Fprint(t.w, t.scrub.Scrub(fmt.Sprintf("> %s %s\n> Authorization: Bearer ********\n", r.Method, r.URL.String())))
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		fmt.Fprintln(t.w, t.scrub.Scrub("! "+err.Error()))
		return resp, err
	}
	fmt.Fprint(t.w, t.scrub.Scrub(fmt.Sprintf("< %s (%s)\n", resp.Status, time.Since(start).Round(time.Millisecond))))
	return resp, nil
}

// Failure classes of a Stripe call.
const (
	FailAuth      = "auth"      // 401: the key is invalid, expired or revoked
	FailForbidden = "forbidden" // 403: a restricted key lacks the permission
	FailNetwork   = "network"   // no answer
	FailAPI       = "api"       // any other Stripe error
)

// Failure is a Stripe error reduced to what a command needs: its class, HTTP status and
// Stripe's message (scrubbed of the key).
type Failure struct {
	Class   string
	Status  int
	Message string
}

func (f *Failure) Error() string {
	if f.Status > 0 {
		return fmt.Sprintf("Stripe answered HTTP %d: %s", f.Status, f.Message)
	}
	return "cannot reach Stripe: " + f.Message
}

// Classify turns an error from stripe-go into a *Failure (nil stays nil). scrub removes the
// key from Stripe's message (stripe-mock echoes the Authorization header it rejected).
func Classify(err error, scrub *redact.Scrubber) *Failure {
	if err == nil {
		return nil
	}
	if scrub == nil {
		scrub = &redact.Scrubber{}
	}
	var already *Failure
	if errors.As(err, &already) {
		return already
	}
	var se *stripe.Error
	if errors.As(err, &se) {
		f := &Failure{Class: FailAPI, Status: se.HTTPStatusCode, Message: scrub.Scrub(se.Msg)}
		if f.Message == "" {
			f.Message = string(se.Type)
		}
		switch se.HTTPStatusCode {
		case http.StatusUnauthorized:
			f.Class = FailAuth
		case http.StatusForbidden:
			f.Class = FailForbidden
		case 0:
			f.Class = FailNetwork
		}
		return f
	}
	// Anything else (connection refused, timeout, reset) never got an answer from Stripe.
	return &Failure{Class: FailNetwork, Message: scrub.Scrub(err.Error())}
}
