package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// kernia_api_key defaults (kernia-wire.md §6).
const (
	apiKeyHeader        = "x-api-key"
	apiKeyLength        = 64 // random letters after the prefix; also the minimum header length
	apiKeyStartLen      = 6
	apiKeyDefaultWindow = int64(24 * time.Hour / time.Millisecond)
	apiKeyDefaultMax    = 10
	apiKeyMinExpiresIn  = int64(24 * time.Hour / time.Second)
	apiKeyMaxExpiresIn  = 365 * apiKeyMinExpiresIn
	apiKeyMaxNameLen    = 32
	apiKeyMaxPrefixLen  = 32
	apiKeySessionMs     = int64(sessionLifetime / time.Millisecond)
)

// apiKey is one apikey row; the exported fields are the wire object
// (kernia-wire.md §6.2, milliseconds). The hash never travels.
type apiKey struct {
	ID                  string          `json:"id"`
	ConfigID            string          `json:"configId"`
	Name                *string         `json:"name"`
	Start               *string         `json:"start"`
	Prefix              *string         `json:"prefix"`
	ReferenceID         string          `json:"referenceId"`
	Enabled             bool            `json:"enabled"`
	RateLimitEnabled    bool            `json:"rateLimitEnabled"`
	RateLimitTimeWindow *int64          `json:"rateLimitTimeWindow"`
	RateLimitMax        *int64          `json:"rateLimitMax"`
	RequestCount        int64           `json:"requestCount"`
	Remaining           *int64          `json:"remaining"`
	RefillAmount        *int64          `json:"refillAmount"`
	RefillInterval      *int64          `json:"refillInterval"`
	LastRefillAt        *int64          `json:"lastRefillAt"`
	LastRequest         *int64          `json:"lastRequest"`
	ExpiresAt           *int64          `json:"expiresAt"`
	CreatedAt           int64           `json:"createdAt"`
	UpdatedAt           int64           `json:"updatedAt"`
	Permissions         json.RawMessage `json:"permissions"`
	Metadata            json.RawMessage `json:"metadata"`

	hash           string
	windowStart    *int64
	windowRequests int64
}

// createdAPIKey is an ApiKey plus the plaintext, answered once on creation.
type createdAPIKey struct {
	*apiKey
	Key string `json:"key"`
}

const apiKeyColumns = `id, configId, name, start, prefix, key, referenceId, enabled, rateLimitEnabled, rateLimitTimeWindow,
	rateLimitMax, requestCount, remaining, refillAmount, refillInterval, lastRefillAt, lastRequest, expiresAt, createdAt,
	updatedAt, permissions, metadata, windowStart, windowRequests`

func nullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

