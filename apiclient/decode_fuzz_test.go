package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzAPIError: any status, body and Retry-After header decode without a panic; the error
// keeps the status and always has a code; RouteMissing is set only for a 404 whose body is
// Kernia's message-less {"code":"NOT_FOUND"} or empty (Better Auth); RetryAfter is never
// negative for a non-negative number of seconds (a huge value must not wrap around into
// "retry at once"); Error() is one line when the server's text is.
func FuzzAPIError(f *testing.F) {
	for _, s := range []struct {
		status     int
		body, hdr  string
		headerName string
	}{
		{404, `{"code":"NOT_FOUND"}`, "", "Retry-After"},
		{404, `{"code":"NOT_FOUND","message":"user not found"}`, "", "Retry-After"},
		{404, ``, "", "Retry-After"},
		{404, `{"code":"NOT_FOUND","detail":"x"}`, "", "Retry-After"},
		{429, `{"code":"RATE_LIMITED","message":"Rate limit exceeded.","data":{"tryAgainIn":1500}}`, "", "Retry-After"},
		{429, `{"code":"RATE_LIMITED"}`, "2", "Retry-After"},
		{429, `{"message":"Too many requests"}`, "3", "X-Retry-After"},
		{429, `{}`, "Wed, 21 Oct 2015 07:28:00 GMT", "Retry-After"},
		{429, `{}`, "1e300", "Retry-After"},
		{429, `{"data":{"tryAgainIn":1e300}}`, "", "Retry-After"},
		{500, `{"code":"INTERNAL","message":"'NoneType' object has no attribute 'id'"}`, "", "Retry-After"},
		{400, `{"status":"400","detail":"bad filter","scimType":"invalidFilter"}`, "", "Retry-After"},
		{502, "<html>\nBad gateway\n</html>", "", "Retry-After"},
		{403, `{"code":1,"message":["a"],"error":{"x":1}}`, "", "Retry-After"},
		{401, `null`, "", "Retry-After"},
		{418, `[1,2]`, "", "Retry-After"},
	} {
		f.Add(s.status, []byte(s.body), s.hdr, s.headerName == "X-Retry-After")
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string, xHeader bool) {
		if status < 100 || status > 999 {
			status = 400 + (status%200+200)%200
		}
		h := http.Header{}
		name := "Retry-After"
		if xHeader {
			name = "X-Retry-After"
		}
		if retryAfter != "" {
			h.Set(name, retryAfter)
		}
		req := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/api/auth/admin/list-users"}}
		e := parseAPIError(&Response{Response: &http.Response{StatusCode: status, Header: h, Request: req}, Body: body})
		if e.Status != status {
			t.Fatalf("status %d, want %d", e.Status, status)
		}
		if e.Code == "" {
			t.Fatal("empty code")
		}
		_ = e.Error()

		trimmed := bytes.TrimSpace(body)
		var raw map[string]json.RawMessage
		wantMissing := false
		if status == http.StatusNotFound {
			if len(trimmed) == 0 {
				wantMissing = true
			} else if json.Unmarshal(trimmed, &raw) == nil {
				var code string
				_, hasMsg := raw["message"]
				_, hasDetail := raw["detail"]
				wantMissing = json.Unmarshal(raw["code"], &code) == nil && code == "NOT_FOUND" && !hasMsg && !hasDetail
			}
		}
		if e.RouteMissing != wantMissing {
			t.Fatalf("RouteMissing %v, want %v for %d %q", e.RouteMissing, wantMissing, status, body)
		}
		if e.RetryAfter < 0 {
			if strings.TrimSpace(retryAfter) != "" && !strings.HasPrefix(strings.TrimSpace(retryAfter), "-") && !strings.Contains(retryAfter, "GMT") && !strings.Contains(retryAfter, ",") {
				t.Fatalf("RetryAfter %v < 0 from header %q / body %q", e.RetryAfter, retryAfter, body)
			}
		}
	})
}

// FuzzUserList: any list-users answer either decodes into a list with a non-nil Users slice
// or fails with a *DecodeError (never a panic, never an empty success for an empty body).
func FuzzUserList(f *testing.F) {
	for _, s := range []string{
		`{"users":[{"id":"a","email":"a@x","createdAt":1700000000,"banExpires":null}],"total":1}`,
		`{"users":[{"id":"a","createdAt":"2026-01-02T03:04:05.678Z","updatedAt":1.7e12}],"total":1,"limit":1,"offset":0}`,
		`{"users":[],"total":0}`, `{"users":null}`, `{}`, ``, `null`, `[]`, `{"users":[{"id":`,
		`{"users":[{"id":1}]}`, `{"users":[{"createdAt":"garbage"}]}`, `{"users":[{"createdAt":1e400}]}`,
		`{"users":[{"banned":"yes"}]}`, `{"total":"5"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})}
		c, err := NewClient("http://127.0.0.1:1", WithHTTPClient(hc), WithRetry(0, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := c.Users.List(context.Background(), ListUsersOptions{Limit: 10})
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T %v, want *DecodeError", err, err)
			}
			return
		}
		if list.Users == nil {
			t.Fatal("nil Users on success")
		}
		if len(bytes.TrimSpace(body)) == 0 {
			t.Fatal("an empty body decoded as an empty list")
		}
		for _, u := range list.Users {
			b, err := json.Marshal(u)
			if err != nil {
				t.Fatalf("marshal %+v: %v", u, err)
			}
			var back map[string]any
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("re-decode %s: %v", b, err)
			}
		}
	})
}

// FuzzSession: whatever a session object holds, marshalling it never shows the token: the
// JSON is identical with and without it.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		`{"id":"s1","token":"tok_abcdefghijklmnop","userId":"u1","expiresAt":1700000000,"ipAddress":"127.0.0.1"}`,
		`{"id":"s1","token":null,"impersonatedBy":null}`, `{"token":"x","user":{"id":"u","email":"e"}}`,
		`{"id":{"token":"t"}}`, `{"token":123}`, `[]`, `null`, `{"current":true,"token":"abc"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var s Session
		if err := json.Unmarshal(body, &s); err != nil {
			return
		}
		with, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		s.Token = ""
		without, _ := json.Marshal(s)
		if !bytes.Equal(with, without) {
			t.Fatalf("the token changes the JSON: %s vs %s", with, without)
		}
		if bytes.Contains(with, []byte(`"token"`)) {
			t.Fatalf("a token key in %s", with)
		}
	})
}
