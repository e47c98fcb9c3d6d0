package sandbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// seedUser is one user of a fresh database.
type seedUser struct {
	email, name, role, banReason string
	verified, banned             bool
	passwordHash                 string
	ageDays                      int64
}

// demoUsers returns the 23 deterministic demo users of a fresh database:
// name, email, verified flag. Ivan Petrov is banned ("Spam").
func demoUsers() [][3]string {
	return [][3]string{
		{"Ada Lovelace", "ada.lovelace@example.com", "1"},
		{"Alan Turing", "alan.turing@example.com", "1"},
		{"Grace Hopper", "grace.hopper@example.com", "1"},
		{"Linus Torvalds", "linus.torvalds@example.org", "1"},
		{"Margaret Hamilton", "margaret.hamilton@example.com", "1"},
		{"Dennis Ritchie", "dennis.ritchie@example.net", "0"},
		{"Barbara Liskov", "barbara.liskov@example.com", "1"},
		{"Ken Thompson", "ken.thompson@example.org", "1"},
		{"Frances Allen", "frances.allen@example.com", "0"},
		{"Ivan Petrov", "ivan.petrov@example.ru", "1"},
		{"Sofia García", "sofia.garcia@example.es", "1"},
		{"Yuki Tanaka", "yuki.tanaka@example.jp", "1"},
		{"Amara Okafor", "amara.okafor@example.ng", "0"},
		{"Lukas Müller", "lukas.mueller@example.de", "1"},
		{"Chloé Martin", "chloe.martin@example.fr", "1"},
		{"Priya Sharma", "priya.sharma@example.in", "1"},
		{"Mateo Rossi", "mateo.rossi@example.it", "0"},
		{"Olivia Smith", "olivia.smith@example.co.uk", "1"},
		{"Noah Johnson", "noah.johnson@example.com", "1"},
		{"Fatima Zahra", "fatima.zahra@example.ma", "1"},
		{"Wei Chen", "wei.chen@example.cn", "0"},
		{"Emma Andersson", "emma.andersson@example.se", "1"},
		{"Diego Fernández", "diego.fernandez@example.mx", "1"},
	}
}

// seedUsers builds the SeedUserCount users of a fresh database, hashing the
// three distinct passwords once each.
func (s *Server) seedUsers() ([]seedUser, error) {
	adminHash, err := hashPassword(AdminPassword)
	if err != nil {
		return nil, err
	}
	userHash, err := hashPassword(UserPassword)
	if err != nil {
		return nil, err
	}
	demoHash, err := hashPassword(DemoPassword)
	if err != nil {
		return nil, err
	}
	out := []seedUser{
		{email: AdminEmail, name: "Sandbox Admin", role: "admin", verified: true, passwordHash: adminHash, ageDays: 400},
		{email: UserEmail, name: "Sandbox User", role: "user", verified: true, passwordHash: userHash, ageDays: 390},
	}
	for i, d := range demoUsers() {
		su := seedUser{name: d[0], email: d[1], role: "user", verified: d[2] == "1", passwordHash: demoHash, ageDays: int64(360 - 15*i)}
		if d[1] == "ivan.petrov@example.ru" {
			su.banned, su.banReason = true, "Spam"
		}
		out = append(out, su)
	}
	if len(out) != SeedUserCount {
		return nil, fmt.Errorf("sandbox: seed list has %d users, want %d", len(out), SeedUserCount)
	}
	return out, nil
}

func (s *Server) insertSeedUsers(ctx context.Context, tx *sql.Tx, users []seedUser) error {
	now := s.now().Unix()
	for _, su := range users {
		id := newID()
		created := now - su.ageDays*86400
		var banReason any
		if su.banned {
			banReason = su.banReason
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO "user" (`+userColumns+`) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, NULL)`,
			id, su.email, su.verified, su.name, created, created, su.role, su.banned, banReason); err != nil {
			return fmt.Errorf("sandbox: seed %s: %w", su.email, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO account (id, userId, providerId, accountId, password, createdAt, updatedAt)
			VALUES (?, ?, 'credential', ?, ?, ?, ?)`, newID(), id, id, su.passwordHash, created, created); err != nil {
			return fmt.Errorf("sandbox: seed %s: %w", su.email, err)
		}
	}
	return nil
}

// Seed adds n bulk users with realistic names, in one transaction. Bulk
// users have no password (no credential account), role "user", and emails
// of the form first.last.N@bulk.example.com, unique across calls.
func (s *Server) Seed(ctx context.Context, n int) error {
	if n < 0 {
		return errors.New("sandbox: Seed: negative user count")
	}
	if n == 0 {
		return nil
	}
	first, last := bulkFirstNames(), bulkLastNames()
	now := s.now().Unix()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var start int64
		var raw []byte
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'bulk_seq'`).Scan(&raw)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if start, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
				return fmt.Errorf("sandbox: corrupt bulk_seq: %w", err)
			}
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO "user" (`+userColumns+`) VALUES (?, ?, ?, ?, NULL, ?, ?, 'user', 0, NULL, NULL)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		ids := make([]byte, 16*1024)
		for i := 0; i < n; i++ {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if _, err := rand.Read(ids); err != nil {
					return err
				}
			}
			k := i % 1024
			id := base64.RawURLEncoding.EncodeToString(ids[k*16 : k*16+16])
			seq := start + int64(i) + 1
			f, l := first[seq%int64(len(first))], last[(seq/int64(len(first)))%int64(len(last))]
			email := fmt.Sprintf("%s.%s.%d@bulk.example.com", asciiLower(f), asciiLower(l), seq)
			created := now - (seq*7919)%(730*86400)
			if _, err := stmt.ExecContext(ctx, id, email, seq%5 != 0, f+" "+l, created, created); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('bulk_seq', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, []byte(strconv.FormatInt(start+int64(n), 10)))
		return err
	})
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		}
		return -1
	}, s)
}

func bulkFirstNames() []string {
	return []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
		"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen",
		"Mohammed", "Aisha", "Hiroshi", "Mei", "Olga", "Pierre", "Giulia", "Anders", "Ingrid", "Rahul",
		"Ananya", "Kwame", "Zanele", "Tomasz", "Agnieszka", "Pedro", "Lucia", "Omar", "Leila", "Sven",
		"Hannah", "Noah", "Emma", "Liam", "Olivia", "Mateo", "Sofia", "Elias", "Mia", "Arjun"}
}

func bulkLastNames() []string {
	return []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
		"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
		"Nakamura", "Kowalski", "Novak", "Okonkwo", "Mensah", "Haddad", "Khan", "Singh", "Patel", "Kim",
		"Nguyen", "Ivanova", "Schmidt", "Dubois", "Rossi", "Larsen", "Silva", "Costa", "Yilmaz", "Cohen"}
}
