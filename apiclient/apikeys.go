package apiclient

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// APIKeysService covers Kernia's API-key plugin (kernia-wire.md §6: the caller's own keys)
// and the dashboard's "keys" family (every user's keys, create-for-user, rotate, revoke,
// usage history), which fills the gaps Kernia leaves.
type APIKeysService service

// APIKeys returns the API-key service of c.
func (c *Client) APIKeys() *APIKeysService { return (*APIKeysService)(&c.common) }

// KeysFamily is the dashboard route family of the all-user API-key routes.
const KeysFamily = "keys"

// APIKey is Kernia's API-key object (§6.2). Timestamps are epoch milliseconds on the wire and
// RFC 3339 here; the durations RateLimitTimeWindow and RefillInterval stay milliseconds, as
// on the wire. Key holds the plaintext, which only a create or rotate answer carries.
type APIKey struct {
	ID                  string          `json:"id"`
	ConfigID            string          `json:"configId,omitempty"`
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
	LastRefillAt        Time            `json:"lastRefillAt"`
	LastRequest         Time            `json:"lastRequest"`
	ExpiresAt           Time            `json:"expiresAt"`
	CreatedAt           Time            `json:"createdAt"`
	UpdatedAt           Time            `json:"updatedAt"`
	Permissions         json.RawMessage `json:"permissions"`
	Metadata            json.RawMessage `json:"metadata"`
	// Key is the plaintext key: present only in a create or rotate answer.
	Key string `json:"key,omitempty"`
	// User is the owner summary the dashboard attaches.
	User *SessionUser `json:"user,omitempty"`
}

// UnmarshalJSON decodes the wire object; Kernia sends permissions and metadata as objects
// or null, and sometimes metadata as a JSON string (it stores it as text).
func (k *APIKey) UnmarshalJSON(b []byte) error {
	type plain APIKey
	var aux plain
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*k = APIKey(aux)
	k.Permissions = normalizeRawObject(k.Permissions)
	k.Metadata = normalizeRawObject(k.Metadata)
	return nil
}

// normalizeRawObject turns a JSON string holding a JSON document into that document, and an
// absent value into null.
func normalizeRawObject(r json.RawMessage) json.RawMessage {
	if len(r) == 0 {
		return json.RawMessage("null")
	}
	if r[0] == '"' {
		var s string
		if json.Unmarshal(r, &s) == nil && json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
	}
	return r
}

func (s *APIKeysService) remember(k *APIKey) {
	if k != nil && k.Key != "" {
		s.client.scrubber.Add(k.Key)
	}
}

// CreateAPIKeyRequest is the body of POST /api-key/create (the caller's own key). Kernia
// refuses the server-only fields (rate limits, quotas, permissions) with a session: use
// CreateForUser for those.
type CreateAPIKeyRequest struct {
	Name      string         `json:"name,omitempty"`
	Prefix    string         `json:"prefix,omitempty"`
	ExpiresIn int64          `json:"expiresIn,omitempty"` // seconds
	Metadata  map[string]any `json:"metadata,omitempty"`
}

// Create makes a key owned by the caller (POST /api/auth/api-key/create). The answer carries
// the plaintext in Key, the only time it is ever returned.
func (s *APIKeysService) Create(ctx context.Context, r CreateAPIKeyRequest) (*APIKey, *Response, error) {
	var out APIKey
	resp, err := (*service)(s).kpost(ctx, AuthBase+"/api-key/create", r, &out)
	if err != nil {
		return nil, resp, err
	}
	s.remember(&out)
	return &out, resp, nil
}

// APIKeyList is one page of keys.
type APIKeyList struct {
	APIKeys []APIKey `json:"apiKeys"`
	Total   int      `json:"total"`
	Limit   *int     `json:"limit,omitempty"`
	Offset  *int     `json:"offset,omitempty"`
}

