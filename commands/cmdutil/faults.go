package cmdutil

import (
	"errors"
	"net/url"
	"strings"

	"github.com/kernia-dev/kernia-admin/apiclient"
)

// unconfirmedMessage describes a write that was sent but never answered (the connection was
// reset or dropped): it may have been applied, so it was not repeated.
func unconfirmedMessage(ne *apiclient.NetworkError) string {
	cause := ne.Err
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err // the URL is already named by Op
	}
	return "no answer from the server to " + ne.Op + " (" + cause.Error() + "); the change may have been applied"
}

// Describe maps an error to its exit code, a one-line message and an optional one-line hint.
// Server texts may hold line breaks or terminal escapes; they are flattened to spaces so a
// failure is always one line on stderr (plus the hint).
func Describe(err error, ac AuthContext) (code int, msg, hint string) {
	code, msg, hint = describe(err, ac)
	return code, oneLine(msg), oneLine(hint)
}

// oneLine replaces control characters (line breaks, escapes) with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return ' '
		}
		return r
	}, s)
}
