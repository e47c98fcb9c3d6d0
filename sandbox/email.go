package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Email client kinds and the secret field each one uses.
var emailKindSecret = map[string]string{"smtp": "password", "resend": "apiKey", "postmark": "token"}

var (
	emailClientIDRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	onlyAsterisksRe = regexp.MustCompile(`^\*+$`)
)

const (
	emailTestSubject = "kernia-admin test message"
	smtpTimeout      = 10 * time.Second
)

// Outbox statuses.
const (
	OutboxSent      = "sent"
	OutboxFailed    = "failed"
	OutboxSimulated = "simulated"
)

// OutboxMessage is one row of the emailOutbox table. It never holds a
// secret.
type OutboxMessage struct {
	ID        string  `json:"id"`
	ClientID  string  `json:"clientId"`
	Kind      string  `json:"kind"`
	To        string  `json:"to"`
	From      string  `json:"from"`
	Subject   string  `json:"subject"`
	Status    string  `json:"status"`
	Error     *string `json:"error"`
	MessageID string  `json:"messageId"`
	CreatedAt int64   `json:"createdAt"`
}

func errEmailClient(msg string) *apiError {
	return errMsg(http.StatusBadRequest, "INVALID_EMAIL_CLIENT", msg)
}

func errEmailClientNotFound(id string) *apiError {
	return errMsg(http.StatusNotFound, "EMAIL_CLIENT_NOT_FOUND", fmt.Sprintf("email client %q not found", id))
}

// clientSecretFields is the set of fields treated as secret in the
// dashboard's email view: the document's effective list plus the defaults
// (so a custom Kernia list can never expose a kind's secret here).
func clientSecretFields(row *configRow) []string {
	out := slices.Clone(row.effectiveSecrets(adminConfigEmailClients))
	for _, f := range defaultSecretFields(adminConfigEmailClients) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// fingerprint is "hmac:" and the first 8 hex digits of HMAC-SHA256(server secret, value).
// It is keyed so that nobody who reads it can confirm guesses of a weak password offline
// (an unkeyed sha256 prefix would allow that); it still changes when the secret does.
func (s *Server) fingerprint(value string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("email-secret-fingerprint:" + value))
	return "hmac:" + hex.EncodeToString(m.Sum(nil))[:8]
}

// dashClientView is a client with secrets redacted and a "secrets" map
// describing each top-level secret field it has.
func (s *Server) dashClientView(c map[string]any, secrets []string) map[string]any {
	view := redact(c, stringSet(secrets)).(map[string]any)
	info := map[string]any{}
	for _, f := range secrets {
		v, ok := c[f]
		if !ok || v == nil {
			continue
		}
		entry := map[string]any{"set": truthy(v)}
		if str, isStr := v.(string); isStr && str != "" {
			entry["fingerprint"] = s.fingerprint(str)
		} else if truthy(v) {
			if text, err := encodeJSON(v); err == nil {
				entry["fingerprint"] = s.fingerprint(text)
			}
		}
		info[f] = entry
	}
	view["secrets"] = info
	return view
}

// storedClients returns the clients list of the email-clients document.
func storedClients(row *configRow) ([]any, error) {
	v, ok := row.value["clients"]
	if !ok || v == nil {
		return []any{}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, errMsg(http.StatusConflict, "EMAIL_CONFIG_INVALID", "the stored email-clients document has a non-list clients value")
	}
	return list, nil
}

func clientID(c any) string {
	m, ok := c.(map[string]any)
	if !ok {
		return ""
	}
	id, _ := m["id"].(string)
	return id
}

// GET /api/admin/email/clients
func (s *Server) dashEmailClients(ctx context.Context, _ *request) (any, error) {
	row, err := readConfigRow(ctx, s.db, adminConfigEmailClients)
	if err != nil {
		return nil, err
	}
	list, err := storedClients(row)
	if err != nil {
		return nil, err
	}
	secrets := clientSecretFields(row)
	out := make([]any, 0, len(list))
	for _, c := range list {
		if m, ok := c.(map[string]any); ok {
			out = append(out, s.dashClientView(m, secrets))
		} else {
			out = append(out, redact(c, stringSet(secrets)))
		}
	}
	return map[string]any{"clients": out}, nil
}