// List returns one page of the caller's own keys (GET /api/auth/api-key/list).
func (s *APIKeysService) List(ctx context.Context, limit, offset int) (*APIKeyList, *Response, error) {
	q := url.Values{}
	setPage(q, limit, offset)
	var out APIKeyList
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/api-key/list", q, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.APIKeys == nil {
		out.APIKeys = []APIKey{}
	}
	return &out, resp, nil
}

// Get returns one of the caller's own keys (GET /api/auth/api-key/get?id=). Another user's
// key is a 404, even for an admin.
func (s *APIKeysService) Get(ctx context.Context, id string) (*APIKey, *Response, error) {
	var out APIKey
	resp, err := (*service)(s).getQuery(ctx, AuthBase+"/api-key/get", url.Values{"id": {id}}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Update changes one of the caller's own keys (POST /api/auth/api-key/update).
func (s *APIKeysService) Update(ctx context.Context, id string, fields map[string]any) (*APIKey, *Response, error) {
	body := map[string]any{}
	for k, v := range fields {
		body[k] = v
	}
	body["keyId"] = id
	var out APIKey
	resp, err := (*service)(s).kpost(ctx, AuthBase+"/api-key/update", body, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Delete deletes one of the caller's own keys (POST /api/auth/api-key/delete).
func (s *APIKeysService) Delete(ctx context.Context, id string) (*Response, error) {
	return (*service)(s).kpost(Idempotent(ctx), AuthBase+"/api-key/delete", map[string]string{"keyId": id}, nil)
}

// AdminAPIKeyListOptions filter the dashboard's all-user key list.
type AdminAPIKeyListOptions struct {
	UserID string
	Limit  int
	Offset int
}

// AdminList returns one page of every user's keys, each with its owner (GET /api/admin/api-keys).
func (s *APIKeysService) AdminList(ctx context.Context, o AdminAPIKeyListOptions) (*APIKeyList, *Response, error) {
	q := url.Values{}
	if o.UserID != "" {
		q.Set("userId", o.UserID)
	}
	setPage(q, o.Limit, o.Offset)
	var out APIKeyList
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/api-keys", q, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.APIKeys == nil {
		out.APIKeys = []APIKey{}
	}
	return &out, resp, nil
}

// AdminListAll streams every key matching o through the dashboard, a page at a time; o.Limit
// caps the total (0 = no cap).
func (s *APIKeysService) AdminListAll(ctx context.Context, o AdminAPIKeyListOptions, pageSize int) iter.Seq2[*APIKey, error] {
	return pages(o.Offset, o.Limit, pageSize, func(offset, limit int) ([]APIKey, int, error) {
		p := o
		p.Offset, p.Limit = offset, limit
		list, _, err := s.AdminList(ctx, p)
		if err != nil {
			return nil, 0, err
		}
		return list.APIKeys, list.Total, nil
	})
}

// ListAll streams the caller's own keys through Kernia, a page at a time; limit caps the
// total (0 = no cap).
func (s *APIKeysService) ListAll(ctx context.Context, limit, pageSize int) iter.Seq2[*APIKey, error] {
	if pageSize <= 0 {
		pageSize = 100
	}
	return pages(0, limit, pageSize, func(offset, n int) ([]APIKey, int, error) {
		list, _, err := s.List(ctx, n, offset)
		if err != nil {
			return nil, 0, err
		}
		return list.APIKeys, list.Total, nil
	})
}

// AdminCreateAPIKeyRequest is the body of POST /api/admin/api-keys/create: a key for any
// user, with the server-only fields Kernia refuses to a session.
type AdminCreateAPIKeyRequest struct {
	UserID              string              `json:"userId"`
	Name                string              `json:"name,omitempty"`
	Prefix              string              `json:"prefix,omitempty"`
	ExpiresIn           int64               `json:"expiresIn,omitempty"` // seconds
	Permissions         map[string][]string `json:"permissions,omitempty"`
	RateLimitEnabled    *bool               `json:"rateLimitEnabled,omitempty"`
	RateLimitTimeWindow *int64              `json:"rateLimitTimeWindow,omitempty"` // ms
	RateLimitMax        *int64              `json:"rateLimitMax,omitempty"`
	Remaining           *int64              `json:"remaining,omitempty"`
	RefillAmount        *int64              `json:"refillAmount,omitempty"`
	RefillInterval      *int64              `json:"refillInterval,omitempty"` // ms
	Metadata            map[string]any      `json:"metadata,omitempty"`
}

// CreateForUser makes a key for r.UserID through the dashboard.
func (s *APIKeysService) CreateForUser(ctx context.Context, r AdminCreateAPIKeyRequest) (*APIKey, *Response, error) {
	var out APIKey
	resp, err := (*service)(s).kpost(ctx, DashboardBase+"/api-keys/create", r, &out)
	if err != nil {
		return nil, resp, err
	}
	s.remember(&out)
	return &out, resp, nil
}

// RotatedKey is the dashboard's rotate answer: the new key (with its plaintext) and when the
// old one stops working (zero: it was revoked at once).
type RotatedKey struct {
	Key             APIKey `json:"key"`
	OldKeyID        string `json:"oldKeyId"`
	OldKeyExpiresAt Time   `json:"oldKeyExpiresAt"`
}

// Rotate creates a new key with the same settings as keyID and then revokes the old one,
// at once or after graceSeconds (POST /api/admin/api-keys/rotate).
func (s *APIKeysService) Rotate(ctx context.Context, keyID string, graceSeconds int64) (*RotatedKey, *Response, error) {
	body := map[string]any{"keyId": keyID}
	if graceSeconds > 0 {
		body["gracePeriod"] = graceSeconds
	}
	var out RotatedKey
	resp, err := (*service)(s).kpost(ctx, DashboardBase+"/api-keys/rotate", body, &out)
	if err != nil {
		return nil, resp, err
	}
	s.remember(&out.Key)
	return &out, resp, nil
}

// Revoke deletes any user's key through the dashboard (POST /api/admin/api-keys/revoke).
func (s *APIKeysService) Revoke(ctx context.Context, keyID string) (*Response, error) {
	return (*service)(s).kpost(Idempotent(ctx), DashboardBase+"/api-keys/revoke", map[string]string{"keyId": keyID}, nil)
}

// KeyUsageEvent is one request made with a key.
type KeyUsageEvent struct {
	At     Time   `json:"at"`
	Path   string `json:"path"`
	Status int    `json:"status"`
}

// KeyUsage is the dashboard's usage report of one key.
type KeyUsage struct {
	KeyID               string          `json:"keyId"`
	RequestCount        int64           `json:"requestCount"`
	Remaining           *int64          `json:"remaining"`
	LastRequest         Time            `json:"lastRequest"`
	RateLimitEnabled    bool            `json:"rateLimitEnabled"`
	RateLimitTimeWindow *int64          `json:"rateLimitTimeWindow"` // ms
	RateLimitMax        *int64          `json:"rateLimitMax"`
	WindowStart         Time            `json:"windowStart"`
	WindowRequests      int64           `json:"windowRequests"`
	History             []KeyUsageEvent `json:"history"`
}

// Usage reads GET /api/admin/api-keys/usage.
func (s *APIKeysService) Usage(ctx context.Context, keyID string, limit int) (*KeyUsage, *Response, error) {
	q := url.Values{"keyId": {keyID}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out KeyUsage
	resp, err := (*service)(s).getQuery(ctx, DashboardBase+"/api-keys/usage", q, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.History == nil {
		out.History = []KeyUsageEvent{}
	}
	return &out, resp, nil
}

// kpost sends a POST with a JSON body (always at least {}) and decodes the answer into v.
func (s *service) kpost(ctx context.Context, path string, body, v any) (*Response, error) {
	if body == nil {
		body = struct{}{}
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, v)
}
