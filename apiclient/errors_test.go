package apiclient

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGetSessionNoSession(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, body string }{
		{"Kernia empty 200 body", ""},
		{"Better Auth null body", "null"},
		{"null with whitespace", " null\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.mux.HandleFunc("GET /api/auth/get-session", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Get("disableRefresh"); got != "true" {
					t.Errorf("disableRefresh = %q, want true", got)
				}
				reply(w, http.StatusOK, tt.body)
			})
			got, resp, err := f.client.Auth.GetSession(context.Background())
			if err != nil || got != nil {
				t.Fatalf("GetSession = %+v, %v; want nil, nil", got, err)
			}
			if resp == nil || resp.StatusCode != http.StatusOK {
				t.Errorf("response = %+v, want the 200", resp)
			}
			f.wantRequests(1)
		})
	}
}

func TestGetSessionDecodes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/auth/get-session", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, `{"session":{"id":"s1","expiresAt":1700604800},"user":{"id":"u1","email":"admin@example.com","name":"Admin","role":"admin","createdAt":1700000000}}`)
	})
	got, _, err := f.client.Auth.GetSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &CurrentSession{
		Session: Session{ID: "s1", ExpiresAt: Time{FromEpoch(1700604800)}},
		User:    User{ID: "u1", Email: "admin@example.com", Name: "Admin", Role: "admin", CreatedAt: Time{FromEpoch(1700000000)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetSession mismatch (-want +got):\n%s", diff)
	}
}

func TestErrorDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		status int
		header map[string]string
		body   string
		want   APIError
	}{
		{
			name: "route missing: NOT_FOUND without message", method: http.MethodPost, status: 404,
			body: `{"code":"NOT_FOUND"}`,
			want: APIError{Status: 404, Code: "NOT_FOUND", RouteMissing: true},
		},
		{
			name: "handler 404 with message", method: http.MethodPost, status: 404,
			body: `{"code":"USER_NOT_FOUND","message":"User not found"}`,
			want: APIError{Status: 404, Code: "USER_NOT_FOUND", Message: "User not found"},
		},
		{
			name: "handler NOT_FOUND with message is not a missing route", method: http.MethodPost, status: 404,
			body: `{"code":"NOT_FOUND","message":"Organization not found"}`,
			want: APIError{Status: 404, Code: "NOT_FOUND", Message: "Organization not found"},
		},
		{
			name: "SCIM envelope: status string and detail", method: http.MethodGet, status: 401,
			header: map[string]string{"www-authenticate": `Bearer realm="SCIM"`},
			body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"Invalid SCIM bearer token"}`,
			want:   APIError{Status: 401, Code: "UNAUTHORIZED", Message: "Invalid SCIM bearer token"},
		},
		{
			name: "SCIM 404 with detail is not a missing route", method: http.MethodGet, status: 404,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"User not found"}`,
			want: APIError{Status: 404, Code: "NOT_FOUND", Message: "User not found"},
		},
		{
			name: "empty 401 (Better Auth admin)", method: http.MethodGet, status: 401,
			body: "",
			want: APIError{Status: 401, Code: "UNAUTHORIZED", EmptyBody: true},
		},
		{
			name: "empty 404 (Better Auth unknown route)", method: http.MethodPost, status: 404,
			body: "",
			want: APIError{Status: 404, Code: "NOT_FOUND", EmptyBody: true, RouteMissing: true},
		},
		{
			name: "404 with a message is not a missing route (Better Auth USER_NOT_FOUND)", method: http.MethodGet, status: 404,
			body: `{"message":"User not found","code":"USER_NOT_FOUND"}`,
			want: APIError{Status: 404, Code: "USER_NOT_FOUND", Message: "User not found"},
		},
		{
			name: "500 INTERNAL with python text", method: http.MethodPost, status: 500,
			body: `{"code":"INTERNAL","message":"'NoneType' object has no attribute 'id'"}`,
			want: APIError{Status: 500, Code: "INTERNAL", Message: "'NoneType' object has no attribute 'id'"},
		},
		{
			name: "non-JSON error body: first line only", method: http.MethodPost, status: 400,
			body: "<html><body>Bad Request</body></html>\n<p>proxy says no</p>",
			want: APIError{Status: 400, Code: "BAD_REQUEST", Message: "<html><body>Bad Request</body></html>"},
		},
		{
			name: "message without code", method: http.MethodPost, status: 403,
			body: `{"message":"Too many requests. Please try again later."}`,
			want: APIError{Status: 403, Code: "FORBIDDEN", Message: "Too many requests. Please try again later."},
		},
		{
			name: "data is kept", method: http.MethodPost, status: 400,
			body: `{"code":"INVALID_REQUEST","message":"bad","data":{"field":"email"}}`,
			want: APIError{Status: 400, Code: "INVALID_REQUEST", Message: "bad", Data: []byte(`{"field":"email"}`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.mux.HandleFunc("/api/auth/x", func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				reply(w, tt.status, tt.body)
			})
			var body any
			if tt.method == http.MethodPost {
				body = struct{}{}
			}
			_, err := f.do(context.Background(), tt.method, "/api/auth/x", body, nil)
			got := apiError(t, err)
			want := tt.want
			want.Method, want.Path, want.Attempts = tt.method, baseURLPath+"/api/auth/x", 1
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("APIError mismatch (-want +got):\n%s", diff)
			}
			f.wantRequests(1)
		})
	}
}

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	err := error(&APIError{Status: 404, Code: "USER_NOT_FOUND"})
	if !errors.Is(err, &APIError{Status: 404}) || !errors.Is(err, &APIError{Code: "USER_NOT_FOUND"}) {
		t.Error("errors.Is does not match by status or by code")
	}
	if errors.Is(err, &APIError{Status: 403}) || errors.Is(err, &APIError{Code: "NOT_FOUND"}) {
		t.Error("errors.Is matches a different status or code")
	}
}

func TestDecodeErrorOnBadJSON(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("GET /api/auth/ok", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, `{"ok":tru`)
	})
	_, err := f.client.Meta.OK(context.Background())
	var de *DecodeError
	if !errors.As(err, &de) || de.Status != 200 || de.Path != baseURLPath+"/api/auth/ok" {
		t.Fatalf("error = %#v, want *DecodeError for %s/api/auth/ok", err, baseURLPath)
	}
}
