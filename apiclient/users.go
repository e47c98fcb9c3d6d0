package apiclient

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// UsersService covers the admin plugin's user routes.
type UsersService service

// User is the normalized user model (camelCase as on the wire; RFC 3339 times).
type User struct {
	ID            string  `json:"id"`
	Email         string  `json:"email"`
	Name          string  `json:"name"`
	EmailVerified bool    `json:"emailVerified"`
	Image         *string `json:"image"`
	Role          string  `json:"role"`
	Banned        bool    `json:"banned"`
	BanReason     *string `json:"banReason"`
	BanExpires    Time    `json:"banExpires"`
	CreatedAt     Time    `json:"createdAt"`
	UpdatedAt     Time    `json:"updatedAt"`
}

// ListUsersOptions are list-users' parameters (a JSON body on Kernia, a query on Better Auth).
type ListUsersOptions struct {
	SearchValue    string `json:"searchValue,omitempty"`
	SearchField    string `json:"searchField,omitempty"`
	SearchOperator string `json:"searchOperator,omitempty"`
	FilterField    string `json:"filterField,omitempty"`
	FilterValue    any    `json:"filterValue,omitempty"`
	FilterOperator string `json:"filterOperator,omitempty"`
	SortBy         string `json:"sortBy,omitempty"`
	SortDirection  string `json:"sortDirection,omitempty"`
	Limit          int    `json:"limit,omitempty"`
	Offset         int    `json:"offset,omitempty"`
}

// UserList is one page of list-users.
type UserList struct {
	Users  []User `json:"users"`
	Total  int    `json:"total"`
	Limit  *int   `json:"limit"`
	Offset *int   `json:"offset"`
}

func (s *UsersService) adminPath(route string) string { return AuthBase + "/admin/" + route }

// call sends a Kernia admin POST (or, for Better Auth reads, a GET with a query).
func (s *UsersService) call(ctx context.Context, route string, body any, idempotent bool, v any) (*Response, error) {
	return (*service)(s).adminCall(ctx, route, body, idempotent, v)
}

func (s *service) adminCall(ctx context.Context, route string, body any, idempotent bool, v any) (*Response, error) {
	if idempotent {
		ctx = Idempotent(ctx)
	}
	if isReadRoute(route) {
		ctx = ReadOnly(ctx)
	}
	if body == nil {
		body = struct{}{} // Kernia's get-user fails with 500 on an absent body: always send {}
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, AuthBase+"/admin/"+route, body)
	if err != nil {
		return nil, err
	}
	if _, isAck := v.(*ack); isAck {
		return s.client.doAck(req)
	}
	return s.client.Do(req, v)
}

func (s *service) getQuery(ctx context.Context, path string, q url.Values, v any) (*Response, error) {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	req, err := s.client.NewRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, v)
}

// isReadRoute reports the admin routes that change nothing although they are POST on Kernia.
func isReadRoute(route string) bool {
	switch route {
	case "list-users", "get-user", "list-user-sessions", "has-permission":
		return true
	}
	return false
}

func (o ListUsersOptions) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("searchValue", o.SearchValue)
	set("searchField", o.SearchField)
	set("searchOperator", o.SearchOperator)
	set("filterField", o.FilterField)
	if o.FilterValue != nil {
		set("filterValue", fmt.Sprint(o.FilterValue))
	}
	set("filterOperator", o.FilterOperator)
	set("sortBy", o.SortBy)
	set("sortDirection", o.SortDirection)
	setPage(q, o.Limit, o.Offset)
	return q
}

// List returns one page of users.
func (s *UsersService) List(ctx context.Context, opts ListUsersOptions) (*UserList, *Response, error) {
	var out UserList
	var resp *Response
	var err error
	if s.client.ResolveDialect(ctx) == DialectBetterAuth {
		resp, err = (*service)(s).getQuery(ctx, s.adminPath("list-users"), opts.query(), &out)
	} else {
		resp, err = s.call(ctx, "list-users", opts, true, &out)
	}
	if err != nil {
		return nil, resp, err
	}
	if out.Users == nil {
		out.Users = []User{}
	}
	return &out, resp, nil
}