func intOrNil(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func rawOrNil(r json.RawMessage) any {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	return string(r)
}

func scanAPIKey(sc scanner) (*apiKey, error) {
	var (
		k                                            apiKey
		name, start, prefix, perms, meta             sql.NullString
		window, max, remaining, refillAmt, refillInt sql.NullInt64
		lastRefill, lastReq, expires, windowStart    sql.NullInt64
		enabled, rateLimitEnabled                    bool
	)
	if err := sc.Scan(&k.ID, &k.ConfigID, &name, &start, &prefix, &k.hash, &k.ReferenceID, &enabled, &rateLimitEnabled,
		&window, &max, &k.RequestCount, &remaining, &refillAmt, &refillInt, &lastRefill, &lastReq, &expires, &k.CreatedAt,
		&k.UpdatedAt, &perms, &meta, &windowStart, &k.windowRequests); err != nil {
		return nil, err
	}
	k.Name, k.Start, k.Prefix = nullStr(name), nullStr(start), nullStr(prefix)
	k.Enabled, k.RateLimitEnabled = enabled, rateLimitEnabled
	k.RateLimitTimeWindow, k.RateLimitMax, k.Remaining = nullInt(window), nullInt(max), nullInt(remaining)
	k.RefillAmount, k.RefillInterval, k.LastRefillAt = nullInt(refillAmt), nullInt(refillInt), nullInt(lastRefill)
	k.LastRequest, k.ExpiresAt, k.windowStart = nullInt(lastReq), nullInt(expires), nullInt(windowStart)
	if perms.Valid {
		k.Permissions = json.RawMessage(perms.String)
	}
	if meta.Valid {
		k.Metadata = json.RawMessage(meta.String)
	}
	return &k, nil
}

// getAPIKey returns the key with id (and owner, when owner != ""), or nil.
func getAPIKey(ctx context.Context, q dbtx, id, owner string) (*apiKey, error) {
	where, args := `id = ?`, []any{id}
	if owner != "" {
		where, args = where+` AND referenceId = ?`, append(args, owner)
	}
	k, err := scanAPIKey(q.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM apikey WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return k, err
}

func insertAPIKey(ctx context.Context, q dbtx, k *apiKey) error {
	_, err := q.ExecContext(ctx, `INSERT INTO apikey (`+apiKeyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.ConfigID, strOrNil(k.Name), strOrNil(k.Start), strOrNil(k.Prefix), k.hash, k.ReferenceID, k.Enabled,
		k.RateLimitEnabled, intOrNil(k.RateLimitTimeWindow), intOrNil(k.RateLimitMax), k.RequestCount, intOrNil(k.Remaining),
		intOrNil(k.RefillAmount), intOrNil(k.RefillInterval), intOrNil(k.LastRefillAt), intOrNil(k.LastRequest),
		intOrNil(k.ExpiresAt), k.CreatedAt, k.UpdatedAt, rawOrNil(k.Permissions), rawOrNil(k.Metadata),
		intOrNil(k.windowStart), k.windowRequests)
	return err
}

// randomFrom returns n characters drawn uniformly from alphabet.
func randomFrom(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+16)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic(err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

const (
	letters      = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alphanumeric = letters + "0123456789"
)

// sha256B64 is SHA-256, base64url without padding (Kernia's key hashing).
func sha256B64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *Server) nowMs() int64 { return s.now().UnixMilli() }

// keySpec is a validated create request.
type keySpec struct {
	name, prefix     *string
	expiresIn        int64 // seconds; 0 = no expiry
	permissions      json.RawMessage
	metadata         json.RawMessage
	rateLimitEnabled *bool
	window, max      *int64
	remaining        *int64
	refillAmount     *int64
	refillInterval   *int64
}

// serverOnlyKeyFields are the create/update fields a session caller may not
// set (snake_case, as normalised by the router).
var serverOnlyKeyFields = []string{"remaining", "refill_amount", "refill_interval", "rate_limit_enabled",
	"rate_limit_time_window", "rate_limit_max", "permissions"}

func errKey(status int, code string) *apiError { return errCode(status, code) }

// optInt reads an integer field; present but not an integer is 400.
func optInt(b body, key, wire string) (*int64, error) {
	if !b.has(key) {
		return nil, nil
	}
	n, ok := b.integer(key)
	if !ok {
		return nil, errInvalid(wire + " must be an integer")
	}
	return &n, nil
}

func optBool(b body, key, wire string) (*bool, error) {
	if !b.has(key) {
		return nil, nil
	}
	v, err := b.boolean(key, false)
	if err != nil {
		return nil, errInvalid(wire + " must be a boolean")
	}
	return &v, nil
}

// checkExpiresIn applies the 1–365 day bounds to seconds.
func checkExpiresIn(sec int64) error {
	if sec < apiKeyMinExpiresIn {
		return errKey(http.StatusBadRequest, "EXPIRES_IN_IS_TOO_SMALL")
	}
	if sec > apiKeyMaxExpiresIn {
		return errKey(http.StatusBadRequest, "EXPIRES_IN_IS_TOO_LARGE")
	}
	return nil
}

// optName reads name (or prefix) with its 1..max length rule; "" counts as
// absent.
func optLenString(b body, key, code string, max int) (*string, error) {
	v, ok, err := b.str(key)
	if err != nil {
		return nil, err
	}
	if !ok || v == "" {
		return nil, nil
	}
	if n := len([]rune(v)); n < 1 || n > max {
		return nil, errKey(http.StatusBadRequest, code)
	}
	return &v, nil
}

// validPermissions reports whether v is {resource: [action, ...]}.
func validPermissions(raw json.RawMessage) bool {
	var m map[string][]string
	return json.Unmarshal(raw, &m) == nil && m != nil
}

// parseKeySpec validates a create body (snake_case keys). server allows the
// server-only fields and metadata (dashboard); otherwise they are refused as
// Kernia refuses them for a session caller.
func parseKeySpec(b body, server bool) (*keySpec, error) {
	if !server {
		for _, f := range serverOnlyKeyFields {
			if b.has(f) {
				return nil, errKey(http.StatusBadRequest, "SERVER_ONLY_PROPERTY")
			}
		}
	}
	sp := &keySpec{}
	var err error
	if b.has("metadata") {
		if !server {
			return nil, errKey(http.StatusBadRequest, "METADATA_DISABLED")
		}
		var m map[string]any
		if json.Unmarshal(b["metadata"], &m) != nil || m == nil {
			return nil, errKey(http.StatusBadRequest, "INVALID_METADATA_TYPE")
		}
		sp.metadata = b["metadata"]
	}
	if sp.refillAmount, err = optInt(b, "refill_amount", "refillAmount"); err != nil {
		return nil, err
	}
	if sp.refillInterval, err = optInt(b, "refill_interval", "refillInterval"); err != nil {
		return nil, err
	}
	if sp.refillAmount != nil && sp.refillInterval == nil {
		return nil, errKey(http.StatusBadRequest, "REFILL_AMOUNT_AND_INTERVAL_REQUIRED")
	}
	if sp.refillInterval != nil && sp.refillAmount == nil {
		return nil, errKey(http.StatusBadRequest, "REFILL_INTERVAL_AND_AMOUNT_REQUIRED")
	}
	if sp.refillAmount != nil && (*sp.refillAmount < 1 || *sp.refillInterval < 1) {
		return nil, errInvalid("refillAmount and refillInterval must be positive")
	}
	if b.has("expires_in") {
		n, ok := b.integer("expires_in")
		if !ok {
			return nil, errInvalid("expiresIn must be an integer (seconds)")
		}
		if n != 0 {
			if err := checkExpiresIn(n); err != nil {
				return nil, err
			}
		}
		sp.expiresIn = n
	}
	if sp.prefix, err = optLenString(b, "prefix", "INVALID_PREFIX_LENGTH", apiKeyMaxPrefixLen); err != nil {
		return nil, err
	}
	if sp.name, err = optLenString(b, "name", "INVALID_NAME_LENGTH", apiKeyMaxNameLen); err != nil {
		return nil, err
	}
	if b.has("permissions") {
		if !validPermissions(b["permissions"]) {
			return nil, errInvalid("permissions must be an object of string arrays")
		}
		sp.permissions = b["permissions"]
	}
	if sp.rateLimitEnabled, err = optBool(b, "rate_limit_enabled", "rateLimitEnabled"); err != nil {
		return nil, err
	}
	if sp.window, err = optInt(b, "rate_limit_time_window", "rateLimitTimeWindow"); err != nil {
		return nil, err
	}
	if sp.window != nil && *sp.window < 1 {
		return nil, errInvalid("rateLimitTimeWindow must be a positive number of milliseconds")
	}
	if sp.max, err = optInt(b, "rate_limit_max", "rateLimitMax"); err != nil {
		return nil, err
	}
	if sp.max != nil && *sp.max < 0 {
		return nil, errInvalid("rateLimitMax must not be negative")
	}
	if sp.remaining, err = optInt(b, "remaining", "remaining"); err != nil {
		return nil, err
	}
	if sp.remaining != nil && *sp.remaining < 0 {
		return nil, errInvalid("remaining must not be negative")
	}
	return sp, nil
}

// newAPIKey builds (does not store) a key for owner from sp, returning it
// and its plaintext.
func newAPIKey(owner string, sp *keySpec, nowMs int64) (*apiKey, string) {
	prefix := ""
	if sp.prefix != nil {
		prefix = *sp.prefix
	}
	plain := prefix + randomFrom(letters, apiKeyLength)
	start := plain[:apiKeyStartLen]
	window, max := apiKeyDefaultWindow, int64(apiKeyDefaultMax)
	if sp.window != nil {
		window = *sp.window
	}
	if sp.max != nil {
		max = *sp.max
	}
	k := &apiKey{
		ID: newID(), ConfigID: "default", Name: sp.name, Start: &start, Prefix: sp.prefix, ReferenceID: owner,
		Enabled: true, RateLimitEnabled: true, RateLimitTimeWindow: &window, RateLimitMax: &max,
		Remaining: sp.remaining, RefillAmount: sp.refillAmount, RefillInterval: sp.refillInterval,
		CreatedAt: nowMs, UpdatedAt: nowMs, Permissions: sp.permissions, Metadata: sp.metadata, hash: sha256B64(plain),
	}
	if sp.rateLimitEnabled != nil {
		k.RateLimitEnabled = *sp.rateLimitEnabled
	}
	if sp.expiresIn > 0 {
		exp := nowMs + sp.expiresIn*1000
		k.ExpiresAt = &exp
	}
	return k, plain
}

// purgeExpiredKeys deletes every expired key (Kernia does it on each
// create/get/list/update/delete).
func (s *Server) purgeExpiredKeys(ctx context.Context, q dbtx, nowMs int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM apikey WHERE expiresAt IS NOT NULL AND expiresAt < ?`, nowMs)
	return err
}

// keyFailure is a refused key use: the error to answer and, for the usage
// history, the key id (empty when the row is gone).
func keyFailure(status int, code string) *apiError {
	if code == "RATE_LIMITED" {
		return errMsg(status, code, "Rate limit exceeded.")
	}
	return errCode(status, code)
}

func recordUsage(ctx context.Context, q dbtx, keyID string, at int64, path string, status int) error {
	_, err := q.ExecContext(ctx, `INSERT INTO apikeyUsage (keyId, at, path, status) VALUES (?, ?, ?, ?)`,
		keyID, at, path, status)
	return err
}

// permitted reports whether granted covers every action of required.
func permitted(granted json.RawMessage, required map[string][]string) bool {
	var g map[string][]string
	if len(required) > 0 && json.Unmarshal(granted, &g) != nil {
		return false
	}
	for res, actions := range required {
		have := map[string]bool{}
		for _, a := range g[res] {
			have[a] = true
		}
		for _, a := range actions {
			if !have[a] {
				return false
			}
		}
	}
	return true
}

// useAPIKey is Kernia's validate_api_key: it checks plaintext and consumes
// one use (requestCount, lastRequest, remaining, rate-limit window) in one
// transaction. A refusal is returned as fail. Refusals of a key that still
// exists, and successes when recordOK, are written to the usage history.
func (s *Server) useAPIKey(ctx context.Context, plaintext string, required map[string][]string, path string,
	recordOK bool) (k *apiKey, fail *apiError, err error) {
	now := s.nowMs()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		k, err = scanAPIKey(tx.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM apikey WHERE key = ?`, sha256B64(plaintext)))
		if errors.Is(err, sql.ErrNoRows) {
			k, fail = nil, keyFailure(http.StatusUnauthorized, "INVALID_API_KEY")
			return nil
		}
		if err != nil {
			return err
		}
		refuse := func(status int, code string) error {
			fail = keyFailure(status, code)
			return recordUsage(ctx, tx, k.ID, now, path, status)
		}
		drop := func(status int, code string) error {
			fail = keyFailure(status, code)
			_, err := tx.ExecContext(ctx, `DELETE FROM apikey WHERE id = ?`, k.ID)
			return err
		}
		if !k.Enabled {
			return refuse(http.StatusUnauthorized, "KEY_DISABLED")
		}
		if k.ExpiresAt != nil && now > *k.ExpiresAt {
			return drop(http.StatusUnauthorized, "KEY_EXPIRED")
		}
		if required != nil && !permitted(k.Permissions, required) {
			return refuse(http.StatusUnauthorized, "KEY_NOT_FOUND")
		}
		if k.Remaining != nil {
			if *k.Remaining <= 0 && k.RefillAmount == nil {
				return drop(http.StatusTooManyRequests, "USAGE_EXCEEDED")
			}
			if k.RefillAmount != nil && k.RefillInterval != nil {
				last := k.CreatedAt
				if k.LastRefillAt != nil {
					last = *k.LastRefillAt
				}
				if now-last > *k.RefillInterval {
					r, at := *k.RefillAmount, now
					k.Remaining, k.LastRefillAt = &r, &at
				}
			}
			if *k.Remaining <= 0 {
				return refuse(http.StatusTooManyRequests, "USAGE_EXCEEDED")
			}
		}
		if k.RateLimitEnabled && k.RateLimitTimeWindow != nil && k.RateLimitMax != nil {
			if k.windowStart == nil || now-*k.windowStart >= *k.RateLimitTimeWindow {
				ws := now
				k.windowStart, k.windowRequests = &ws, 0
			}
			if k.windowRequests >= *k.RateLimitMax {
				if err := refuse(http.StatusTooManyRequests, "RATE_LIMITED"); err != nil {
					return err
				}
				fail.data = map[string]any{"tryAgainIn": *k.windowStart + *k.RateLimitTimeWindow - now}
				return nil
			}
			k.windowRequests++
		}
		if k.Remaining != nil {
			r := *k.Remaining - 1
			k.Remaining = &r
		}
		k.RequestCount++
		k.LastRequest = &now
		if _, err := tx.ExecContext(ctx, `UPDATE apikey SET requestCount = ?, lastRequest = ?, remaining = ?, lastRefillAt = ?,
			windowStart = ?, windowRequests = ? WHERE id = ?`, k.RequestCount, now, intOrNil(k.Remaining),
			intOrNil(k.LastRefillAt), intOrNil(k.windowStart), k.windowRequests, k.ID); err != nil {
			return err
		}
		if recordOK {
			return recordUsage(ctx, tx, k.ID, now, path, http.StatusOK)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if fail != nil {
		return nil, fail, nil
	}
	return k, nil, nil
}

// apiKeyBeforeHook resolves the x-api-key header into a session
// (kernia-wire.md §1.4). It runs after the requires_session check, so it
// never helps a requires_session route.
func (s *Server) apiKeyBeforeHook(ctx context.Context, rq *request) (*authState, string, error) {
	if !s.apiKeySessions {
		return nil, "", nil
	}
	plain := rq.r.Header.Get(apiKeyHeader)
	if plain == "" {
		return nil, "", nil
	}
	if len(plain) < apiKeyLength {
		return nil, "", errCode(http.StatusForbidden, "INVALID_API_KEY")
	}
	k, fail, err := s.useAPIKey(ctx, plain, nil, rq.rt.path, false)
	if err != nil {
		return nil, "", err
	}
	if fail != nil {
		return nil, "", fail
	}
	u, err := s.getUser(ctx, s.db, "id", k.ReferenceID)
	if err != nil {
		return nil, "", err
	}
	if u == nil {
		return nil, "", errCode(http.StatusUnauthorized, "INVALID_REFERENCE_ID_FROM_API_KEY")
	}
	exp := s.nowMs() + apiKeySessionMs
	if k.ExpiresAt != nil {
		exp = *k.ExpiresAt
	}
	// The synthesized session: id = key id, expiresAt in ms. Its token is
	// left empty so no route can echo the plaintext key.
	sess := &session{ID: k.ID, UserID: u.ID, ExpiresAt: exp, CreatedAt: rq.now, UpdatedAt: rq.now}
	return &authState{session: sess, user: u}, k.ID, nil
}

// recordAPIKeyUse stores one accepted x-api-key request with its final
// status in the usage history.
func (s *Server) recordAPIKeyUse(keyID, path string, w http.ResponseWriter, rq *request) {
	status := http.StatusOK
	if rec, ok := w.(*statusRecorder); ok && rec.status != 0 {
		status = rec.status
	}
	// The request context may already be done; the row is still wanted.
	ctx := context.WithoutCancel(rq.r.Context())
	if err := recordUsage(ctx, s.db, keyID, s.nowMs(), path, status); err != nil && s.logger != nil {
		s.logMu.Lock()
		s.logger.Write([]byte("api key usage: " + err.Error() + "\n"))
		s.logMu.Unlock()
	}
}

// ---- Kernia /api-key/* routes ----

// POST /api-key/create
func (s *Server) apiKeyCreate(ctx context.Context, rq *request) (any, error) {
	if uid, ok, _ := rq.body.str("user_id"); ok && uid != rq.auth.user.ID {
		return nil, errCode(http.StatusUnauthorized, "UNAUTHORIZED_SESSION")
	}
	if rq.body.has("organization_id") {
		return nil, errCode(http.StatusInternalServerError, "ORGANIZATION_PLUGIN_REQUIRED")
	}
	sp, err := parseKeySpec(rq.body, false)
	if err != nil {
		return nil, err
	}
	now := s.nowMs()
	k, plain := newAPIKey(rq.auth.user.ID, sp, now)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.purgeExpiredKeys(ctx, tx, now); err != nil {
			return err
		}
		return insertAPIKey(ctx, tx, k)
	})
	if err != nil {
		return nil, err
	}
	return createdAPIKey{k, plain}, nil
}

