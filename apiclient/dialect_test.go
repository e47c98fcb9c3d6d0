package apiclient

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestParseDialect(t *testing.T) {
	for in, want := range map[string]Dialect{"kernia": DialectKernia, "better-auth": DialectBetterAuth, "Better_Auth": DialectBetterAuth, " betterauth ": DialectBetterAuth} {
		if got, ok := ParseDialect(in); !ok || got != want {
			t.Errorf("ParseDialect(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "graphql", "kernia2"} {
		if _, ok := ParseDialect(in); ok {
			t.Errorf("ParseDialect(%q) ok", in)
		}
	}
}

// Detection: one credential-free probe, decided by get-session's anonymous answer; the
// OpenAPI routes and Better Auth's empty 404 when get-session says nothing.
func TestDetectDialect(t *testing.T) {
	tests := []struct {
		name   string
		routes map[string]func(w http.ResponseWriter)
		want   Dialect
		probes string // the paths requested, in order
	}{
		{
			name:   "Kernia: empty 200",
			routes: map[string]func(http.ResponseWriter){"GET /api/auth/get-session": func(w http.ResponseWriter) { w.WriteHeader(200) }},
			want:   DialectKernia, probes: "/api/auth/get-session",
		},
		{
			name:   "Better Auth: 200 null",
			routes: map[string]func(http.ResponseWriter){"GET /api/auth/get-session": func(w http.ResponseWriter) { reply(w, 200, "null") }},
			want:   DialectBetterAuth, probes: "/api/auth/get-session",
		},
		{
			name:   "Better Auth without email-password: empty 404",
			routes: map[string]func(http.ResponseWriter){"GET /api/auth/get-session": func(w http.ResponseWriter) { w.WriteHeader(404) }},
			want:   DialectBetterAuth, probes: "/api/auth/get-session",
		},
		{
			name: "Kernia without email-password: NOT_FOUND, then openapi.json",
			routes: map[string]func(http.ResponseWriter){
				"GET /api/auth/get-session":  func(w http.ResponseWriter) { reply(w, 404, `{"code":"NOT_FOUND"}`) },
				"GET /api/auth/openapi.json": func(w http.ResponseWriter) { reply(w, 200, `{"openapi":"3.1.0"}`) },
			},
			want: DialectKernia, probes: "/api/auth/get-session,/api/auth/openapi.json",
		},
		{
			name: "a proxy rewrote get-session: Better Auth's generate-schema decides",
			routes: map[string]func(http.ResponseWriter){
				"GET /api/auth/get-session":              func(w http.ResponseWriter) { reply(w, 200, `{}`) },
				"GET /api/auth/openapi.json":             func(w http.ResponseWriter) { reply(w, 404, `{"code":"NOT_FOUND"}`) },
				"GET /api/auth/open-api/generate-schema": func(w http.ResponseWriter) { reply(w, 200, `{"openapi":"3.1.1"}`) },
			},
			want: DialectBetterAuth, probes: "/api/auth/get-session,/api/auth/openapi.json,/api/auth/open-api/generate-schema",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, WithAPIKey(testAPIKey), WithDialectDetection())
			for pattern, h := range tt.routes {
				f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { h(w) })
			}
			f.mux.HandleFunc("GET /api/auth/admin/list-users", func(w http.ResponseWriter, r *http.Request) { reply(w, 200, `{"users":[],"total":0}`) })
			f.mux.HandleFunc("POST /api/auth/admin/list-users", func(w http.ResponseWriter, r *http.Request) { reply(w, 200, `{"users":[],"total":0}`) })
			if got := f.client.Dialect(); got != DialectKernia {
				t.Fatalf("before detection: %v", got)
			}
			// Two calls that depend on the dialect: one probe only.
			for range 2 {
				if _, _, err := f.client.Users.List(context.Background(), ListUsersOptions{Limit: 1}); err != nil {
					t.Fatal(err)
				}
			}
			if got := f.client.Dialect(); got != tt.want {
				t.Errorf("dialect = %v, want %v", got, tt.want)
			}
			var probes []string
			reqs := f.requests()
			for _, r := range reqs {
				if r.Path == "/api/auth/admin/list-users" {
					wantMethod := http.MethodPost
					if tt.want == DialectBetterAuth {
						wantMethod = http.MethodGet
					}
					if r.Method != wantMethod {
						t.Errorf("list-users sent as %s, want %s", r.Method, wantMethod)
					}
					continue
				}
				probes = append(probes, r.Path)
				if r.Header.Get("Authorization") != "" || r.Header.Get("x-api-key") != "" {
					t.Errorf("probe %s carried credentials", r.Path)
				}
			}
			if got := strings.Join(probes, ","); got != tt.probes {
				t.Errorf("probes = %s, want %s", got, tt.probes)
			}
			if len(reqs) != len(probes)+2 {
				t.Errorf("%d requests, want %d probes + 2 list-users", len(reqs), len(probes))
			}
		})
	}
}