// findMarker returns the name of a secret field holding only asterisks,
// anywhere inside v.
func findMarker(v any, secrets map[string]bool) string {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if str, ok := val.(string); ok && secrets[k] && onlyAsterisksRe.MatchString(str) {
				return k
			}
			if f := findMarker(val, secrets); f != "" {
				return f
			}
		}
	case []any:
		for _, val := range t {
			if f := findMarker(val, secrets); f != "" {
				return f
			}
		}
	}
	return ""
}

// validateEmailClient checks the merged client (request plus kept secrets).
func validateEmailClient(c map[string]any) error {
	id, _ := c["id"].(string)
	if !emailClientIDRe.MatchString(id) {
		return errEmailClient("id must match ^[A-Za-z0-9_.-]{1,64}$")
	}
	kind, _ := c["kind"].(string)
	secretField, ok := emailKindSecret[kind]
	if !ok {
		return errEmailClient(`kind must be "smtp", "resend" or "postmark"`)
	}
	from, _ := c["from"].(string)
	if err := checkAddress(from); err != nil {
		return errEmailClient("from must be an email address")
	}
	for _, f := range []string{"password", "apiKey", "token", "secret", "username", "host"} {
		if v, present := c[f]; present && v != nil {
			if _, isStr := v.(string); !isStr {
				return errEmailClient(f + " must be a string")
			}
		}
	}
	switch kind {
	case "smtp":
		if host, _ := c["host"].(string); strings.TrimSpace(host) == "" || strings.ContainsAny(host, " \r\n/") {
			return errEmailClient("smtp: host is required")
		}
		if !validPort(c["port"]) {
			return errEmailClient("smtp: port must be an integer between 1 and 65535")
		}
		switch c["tls"] {
		case "none", "starttls", "tls":
		default:
			return errEmailClient(`smtp: tls must be "none", "starttls" or "tls"`)
		}
	default:
		if v, _ := c[secretField].(string); v == "" {
			return errEmailClient(kind + ": " + secretField + " is required")
		}
	}
	return nil
}

func validPort(v any) bool {
	n, ok := v.(interface{ Int64() (int64, error) })
	if !ok {
		return false
	}
	p, err := n.Int64()
	return err == nil && p >= 1 && p <= 65535
}