// ListAll streams every matching user, one page of pageSize at a time (offset paging, as
// both servers offer neither cursors nor hasMore). Memory holds one page at most. A limit
// in opts caps the total number of users yielded (0 = no cap).
func (s *UsersService) ListAll(ctx context.Context, opts ListUsersOptions, pageSize int) iter.Seq2[*User, error] {
	return pages(opts.Offset, opts.Limit, pageSize, func(offset, limit int) ([]User, int, error) {
		page := opts
		page.Offset, page.Limit = offset, limit
		list, _, err := s.List(ctx, page)
		if err != nil {
			return nil, 0, err
		}
		return list.Users, list.Total, nil
	})
}

// Get returns one user by id.
func (s *UsersService) Get(ctx context.Context, id string) (*User, *Response, error) {
	var u User
	var resp *Response
	var err error
	if s.client.ResolveDialect(ctx) == DialectBetterAuth {
		resp, err = (*service)(s).getQuery(ctx, s.adminPath("get-user"), url.Values{"id": {id}}, &u)
	} else {
		resp, err = s.call(ctx, "get-user", map[string]string{"id": id}, true, &u)
	}
	if err != nil {
		return nil, resp, err
	}
	if u.ID == "" {
		return nil, resp, &APIError{Status: http.StatusNotFound, Code: "USER_NOT_FOUND", Message: "user not found", Path: s.adminPath("get-user")}
	}
	return &u, resp, nil
}

// GetByEmail returns one user by exact email.
func (s *UsersService) GetByEmail(ctx context.Context, email string) (*User, *Response, error) {
	if s.client.ResolveDialect(ctx) == DialectBetterAuth {
		list, resp, err := s.List(ctx, ListUsersOptions{FilterField: "email", FilterValue: email, FilterOperator: "eq", Limit: 1})
		if err != nil {
			return nil, resp, err
		}
		if len(list.Users) == 0 {
			return nil, resp, &APIError{Status: http.StatusNotFound, Code: "USER_NOT_FOUND", Message: "no user with email " + email}
		}
		return &list.Users[0], resp, nil
	}
	var u User
	resp, err := s.call(ctx, "get-user", map[string]string{"email": email}, true, &u)
	if err != nil {
		return nil, resp, err
	}
	return &u, resp, nil
}

type userEnvelope struct {
	User User `json:"user"`
}

