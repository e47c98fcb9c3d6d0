package apiclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func okHandler(w http.ResponseWriter, r *http.Request) { reply(w, http.StatusOK, `{"ok":true}`) }

func TestAuthHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []Option
		ctx        func(context.Context) context.Context
		wantBearer string // "" = no Authorization header
		wantKey    string // "" = no x-api-key header
	}{
		{"bearer token", nil, nil, "Bearer " + testToken, ""},
		{"bearer and api key", []Option{WithAPIKey(testAPIKey)}, nil, "Bearer " + testToken, testAPIKey},
		{"api key only", []Option{WithToken(""), WithAPIKey(testAPIKey)}, nil, "", testAPIKey},
		{"no credentials", []Option{WithToken("")}, nil, "", ""},
		{"WithBearer overrides token and drops the key", []Option{WithAPIKey(testAPIKey)},
			func(c context.Context) context.Context { return WithBearer(c, "impersonation-token") }, "Bearer impersonation-token", ""},
		{"WithBearer empty sends nothing", []Option{WithAPIKey(testAPIKey)},
			func(c context.Context) context.Context { return WithBearer(c, "") }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, tt.opts...)
			f.mux.HandleFunc("/api/auth/x", okHandler)
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			for _, m := range []string{http.MethodGet, http.MethodPost} {
				var body any
				if m == http.MethodPost {
					body = struct{}{}
				}
				if _, err := f.do(ctx, m, "/api/auth/x", body, nil); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range f.wantRequests(2) {
				got := [2]string{r.Header.Get("Authorization"), r.Header.Get("X-Api-Key")}
				if diff := cmp.Diff([2]string{tt.wantBearer, tt.wantKey}, got); diff != "" {
					t.Errorf("%s: [Authorization, x-api-key] mismatch (-want +got):\n%s", r.Method, diff)
				}
				_, hasAuth := r.Header["Authorization"]
				if tt.wantBearer == "" && hasAuth {
					t.Errorf("%s: an empty Authorization header was sent", r.Method)
				}
			}
		})
	}
}

// TestNoCookieOrOrigin: headers a caller put on the request, and cookies a caller's
// http.Client keeps in a jar, never reach the server (the guard checks every request).
func TestNoCookieOrOrigin(t *testing.T) {
	t.Parallel()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := setup(t, WithHTTPClient(&http.Client{Jar: jar}))
	f.mux.HandleFunc("POST /api/auth/sign-in/email", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "better-auth.session_token", Value: "cookie-token.sig", Path: "/"})
		w.Header().Set("set-auth-token", "signed-token.sig")
		reply(w, http.StatusOK, `{"user":{"id":"u1"},"session":{"id":"s1","expiresAt":1700604800}}`)
	})
	f.mux.HandleFunc("/api/auth/x", okHandler)
	ctx := context.Background()
	if _, _, err := f.client.Auth.SignIn(ctx, "admin@example.com", "pw-1234567890"); err != nil {
		t.Fatal(err)
	}
	req, err := f.client.NewRequest(ctx, http.MethodPost, "/api/auth/x", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", "better-auth.session_token=stale")
	req.Header.Set("Origin", "http://evil.example")
	if _, err := f.client.Do(req, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.do(ctx, http.MethodGet, "/api/auth/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	f.wantRequests(3)
}

func TestReauthOn401(t *testing.T) {
	t.Parallel()
	var reauths atomic.Int32
	reauth := func(ctx context.Context) (string, error) {
		reauths.Add(1)
		return "fresh-token", nil
	}
	f := setup(t, WithReauth(reauth))
	f.mux.HandleFunc("POST /api/auth/admin/ban-user", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer fresh-token" {
			reply(w, http.StatusUnauthorized, `{"code":"UNAUTHORIZED","message":"UNAUTHORIZED"}`)
			return
		}
		reply(w, http.StatusOK, `{"user":{"id":"u1","banned":true}}`)
	})
	u, _, err := f.client.Users.Ban(context.Background(), "u1", BanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !u.Banned {
		t.Error("the retried answer was not decoded")
	}
	reqs := f.wantRequests(2)
	if got := reqs[0].Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("first request Authorization = %q", got)
	}
	if got := reqs[1].Header.Get("Authorization"); got != "Bearer fresh-token" {
		t.Errorf("retried request Authorization = %q, want the new token", got)
	}
	if n := reauths.Load(); n != 1 {
		t.Errorf("reauth called %d times, want 1", n)
	}
	if f.client.Token() != "fresh-token" {
		t.Errorf("client token = %q, want the new one kept", f.client.Token())
	}
	if w := f.waits(); len(w) != 0 {
		t.Errorf("waited %v before the re-auth retry, want no wait", w)
	}
}

