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
