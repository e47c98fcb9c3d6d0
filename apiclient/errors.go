package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// APIError is a non-2xx answer. Kernia and Better Auth send {"code","message"}; Kernia's
// unknown-route answer is the message-less {"code":"NOT_FOUND"}, flagged as RouteMissing.
// SCIM errors ({"status","detail"}) and empty bodies are decoded too.
type APIError struct {
	Status  int             `json:"status"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
	// RouteMissing: the server has no such route (plugin not mounted, or a wrong method).
	// Kernia says so with a message-less {"code":"NOT_FOUND"}, Better Auth with a 404 whose
	// body is empty.
	RouteMissing bool `json:"-"`
	// EmptyBody: the answer had no body at all (Better Auth's admin 401 and unknown-route 404).
	EmptyBody bool `json:"-"`
	// RetryAfter from the Retry-After header, X-Retry-After (Better Auth), or Kernia's API-key
	// data.tryAgainIn (milliseconds).
	RetryAfter time.Duration `json:"-"`
	Method     string        `json:"-"`
	Path       string        `json:"-"`
	Attempts   int           `json:"-"`
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" && e.Message != e.Code {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RouteMissing {
		b.WriteString(" (route not mounted on this server)")
	}
	return b.String()
}

// Is matches another *APIError by status and code (empty fields match anything).
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	if !ok {
		return false
	}
	return (t.Status == 0 || t.Status == e.Status) && (t.Code == "" || t.Code == e.Code)
}

func parseAPIError(resp *Response) *APIError {
	e := &APIError{Status: resp.StatusCode}
	if resp.Request != nil {
		e.Method, e.Path = resp.Request.Method, resp.Request.URL.Path
	}
	body := bytes.TrimSpace(resp.Body)
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	var raw map[string]json.RawMessage
	if len(body) > 0 && json.Unmarshal(body, &raw) == nil {
		str := func(k string) (string, bool) {
			v, ok := raw[k]
			if !ok {
				return "", false
			}
			var s string
			if json.Unmarshal(v, &s) == nil {
				return s, true
			}
			return strings.Trim(string(v), `"`), true
		}
		code, _ := str("code")
		msg, hasMsg := str("message")
		if !hasMsg {
			msg, _ = str("detail") // SCIM
		}
		if code == "" {
			code, _ = str("error")
		}
		e.Code, e.Message = code, msg
		if d, ok := raw["data"]; ok {
			e.Data = d
			var ta struct {
				TryAgainIn *float64 `json:"tryAgainIn"`
			}
			if json.Unmarshal(d, &ta) == nil && ta.TryAgainIn != nil && *ta.TryAgainIn > 0 {
				e.RetryAfter = clampDuration(*ta.TryAgainIn * float64(time.Millisecond))
			}
		}
		_, hasDetail := raw["detail"]
		if resp.StatusCode == http.StatusNotFound && code == "NOT_FOUND" && !hasMsg && !hasDetail {
			e.RouteMissing = true
		}
	} else if len(body) > 0 {
		e.Message = firstLine(string(body), 200)
	} else {
		e.EmptyBody = true
		if resp.StatusCode == http.StatusNotFound {
			e.RouteMissing = true // Better Auth: unknown route or wrong method
		}
	}
	if e.Code == "" {
		e.Code = defaultCode(resp.StatusCode)
	}
	for _, h := range []string{"Retry-After", "X-Retry-After"} {
		if v := resp.Header.Get(h); v != "" {
			if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
				e.RetryAfter = clampDuration(secs * float64(time.Second))
			} else if t, err := http.ParseTime(v); err == nil {
				e.RetryAfter = time.Until(t)
			}
			break
		}
	}
	return e
}

func defaultCode(status int) string {
	switch status {
	case 400:
		return "BAD_REQUEST"
	case 401:
		return "UNAUTHORIZED"
	case 403:
		return "FORBIDDEN"
	case 404:
		return "NOT_FOUND"
	case 409:
		return "CONFLICT"
	case 429:
		return "RATE_LIMITED"
	}
	if status >= 500 {
		return "SERVER_ERROR"
	}
	return "HTTP_" + strconv.Itoa(status)
}

func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// NetworkError is a transport failure (after retries where they were allowed).
type NetworkError struct {
	Op  string
	Err error
	// Unconfirmed: a write that is not safe to repeat was sent, and the connection failed
	// before an answer arrived, so it may have been applied. It was not retried.
	Unconfirmed bool
}

func (e *NetworkError) Error() string { return fmt.Sprintf("%s: %v", e.Op, e.Err) }
func (e *NetworkError) Unwrap() error { return e.Err }

// DecodeError is a 2xx answer whose body is not the JSON the route promises.
type DecodeError struct {
	Path   string
	Status int
	Err    error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("unexpected response from %s (HTTP %d): %v", e.Path, e.Status, e.Err)
}
func (e *DecodeError) Unwrap() error { return e.Err }

// ReauthError: the automatic sign-in after a 401 failed.
type ReauthError struct {
	Err      error
	Original *APIError
}

func (e *ReauthError) Error() string {
	return fmt.Sprintf("session expired and automatic sign-in failed: %v", e.Err)
}
func (e *ReauthError) Unwrap() error { return e.Err }

// InsecureTransportError: credentials would travel over plain http to a non-loopback host.
type InsecureTransportError struct{ Host string }

func (e *InsecureTransportError) Error() string {
	return fmt.Sprintf("refusing to send credentials over plain http to %s (use https, a loopback address, or --insecure-http)", e.Host)
}

// SignInChallengeError: sign-in answered 200 without a session (SSO redirect, 2FA).
type SignInChallengeError struct {
	Code     string
	Redirect string
	Methods  []string
}

func (e *SignInChallengeError) Error() string {
	switch e.Code {
	case "SSO_REDIRECT":
		return "this email's domain signs in through SSO (" + e.Redirect + "); password sign-in is not possible"
	case "TWO_FACTOR_REQUIRED":
		return "this account requires two-factor authentication (" + strings.Join(e.Methods, ", ") + "), which kernia-admin cannot complete; use an account without 2FA or an API key"
	}
	return "sign-in did not return a session (" + e.Code + ")"
}

func retryableNetErr(err error) bool {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false // the per-request timeout already spent the budget
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

func defaultJitter() float64 { return rand.Float64() }