// checkAddress accepts "a@b.c" or "Name <a@b.c>" without line breaks.
func checkAddress(s string) error {
	if s == "" || strings.ContainsAny(s, "\r\n") {
		return errors.New("invalid address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || !strings.Contains(a.Address, "@") {
		return errors.New("invalid address")
	}
	return nil
}

// POST /api/admin/email/clients/upsert {"client":{...}}
func (s *Server) dashUpsertEmailClient(ctx context.Context, rq *request) (any, error) {
	raw, ok := rq.body.any("client")
	if !ok {
		return nil, errInvalid("client is required")
	}
	in, ok := raw.(map[string]any)
	if !ok {
		return nil, errInvalid("client must be a JSON object")
	}
	var (
		view    map[string]any
		created bool
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		row, err := readConfigRow(ctx, tx, adminConfigEmailClients)
		if err != nil {
			return err
		}
		list, err := storedClients(row)
		if err != nil {
			return err
		}
		secrets := clientSecretFields(row)
		if f := findMarker(in, stringSet(secrets)); f != "" {
			return errMsg(http.StatusBadRequest, "REDACTED_SECRET", "refusing to store a redaction marker as "+f)
		}
		id, _ := in["id"].(string)
		if !emailClientIDRe.MatchString(id) {
			return errEmailClient("id must match ^[A-Za-z0-9_.-]{1,64}$")
		}
		idx := slices.IndexFunc(list, func(c any) bool { return clientID(c) == id })
		created = idx < 0
		next := make(map[string]any, len(in))
		var kept, updated []string
		for k, v := range in {
			if k == "secrets" {
				continue // the read-only view key of GET /email/clients
			}
			if v == nil && slices.Contains(secrets, k) {
				continue // null secret = keep stored
			}
			next[k] = v
		}
		if !created {
			if old, ok := list[idx].(map[string]any); ok {
				for _, f := range secrets {
					if _, given := next[f]; given {
						continue
					}
					if v, has := old[f]; has && v != nil {
						next[f] = v
						kept = append(kept, f)
					}
				}
			}
		}
		for _, f := range secrets {
			if v, given := in[f]; given && v != nil {
				updated = append(updated, f)
			}
		}
		if err := validateEmailClient(next); err != nil {
			return err
		}
		if created {
			list = append(list, next)
		} else {
			list[idx] = next
		}
		doc := make(map[string]any, len(row.value)+1)
		for k, v := range row.value {
			doc[k] = v
		}
		doc["clients"] = list
		// Never shrink the stored secret list; a custom list is extended with
		// the defaults so Kernia's own read keeps redacting every kind's secret.
		stored := row.secretFields
		if len(stored) > 0 {
			stored = secrets
		}
		if err := s.writeConfigRow(ctx, tx, adminConfigEmailClients, doc, stored); err != nil {
			return err
		}
		view = s.dashClientView(next, secrets)
		slices.Sort(kept)
		slices.Sort(updated)
		return s.audit(ctx, tx, rq.auth.user.ID, auditEmailClientUpsert, auditTargetEmailClient, id, map[string]any{
			"kind": next["kind"], "created": created, "secretsKept": nonNil(kept), "secretsUpdated": nonNil(updated),
		})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"client": view, "created": created}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// POST /api/admin/email/clients/delete {"id"}
func (s *Server) dashDeleteEmailClient(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("id")
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		row, err := readConfigRow(ctx, tx, adminConfigEmailClients)
		if err != nil {
			return err
		}
		list, err := storedClients(row)
		if err != nil {
			return err
		}
		idx := slices.IndexFunc(list, func(c any) bool { return clientID(c) == id })
		if idx < 0 {
			return errEmailClientNotFound(id)
		}
		kind, _ := list[idx].(map[string]any)["kind"].(string)
		row.value["clients"] = slices.Delete(list, idx, idx+1)
		if err := s.writeConfigRow(ctx, tx, adminConfigEmailClients, row.value, row.secretFields); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditEmailClientDelete, auditTargetEmailClient, id,
			map[string]any{"kind": kind})
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// POST /api/admin/email/test {"id","to"}
func (s *Server) dashEmailTest(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("id")
	if err != nil {
		return nil, err
	}
	to, err := rq.body.requiredStr("to")
	if err != nil {
		return nil, err
	}
	if checkAddress(to) != nil {
		return nil, errInvalid("to must be an email address")
	}
	row, err := readConfigRow(ctx, s.db, adminConfigEmailClients)
	if err != nil {
		return nil, err
	}
	list, err := storedClients(row)
	if err != nil {
		return nil, err
	}
	idx := slices.IndexFunc(list, func(c any) bool { return clientID(c) == id })
	if idx < 0 {
		return nil, errEmailClientNotFound(id)
	}
	client, _ := list[idx].(map[string]any)
	kind, _ := client["kind"].(string)
	from, _ := client["from"].(string)
	msg := OutboxMessage{ID: newID(), ClientID: id, Kind: kind, To: to, From: from, Subject: emailTestSubject,
		MessageID: "<" + newID() + "@kernia-admin.sandbox>", CreatedAt: s.now().Unix()}
	resp := map[string]any{"kind": kind, "outboxId": msg.ID, "messageId": msg.MessageID}
	var sendErr error
	switch kind {
	case "smtp":
		sendErr = sendSMTP(ctx, client, to, msg)
		if sendErr == nil {
			msg.Status = OutboxSent
		} else {
			msg.Status = OutboxFailed
			text := sendErr.Error()
			msg.Error = &text
		}
	default:
		msg.Status = OutboxSimulated
		resp["note"] = "simulated: the sandbox does not contact " + kind + "; the message was recorded in the outbox only"
	}
	resp["delivered"] = msg.Status == OutboxSent
	resp["status"] = msg.Status
	if err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.insertOutbox(ctx, tx, msg); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditEmailTest, auditTargetEmailClient, id,
			map[string]any{"kind": kind, "to": to, "status": msg.Status, "outboxId": msg.ID})
	}); err != nil {
		return nil, err
	}
	if sendErr != nil {
		e := errMsg(http.StatusBadGateway, "EMAIL_DELIVERY_FAILED", sendErr.Error())
		e.data = map[string]any{"outboxId": msg.ID}
		return nil, e
	}
	return resp, nil
}

