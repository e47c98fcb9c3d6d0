package doctor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// A Kernia server without the open-api plugin, without admin-config and without the
// dashboard, whose session expires in two hours.
func TestDoctorProbeAndWarnings(t *testing.T) {
	now := time.Unix(1767225600, 0)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/auth/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) })
	mux.HandleFunc("GET /api/auth/get-session", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"session":{"id":"s1","expiresAt":%d},"user":{"id":"u1","email":"ops@example.com","role":"admin"}}`, now.Add(2*time.Hour).Unix())
	})
	mux.HandleFunc("POST /api/auth/admin/list-users", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"users":[{"id":"u1","email":"ops@example.com"}],"total":7,"limit":1,"offset":null}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		io.WriteString(w, `{"code":"NOT_FOUND"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ios, _, out, errOut := output.Test()
	opts := &doctorOptions{
		IO: ios, Now: func() time.Time { return now },
		APIClient: func(extra ...apiclient.Option) (*apiclient.Client, error) {
			return apiclient.NewClient(srv.URL, append([]apiclient.Option{apiclient.WithToken("tok")}, extra...)...)
		},
		AuthContext: func() cmdutil.AuthContext { return cmdutil.AuthContext{Mode: "token"} },
	}
	if err := doctorRun(context.Background(), opts); err != nil {
		t.Fatalf("doctorRun: %v (stderr %s)", err, errOut)
	}
	got := out.String()
	for _, want := range []string{
		"plugins\tok\tadmin, email-password (from probe)\n",
		"signed in\twarn\tas ops@example.com (role admin); expires 2026-01-01T02:00:00Z (in 2h 0m); sessions are never extended",
		"admin rights\tok\tadmin: can list users (7 in total)\n",
		"dashboard\twarn\tnot implemented (no /api/admin dashboard)",
		"sign-in methods\tskip\tadmin-config plugin not mounted\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestDoctorNotAdminExit4(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/auth/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) })
	mux.HandleFunc("GET /api/auth/get-session", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"session":{"id":"s1","expiresAt":4102444800},"user":{"id":"u2","email":"bob@example.com","role":"user"}}`)
	})
	mux.HandleFunc("POST /api/auth/admin/list-users", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		io.WriteString(w, `{"code":"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS","message":"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		io.WriteString(w, `{"code":"NOT_FOUND"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ios, _, out, _ := output.Test()
	opts := &doctorOptions{IO: ios, Now: time.Now, Format: output.Format{JSON: true},
		APIClient: func(extra ...apiclient.Option) (*apiclient.Client, error) {
			return apiclient.NewClient(srv.URL, append([]apiclient.Option{apiclient.WithToken("tok")}, extra...)...)
		},
	}
	err := doctorRun(context.Background(), opts)
	if code, _, _ := cmdutil.Describe(err, cmdutil.AuthContext{}); code != cmdutil.ExitForbidden {
		t.Fatalf("exit %d (%v), want 4", code, err)
	}
	if !strings.Contains(out.String(), `"detail": "not an admin (YOU_ARE_NOT_ALLOWED_TO_LIST_USERS)"`) {
		t.Errorf("stdout:\n%s", out)
	}
}