// A dialect given with WithDialect is never probed; a failed probe means Kernia.
func TestDialectNoProbe(t *testing.T) {
	f := setup(t, WithDialectDetection(), WithDialect(DialectBetterAuth))
	f.mux.HandleFunc("GET /api/auth/admin/get-user", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"id":"u1","email":"a@example.com","createdAt":"2026-12-03T15:32:25.793Z"}`)
	})
	u, _, err := f.client.Users.Get(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if u.CreatedAt.Unix() != 1796311945 {
		t.Errorf("createdAt = %v", u.CreatedAt)
	}
	if reqs := f.wantRequests(1); reqs[0].Query != "id=u1" {
		t.Errorf("query = %q", reqs[0].Query)
	}

	g := setup(t, WithDialectDetection(), WithRetry(0, 0, 0))
	g.mux.HandleFunc("GET /api/auth/get-session", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	g.mux.HandleFunc("GET /api/auth/openapi.json", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	g.mux.HandleFunc("GET /api/auth/open-api/generate-schema", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	if d := g.client.ResolveDialect(context.Background()); d != DialectKernia {
		t.Errorf("failed probe: %v, want kernia", d)
	}
}

// Better Auth's stop-impersonating needs a browser cookie; the client checks the session is
// an impersonation and signs it out with the impersonation token itself (no cookie, no Origin:
// the fixture's guard fails the test on either).
func TestStopImpersonatingBetterAuth(t *testing.T) {
	f := setup(t, WithDialect(DialectBetterAuth))
	f.mux.HandleFunc("GET /api/auth/get-session", func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "Bearer imp-token":
			reply(w, 200, `{"session":{"id":"s1","impersonatedBy":"admin1"},"user":{"id":"u1"}}`)
		case "Bearer plain-token":
			reply(w, 200, `{"session":{"id":"s2","impersonatedBy":null},"user":{"id":"u1"}}`)
		default:
			reply(w, 200, "null")
		}
	})
	f.mux.HandleFunc("POST /api/auth/sign-out", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer imp-token" {
			t.Errorf("sign-out with %q", r.Header.Get("Authorization"))
		}
		reply(w, 200, `{"success":true}`)
	})
	ctx := context.Background()
	if _, err := f.client.Users.StopImpersonating(ctx, "imp-token"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.Users.StopImpersonating(ctx, "plain-token"); apiError(t, err).Code != "NOT_IMPERSONATING" {
		t.Errorf("plain session: %v", err)
	}
	if _, err := f.client.Users.StopImpersonating(ctx, "gone-token"); apiError(t, err).Status != 401 {
		t.Errorf("unknown token: %v", err)
	}
	for _, r := range f.requests() {
		if r.Path == "/api/auth/admin/stop-impersonating" {
			t.Error("Better Auth's cookie-only stop-impersonating was called")
		}
	}
}
