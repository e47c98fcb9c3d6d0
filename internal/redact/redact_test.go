package redact

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

func TestIsSecretKey(t *testing.T) {
	secret := []string{
		"token", "sessionToken", "session_token", "password", "newPassword",
		"currentPassword", "apiKey", "api_key", "key", "secret", "clientSecret",
		"client_secret", "privateKey", "private_key", "scimToken", "webhookSecret",
		"accessToken", "refreshToken", "idToken", "verificationToken",
		"authorization", "cookie", "set-auth-token", "x-api-key", "secretKey",
		"signingSecret", "serverToken", "smtpPassword",
		"TOKEN", "Authorization", "Set-Auth-Token", "X-API-KEY", "SessionToken", "PASSWORD",
	}
	for _, k := range secret {
		if !IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = false, want true", k)
		}
	}
	notSecret := []string{
		"start", "prefix", "tokenEndpoint", "clientIdLastFour", "keyId", "id", "",
		"name", "email", "tokens", "keys", "passwordHash?", "expiresAt", "clientId",
	}
	for _, k := range notSecret {
		if IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = true, want false", k)
		}
	}
}

func TestFingerprint(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"********", "********"},
		{"hunter2", "********"},
		{"sk_test_4eC39HqLyjWDarjtT1zdp7dc4242", "sk_test_…4242"},
		{"sk_live_51HxYzAbCdEfGhIjKlMn9876", "sk_live_…9876"},
		{"rk_test_abcdefghijklmnop1111", "rk_test_…1111"},
		{"rk_live_abcdefghijklmnop2222", "rk_live_…2222"},
		{"pk_test_abcdefghijklmnop3333", "pk_test_…3333"},
		{"pk_live_abcdefghijklmnop5555", "pk_live_…5555"},
		{"whsec_0123456789012345678901234567abcd", "whsec_…abcd"},
		{"sk_test_short", "sk_test_********"},
		{"whsec_", "whsec_********"},
		{"abcdefghijklmnopqrstuvwxyz", "********…wxyz"},
		{"abcdefghijklmnopqrstuvw", "********"}, // 23 chars
		{"abcdefghijklmnopqrstuvwx", "********…uvwx"},
		{"ééééééééééééééééééééééééé", "********…éééé"},
		// Already fingerprinted values are stable.
		{"sk_test_…4242", "sk_test_…4242"},
		{"********…wxyz", "********…wxyz"},
		{"sk_test_********", "sk_test_********"},
	}
	for _, tt := range tests {
		if got := Fingerprint(tt.in); got != tt.want {
			t.Errorf("Fingerprint(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Fingerprint(Fingerprint(tt.in)); got != tt.want {
			t.Errorf("Fingerprint twice (%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func decodeT(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func encodeT(t testing.TB, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(buf.String())
}

func TestValue(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"scalars", `42`, `42`},
		{"plain object", `{"id":"u1","name":"Ann","n":12345678901234567890}`, `{"id":"u1","n":12345678901234567890,"name":"Ann"}`},
		{"session token", `{"id":"s1","token":"abcdefghijklmnopqrstuvwxyz123456","userId":"u1"}`,
			`{"id":"s1","token":"********…3456","userId":"u1"}`},
		{"password short", `{"password":"hunter2","email":"a@b.c"}`, `{"email":"a@b.c","password":"********"}`},
		{"empty and null secret kept", `{"password":"","token":null}`, `{"password":"","token":null}`},
		{"case insensitive", `{"ClientSecret":"s3cr3t-value","TokenEndpoint":"https://idp/token"}`,
			`{"ClientSecret":"********","TokenEndpoint":"https://idp/token"}`},
		{"stripe key", `{"secretKey":"sk_test_4eC39HqLyjWDarjtT1zdp7dc4242","publishableKey":"pk_test_abc"}`,
			`{"publishableKey":"pk_test_abc","secretKey":"sk_test_…4242"}`},
		{"nested under secret key", `{"authorization":{"type":"bearer","value":"xyzxyzxyz"},"x":1}`,
			`{"authorization":{"type":"********","value":"********"},"x":1}`},
		{"array of sessions", `[{"token":"tok-1-aaaaaaaa"},{"token":"tok-2-bbbbbbbb"}]`,
			`[{"token":"********"},{"token":"********"}]`},
		{"not secret keys", `{"start":"sk_","prefix":"ka_","keyId":"k1","clientIdLastFour":"1234"}`,
			`{"clientIdLastFour":"1234","keyId":"k1","prefix":"ka_","start":"sk_"}`},
		{"stripe key in text value", `{"note":"rotated to sk_live_51HxYzAbCdEfGhIjKlMn9876 today"}`,
			`{"note":"rotated to sk_live_…9876 today"}`},
		{"oidc config", `{"oidcConfig":{"clientId":"cid","clientSecret":"very-secret-value","tokenEndpoint":"https://x/token"}}`,
			`{"oidcConfig":{"clientId":"cid","clientSecret":"********","tokenEndpoint":"https://x/token"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := decodeT(t, tt.in)
			before := encodeT(t, in)
			got := encodeT(t, Value(in))
			if got != tt.want {
				t.Errorf("Value(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if after := encodeT(t, in); after != before {
				t.Errorf("input mutated: %s -> %s", before, after)
			}
		})
	}
}

func TestValueGoTypes(t *testing.T) {
	type sess struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	got := encodeT(t, Value([]sess{{"s1", "raw-session-token-1"}}))
	if want := `[{"id":"s1","token":"********"}]`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
	got = encodeT(t, Value(map[string]string{"apiKey": "kx_abcdefghijklmnop", "name": "n"}))
	if want := `{"apiKey":"********","name":"n"}`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
	if got := Value(func() {}); got != Mask {
		t.Errorf("unmarshalable value: got %v", got)
	}
}

func TestJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"token":"abcdefghijklmnop","user":{"email":"a<b>@x"}}`, `{"token":"********","user":{"email":"a<b>@x"}}`},
		{` [1, 2.50, 1e400] `, `[1,2.50,1e400]`},
		{`not json: Authorization: Bearer abc.def.ghi`, `not json: Authorization: Bearer ********`},
		{`{"password":"hunter22"} trailing`, `{"password":"********"} trailing`},
		{`{"token":"abcdefgh`, `{"token":"********`}, // truncated body: still redacted
	}
	for _, tt := range tests {
		if got := string(JSON([]byte(tt.in))); got != tt.want {
			t.Errorf("JSON(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Authorization: Bearer eyJhbGciOi.abc.def", "Authorization: Bearer ********"},
		{"authorization: bearer abc123", "authorization: Bearer ********"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ********"},
		{"Authorization: raw-key-value", "Authorization: ********"},
		{"curl -H 'Bearer abc.def' x", "curl -H 'Bearer ********' x"},
		{"Bearer Bearer abcdef", "Bearer ********"},
		{`{"authorization":"Bearer abcdef","x":1}`, `{"authorization":"********","x":1}`},
		{"set-auth-token: abc.def.ghi\r\nx: y", "set-auth-token: ********\r\nx: y"},
		{"Set-Auth-Token: abc.def", "Set-Auth-Token: ********"},
		{"X-Api-Key: ka_1234567890", "X-Api-Key: ********"},
		{"Cookie: better-auth.session_token=abc.def; other=1", "Cookie: ********"},
		{"sent better-auth.session_token=abc.def; Path=/", "sent better-auth.session_token=********; Path=/"},
		{"__Secure-better-auth.session_token=abc.def", "__Secure-better-auth.session_token=********"},
		{"key sk_live_51HxYzAbCdEfGhIjKlMn9876 used", "key sk_live_…9876 used"},
		{"sk_test_4eC39HqLyjWDarjtT1zdp7dc4242", "sk_test_…4242"},
		{"rk_live_abcdefghijklmnop2222.", "rk_live_…2222."},
		{"whsec_0123456789012345678901234567abcd", "whsec_…abcd"},
		{`{"password": "hunter2", "email":"a@b"}`, `{"password": "********", "email":"a@b"}`},
		{`{"newPassword":"a \"quoted\" very long password value!"}`, `{"newPassword":"********…lue!"}`},
		{`{"Token":"x"}`, `{"Token":"********"}`},
		{`{"tokenEndpoint":"https://idp/token","keyId":"k1"}`, `{"tokenEndpoint":"https://idp/token","keyId":"k1"}`},
		{`error: {\"token\":\"abcdefgh\"}`, `error: {\"token\":\"********\"}`},
		{"GET /callback?code=1&token=abcdefgh&x=2", "GET /callback?code=1&token=********&x=2"},
		{"nothing to see here", "nothing to see here"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if got := Scrub(Scrub(tt.in)); got != tt.want {
			t.Errorf("Scrub twice (%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestScrubber(t *testing.T) {
	var s Scrubber // zero value usable
	if got := s.Scrub("plain Bearer abcdef"); got != "plain Bearer ********" {
		t.Errorf("zero Scrubber: %q", got)
	}
	s.Add("short") // ignored: < 6
	s.Add("hunter22")
	s.Add("abcdefghijklmnopqrstuvwxyz0123")
	s.Add("abcdefghijklmnopqrstuvwxyz0123") // duplicate
	got := s.Scrub("pw=hunter22 tok=abcdefghijklmnopqrstuvwxyz0123 short")
	want := "pw=******** tok=********…0123 short"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
	var nilS *Scrubber
	if got := nilS.Scrub("Bearer abcdef"); got != "Bearer ********" {
		t.Errorf("nil Scrubber: %q", got)
	}
}

func TestScrubberOverlap(t *testing.T) {
	var s Scrubber
	s.Add("secretA")
	s.Add("secretAsecretB")
	if got := s.Scrub("x secretAsecretB y secretA"); strings.Contains(got, "secret") {
		t.Errorf("leak: %q", got)
	}
}

func TestScrubberConcurrent(t *testing.T) {
	var s Scrubber
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			s.Add(strings.Repeat(string(rune('a'+i)), 10))
		}()
		go func() {
			defer wg.Done()
			_ = s.Scrub("aaaaaaaaaa bbbbbbbbbb")
		}()
	}
	wg.Wait()
	if got := s.Scrub("aaaaaaaaaa hhhhhhhhhh"); got != "******** ********" {
		t.Errorf("got %q", got)
	}
}

func TestSecretKeys(t *testing.T) {
	keys := SecretKeys()
	for _, k := range keys {
		if !IsSecretKey(k) || strings.ToLower(k) != k {
			t.Errorf("bad key %q", k)
		}
	}
	if len(keys) != len(secretKeyNames) {
		t.Error("length mismatch")
	}
}