// POST /api-key/verify {key, permissions?}: always 200.
func (s *Server) apiKeyVerify(ctx context.Context, rq *request) (any, error) {
	plain, err := rq.body.requiredStr("key")
	if err != nil {
		return nil, err
	}
	var required map[string][]string
	if rq.body.has("permissions") {
		if err := json.Unmarshal(rq.body["permissions"], &required); err != nil {
			return nil, errInvalid("permissions must be an object of string arrays")
		}
	}
	type verifyError struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	}
	type verifyResult struct {
		Valid bool         `json:"valid"`
		Error *verifyError `json:"error"`
		Key   *apiKey      `json:"key"`
	}
	k, fail, err := s.useAPIKey(ctx, plain, required, rq.rt.path, true)
	if err != nil {
		return nil, err
	}
	if fail != nil {
		return verifyResult{Error: &verifyError{fail.message, fail.code}}, nil
	}
	return verifyResult{Valid: true, Key: k}, nil
}

// GET /api-key/get?id=
func (s *Server) apiKeyGet(ctx context.Context, rq *request) (any, error) {
	id := rq.r.URL.Query().Get("id")
	if id == "" {
		return nil, errCode(http.StatusBadRequest, "KEY_NOT_FOUND")
	}
	if err := s.purgeExpiredKeys(ctx, s.db, s.nowMs()); err != nil {
		return nil, err
	}
	k, err := getAPIKey(ctx, s.db, id, rq.auth.user.ID)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, errCode(http.StatusNotFound, "KEY_NOT_FOUND")
	}
	return k, nil
}

