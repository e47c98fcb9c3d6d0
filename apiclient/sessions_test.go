package apiclient

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const rawSessionToken = "RawTok_abcdefghijklmnopqrstuvwxyz0123456789AB"

func TestSessionNeverMarshalsToken(t *testing.T) {
	var s Session
	in := `{"id":"s1","userId":"u1","token":"` + rawSessionToken + `","expiresAt":1767830400,"ipAddress":null,"userAgent":"ua","createdAt":1767225600,"updatedAt":1767225600,"impersonatedBy":"admin1"}`
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	if s.Token != rawSessionToken || s.ImpersonatedBy != "admin1" || s.ExpiresAt.Unix() != 1767830400 {
		t.Fatalf("decoded %+v", s)
	}
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), rawSessionToken) || strings.Contains(string(out), `"token"`) {
		t.Errorf("marshalled session carries the token: %s", out)
	}
	if !strings.Contains(string(out), `"expiresAt":"2026-01-08T00:00:00Z"`) {
		t.Errorf("marshalled %s", out)
	}
}

func TestListForUserAndFind(t *testing.T) {
	f := setup(t)
	f.mux.HandleFunc("POST /api/auth/admin/list-user-sessions", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"sessions": []map[string]any{
			{"id": "s1", "userId": "u1", "token": rawSessionToken, "expiresAt": 1767830400},
			{"id": "s2", "userId": "u1", "token": "other", "expiresAt": 1767830400},
		}})
	})
	s, _, err := f.client.Sessions.FindForUser(context.Background(), "u1", "s1")
	if err != nil || s == nil || s.Token != rawSessionToken {
		t.Fatalf("FindForUser = %+v, %v", s, err)
	}
	if got := string(f.requests()[0].Body); got != `{"userId":"u1"}` {
		t.Errorf("body %s", got)
	}
	// The token is now known to the scrubber: errors and traces cannot show it.
	if got := f.client.Scrubber().Scrub("x " + rawSessionToken + " y"); strings.Contains(got, rawSessionToken) {
		t.Errorf("scrubber does not know the token: %q", got)
	}
	s, _, err = f.client.Sessions.FindForUser(context.Background(), "u1", "nope")
	if err != nil || s != nil {
		t.Fatalf("FindForUser(nope) = %+v, %v", s, err)
	}
}

func TestHasFamily(t *testing.T) {
	f := setup(t)
	f.mux.HandleFunc("GET /api/admin/capabilities", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"version": 1, "families": []string{"overview", "sessions"}})
	})
	if ok, err := f.client.Admin.HasFamily(context.Background(), "sessions"); !ok || err != nil {
		t.Errorf("sessions: %v, %v", ok, err)
	}
	if ok, err := f.client.Admin.HasFamily(context.Background(), "billing"); ok || err != nil {
		t.Errorf("billing: %v, %v", ok, err)
	}

	none := setup(t) // no dashboard at all: 404 is "not available", not an error
	if ok, err := none.client.Admin.HasFamily(context.Background(), "sessions"); ok || err != nil {
		t.Errorf("no dashboard: %v, %v", ok, err)
	}

	forbidden := setup(t)
	forbidden.mux.HandleFunc("GET /api/admin/capabilities", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 403, map[string]string{"code": "ADMIN_REQUIRED", "message": "ADMIN_REQUIRED"})
	})
	if _, err := forbidden.client.Admin.HasFamily(context.Background(), "sessions"); apiError(t, err).Status != 403 {
		t.Errorf("403 not returned: %v", err)
	}
}