// CreateUserRequest is create-user's body.
type CreateUserRequest struct {
	Email    string         `json:"email"`
	Name     string         `json:"name"`
	Password string         `json:"password,omitempty"`
	Role     any            `json:"role,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
}

// Create creates a user.
func (s *UsersService) Create(ctx context.Context, r CreateUserRequest) (*User, *Response, error) {
	var env userEnvelope
	resp, err := s.call(ctx, "create-user", r, false, &env)
	if err != nil {
		return nil, resp, err
	}
	return &env.User, resp, nil
}

// Update changes columns of a user (update-user returns a bare user).
func (s *UsersService) Update(ctx context.Context, id string, data map[string]any) (*User, *Response, error) {
	var u User
	resp, err := s.call(ctx, "update-user", map[string]any{"userId": id, "data": data}, true, &u)
	if err != nil {
		return nil, resp, err
	}
	return &u, resp, nil
}

// roleValue sends one role as a string and several as an array.
func roleValue(roles []string) any {
	if len(roles) == 1 {
		return roles[0]
	}
	return roles
}

// SetRole replaces a user's roles.
func (s *UsersService) SetRole(ctx context.Context, id string, roles []string) (*User, *Response, error) {
	var env userEnvelope
	resp, err := s.call(ctx, "set-role", map[string]any{"userId": id, "role": roleValue(roles)}, true, &env)
	if err != nil {
		return nil, resp, err
	}
	return &env.User, resp, nil
}

// SetPassword sets a user's password (Kernia answers {"status":true}).
func (s *UsersService) SetPassword(ctx context.Context, id, password string) (*Response, error) {
	s.client.scrubber.Add(password)
	return s.call(ctx, "set-user-password", map[string]string{"userId": id, "newPassword": password}, true, &ack{})
}

// BanOptions are ban-user's optional fields.
type BanOptions struct {
	Reason    string
	ExpiresIn time.Duration // 0 = the server default (permanent unless configured)
}

// Ban bans a user; the server deletes all of the user's sessions.
func (s *UsersService) Ban(ctx context.Context, id string, o BanOptions) (*User, *Response, error) {
	body := map[string]any{"userId": id}
	if o.Reason != "" {
		body["banReason"] = o.Reason
	}
	if o.ExpiresIn > 0 {
		body["banExpiresIn"] = int64(o.ExpiresIn.Round(time.Second) / time.Second)
	}
	var env userEnvelope
	resp, err := s.call(ctx, "ban-user", body, true, &env)
	if err != nil {
		return nil, resp, err
	}
	return &env.User, resp, nil
}

// Unban lifts a ban.
func (s *UsersService) Unban(ctx context.Context, id string) (*User, *Response, error) {
	var env userEnvelope
	resp, err := s.call(ctx, "unban-user", map[string]string{"userId": id}, true, &env)
	if err != nil {
		return nil, resp, err
	}
	return &env.User, resp, nil
}

// Remove deletes a user with its sessions and accounts.
func (s *UsersService) Remove(ctx context.Context, id string) (*Response, error) {
	return s.call(ctx, "remove-user", map[string]string{"userId": id}, false, &ack{})
}

// Impersonation is impersonate-user's answer. Session.Token holds the raw token from the body;
// SignedToken the signed value from set-auth-token.
type Impersonation struct {
	Session     Session `json:"session"`
	User        User    `json:"user"`
	SignedToken string  `json:"-"`
}

// Impersonate creates an impersonation session for a user.
func (s *UsersService) Impersonate(ctx context.Context, id string) (*Impersonation, *Response, error) {
	var out Impersonation
	resp, err := s.call(ctx, "impersonate-user", map[string]string{"userId": id}, false, &out)
	if err != nil {
		return nil, resp, err
	}
	out.SignedToken = resp.Header.Get("set-auth-token")
	s.client.scrubber.Add(out.SignedToken)
	s.client.scrubber.Add(out.Session.Token)
	return &out, resp, nil
}

// StopImpersonating ends an impersonation session. It is sent with the impersonation token,
// not the admin's.
//
// Better Auth ends an impersonation only with the admin_session cookie that the impersonate
// answer set in a browser, plus an Origin header; with a bearer token alone it answers 500
// "Failed to find admin session". kernia-admin never sends cookies, so on Better Auth it
// checks that the token's session is an impersonation (get-session: impersonatedBy set) and
// signs that session out with the token itself (POST /sign-out). The server state is the
// same: the impersonation session is gone, the admin's own session was never touched.
func (s *UsersService) StopImpersonating(ctx context.Context, impersonationToken string) (*Response, error) {
	s.client.scrubber.Add(impersonationToken)
	if s.client.ResolveDialect(ctx) == DialectBetterAuth {
		return s.stopImpersonatingBetterAuth(ctx, impersonationToken)
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, s.adminPath("stop-impersonating"), struct{}{})
	if err != nil {
		return nil, err
	}
	return s.client.Do(req.WithContext(WithBearer(ctx, impersonationToken)), nil)
}

// HasPermission asks whether the caller holds every listed permission.
func (s *UsersService) HasPermission(ctx context.Context, perms map[string][]string) (bool, *Response, error) {
	var out struct {
		Success bool `json:"success"`
	}
	resp, err := s.call(ctx, "has-permission", map[string]any{"permissions": perms}, true, &out)
	if err != nil {
		return false, resp, err
	}
	return out.Success, resp, nil
}

func (s *UsersService) stopImpersonatingBetterAuth(ctx context.Context, token string) (*Response, error) {
	bctx := WithBearer(ctx, token)
	var cur *CurrentSession
	resp, err := (*service)(s).getQuery(bctx, AuthBase+"/get-session?disableRefresh=true", nil, &cur)
	if err != nil {
		return resp, err
	}
	path := s.adminPath("stop-impersonating")
	if cur == nil || cur.Session.ID == "" {
		return resp, &APIError{Status: http.StatusUnauthorized, Code: "UNAUTHORIZED", Message: "no session for this token", Method: http.MethodPost, Path: path}
	}
	if cur.Session.ImpersonatedBy == "" {
		return resp, &APIError{Status: http.StatusBadRequest, Code: "NOT_IMPERSONATING", Message: "the session is not an impersonation session", Method: http.MethodPost, Path: path}
	}
	req, err := s.client.NewRequest(bctx, http.MethodPost, AuthBase+"/sign-out", struct{}{})
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, nil)
}
