package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const fakeUserCount = 1234

func fakeUser(i int) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("u%04d", i), "email": fmt.Sprintf("user%04d@example.com", i), "name": "User " + strconv.Itoa(i),
		"emailVerified": i%2 == 0, "role": "user", "banned": false, "createdAt": 1700000000 + i, "updatedAt": 1700000000 + i,
	}
}

// page answers one list-users page the way both servers do: total ignores limit/offset,
// limit/offset are echoed only when non-zero, no limit means everything.
func page(limit, offset int) map[string]any {
	users := []map[string]any{}
	end := fakeUserCount
	if limit > 0 {
		end = min(offset+limit, fakeUserCount)
	}
	for i := offset; i < end; i++ {
		users = append(users, fakeUser(i))
	}
	out := map[string]any{"users": users, "total": fakeUserCount}
	if limit > 0 {
		out["limit"] = limit
	}
	if offset > 0 {
		out["offset"] = offset
	}
	return out
}

// kerniaListUsers serves POST /admin/list-users with limit/offset in the JSON body.
func kerniaListUsers(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Limit  *int `json:"limit"`
			Offset *int `json:"offset"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("list-users body: %v", err)
		}
		limit, offset := 0, 0
		if body.Limit != nil {
			limit = *body.Limit
		}
		if body.Offset != nil {
			offset = *body.Offset
		}
		reply(w, http.StatusOK, page(limit, offset))
	}
}

// betterAuthListUsers serves GET /admin/list-users with limit/offset as query strings.
func betterAuthListUsers(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		num := func(k string) int {
			if q.Get(k) == "" {
				return 0
			}
			n, err := strconv.Atoi(q.Get(k))
			if err != nil {
				t.Errorf("%s=%q is not a number", k, q.Get(k))
			}
			return n
		}
		reply(w, http.StatusOK, page(num("limit"), num("offset")))
	}
}

type pageParams struct{ Limit, Offset int }

// params extracts limit/offset from each recorded list-users request.
func params(t *testing.T, reqs []recorded, dialect Dialect) []pageParams {
	t.Helper()
	var out []pageParams
	for _, r := range reqs {
		var p pageParams
		if dialect == DialectBetterAuth {
			if r.Method != http.MethodGet {
				t.Errorf("Better Auth list-users sent as %s", r.Method)
			}
			q, _ := parseQuery(r.Query)
			p.Limit, _ = strconv.Atoi(q["limit"])
			p.Offset, _ = strconv.Atoi(q["offset"])
			if _, ok := q["offset"]; ok && p.Offset == 0 {
				t.Errorf("offset=0 sent in the query %q", r.Query)
			}
		} else {
			if r.Method != http.MethodPost {
				t.Errorf("Kernia list-users sent as %s", r.Method)
			}
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Errorf("body %q: %v", r.Body, err)
			}
		}
		out = append(out, p)
	}
	return out
}

func parseQuery(raw string) (map[string]string, error) {
	out := map[string]string{}
	q, err := urlParseQuery(raw)
	for k, v := range q {
		out[k] = v[0]
	}
	return out, err
}

func TestListAll(t *testing.T) {
	t.Parallel()
	dialects := []struct {
		name    string
		dialect Dialect
		handler func(*testing.T) http.HandlerFunc
	}{
		{"kernia", DialectKernia, kerniaListUsers},
		{"better-auth", DialectBetterAuth, betterAuthListUsers},
	}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			t.Run("all users once in order", func(t *testing.T) {
				t.Parallel()
				f := setup(t, WithDialect(d.dialect))
				f.mux.HandleFunc("/api/auth/admin/list-users", d.handler(t))
				var ids []string
				for u, err := range f.client.Users.ListAll(context.Background(), ListUsersOptions{}, 100) {
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, u.ID)
				}
				want := make([]string, fakeUserCount)
				for i := range want {
					want[i] = fmt.Sprintf("u%04d", i)
				}
				if diff := cmp.Diff(want, ids); diff != "" {
					t.Errorf("ids mismatch (-want +got):\n%s", diff)
				}
				var wantPages []pageParams
				for off := 0; off < fakeUserCount; off += 100 {
					wantPages = append(wantPages, pageParams{Limit: 100, Offset: off})
				}
				if diff := cmp.Diff(wantPages, params(t, f.wantRequests(13), d.dialect)); diff != "" {
					t.Errorf("pages mismatch (-want +got):\n%s", diff)
				}
			})
			t.Run("consumer breaks early", func(t *testing.T) {
				t.Parallel()
				f := setup(t, WithDialect(d.dialect))
				f.mux.HandleFunc("/api/auth/admin/list-users", d.handler(t))
				n := 0
				for _, err := range f.client.Users.ListAll(context.Background(), ListUsersOptions{}, 100) {
					if err != nil {
						t.Fatal(err)
					}
					n++
					if n == 150 {
						break
					}
				}
				if n != 150 {
					t.Errorf("yielded %d, want 150", n)
				}
				f.wantRequests(2)
			})
			t.Run("limit caps", func(t *testing.T) {
				t.Parallel()
				f := setup(t, WithDialect(d.dialect))
				f.mux.HandleFunc("/api/auth/admin/list-users", d.handler(t))
				var ids []string
				for u, err := range f.client.Users.ListAll(context.Background(), ListUsersOptions{Limit: 250, Offset: 10}, 100) {
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, u.ID)
				}
				if len(ids) != 250 || ids[0] != "u0010" || ids[249] != "u0259" {
					t.Errorf("got %d users from %v to %v, want 250 from u0010 to u0259", len(ids), first(ids), last(ids))
				}
				want := []pageParams{{100, 10}, {100, 110}, {50, 210}}
				if diff := cmp.Diff(want, params(t, f.wantRequests(3), d.dialect)); diff != "" {
					t.Errorf("pages mismatch (-want +got):\n%s", diff)
				}
			})
			t.Run("error mid-way is yielded and stops", func(t *testing.T) {
				t.Parallel()
				f := setup(t, WithDialect(d.dialect))
				inner := d.handler(t)
				calls := 0
				f.mux.HandleFunc("/api/auth/admin/list-users", func(w http.ResponseWriter, r *http.Request) {
					calls++
					if calls == 3 {
						reply(w, http.StatusForbidden, `{"code":"FORBIDDEN","message":"not an admin"}`)
						return
					}
					inner(w, r)
				})
				n, errs := 0, 0
				for u, err := range f.client.Users.ListAll(context.Background(), ListUsersOptions{}, 100) {
					if err != nil {
						errs++
						if ae := apiError(t, err); ae.Status != 403 {
							t.Errorf("error = %v", err)
						}
						continue
					}
					if u == nil {
						t.Fatal("nil user without error")
					}
					n++
				}
				if n != 200 || errs != 1 {
					t.Errorf("yielded %d users and %d errors, want 200 and 1", n, errs)
				}
				f.wantRequests(3)
			})
		})
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func TestUserWireDialects(t *testing.T) {
	t.Parallel()
	want := User{ID: "u1", Email: "a@example.com", Name: "A", EmailVerified: true, Role: "admin",
		Banned: true, BanReason: Ptr("Spam"), BanExpires: Time{FromEpoch(1700086400)},
		CreatedAt: Time{FromEpoch(1700000000)}, UpdatedAt: Time{FromEpoch(1700000000).Add(793e6)}}
	for _, in := range []string{
		// Kernia: epoch seconds, image absent (memory adapter).
		`{"id":"u1","email":"a@example.com","name":"A","emailVerified":true,"role":"admin","banned":true,"banReason":"Spam","banExpires":1700086400,"createdAt":1700000000,"updatedAt":1700000000.793}`,
		// Better Auth: ISO strings with ms, image null.
		`{"id":"u1","email":"a@example.com","name":"A","emailVerified":true,"image":null,"role":"admin","banned":true,"banReason":"Spam","banExpires":"2023-11-15T22:13:20.000Z","createdAt":"2023-11-14T22:13:20.000Z","updatedAt":"2023-11-14T22:13:20.793Z"}`,
	} {
		var got User
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decode mismatch for %s (-want +got):\n%s", in, diff)
		}
	}
}

func urlParseQuery(raw string) (map[string][]string, error) { return url.ParseQuery(raw) }
