package apiclient

import (
	"errors"
	"math"
	"net"
	"net/http"
	"strings"
	"time"
)

// errEmptyBody: a 2xx answer without a body where the route promises JSON.
const errEmptyBody = constErr("the server sent an empty body where JSON was expected")

// emptyBodyAllowed reports the routes that answer 200 with an empty body to mean "nothing"
// (Kernia: get-session without a session, get-full-organization without an active org).
func emptyBodyAllowed(req *http.Request) bool {
	p := req.URL.Path
	return strings.HasSuffix(p, AuthBase+"/get-session") || strings.HasSuffix(p, AuthBase+"/organization/get-full-organization")
}

// isDialError reports a failure to connect: nothing was sent, so nothing was applied.
func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// unconfirmed reports whether a transport failure (err; nil when the answer's body could
// not be read) leaves a write in doubt: it was sent, may have been applied, and is not safe
// to repeat. A sign-in in doubt only leaves an unused session behind, so it is not flagged.
func unconfirmed(req *http.Request, err error) bool {
	return !isIdempotent(req) && !isSignIn(req) && (err == nil || !isDialError(err))
}

// clampDuration converts nanoseconds to a Duration without wrapping around: a huge
// Retry-After (or tryAgainIn) means "much later", never a negative wait that would be
// taken for "retry at once".
func clampDuration(ns float64) time.Duration {
	switch {
	case ns != ns || ns <= 0: // NaN or not positive
		return 0
	case ns >= float64(math.MaxInt64):
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ns)
}

// ack is the acknowledgement body of a write that returns no resource: Kernia and Better
// Auth answer {"success":true} (revokes, remove-user) or {"status":true} (set-user-password).
type ack struct {
	Success *bool `json:"success"`
	Status  *bool `json:"status"`
}

// errNotAcknowledged: a write answered 200 without saying it succeeded.
const errNotAcknowledged = constErr(`the server did not acknowledge the change (no "success": true in its answer); check the state before retrying`)

// doAck sends a write whose answer is only an acknowledgement and requires it: an empty or
// unreadable 200 is reported (the change may or may not have been applied), never taken as
// success — a proxy or server that drops the answer must not make a lost write look done.
func (c *Client) doAck(req *http.Request) (*Response, error) {
	var a ack
	resp, err := c.Do(req, &a)
	if err != nil {
		return resp, err
	}
	if (a.Success != nil && *a.Success) || (a.Success == nil && a.Status != nil && *a.Status) {
		return resp, nil
	}
	return resp, &DecodeError{Path: req.URL.Path, Status: resp.StatusCode, Err: errNotAcknowledged}
}
