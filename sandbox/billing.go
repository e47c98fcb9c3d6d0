package sandbox

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Audit actions and targets of the dashboard billing family.
const (
	auditBillingProductUpsert  = "billing.product.upsert"
	auditBillingProductArchive = "billing.product.archive"
	auditBillingPriceUpsert    = "billing.price.upsert"
	auditBillingPriceArchive   = "billing.price.archive"
	auditBillingPriceMap       = "billing.price.map"
	auditBillingFeatureCreate  = "billing.feature.create"
	auditBillingPlanCreate     = "billing.plan.create"
	auditBillingPlanSetFeature = "billing.plan.set-feature"
	auditBillingGrantCreate    = "billing.grant.create"
	auditBillingUsageRecord    = "billing.usage.record"
	auditTargetProduct         = "billingProduct"
	auditTargetPrice           = "billingPrice"
	auditTargetFeature         = "billingFeature"
	auditTargetPlan            = "billingPlan"
	auditTargetGrant           = "billingGrant"
	auditTargetUsage           = "billingUsageEvent"
)

var (
	featureKeyRe = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)
	planIDRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	currencyRe   = regexp.MustCompile(`^[a-z]{3}$`)
)

// maxBillingText bounds ids, names and keys (bytes).
const maxBillingText = 255

func errNotFound(code, message string) *apiError { return errMsg(http.StatusNotFound, code, message) }

func errConflict(code, message string) *apiError { return errMsg(http.StatusConflict, code, message) }

// present reports whether key is in the body at all (null included).
func (b body) present(key string) bool {
	_, ok := b[key]
	return ok
}

// optText returns a string-or-null field: nil when absent or null.
func (b body) optText(key string) (*string, error) {
	v, ok, err := b.str(key)
	if err != nil {
		return nil, errInvalid(key + " must be a string or null")
	}
	if !ok {
		return nil, nil
	}
	if len(v) > 4096 {
		return nil, errInvalid(key + " is too long")
	}
	return &v, nil
}

// optTextEmptyNull is optText with "" read as null (clients that cannot
// send null send "").
func (b body) optTextEmptyNull(key string) (*string, error) {
	v, err := b.optText(key)
	if v != nil && *v == "" {
		return nil, err
	}
	return v, err
}

// idText returns a required non-empty string of at most maxBillingText bytes.
func (b body) idText(key string) (string, error) {
	v, err := b.requiredStr(key)
	if err != nil {
		return "", err
	}
	if len(v) > maxBillingText {
		return "", errInvalid(key + " is too long (max 255 bytes)")
	}
	return v, nil
}

// strictInt returns an integer field given as a JSON number (not a string):
// nil when absent or null.
func (b body) strictInt(key string) (*int64, error) {
	if !b.has(key) {
		return nil, nil
	}
	raw := bytes.TrimSpace(b[key])
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return nil, errInvalid(key + " must be an integer")
	}
	n, ok := numberToInt(json.Number(raw))
	if !ok {
		return nil, errInvalid(key + " must be an integer")
	}
	return &n, nil
}

// metadata returns a JSON-object field as canonical JSON text ("{}" when
// absent or null).
func (b body) metadata(key string) (string, error) {
	if !b.has(key) {
		return "{}", nil
	}
	v, _ := b.any(key)
	m, ok := v.(map[string]any)
	if !ok {
		return "", errInvalid(key + " must be an object")
	}
	s, err := encodeJSON(m)
	if err != nil {
		return "", err
	}
	if len(s) > 64<<10 {
		return "", errInvalid(key + " is too large")
	}
	return s, nil
}

// rawObject turns canonical JSON text back into a value for the wire.
func rawObject(s string) json.RawMessage {
	if !json.Valid([]byte(s)) {
		return json.RawMessage(`{}`)
	}
	return json.RawMessage(s)
}

// queryBool parses an optional true|false query parameter.
func queryBool(rq *request, key string) (*bool, error) {
	v := rq.r.URL.Query().Get(key)
	if v == "" {
		return nil, nil
	}
	switch strings.ToLower(v) {
	case "true", "1":
		t := true
		return &t, nil
	case "false", "0":
		f := false
		return &f, nil
	}
	return nil, errInvalid(key + " must be true or false")
}

// queryInt parses an optional integer query parameter.
func queryInt(rq *request, key string) (*int64, error) {
	v := rq.r.URL.Query().Get(key)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, errInvalid(key + " must be an integer (epoch seconds)")
	}
	return &n, nil
}

func nullInt64(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

func int64OrNil(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func eqStr(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func eqInt(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// slugify turns a plan name into a plan id candidate.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	return s
}
