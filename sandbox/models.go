package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// user is a full user row as it travels on the wire.
type user struct {
	ID            string  `json:"id"`
	Email         string  `json:"email"`
	EmailVerified bool    `json:"emailVerified"`
	Name          *string `json:"name"`
	Image         *string `json:"image"`
	CreatedAt     int64   `json:"createdAt"`
	UpdatedAt     int64   `json:"updatedAt"`
	Role          *string `json:"role"`
	Banned        bool    `json:"banned"`
	BanReason     *string `json:"banReason"`
	BanExpires    *int64  `json:"banExpires"`
}

// userColumns is the select list matching scanUser, in table order.
const userColumns = `id, email, emailVerified, name, image, createdAt, updatedAt, role, banned, banReason, banExpires`

// userColumnKind reports the kind of a user column. It is the allow-list for
// every caller-chosen column name (search, filter, sort, update data).
func userColumnKind(name string) (columnKind, bool) {
	switch name {
	case "id", "email", "name", "image", "role", "banReason":
		return colText, true
	case "createdAt", "updatedAt", "banExpires":
		return colInt, true
	case "emailVerified", "banned":
		return colBool, true
	}
	return 0, false
}

type columnKind int

const (
	colText columnKind = iota
	colInt
	colBool
)

type scanner interface{ Scan(dest ...any) error }

// userScan holds scan destinations for userColumns.
type userScan struct {
	u                            user
	name, image, role, banReason sql.NullString
	banExpires                   sql.NullInt64
	emailVerified, banned        sql.NullBool
}

func (x *userScan) dest() []any {
	return []any{&x.u.ID, &x.u.Email, &x.emailVerified, &x.name, &x.image, &x.u.CreatedAt, &x.u.UpdatedAt,
		&x.role, &x.banned, &x.banReason, &x.banExpires}
}

func (x *userScan) user() *user {
	u := x.u
	u.EmailVerified = x.emailVerified.Bool
	u.Banned = x.banned.Bool
	u.Name, u.Image, u.Role, u.BanReason = nullStr(x.name), nullStr(x.image), nullStr(x.role), nullStr(x.banReason)
	if x.banExpires.Valid {
		v := x.banExpires.Int64
		u.BanExpires = &v
	}
	return &u
}

func scanUser(sc scanner) (*user, error) {
	var x userScan
	if err := sc.Scan(x.dest()...); err != nil {
		return nil, err
	}
	return x.user(), nil
}

func nullStr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	s := v.String
	return &s
}

func strOrNil(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// roles splits the comma-separated role column.
func (u *user) roles() []string {
	if u.Role == nil || strings.TrimSpace(*u.Role) == "" {
		return []string{"user"}
	}
	var out []string
	for _, r := range strings.Split(*u.Role, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// hasRole reports whether the role list contains any of names.
func (u *user) hasRole(names ...string) bool {
	for _, r := range u.roles() {
		for _, n := range names {
			if r == n {
				return true
			}
		}
	}
	return false
}

func (u *user) isAdmin() bool {
	for _, r := range u.roles() {
		if r == "admin" {
			return true
		}
	}
	return false
}

// activeBan reports whether the user is banned at now.
func (u *user) activeBan(now int64) bool {
	return u.Banned && (u.BanExpires == nil || *u.BanExpires > now)
}

func (s *Server) getUser(ctx context.Context, q dbtx, where string, arg any) (*user, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM "user" WHERE `+where+` = ?`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return u, err
}

// session is a full session row as it travels on the wire.
type session struct {
	ID             string  `json:"id"`
	UserID         string  `json:"userId"`
	Token          string  `json:"token"`
	ExpiresAt      int64   `json:"expiresAt"`
	IPAddress      *string `json:"ipAddress"`
	UserAgent      *string `json:"userAgent"`
	CreatedAt      int64   `json:"createdAt"`
	UpdatedAt      int64   `json:"updatedAt"`
	ImpersonatedBy *string `json:"impersonatedBy"`
}

const sessionColumns = `id, userId, token, expiresAt, ipAddress, userAgent, createdAt, updatedAt, impersonatedBy`

// sessionScan holds scan destinations for sessionColumns.
type sessionScan struct {
	s                      session
	ip, ua, impersonatedBy sql.NullString
}

func (x *sessionScan) dest() []any {
	return []any{&x.s.ID, &x.s.UserID, &x.s.Token, &x.s.ExpiresAt, &x.ip, &x.ua, &x.s.CreatedAt, &x.s.UpdatedAt, &x.impersonatedBy}
}

func (x *sessionScan) session() *session {
	ss := x.s
	ss.IPAddress, ss.UserAgent, ss.ImpersonatedBy = nullStr(x.ip), nullStr(x.ua), nullStr(x.impersonatedBy)
	return &ss
}

func scanSession(sc scanner) (*session, error) {
	var x sessionScan
	if err := sc.Scan(x.dest()...); err != nil {
		return nil, err
	}
	return x.session(), nil
}

type sessionMeta struct {
	ipAddress string
	userAgent string
}

// createSession inserts a new session for userID and returns it.
func (s *Server) createSession(ctx context.Context, q dbtx, userID string, meta sessionMeta, lifetime time.Duration, impersonatedBy string) (*session, error) {
	now := s.now().Unix()
	ss := &session{
		ID:        newID(),
		UserID:    userID,
		Token:     newToken(),
		ExpiresAt: now + int64(lifetime/time.Second),
		CreatedAt: now,
		UpdatedAt: now,
	}
	if meta.ipAddress != "" {
		ss.IPAddress = &meta.ipAddress
	}
	if meta.userAgent != "" {
		ss.UserAgent = &meta.userAgent
	}
	if impersonatedBy != "" {
		ss.ImpersonatedBy = &impersonatedBy
	}
	_, err := q.ExecContext(ctx, `INSERT INTO session (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ss.ID, ss.UserID, ss.Token, ss.ExpiresAt, strOrNil(ss.IPAddress), strOrNil(ss.UserAgent), ss.CreatedAt, ss.UpdatedAt,
		strOrNil(ss.ImpersonatedBy))
	if err != nil {
		return nil, err
	}
	return ss, nil
}

// userSession is the {"user","session"} answer of sign-up.
type userSession struct {
	User    any         `json:"user"`
	Session sessionView `json:"session"`
}

// sessionUser is the {"session","user"} answer of get-session.
type sessionUser struct {
	Session sessionView `json:"session"`
	User    *user       `json:"user"`
}

// sessionView is the {id, expiresAt} view of sign-in and get-session.
type sessionView struct {
	ID        string `json:"id"`
	ExpiresAt int64  `json:"expiresAt"`
}
