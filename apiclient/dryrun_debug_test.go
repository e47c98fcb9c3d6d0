package apiclient

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDryRun(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var plans []PlannedRequest
	f := setup(t, WithDryRun(func(p PlannedRequest) { mu.Lock(); plans = append(plans, p); mu.Unlock() }))
	f.mux.HandleFunc("/api/auth/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/auth/admin/list-users":
			reply(w, http.StatusOK, `{"users":[{"id":"u1"}],"total":1}`)
		case "/api/auth/ok":
			reply(w, http.StatusOK, `{"ok":true}`)
		default:
			t.Errorf("dry run sent a mutation: %s %s", r.Method, r.URL.Path)
			reply(w, http.StatusInternalServerError, `{}`)
		}
	})
	ctx := context.Background()

	// Mutations are recorded, not sent.
	_, _, err := f.client.Users.Ban(ctx, "u1", BanOptions{Reason: "spam"})
	var dr *DryRunError
	if !errors.As(err, &dr) {
		t.Fatalf("Ban error = %v, want *DryRunError", err)
	}
	if _, err := f.client.Users.SetPassword(ctx, "u1", "n3w-Passw0rd-secret"); !errors.As(err, &dr) {
		t.Fatalf("SetPassword error = %v, want *DryRunError", err)
	}
	if _, err := f.do(ctx, http.MethodPost, "/api/auth/api-key/create", map[string]string{"name": "ci"}, nil); !errors.As(err, &dr) {
		t.Fatalf("plain POST error = %v, want *DryRunError", err)
	}
	// Reads still go out: a ReadOnly POST and a GET.
	list, _, err := f.client.Users.List(ctx, ListUsersOptions{Limit: 1})
	if err != nil || len(list.Users) != 1 {
		t.Fatalf("List in dry run = %v, %v; want the server's answer", list, err)
	}
	if _, err := f.client.Meta.OK(ctx); err != nil {
		t.Fatalf("GET in dry run: %v", err)
	}

	reqs := f.wantRequests(2)
	if reqs[0].Path != "/api/auth/admin/list-users" || reqs[1].Path != "/api/auth/ok" {
		t.Errorf("sent %s and %s, want only the two reads", reqs[0].Path, reqs[1].Path)
	}
	want := []PlannedRequest{
		{Method: "POST", Path: baseURLPath + "/api/auth/admin/ban-user", Body: []byte(`{"banReason":"spam","userId":"u1"}`)},
		{Method: "POST", Path: baseURLPath + "/api/auth/admin/set-user-password", Body: []byte(`{"newPassword":"********","userId":"u1"}`)},
		{Method: "POST", Path: baseURLPath + "/api/auth/api-key/create", Body: []byte(`{"name":"ci"}`)},
	}
	normalize := cmp.Transformer("json", func(b []byte) string { return string(b) })
	if diff := cmp.Diff(want, plans, normalize); diff != "" {
		t.Errorf("plans mismatch (-want +got):\n%s", diff)
	}
	for _, p := range plans {
		if bytes.Contains(p.Body, []byte("n3w-Passw0rd-secret")) {
			t.Errorf("plan %s shows the password: %s", p.Path, p.Body)
		}
	}
}

// TestDebugTraceRedacted: the --debug trace names every request and answer, and no secret
// of the session appears in it: not the bearer token, the API key, the sign-in password,
// the set-auth-token value, the session cookie, or the raw session tokens Kernia's
// list-user-sessions returns.
func TestDebugTraceRedacted(t *testing.T) {
	t.Parallel()
	const (
		password     = "Sup3r-Secret-Passw0rd!"
		signedToken  = "SIGNEDtokenFromHeader0123456789abcdefghijkl.HMACsig0123456789abcdefghijklmnopqrstu"
		cookieToken  = "COOKIEtokenValue0123456789abcdefghijklmnop.CookieSig0123456789abcdefghijklmnopqrs"
		sessionToken = "RAWsessionTokenInBody0123456789abcdefghijkl"
		newToken     = "REAUTHtoken0123456789abcdefghijklmnopqrstuv"
	)
	var trace bytes.Buffer
	var traceMu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { traceMu.Lock(); defer traceMu.Unlock(); return trace.Write(p) })
	reauthed := false
	f := setup(t, WithAPIKey(testAPIKey), WithDebug(w), WithReauth(func(ctx context.Context) (string, error) {
		reauthed = true
		return newToken, nil
	}))
	f.mux.HandleFunc("POST /api/auth/sign-in/email", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("set-auth-token", signedToken)
		w.Header().Add("Set-Cookie", "better-auth.session_token="+cookieToken+"; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax")
		reply(w, http.StatusOK, `{"user":{"id":"u1","email":"admin@example.com"},"session":{"id":"s1","expiresAt":1700604800}}`)
	})
	calls := 0
	f.mux.HandleFunc("POST /api/auth/admin/list-user-sessions", func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			reply(w, http.StatusUnauthorized, `{"code":"UNAUTHORIZED","message":"UNAUTHORIZED"}`)
			return
		}
		reply(w, http.StatusOK, `{"sessions":[{"id":"s9","token":"`+sessionToken+`","userId":"u1","expiresAt":1700604800}]}`)
	})
	f.mux.HandleFunc("GET /api/auth/callback", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusBadRequest, `{"code":"INVALID_TOKEN","message":"bad token `+r.URL.Query().Get("token")+`"}`)
	})
	ctx := context.Background()
	if _, _, err := f.client.Auth.SignIn(ctx, "admin@example.com", password); err != nil {
		t.Fatal(err)
	}
	sessions, _, err := f.client.Sessions.ListForUser(ctx, "u1")
	if err != nil || len(sessions) != 1 || sessions[0].Token != sessionToken {
		t.Fatalf("ListForUser = %+v, %v", sessions, err)
	}
	if !reauthed {
		t.Fatal("the 401 did not trigger the re-auth")
	}
	f.do(ctx, http.MethodGet, "/api/auth/callback?token="+testToken, nil, nil)

	traceMu.Lock()
	out := trace.String()
	traceMu.Unlock()
	for _, want := range []string{
		"> POST " + f.server.URL + baseURLPath + "/api/auth/sign-in/email",
		"< 200 OK",
		"> POST " + f.server.URL + baseURLPath + "/api/auth/admin/list-user-sessions",
		"< 401 Unauthorized",
		"< 400 Bad Request",
		"Authorization: Bearer ********",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	for name, secret := range map[string]string{
		"bearer token": testToken, "x-api-key": testAPIKey, "password": password,
		"set-auth-token": signedToken, "session cookie": cookieToken, "raw session token": sessionToken,
		"re-auth token": newToken,
	} {
		for _, part := range secretParts(secret) {
			if strings.Contains(out, part) {
				t.Errorf("trace shows the %s (%q):\n%s", name, part, out)
			}
		}
	}
}

// secretParts returns the secret and its halves around a dot (a signed token's raw part
// and signature each are secret).
func secretParts(s string) []string {
	out := []string{s}
	if raw, sig, ok := strings.Cut(s, "."); ok {
		out = append(out, raw, sig)
	}
	return out
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
