package sandbox

import (
	"bytes"
	"fmt"
	"go.yaml.in/yaml/v3"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLoggerNeverLogsSecrets(t *testing.T) {
	var log syncBuffer
	e := newEnv(t, func(o *Options) { o.Logger = &log })
	e.call("GET", "/api/auth/error?error=SECRET_QUERY", "", e.user)
	e.call("POST", "/api/auth/admin/set-user-password", mustJSON(map[string]string{"userId": e.userID, "newPassword": "logged-password?"}), e.admin)
	out := log.String()
	if !strings.Contains(out, "POST /api/auth/admin/set-user-password 200") {
		t.Fatalf("request not logged: %s", out)
	}
	for _, bad := range []string{"SECRET_QUERY", "logged-password", strings.Split(e.user, ".")[0], strings.Split(e.admin, ".")[0], UserPassword} {
		if strings.Contains(out, bad) {
			t.Fatalf("log holds %q:\n%s", bad, out)
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t)
	// post sends one request without the test helpers (which may call
	// t.Fatal, not allowed off the test goroutine).
	post := func(method, path, body string) (int, string, error) {
		req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		req.Header.Set("Authorization", "Bearer "+e.admin)
		res, err := e.ts.Client().Do(req)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res.StatusCode, string(b), err
	}
	var wg sync.WaitGroup
	errs := make(chan string, 200)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				var (
					status int
					b      string
					err    error
				)
				switch (i + j) % 4 {
				case 0:
					status, b, err = post("POST", "/api/auth/admin/list-users", `{"limit":10}`)
				case 1:
					status, b, err = post("POST", "/api/auth/admin/create-user",
						fmt.Sprintf(`{"email":"c%d-%d@concurrent.example","name":"C"}`, i, j))
				case 2:
					status, b, err = post("POST", "/api/auth/admin/impersonate-user", mustJSON(map[string]string{"userId": e.userID}))
				case 3:
					status, b, err = post("GET", "/api/admin/sessions", "")
				}
				if err != nil || status != 200 {
					errs <- fmt.Sprintf("%d %s %v", status, b, err)
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// TestDashboardContractCoversRoutes keeps docs/dashboard-api.yaml in step
// with the dashboard routes actually served, and checks that it is well-formed YAML
// without stray keys (an unquoted comma inside a { … } flow mapping splits a
// description into bogus keys).
func TestDashboardContractCoversRoutes(t *testing.T) {
	doc, err := os.ReadFile("../docs/dashboard-api.yaml")
	if err != nil {
		t.Fatalf("contract not found: %v", err)
	}
	var tree any
	if err := yaml.Unmarshal(doc, &tree); err != nil {
		t.Fatalf("docs/dashboard-api.yaml is not valid YAML: %v", err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, sub := range x {
				if strings.ContainsAny(k, " `") {
					t.Errorf("docs/dashboard-api.yaml: stray key %q under %s (quote the text)", k, path)
				}
				walk(path+"/"+k, sub)
			}
		case []any:
			for i, sub := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), sub)
			}
		}
	}
	walk("", tree)
	lines := strings.Split(string(doc), "\n")
	e := newEnv(t)
	for _, rt := range e.s.Routes() {
		rel, ok := strings.CutPrefix(rt.Path, dashboardPrefix)
		if !ok {
			continue
		}
		found := false
		for i, l := range lines {
			if l != "  "+rel+":" {
				continue
			}
			for _, next := range lines[i+1:] {
				if !strings.HasPrefix(next, "    ") {
					break
				}
				if next == "    "+strings.ToLower(rt.Method)+":" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("docs/dashboard-api.yaml lacks %s %s", rt.Method, rel)
		}
	}
}
