package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

// plantable turns fuzz bytes into a secret made of [A-Za-z0-9] (at least 6
// characters): a charset that fingerprints ("*", "…") cannot produce, so any
// occurrence in the output is a genuine leak.
func plantable(raw string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		b.WriteByte(alphabet[int(raw[i])%len(alphabet)])
	}
	s := b.String()
	for len(s) < 6 {
		s += "Zq8vR2"
	}
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// reassemblable reports whether the filler text around a planted secret
// already carries most of it (all but at most 4 characters), in which case a
// fingerprint's last four characters plus that text may legitimately spell
// it out again.
func reassemblable(secret string, filler ...string) bool {
	n := len(secret) - 4
	if n < 1 {
		n = 1
	}
	for _, f := range filler {
		for i := 0; i+n <= len(secret); i++ {
			if strings.Contains(f, secret[i:i+n]) {
				return true
			}
		}
	}
	return false
}

func FuzzValue(f *testing.F) {
	f.Add("token", "abcdefghijklmnopqrstuvwxyz123456", "note")
	f.Add("password", "hunter22", "sk_live_")
	f.Add("ClientSecret", "x", "Bearer ")
	f.Add("set-auth-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "")
	f.Add("apiKey", "ka_ABCDEFGHIJKLMNOPQRSTUVWX", "whsec_")
	f.Add("key", "\x00\xff\xfe", "better-auth.session_token=")
	f.Add("SMTPPASSWORD", "p@ss w0rd!", "{\"token\":\"")
	f.Fuzz(func(t *testing.T, key, rawSecret, other string) {
		secret := plantable(rawSecret)
		// Stripe-style prefixes around the planted body are fine too.
		if IsSecretKey(key) {
			in := map[string]any{
				"id":   "x1",
				key:    secret,
				"note": other,
				"nested": []any{
					map[string]any{"password": secret, "items": []any{other, json.Number("1")}},
					map[string]any{key: map[string]any{"v": secret, "w": []any{secret}}},
				},
				"stripe": map[string]any{"secretKey": "sk_live_" + secret},
			}
			before, _ := json.Marshal(in)
			out, err := json.Marshal(Value(in))
			if err != nil {
				t.Fatal(err)
			}
			after, _ := json.Marshal(in)
			if string(before) != string(after) {
				t.Fatalf("input mutated")
			}
			if strings.Contains(string(out), secret) && !reassemblable(secret, key, other) {
				t.Fatalf("secret %q survived Value: %s", secret, out)
			}
		}
		// Arbitrary bytes as JSON: no panic; valid JSON in, valid JSON out.
		doc := []byte(other)
		red := JSON(doc)
		if json.Valid(doc) && !json.Valid(red) {
			t.Fatalf("JSON(%q) = %q is not valid JSON", doc, red)
		}
	})
}

func FuzzScrub(f *testing.F) {
	f.Add("Authorization: Bearer ", "abcdefghijklmnop", "\r\n")
	f.Add(`{"password":"`, "hunter22", `","email":"a@b"}`)
	f.Add("x-api-key: ", "ka_live_0123456789", "")
	f.Add("Cookie: better-auth.session_token=", "abc.def", "; Path=/")
	f.Add("", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "")
	f.Add("pre ", "whsec_abcdefghijklmnopqrstuvwxyz", " post")
	f.Add("?token=", "secretsecret", "&a=b")
	f.Fuzz(func(t *testing.T, prefix, rawSecret, suffix string) {
		secret := plantable(rawSecret)

		// A registered secret never survives, whatever surrounds it.
		var s Scrubber
		s.Add(secret)
		out := s.Scrub(prefix + secret + suffix + " " + secret)
		if strings.Contains(out, secret) && !reassemblable(secret, prefix, suffix) {
			t.Fatalf("registered secret %q survived: %q", secret, out)
		}

		// Pattern-only scrubbing of well-known shapes.
		for _, tmpl := range []string{
			"Authorization: Bearer %s\n",
			"set-auth-token: %s\n",
			"x-api-key: %s\n",
			`{"token":"%s"}`,
			`{"clientSecret" : "%s"}`,
			"Cookie: better-auth.session_token=%s; x=1",
			"sk_live_%s",
			"whsec_%s",
		} {
			text := prefix + strings.Replace(tmpl, "%s", secret, 1) + suffix
			got := Scrub(text)
			if strings.Contains(got, secret) && !reassemblable(secret, prefix, suffix) {
				t.Fatalf("Scrub(%q) = %q: secret survived", text, got)
			}
		}
		// Arbitrary text never panics and scrubbing is stable.
		once := Scrub(prefix + rawSecret + suffix)
		_ = Scrub(once)
	})
}