func (s *Server) insertOutbox(ctx context.Context, q dbtx, m OutboxMessage) error {
	_, err := q.ExecContext(ctx, `INSERT INTO emailOutbox (id, clientId, kind, "to", "from", subject, status, error, messageId, createdAt)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.ClientID, m.Kind, m.To, m.From, m.Subject, m.Status, m.Error,
		m.MessageID, m.CreatedAt)
	return err
}

func (s *Server) queryOutbox(ctx context.Context, limit, offset int64) ([]OutboxMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, clientId, kind, "to", "from", subject, status, error, messageId, createdAt
		FROM emailOutbox ORDER BY createdAt DESC, rowid DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []OutboxMessage{}
	for rows.Next() {
		var (
			m    OutboxMessage
			text sql.NullString
		)
		if err := rows.Scan(&m.ID, &m.ClientID, &m.Kind, &m.To, &m.From, &m.Subject, &m.Status, &text, &m.MessageID, &m.CreatedAt); err != nil {
			return nil, err
		}
		m.Error = nullStr(text)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Outbox returns every recorded test message, newest first.
func (s *Server) Outbox(ctx context.Context) ([]OutboxMessage, error) {
	return s.queryOutbox(ctx, -1, 0)
}

// GET /api/admin/email/outbox?limit=&offset=
func (s *Server) dashEmailOutbox(ctx context.Context, rq *request) (any, error) {
	limit, offset, err := page(rq)
	if err != nil {
		return nil, err
	}
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM emailOutbox`).Scan(&total); err != nil {
		return nil, err
	}
	msgs, err := s.queryOutbox(ctx, limit, offset)
	if err != nil {
		return nil, err
	}
	return struct {
		Messages []OutboxMessage `json:"messages"`
		Total    int64           `json:"total"`
	}{msgs, total}, nil
}

// sendSMTP delivers the test message through the client's SMTP server:
// tls "none" (plain), "starttls" (STARTTLS required) or "tls" (implicit
// TLS). AUTH PLAIN is used only when a username is configured and the
// server offers it; net/smtp refuses to send credentials in clear to a
// host other than localhost. Every step has a 10 s deadline. Errors never
// contain the password.
func sendSMTP(ctx context.Context, c map[string]any, to string, m OutboxMessage) error {
	host, _ := c["host"].(string)
	port := 0
	if n, ok := c["port"].(interface{ Int64() (int64, error) }); ok {
		p, _ := n.Int64()
		port = int(p)
	}
	mode, _ := c["tls"].(string)
	username, _ := c["username"].(string)
	password, _ := c["password"].(string)
	addr := net.JoinHostPort(host, strconv.Itoa(port))

	dctx, cancel := context.WithTimeout(ctx, smtpTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	d := &net.Dialer{Timeout: smtpTimeout}
	if mode == "tls" {
		td := &tls.Dialer{NetDialer: d, Config: &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}}
		conn, err = td.DialContext(dctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(dctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect %s: %w", addr, err)
	}
	defer conn.Close()
	step := func() { conn.SetDeadline(time.Now().Add(smtpTimeout)) }
	step()
	sc, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("greeting from %s: %w", addr, err)
	}
	defer sc.Close()
	step()
	if err := sc.Hello("kernia-admin.sandbox"); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if mode == "starttls" {
		if ok, _ := sc.Extension("STARTTLS"); !ok {
			return errors.New("the server does not offer STARTTLS (tls mode starttls)")
		}
		step()
		if err := sc.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if ok, mechs := sc.Extension("AUTH"); ok && username != "" && slices.Contains(strings.Fields(strings.ToUpper(mechs)), "PLAIN") {
		step()
		if err := sc.Auth(smtp.PlainAuth("", username, password, host)); err != nil {
			return fmt.Errorf("AUTH PLAIN: %w", err)
		}
	}
	fromAddr, _ := mail.ParseAddress(m.From)
	toAddr, _ := mail.ParseAddress(to)
	step()
	if err := sc.Mail(fromAddr.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	step()
	if err := sc.Rcpt(toAddr.Address); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	step()
	w, err := sc.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	id, _ := c["id"].(string)
	body := strings.Join([]string{
		"From: " + m.From,
		"To: " + to,
		"Subject: " + m.Subject,
		"Date: " + time.Unix(m.CreatedAt, 0).UTC().Format(time.RFC1123Z),
		"Message-ID: " + m.MessageID,
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"This is a test message from kernia-admin, sent through the email client " + strconv.Quote(id) + ".",
		"",
	}, "\r\n")
	if _, err := w.Write([]byte(body)); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	step()
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	step()
	if err := sc.Quit(); err != nil {
		return fmt.Errorf("QUIT: %w", err)
	}
	return nil
}
