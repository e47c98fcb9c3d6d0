package apiclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ParseDialect reads a dialect name as the CLI accepts it ("kernia", "better-auth"; also
// "betterauth" and "better_auth"). ok is false for "" and for anything else.
func ParseDialect(s string) (d Dialect, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "kernia":
		return DialectKernia, true
	case "better-auth", "betterauth", "better_auth":
		return DialectBetterAuth, true
	}
	return DialectKernia, false
}

// WithDialectDetection makes the client find out the server's dialect itself, once, the first
// time a call depends on it (see ResolveDialect). A later WithDialect turns it off again.
func WithDialectDetection() Option {
	return func(c *Client) error {
		c.dialectState.auto = true
		return nil
	}
}

// dialectState is the lazy, once-per-client dialect detection.
type dialectState struct {
	auto bool // detect on first use
	done bool // detected (or given)
}

// ResolveDialect returns the server's dialect. A dialect given with WithDialect is returned
// as is; with WithDialectDetection the server is probed once (Meta.DetectDialect) and the
// answer is kept for the life of the client. A probe that fails (network, 5xx) counts as
// Kernia, the default: the call that needed the dialect then reports the real failure.
func (c *Client) ResolveDialect(ctx context.Context) Dialect {
	c.dialectMu.Lock()
	defer c.dialectMu.Unlock()
	if !c.dialectState.auto || c.dialectState.done {
		return c.dialect
	}
	d, err := c.Meta.DetectDialect(ctx)
	if err != nil {
		c.tracef("! dialect probe failed (%v); assuming %s", err, DialectKernia)
		d = DialectKernia
	} else {
		c.tracef("* dialect: %s (detected)", d)
	}
	c.dialect = d
	c.dialectState.done = true
	return d
}

// DetectDialect asks the server which dialect it speaks, with no credentials:
//
//   - GET /api/auth/get-session without a session: Kernia answers 200 with an empty body,
//     Better Auth answers 200 with the JSON literal null.
//   - otherwise (email-password plugin off, a proxy rewrote the body): Kernia's
//     GET /api/auth/openapi.json, then Better Auth's GET /api/auth/open-api/generate-schema;
//     and Better Auth's empty-bodied 404 for unknown routes tells it from Kernia's
//     {"code":"NOT_FOUND"}.
//
// It never sends a token or an API key.
func (s *MetaService) DetectDialect(ctx context.Context) (Dialect, error) {
	ctx = WithBearer(ReadOnly(ctx), "")
	get := func(path string) (*Response, error) {
		req, err := s.client.NewRequest(ctx, http.MethodGet, AuthBase+path, nil)
		if err != nil {
			return nil, err
		}
		return s.client.BareDo(req)
	}
	resp, err := get("/get-session")
	var ae *APIError
	switch {
	case err == nil:
		switch body := bytes.TrimSpace(resp.Body); {
		case len(body) == 0:
			return DialectKernia, nil
		case string(body) == "null":
			return DialectBetterAuth, nil
		}
	case errors.As(err, &ae):
		if ae.Status == http.StatusNotFound && ae.EmptyBody {
			return DialectBetterAuth, nil
		}
	default:
		return DialectKernia, err
	}
	if _, err := get("/openapi.json"); err == nil {
		return DialectKernia, nil
	} else if !errors.As(err, &ae) {
		return DialectKernia, err
	}
	if _, err := get("/open-api/generate-schema"); err == nil {
		return DialectBetterAuth, nil
	} else if !errors.As(err, &ae) {
		return DialectKernia, err
	}
	return DialectKernia, fmt.Errorf("cannot tell the server's dialect: %w", ae)
}
