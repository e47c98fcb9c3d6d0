package apiclient

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"testing"
	"time"
)

// Regression tests for faults found with internal/faultproxy (acceptance/testdata/faults).

// An empty 200 where JSON is expected is a broken answer: before, list-users took it for an
// empty last page, so `users list --all` ended early with exit 0 (a silent truncation).
func TestEmptyBodyIsADecodeError(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("POST /api/auth/admin/list-users", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	_, _, err := f.client.Users.List(context.Background(), ListUsersOptions{})
	var de *DecodeError
	if !errors.As(err, &de) || de.Status != 200 || de.Path != baseURLPath+"/api/auth/admin/list-users" {
		t.Fatalf("err = %v, want a DecodeError", err)
	}
	n := 0
	for _, err := range f.client.Users.ListAll(context.Background(), ListUsersOptions{}, 10) {
		n++
		if !errors.As(err, &de) {
			t.Fatalf("ListAll yielded %v, want a DecodeError", err)
		}
	}
	if n != 1 {
		t.Fatalf("ListAll yielded %d times", n)
	}
}

// Kernia's get-session answers an empty 200 to mean "no session": that stays allowed.
func TestEmptyGetSessionIsNoSession(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/auth/get-session", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	cur, _, err := f.client.Auth.GetSession(context.Background())
	if err != nil || cur != nil {
		t.Fatalf("GetSession = %v, %v; want nil, nil", cur, err)
	}
}

// resetting answers by closing the connection with a TCP reset.
func resetting(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.(*net.TCPConn).SetLinger(0)
	conn.Close()
}

// A write that is not safe to repeat and loses its connection is sent once and reported as
// "may have been applied"; an idempotent one is retried; a sign-in is not flagged.
func TestResetWriteIsUnconfirmed(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("POST /api/auth/admin/create-user", resetting)
	f.mux.HandleFunc("POST /api/auth/sign-in/email", resetting)
	f.mux.HandleFunc("POST /api/auth/admin/ban-user", resetting)
	_, _, err := f.client.Users.Create(context.Background(), CreateUserRequest{Email: "a@example.com", Name: "A"})
	var ne *NetworkError
	if !errors.As(err, &ne) || !ne.Unconfirmed {
		t.Fatalf("create: %#v, want an unconfirmed NetworkError", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("create sent %d times", n)
	}
	_, _, err = f.client.Auth.SignIn(context.Background(), "a@example.com", "pw-123456789")
	if !errors.As(err, &ne) || ne.Unconfirmed {
		t.Fatalf("sign-in: %#v, want a NetworkError that is not unconfirmed", err)
	}
	_, _, err = f.client.Users.Ban(context.Background(), "u1", BanOptions{})
	if !errors.As(err, &ne) || ne.Unconfirmed {
		t.Fatalf("ban: %#v, want a plain NetworkError after retries", err)
	}
	if n := len(f.requests()); n != 2+4 {
		t.Fatalf("%d requests, want 1 create + 1 sign-in + 4 bans", n)
	}
}

// A huge Retry-After wrapped around to a negative duration and was taken for "no wait".
func TestHugeRetryAfterDoesNotWrap(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		header, body string
	}{{"1e300", `{}`}, {"+Inf", `{}`}, {"", `{"data":{"tryAgainIn":1e300}}`}} {
		f := setup(t)
		f.mux.HandleFunc("POST /api/auth/admin/list-users", func(w http.ResponseWriter, r *http.Request) {
			if tt.header != "" {
				w.Header().Set("Retry-After", tt.header)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(tt.body))
		})
		_, _, err := f.client.Users.List(context.Background(), ListUsersOptions{})
		var ae *APIError
		if !errors.As(err, &ae) || ae.RetryAfter != time.Duration(math.MaxInt64) {
			t.Fatalf("%q %s: %v (RetryAfter %v)", tt.header, tt.body, err, ae.RetryAfter)
		}
		if n := len(f.requests()); n != 1 {
			t.Fatalf("%q: %d requests, want 1 (a wait over the maximum is not attempted)", tt.header, n)
		}
	}
}