func TestReauthOnlyOnce(t *testing.T) {
	t.Parallel()
	var reauths atomic.Int32
	f := setup(t, WithReauth(func(ctx context.Context) (string, error) {
		reauths.Add(1)
		return "fresh-but-refused", nil
	}))
	f.mux.HandleFunc("GET /api/auth/x", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusUnauthorized, `{"code":"UNAUTHORIZED","message":"UNAUTHORIZED"}`)
	})
	_, err := f.do(context.Background(), http.MethodGet, "/api/auth/x", nil, nil)
	if ae := apiError(t, err); ae.Status != 401 {
		t.Errorf("error = %+v, want the second 401", ae)
	}
	f.wantRequests(2)
	if n := reauths.Load(); n != 1 {
		t.Errorf("reauth called %d times, want 1", n)
	}
}

func TestReauthFailure(t *testing.T) {
	t.Parallel()
	boom := errors.New("wrong password")
	f := setup(t, WithReauth(func(ctx context.Context) (string, error) { return "", boom }))
	f.mux.HandleFunc("GET /api/auth/x", status(401, `{"code":"UNAUTHORIZED","message":"UNAUTHORIZED"}`))
	_, err := f.do(context.Background(), http.MethodGet, "/api/auth/x", nil, nil)
	var re *ReauthError
	if !errors.As(err, &re) || !errors.Is(err, boom) || re.Original == nil || re.Original.Status != 401 {
		t.Fatalf("error = %#v, want *ReauthError wrapping the sign-in error and the 401", err)
	}
	f.wantRequests(1)
}

