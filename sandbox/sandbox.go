// Package sandbox is a Kernia-compatible authentication server on SQLite.
//
// It reproduces on the wire the /api/auth routes kernia-admin uses (see
// kernia-wire.md) and implements the project's own /api/admin dashboard
// contract (docs/dashboard-api.yaml). Unlike Kernia it requires an admin on
// every admin route; every deliberate deviation is listed in DEVIATIONS.md.
package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Built-in accounts created with every new database, and the seed size.
const (
	AdminEmail    = "admin@sandbox.local"
	AdminPassword = "sandbox-admin-password"
	UserEmail     = "user@sandbox.local"
	UserPassword  = "sandbox-user-password"
	// DemoPassword is the password of the 23 demo users of a fresh database.
	DemoPassword = "sandbox-demo-password"
	// SeedUserCount is the number of users in a freshly created database:
	// the admin, the normal user and 23 demo users.
	SeedUserCount = 25
)

// Kernia defaults.
const (
	sessionLifetime       = 7 * 24 * time.Hour
	sessionUpdateAge      = 24 * time.Hour
	impersonationLifetime = time.Hour
	adminTokenMinLeft     = 24 * time.Hour
	defaultRateWindow     = 60 * time.Second
	defaultRateMax        = 100
	authPrefix            = "/api/auth"
	dashboardPrefix       = "/api/admin"
	bannedUserMessage     = "You have been banned from this application. Please contact support if you believe this is an error."
)

// RateLimit configures the per (path, actor) fixed-window limiter. The zero
// value disables it. Zero Window or Max mean Kernia's defaults (60 s, 100).
type RateLimit struct {
	Enabled bool
	Window  time.Duration
	Max     int
}

// Options configures a Server.
type Options struct {
	// Path is the SQLite file; it is created, migrated and seeded if new.
	Path string
	// BaseURL is the public origin, e.g. http://127.0.0.1:8787. It decides
	// the cookie Secure flag and the trusted origin of the CSRF check.
	// Default http://127.0.0.1.
	BaseURL string
	// RateLimit is disabled by its zero value.
	RateLimit RateLimit
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives one line per request (method, path, status, duration).
	// Bodies, headers, tokens and query strings are never logged.
	Logger io.Writer
	// NoDashboard removes every /api/admin route: they answer 404
	// {"code":"NOT_FOUND"} like a plain Kernia server without the dashboard.
	NoDashboard bool
	// NoAPIKeySessions turns off "x-api-key as a session" (kernia-wire.md
	// §1.4). The sandbox enables it by default (Kernia: off by default).
	NoAPIKeySessions bool
}

// Access is the access class of a route.
type Access int

// Access classes.
const (
	Public  Access = iota // no session needed
	Session               // any signed-in user
	Admin                 // a user whose role list contains "admin"
)

func (a Access) String() string {
	switch a {
	case Public:
		return "public"
	case Session:
		return "session"
	case Admin:
		return "admin"
	}
	return fmt.Sprintf("Access(%d)", int(a))
}

// Route is one (method, path) the handler serves.
type Route struct {
	Method string
	Path   string // as served, e.g. /api/auth/admin/list-users
	Access Access
}

// Server is a sandbox auth server. It is safe for concurrent use.
type Server struct {
	db             *sql.DB
	secret         []byte
	now            func() time.Time
	baseOrigin     string
	secure         bool
	logger         io.Writer
	logMu          sync.Mutex
	limiter        *rateLimiter
	routes         []*route
	index          map[string]*route
	dummyHash      string
	apiKeySessions bool
	closeOnce      sync.Once
	closeError     error
}

// Open opens (creating, migrating and seeding if new) the database at
// opts.Path and returns a Server.
func Open(ctx context.Context, opts Options) (*Server, error) {
	if opts.Path == "" {
		return nil, errors.New("sandbox: Options.Path is required")
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "http://127.0.0.1"
	}
	base, err := url.Parse(opts.BaseURL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("sandbox: invalid BaseURL %q", opts.BaseURL)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		now:            now,
		baseOrigin:     base.Scheme + "://" + base.Host,
		secure:         strings.HasPrefix(strings.ToLower(opts.BaseURL), "https"),
		logger:         opts.Logger,
		apiKeySessions: !opts.NoAPIKeySessions,
	}
	if opts.RateLimit.Enabled {
		s.limiter = newRateLimiter(opts.RateLimit)
	}
	db, err := openDB(ctx, opts.Path)
	if err != nil {
		return nil, err
	}
	s.db = db
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	for _, rt := range s.buildRoutes() {
		if opts.NoDashboard && rt.prefix == dashboardPrefix {
			continue
		}
		s.routes = append(s.routes, rt)
	}
	s.index = make(map[string]*route, len(s.routes))
	for _, rt := range s.routes {
		s.index[rt.method+" "+rt.fullPath()] = rt
	}
	return s, nil
}

// Handler returns the HTTP handler serving /api/auth and /api/admin.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Close closes the database.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeError = s.db.Close() })
	return s.closeError
}

// Routes lists every route the handler serves.
func (s *Server) Routes() []Route {
	out := make([]Route, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, Route{Method: rt.method, Path: rt.fullPath(), Access: rt.access})
	}
	return out
}

// AdminToken returns a signed bearer token (raw.sig) for the built-in admin.
// A session created earlier by this method is reused while it has more than
// a day left.
func (s *Server) AdminToken(ctx context.Context) (string, error) {
	now := s.now().Unix()
	var adminID string
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM "user" WHERE email = ?`, AdminEmail).Scan(&adminID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", errors.New("sandbox: built-in admin user not found")
		}
		return "", err
	}
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT s.token FROM meta m JOIN session s ON s.token = CAST(m.value AS TEXT)
		WHERE m.key = 'admin_token' AND s.userId = ? AND s.expiresAt > ? AND s.impersonatedBy IS NULL`,
		adminID, now+int64(adminTokenMinLeft/time.Second)).Scan(&raw)
	if err == nil {
		return s.sign(raw), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	sess, err := s.createSession(ctx, s.db, adminID, sessionMeta{userAgent: "kernia-admin sandbox"}, sessionLifetime, "")
	if err != nil {
		return "", err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('admin_token', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, sess.Token); err != nil {
		return "", err
	}
	return s.sign(sess.Token), nil
}

// AdminHasDefaultPassword reports whether the built-in admin still signs in
// with AdminPassword.
func (s *Server) AdminHasDefaultPassword(ctx context.Context) (bool, error) {
	var hash sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT a.password FROM account a JOIN "user" u ON u.id = a.userId
		WHERE u.email = ? AND a.providerId = 'credential'`, AdminEmail).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !hash.Valid {
		return false, nil
	}
	return verifyPassword(AdminPassword, hash.String), nil
}
