// Package redact finds secrets in data and text and replaces them with
// recognisable fingerprints ("sk_test_…4242", "********").
//
// It is used by apiclient (debug traces, error messages) and by output (every
// record printed goes through Value). Nothing in this package logs or prints.
package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// Mask is what a secret too short to fingerprint is replaced by.
const Mask = "********"

// ellipsis separates a kept prefix or mask from the last four characters.
const ellipsis = "…"

// knownPrefixes are secret prefixes that are kept in a fingerprint because
// they tell the reader what kind of secret it was (and which mode).
var knownPrefixes = [...]string{
	"sk_test_", "sk_live_",
	"rk_test_", "rk_live_",
	"pk_test_", "pk_live_",
	"whsec_",
}

// secretKeyNames lists, lower-cased, the JSON keys (and header names) whose
// values are secrets. Read-only.
var secretKeyNames = map[string]struct{}{
	"token": {}, "sessiontoken": {}, "session_token": {},
	"password": {}, "newpassword": {}, "currentpassword": {}, "oldpassword": {},
	"apikey": {}, "api_key": {}, "key": {},
	"secret": {}, "clientsecret": {}, "client_secret": {},
	"privatekey": {}, "private_key": {},
	"scimtoken": {}, "webhooksecret": {},
	"accesstoken": {}, "access_token": {},
	"refreshtoken": {}, "refresh_token": {},
	"idtoken": {}, "id_token": {},
	"verificationtoken": {},
	"authorization":     {}, "cookie": {}, "set-cookie": {},
	"set-auth-token": {}, "x-api-key": {},
	"secretkey": {}, "secret_key": {},
	"signingsecret": {}, "servertoken": {},
	"smtppassword": {},
}

// SecretKeys returns the secret key names, lower-cased, in no particular order.
func SecretKeys() []string {
	out := make([]string, 0, len(secretKeyNames))
	for k := range secretKeyNames {
		out = append(out, k)
	}
	return out
}

// IsSecretKey reports whether a JSON key (or HTTP header name) holds a secret.
// The match is exact and case-insensitive: "token", "sessionToken",
// "clientSecret" are secret; "tokenEndpoint", "keyId", "prefix", "start" are not.
func IsSecretKey(name string) bool {
	if len(name) == 0 || len(name) > 32 {
		return false
	}
	_, ok := secretKeyNames[strings.ToLower(name)]
	return ok
}

// Fingerprint returns a recognisable, non-reversible stand-in for a secret.
//
//   - "" stays "" and an existing fingerprint is returned unchanged;
//   - known prefixes (sk_test_, sk_live_, rk_*, pk_*, whsec_) are kept with the
//     last 4 characters when the rest is long enough: "sk_test_…4242";
//   - any other secret of 24 characters or more: "********…" + last 4;
//   - shorter secrets: "********".
//
// At most 4 characters of the secret body are ever revealed, and only when
// the body is at least three times that long.
func Fingerprint(secret string) string {
	if secret == "" || IsFingerprint(secret) {
		return secret
	}
	for _, p := range knownPrefixes {
		if strings.HasPrefix(secret, p) {
			body := secret[len(p):]
			if utf8.RuneCountInString(body) >= 12 {
				return p + ellipsis + lastRunes(body, 4)
			}
			return p + Mask
		}
	}
	if utf8.RuneCountInString(secret) >= 24 {
		return Mask + ellipsis + lastRunes(secret, 4)
	}
	return Mask
}

// IsFingerprint reports whether s already has the shape of a Fingerprint
// result, so that redacting twice is harmless.
func IsFingerprint(s string) bool {
	for _, p := range knownPrefixes {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
			break
		}
	}
	if s == Mask {
		return true
	}
	s = strings.TrimPrefix(s, Mask)
	rest, ok := strings.CutPrefix(s, ellipsis)
	if !ok {
		return false
	}
	n := utf8.RuneCountInString(rest)
	return n >= 1 && n <= 4
}

func lastRunes(s string, n int) string {
	i := len(s)
	for k := 0; k < n && i > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}

// Value returns a deep copy of a decoded JSON value (map[string]any, []any
// and scalars, as produced by encoding/json) in which every value held by a
// secret key (see IsSecretKey) is fingerprinted: a non-empty string is
// replaced by Fingerprint(string); an object or array under a secret key has
// all of its string leaves fingerprinted. Other strings have well-known
// credential patterns (Stripe keys, webhook secrets, session cookies, long
// bearer tokens) replaced in place. The input is never modified.
//
// Values of other Go types (structs, typed maps and slices) are converted
// through encoding/json first; a value that cannot be marshalled becomes Mask.
func Value(v any) any {
	return value(v, false)
}

func value(v any, secret bool) any {
	switch x := v.(type) {
	case nil, bool, float64, float32, int, int8, int16, int32, int64,
		uint, uint8, uint16, uint32, uint64, json.Number:
		return x
	case string:
		if secret {
			return Fingerprint(x)
		}
		return scrubValue(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = value(e, secret || IsSecretKey(k))
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = value(e, secret)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = value(e, secret || IsSecretKey(k))
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = value(e, secret)
		}
		return out
	default:
		dec, err := roundTrip(v)
		if err != nil {
			return Mask
		}
		return value(dec, secret)
	}
}

// roundTrip marshals v and decodes it back into the generic JSON model.
func roundTrip(v any) (any, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return decode(buf.Bytes())
}

// decode parses exactly one JSON document with UseNumber.
func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

// JSON redacts a JSON document: it is decoded (numbers kept exact), passed
// through Value and re-encoded compactly without HTML escaping (object keys
// come out sorted). Input that is not a single JSON document is returned
// Scrub-bed as text instead.
func JSON(b []byte) []byte {
	v, err := decode(b)
	if err != nil {
		return []byte(Scrub(string(b)))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Value(v)); err != nil {
		return []byte(Scrub(string(b)))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
