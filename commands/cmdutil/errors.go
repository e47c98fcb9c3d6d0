// Package cmdutil holds what every command shares: the Factory, typed errors and the one
// mapping from errors to exit codes, bulk execution and confirmation rules.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/output"
)

// Exit codes (DESIGN.md §5, docs/exit-codes.md).
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitAuth        = 3
	ExitForbidden   = 4
	ExitNotFound    = 5
	ExitConflict    = 6
	ExitNetwork     = 7
	ExitPartial     = 8
	ExitUnavailable = 9
	ExitInterrupted = 130
)

// FlagError is bad usage or invalid input, detected before anything was sent (exit 2).
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// ExitError carries an explicit exit code, a message and an optional remedy line.
type ExitError struct {
	Code int
	Err  error
	Hint string
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Errorf builds an ExitError.
func Errorf(code int, hint, format string, args ...any) error {
	return &ExitError{Code: code, Err: fmt.Errorf(format, args...), Hint: hint}
}

// SilentError exits with Code without printing anything more (the command already reported).
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

// PartialError: some items of a bulk operation failed (exit 8).
type PartialError struct{ Failed, Total int }

func (e *PartialError) Error() string {
	return fmt.Sprintf("%d of %d items failed", e.Failed, e.Total)
}

// UnavailableError: the server does not expose a feature (exit 9).
type UnavailableError struct {
	Feature string
	Hint    string
}

func (e *UnavailableError) Error() string {
	return "this server does not expose " + e.Feature
}

// ErrCancelled: the user answered no, or aborted a prompt.
var ErrCancelled = errors.New("cancelled")

// AuthContext tells the error printer how the failing command was authenticated, so a 401
// can say what to do.
type AuthContext struct {
	Mode   string // "token", "api-key", "none", "sandbox", "env-token", "reauth"
	Server string
}

// describe maps an error to its exit code, a message and an optional hint (Describe makes
// them one line each).
func describe(err error, ac AuthContext) (code int, msg, hint string) {
	var (
		fe  *FlagError
		ee  *ExitError
		se  *SilentError
		pe  *PartialError
		ue  *UnavailableError
		ae  *apiclient.APIError
		ne  *apiclient.NetworkError
		de  *apiclient.DecodeError
		re  *apiclient.ReauthError
		ie  *apiclient.InsecureTransportError
		ce  *apiclient.SignInChallengeError
		dry *apiclient.DryRunError
		oue *output.UsageError
		cie *config.InsecureServerError
	)
	switch {
	case errors.As(err, &se):
		return se.Code, "", ""
	case errors.Is(err, context.Canceled), errors.Is(err, ErrCancelled):
		if errors.Is(err, ErrCancelled) {
			return ExitUsage, "cancelled; nothing was changed", ""
		}
		return ExitInterrupted, "interrupted", ""
	case errors.Is(err, context.DeadlineExceeded):
		return ExitNetwork, "timed out", "raise --timeout, or check that the server is reachable"
	case errors.As(err, &fe):
		return ExitUsage, fe.Error(), ""
	case errors.As(err, &oue):
		return ExitUsage, oue.Error(), ""
	case errors.As(err, &cie):
		return ExitUsage, cie.Error(), ""
	case errors.Is(err, config.ErrInvalidServer):
		return ExitUsage, err.Error(), ""
	case errors.As(err, &ee):
		return ee.Code, ee.Error(), ee.Hint
	case errors.As(err, &pe):
		return ExitPartial, pe.Error(), ""
	case errors.As(err, &ue):
		return ExitUnavailable, ue.Error(), ue.Hint
	case errors.As(err, &ie):
		return ExitUsage, ie.Error(), ""
	case errors.As(err, &ce):
		return ExitAuth, ce.Error(), ""
	case errors.As(err, &re):
		return ExitAuth, re.Error(), "check KERNIA_EMAIL and KERNIA_PASSWORD"
	case errors.As(err, &dry):
		return ExitOK, "", ""
	case errors.As(err, &ae):
		return describeAPIError(ae, ac)
	case errors.As(err, &ne) && ne.Unconfirmed:
		return ExitNetwork, unconfirmedMessage(ne), "check its state before retrying: it was not retried automatically"
	case errors.As(err, &ne):
		return ExitNetwork, "cannot reach the server: " + ne.Error(), "check --server and that the server is running"
	case errors.As(err, &de):
		return ExitFailure, de.Error(), "is --server pointing at a Kernia server?"
	}
	return ExitFailure, err.Error(), ""
}

func describeAPIError(e *apiclient.APIError, ac AuthContext) (int, string, string) {
	msg := apiMessage(e)
	switch {
	case e.Status == http.StatusUnauthorized:
		switch ac.Mode {
		case "api-key":
			return ExitAuth, msg, "this route needs a signed-in session; KERNIA_API_KEY is not accepted here. Run `kernia-admin auth login`, or set KERNIA_EMAIL and KERNIA_PASSWORD"
		case "none":
			return ExitAuth, msg, "not signed in: run `kernia-admin auth login`"
		}
		return ExitAuth, msg, "the session is invalid or expired (Kernia sessions last 7 days): run `kernia-admin auth login`, or set KERNIA_EMAIL and KERNIA_PASSWORD for automatic sign-in"
	case e.Status == http.StatusForbidden && e.Code == "INVALID_API_KEY":
		// Kernia answers 403 (not 401) for a key shorter than its configured length.
		return ExitAuth, msg, "the API key is malformed; check KERNIA_API_KEY"
	case e.Status == http.StatusForbidden:
		switch {
		case e.Code == "AUTH_METHOD_DISABLED":
			return ExitForbidden, msg, "an admin can enable it with `kernia-admin auth-methods enable METHOD`"
		case e.Code == "USER_BANNED":
			return ExitForbidden, msg, "the signed-in account is banned"
		case e.Code == "FORBIDDEN" && strings.Contains(e.Message, "Origin"):
			return ExitForbidden, msg, ""
		}
		return ExitForbidden, msg + ": the signed-in account lacks the admin permission for this", ""
	case e.Status == http.StatusNotFound && e.RouteMissing:
		return ExitUnavailable, fmt.Sprintf("this server does not expose %s %s (route not mounted)", e.Method, e.Path), "run `kernia-admin doctor` to see which plugins are mounted"
	case e.Status == http.StatusNotFound:
		return ExitNotFound, msg, ""
	case e.Status == http.StatusTooManyRequests:
		hint := "rate limited by the server"
		if e.RetryAfter > 0 {
			hint = fmt.Sprintf("rate limited; the server asks to retry in %s", e.RetryAfter.Round(1e9))
		}
		return ExitNetwork, msg, hint
	case e.Status >= 500:
		return ExitFailure, msg, ""
	case e.Status >= 400:
		return ExitConflict, msg, ""
	}
	return ExitFailure, msg, ""
}

func apiMessage(e *apiclient.APIError) string {
	text := e.Code
	if e.Message != "" && e.Message != e.Code {
		text = e.Code + ": " + e.Message
	}
	if text == "" {
		text = fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("%s (HTTP %d from %s)", text, e.Status, e.Path)
}

// IsNotFound reports a handler-level 404 (not a missing route).
func IsNotFound(err error) bool {
	var ae *apiclient.APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound && !ae.RouteMissing
}

// IsRouteMissing reports Kernia's "route not mounted" 404.
func IsRouteMissing(err error) bool {
	var ae *apiclient.APIError
	return errors.As(err, &ae) && ae.RouteMissing
}