func TestNoReauthWithExplicitBearer(t *testing.T) {
	t.Parallel()
	var reauths atomic.Int32
	f := setup(t, WithReauth(func(ctx context.Context) (string, error) { reauths.Add(1); return "x", nil }))
	f.mux.HandleFunc("POST /api/auth/admin/stop-impersonating", status(401, `{"code":"UNAUTHORIZED","message":"UNAUTHORIZED"}`))
	_, err := f.client.Users.StopImpersonating(context.Background(), "impersonation-token")
	if ae := apiError(t, err); ae.Status != 401 {
		t.Fatalf("error = %v, want 401", err)
	}
	reqs := f.wantRequests(1)
	if got := reqs[0].Header.Get("Authorization"); got != "Bearer impersonation-token" {
		t.Errorf("Authorization = %q, want the impersonation token", got)
	}
	if reauths.Load() != 0 {
		t.Error("reauth was called for a request with an explicit bearer")
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	const userJSON = `"user":{"id":"u1","email":"admin@example.com","name":"Admin"}`
	tests := []struct {
		name      string
		header    http.Header
		body      string
		wantToken string
	}{
		{"set-auth-token header", http.Header{"Set-Auth-Token": {"raw.sig-header"},
			"Set-Cookie": {"better-auth.session_token=raw.sig-cookie; Path=/; HttpOnly; SameSite=Lax"}},
			`{` + userJSON + `,"session":{"id":"s1","expiresAt":1700604800}}`, "raw.sig-header"},
		{"session cookie fallback", http.Header{"Set-Cookie": {
			"better-auth.dont_remember=1; Path=/",
			"better-auth.session_token=raw.sig-cookie; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax"}},
			`{` + userJSON + `,"session":{"id":"s1","expiresAt":1700604800}}`, "raw.sig-cookie"},
		{"Better Auth body token", nil,
			`{"redirect":false,"token":"body-token-123",` + userJSON + `}`, "body-token-123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t) // the client has a (stale) token: sign-in must not send it
			f.mux.HandleFunc("POST /api/auth/sign-in/email", func(w http.ResponseWriter, r *http.Request) {
				for k, vs := range tt.header {
					for _, v := range vs {
						w.Header().Add(k, v)
					}
				}
				reply(w, http.StatusOK, tt.body)
			})
			res, _, err := f.client.Auth.SignIn(context.Background(), "admin@example.com", "s3cret-Passw0rd")
			if err != nil {
				t.Fatal(err)
			}
			if res.Token != tt.wantToken {
				t.Errorf("Token = %q, want %q", res.Token, tt.wantToken)
			}
			if res.User.ID != "u1" || res.User.Email != "admin@example.com" {
				t.Errorf("User = %+v", res.User)
			}
			r := f.wantRequests(1)[0]
			if _, ok := r.Header["Authorization"]; ok {
				t.Errorf("sign-in sent Authorization %q", r.Header.Get("Authorization"))
			}
			if diff := cmp.Diff(`{"email":"admin@example.com","password":"s3cret-Passw0rd"}`, string(r.Body)); diff != "" {
				t.Errorf("sign-in body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSignInChallenges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want *SignInChallengeError
	}{
		{"SSO redirect", `{"redirect":"https://auth.example.com/sso/oidc/sign-in/okta","providerId":"okta","code":"SSO_REDIRECT"}`,
			&SignInChallengeError{Code: "SSO_REDIRECT", Redirect: "https://auth.example.com/sso/oidc/sign-in/okta"}},
		{"two-factor", `{"twoFactorRedirect":true,"twoFactorMethods":["totp","otp"]}`,
			&SignInChallengeError{Code: "TWO_FACTOR_REQUIRED", Methods: []string{"totp", "otp"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.mux.HandleFunc("POST /api/auth/sign-in/email", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusOK, tt.body)
			})
			_, _, err := f.client.Auth.SignIn(context.Background(), "a@corp.example", "pw-123456789")
			var ce *SignInChallengeError
			if !errors.As(err, &ce) {
				t.Fatalf("error = %T %v, want *SignInChallengeError", err, err)
			}
			if diff := cmp.Diff(tt.want, ce); diff != "" {
				t.Errorf("challenge mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSignInWithoutToken(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("POST /api/auth/sign-in/email", status(200, `{"user":{"id":"u1"},"session":{"id":"s1"}}`))
	_, _, err := f.client.Auth.SignIn(context.Background(), "a@example.com", "pw-123456789")
	var de *DecodeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "no session token") {
		t.Fatalf("error = %v, want a DecodeError about the missing token", err)
	}
}

// TestSignInFailureNoReauth: a 401 from sign-in itself is the answer (wrong password), not
// a reason to sign in again.
func TestSignInFailureNoReauth(t *testing.T) {
	t.Parallel()
	var reauths atomic.Int32
	f := setup(t, WithReauth(func(ctx context.Context) (string, error) { reauths.Add(1); return "x", nil }))
	f.mux.HandleFunc("POST /api/auth/sign-in/email", status(401, `{"code":"INVALID_CREDENTIALS","message":"Invalid email or password"}`))
	_, _, err := f.client.Auth.SignIn(context.Background(), "a@example.com", "wrong-password")
	if ae := apiError(t, err); ae.Code != "INVALID_CREDENTIALS" {
		t.Errorf("error = %+v", ae)
	}
	f.wantRequests(1)
	if reauths.Load() != 0 {
		t.Error("reauth called after a failed sign-in")
	}
}

func TestNewClientRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	// 192.0.2.10 is TEST-NET-1: nothing answers there. The transport fails the test if it
	// is ever asked to connect: the refusal must come from the constructor.
	noDial := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("a request was sent to %s", r.URL)
		return nil, errors.New("no network in this test")
	})}
	tests := []struct {
		name    string
		url     string
		opts    []Option
		refused bool
	}{
		{"token over http to a remote host", "http://192.0.2.10", []Option{WithToken("t")}, true},
		{"api key over http to a remote host", "http://192.0.2.10:8080/", []Option{WithAPIKey("k")}, true},
		{"reauth over http to a remote host", "http://auth.example.com", []Option{WithReauth(func(context.Context) (string, error) { return "", nil })}, true},
		{"allowed with --insecure-http", "http://192.0.2.10", []Option{WithToken("t"), WithInsecureHTTP(true)}, false},
		{"no credentials", "http://192.0.2.10", nil, false},
		{"https", "https://192.0.2.10", []Option{WithToken("t")}, false},
		{"127.0.0.1", "http://127.0.0.1:8787", []Option{WithToken("t")}, false},
		{"127.x loopback", "http://127.3.4.5:8787", []Option{WithToken("t")}, false},
		{"localhost", "http://localhost:8787", []Option{WithToken("t")}, false},
		{"::1", "http://[::1]:8787", []Option{WithToken("t")}, false},
		{"localhost lookalike", "http://localhost.example.com", []Option{WithToken("t")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.url, append([]Option{WithHTTPClient(noDial)}, tt.opts...)...)
			var ie *InsecureTransportError
			if tt.refused {
				if !errors.As(err, &ie) || c != nil {
					t.Fatalf("NewClient(%s) = %v, %v; want *InsecureTransportError", tt.url, c, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient(%s): %v", tt.url, err)
			}
		})
	}
	for _, bad := range []string{"ftp://x", "192.0.2.10", "http://", "sandbox:./x.db"} {
		if _, err := NewClient(bad); err == nil {
			t.Errorf("NewClient(%q) accepted an invalid URL", bad)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
