package sandbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// dbtx is satisfied by *sql.DB and *sql.Tx.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func openDB(ctx context.Context, path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	return db, nil
}

// migrate applies every embedded migration not yet recorded in
// schema_migrations, each in its own transaction, in file-name order.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, appliedAt INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sandbox: migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		src, err := migrationFS.ReadFile(name)
		if err != nil {
			return err
		}
		if err := applyMigration(ctx, db, version, string(src)); err != nil {
			return fmt.Errorf("sandbox: migration %s: %w", version, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, version, src string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, src); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, appliedAt) VALUES (?, unixepoch())`, version); err != nil {
		return err
	}
	return tx.Commit()
}

// init migrates the database, and on a new database creates the server
// secret and the seed users in one transaction. It then loads the secret.
func (s *Server) init(ctx context.Context) error {
	if err := migrate(ctx, s.db); err != nil {
		return err
	}
	dummy, err := hashPassword("sandbox-dummy-password")
	if err != nil {
		return err
	}
	s.dummyHash = dummy
	secret, err := s.loadSecret(ctx)
	if err == nil {
		s.secret = secret
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	seeds, err := s.seedUsers()
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have initialised the file meanwhile.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = 'secret'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('secret', ?)`, secret); err != nil {
			return err
		}
		if err := s.insertSeedUsers(ctx, tx, seeds); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.secret, err = s.loadSecret(ctx)
	return err
}

func (s *Server) loadSecret(ctx context.Context) ([]byte, error) {
	var secret []byte
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'secret'`).Scan(&secret); err != nil {
		return nil, err
	}
	if len(secret) != 32 {
		return nil, errors.New("sandbox: corrupt server secret")
	}
	return secret, nil
}

// inTx runs fn in a transaction.
func (s *Server) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// queryAll runs query and scans every row with scan; the result is never nil, so an empty
// list encodes as [] on the wire.
func queryAll[T any](ctx context.Context, q dbtx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