// apiKeySortColumns is the allow-list for sortBy.
var apiKeySortColumns = map[string]bool{"id": true, "name": true, "start": true, "prefix": true, "enabled": true,
	"requestCount": true, "remaining": true, "lastRequest": true, "expiresAt": true, "createdAt": true, "updatedAt": true}

// GET /api-key/list?limit=&offset=&sortBy=&sortDirection=
func (s *Server) apiKeyList(ctx context.Context, rq *request) (any, error) {
	q := rq.r.URL.Query()
	var limit, offset *int64
	for _, p := range []struct {
		name string
		dst  **int64
	}{{"limit", &limit}, {"offset", &offset}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, errInvalid(p.name + " must be a non-negative integer")
			}
			*p.dst = &n
		}
	}
	order := "createdAt"
	if sb := q.Get("sortBy"); apiKeySortColumns[sb] {
		order = sb
	}
	dir := "ASC"
	if strings.EqualFold(q.Get("sortDirection"), "desc") {
		dir = "DESC"
	}
	if err := s.purgeExpiredKeys(ctx, s.db, s.nowMs()); err != nil {
		return nil, err
	}
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM apikey WHERE referenceId = ?`, rq.auth.user.ID).Scan(&total); err != nil {
		return nil, err
	}
	lim, off := int64(-1), int64(0)
	if limit != nil {
		lim = *limit
	}
	if offset != nil {
		off = *offset
	}
	keys, err := s.queryAPIKeys(ctx, `WHERE referenceId = ? ORDER BY `+order+` `+dir+`, id LIMIT ? OFFSET ?`,
		rq.auth.user.ID, lim, off)
	if err != nil {
		return nil, err
	}
	return struct {
		APIKeys []*apiKey `json:"apiKeys"`
		Total   int64     `json:"total"`
		Limit   *int64    `json:"limit"`
		Offset  *int64    `json:"offset"`
	}{keys, total, limit, offset}, nil
}

func (s *Server) queryAPIKeys(ctx context.Context, tail string, args ...any) ([]*apiKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM apikey `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*apiKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// POST /api-key/update {keyId, name?, enabled?, expiresIn?}
func (s *Server) apiKeyUpdate(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("key_id")
	if err != nil {
		return nil, errInvalid("keyId is required")
	}
	now := s.nowMs()
	var k *apiKey
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.purgeExpiredKeys(ctx, tx, now); err != nil {
			return err
		}
		if k, err = getAPIKey(ctx, tx, id, rq.auth.user.ID); err != nil {
			return err
		}
		if k == nil {
			return errCode(http.StatusNotFound, "KEY_NOT_FOUND")
		}
		for _, f := range serverOnlyKeyFields {
			if rq.body.has(f) {
				return errKey(http.StatusBadRequest, "SERVER_ONLY_PROPERTY")
			}
		}
		changed := false
		if rq.body.has("name") {
			name, err := optLenString(rq.body, "name", "INVALID_NAME_LENGTH", apiKeyMaxNameLen)
			if err != nil {
				return err
			}
			if name == nil {
				return errKey(http.StatusBadRequest, "INVALID_NAME_LENGTH")
			}
			k.Name, changed = name, true
		}
		if en, err := optBool(rq.body, "enabled", "enabled"); err != nil {
			return err
		} else if en != nil {
			k.Enabled, changed = *en, true
		}
		if rq.body.has("expires_in") {
			n, ok := rq.body.integer("expires_in")
			if !ok {
				return errInvalid("expiresIn must be an integer (seconds)")
			}
			if err := checkExpiresIn(n); err != nil {
				return err
			}
			exp := now + n*1000
			k.ExpiresAt, changed = &exp, true
		}
		if !changed {
			return errKey(http.StatusBadRequest, "NO_VALUES_TO_UPDATE")
		}
		k.UpdatedAt = now
		_, err := tx.ExecContext(ctx, `UPDATE apikey SET name = ?, enabled = ?, expiresAt = ?, updatedAt = ? WHERE id = ?`,
			strOrNil(k.Name), k.Enabled, intOrNil(k.ExpiresAt), k.UpdatedAt, k.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// POST /api-key/delete {keyId}
func (s *Server) apiKeyDelete(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.requiredStr("key_id")
	if err != nil {
		return nil, errInvalid("keyId is required")
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.purgeExpiredKeys(ctx, tx, s.nowMs()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM apikey WHERE id = ? AND referenceId = ?`, id, rq.auth.user.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errCode(http.StatusNotFound, "KEY_NOT_FOUND")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"success": true}, nil
}

// POST /api-key/delete-all-expired-api-keys (no session check, as in Kernia)
func (s *Server) apiKeyDeleteExpired(ctx context.Context, _ *request) (any, error) {
	if err := s.purgeExpiredKeys(ctx, s.db, s.nowMs()); err != nil {
		return map[string]any{"success": false, "error": "failed to delete expired keys"}, nil
	}
	return map[string]any{"success": true, "error": nil}, nil
}
