package cmdutil

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
)

// FuzzDescribe: every server error the client can decode maps to a documented exit code
// (docs/exit-codes.md) with a message of exactly one line and at most one hint line,
// whatever the server put in its code and message.
func FuzzDescribe(f *testing.F) {
	f.Add(404, "NOT_FOUND", "", true, int64(0), "token")
	f.Add(404, "USER_NOT_FOUND", "user not found", false, int64(0), "none")
	f.Add(429, "RATE_LIMITED", "Too many\nrequests", false, int64(2e9), "api-key")
	f.Add(503, "SERVICE_UNAVAILABLE", "down\r\nfor maintenance", false, int64(0), "")
	f.Add(401, "UNAUTHORIZED", "", false, int64(0), "none")
	f.Add(403, "FORBIDDEN", "Invalid Origin\x1b[31m", false, int64(0), "token")
	f.Add(403, "AUTH_METHOD_DISABLED", "email-password is disabled.", false, int64(0), "token")
	f.Add(409, "EMAIL_ALREADY_IN_USE", "exists", false, int64(0), "token")
	f.Add(302, "", "", false, int64(0), "token")
	documented := map[int]bool{ExitFailure: true, ExitAuth: true, ExitForbidden: true, ExitNotFound: true,
		ExitConflict: true, ExitNetwork: true, ExitUnavailable: true}
	f.Fuzz(func(t *testing.T, status int, code, message string, routeMissing bool, retryAfter int64, mode string) {
		if status < 300 || status > 599 {
			status = 400 + (status%200+200)%200
		}
		ae := &apiclient.APIError{Status: status, Code: code, Message: message, RouteMissing: routeMissing,
			RetryAfter: time.Duration(retryAfter), Method: "POST", Path: "/api/auth/admin/list-users"}
		for _, err := range []error{ae, fmt.Errorf("checking admin rights (nothing was saved): %w", ae)} {
			exit, msg, hint := Describe(err, AuthContext{Mode: mode})
			if !documented[exit] {
				t.Fatalf("exit %d for %+v", exit, ae)
			}
			if msg == "" || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("message %q is not one line (%+v)", msg, ae)
			}
			if strings.ContainsAny(hint, "\r\n") {
				t.Fatalf("hint %q is not one line", hint)
			}
		}
	})
}

// FuzzDescribeNetwork: transport failures are exit 7 with one line, and a write in doubt
// says so.
func FuzzDescribeNetwork(f *testing.F) {
	f.Add("POST /api/auth/admin/create-user", "read: connection reset by peer", true)
	f.Add("GET /api/auth/get-session", "dial tcp: connection refused\nmore", false)
	f.Fuzz(func(t *testing.T, op, cause string, unconfirmed bool) {
		ne := &apiclient.NetworkError{Op: op, Err: errors.New(cause), Unconfirmed: unconfirmed}
		exit, msg, hint := Describe(ne, AuthContext{})
		if exit != ExitNetwork {
			t.Fatalf("exit %d", exit)
		}
		if strings.ContainsAny(msg, "\r\n") || strings.ContainsAny(hint, "\r\n") || hint == "" {
			t.Fatalf("message %q / hint %q", msg, hint)
		}
		if unconfirmed != strings.Contains(msg, "may have been applied") {
			t.Fatalf("unconfirmed %v but message %q", unconfirmed, msg)
		}
	})
}
