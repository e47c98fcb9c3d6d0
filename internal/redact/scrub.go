package redact

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// minSecretLen is the shortest value Scrubber.Add registers: shorter strings
// would match ordinary text.
const minSecretLen = 6

// rule is one text pattern and how a match is rewritten.
type rule struct {
	re *regexp.Regexp
	// repl rewrites the whole match; groups are the submatches.
	repl func(groups []string) string
}

func maskGroup(keep int) func([]string) string {
	return func(g []string) string { return g[keep] + Mask }
}

func fingerprintMatch(g []string) string { return Fingerprint(g[0]) }

// jsonSecretRE matches "secretKey": "value" pairs in JSON text;
// jsonEscapedSecretRE the same pairs in JSON embedded in a JSON string. The
// closing quote is not part of the match, so that a value which swallowed a
// stray quote cannot hide the next pair; an unterminated value runs to the
// end of the text (truncated bodies are redacted, not leaked).
var (
	jsonSecretRE        = regexp.MustCompile(`(?i)("(?:` + secretKeyAlternation() + `)"\s*:\s*")((?:[^"\\]|\\.)*)`)
	jsonEscapedSecretRE = regexp.MustCompile(`(?i)(\\"(?:` + secretKeyAlternation() + `)\\"\s*:\s*\\")((?:[^"\\]|\\[^"])*)`)
)

// tokenChars is what a bearer-like credential is made of: anything but
// space, quotes, and the separators that end a header or JSON value.
const tokenChars = `[^\s"'\\,;]`

// textRules are applied by Scrub, in order, each to the output of the one
// before. Rules whose match could swallow the start of another secret (a
// header value that is itself "x-api-key: …") come first and redact to the
// end of the line. Read-only.
var textRules = []rule{
	{jsonSecretRE, func(g []string) string { return g[1] + Fingerprint(g[2]) }},
	{jsonEscapedSecretRE, func(g []string) string { return g[1] + Fingerprint(g[2]) }},
	{regexp.MustCompile(`(?i)(authorization:[ \t]*(?:(?:bearer|basic|token)[ \t]+)*)[^\s][^\r\n]*`), maskGroup(1)},
	{regexp.MustCompile(`(?i)(set-auth-token:[ \t]*)[^\s][^\r\n]*`), maskGroup(1)},
	{regexp.MustCompile(`(?i)(x-api-key:[ \t]*)[^\s][^\r\n]*`), maskGroup(1)},
	{regexp.MustCompile(`(?i)((?:set-)?cookie:[ \t]*)[^\s][^\r\n]*`), maskGroup(1)},
	{regexp.MustCompile(`(?i)([\w.-]*session_token=)[^;\s&"]+`), maskGroup(1)},
	{regexp.MustCompile(`(?i)([?&](?:token|access_token|refresh_token|id_token|client_secret|api_key|apikey|password)=)[^&\s"#]+`), maskGroup(1)},
	{regexp.MustCompile(`(?i)(basic\s+)[A-Za-z0-9+/=]{8,}`), maskGroup(1)},
	{regexp.MustCompile(`(?i)(?:bearer\s+)+` + tokenChars + `+`), func([]string) string { return "Bearer " + Mask }},
	{regexp.MustCompile(`sk_(?:live|test)_\w+`), fingerprintMatch},
	{regexp.MustCompile(`rk_(?:live|test)_\w+`), fingerprintMatch},
	{regexp.MustCompile(`whsec_\w+`), fingerprintMatch},
}

// valueRules are applied to ordinary (non-secret-key) string values by
// Value: only patterns that cannot be mistaken for normal prose.
var valueRules = []rule{
	{regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/=-]{16,}`), func([]string) string { return "Bearer " + Mask }},
	{regexp.MustCompile(`(?i)([\w.-]*session_token=)[^;\s&"]+`), maskGroup(1)},
	{regexp.MustCompile(`sk_(?:live|test)_\w+`), fingerprintMatch},
	{regexp.MustCompile(`rk_(?:live|test)_\w+`), fingerprintMatch},
	{regexp.MustCompile(`whsec_\w+`), fingerprintMatch},
}

func applyRules(rules []rule, text string) string {
	for _, r := range rules {
		matches := r.re.FindAllStringSubmatchIndex(text, -1)
		if matches == nil {
			continue
		}
		var b strings.Builder
		b.Grow(len(text))
		last := 0
		for _, m := range matches {
			groups := make([]string, len(m)/2)
			for i := range groups {
				if m[2*i] >= 0 {
					groups[i] = text[m[2*i]:m[2*i+1]]
				}
			}
			b.WriteString(text[last:m[0]])
			b.WriteString(r.repl(groups))
			last = m[1]
		}
		b.WriteString(text[last:])
		text = b.String()
	}
	return text
}

// scrubValue applies valueRules, with a cheap pre-check so that the common
// case (no candidate substring) costs no regexp work.
func scrubValue(s string) string {
	if len(s) < 8 {
		return s
	}
	if !strings.Contains(s, "_") && !strings.Contains(s, "earer") && !strings.Contains(s, "EARER") {
		return s
	}
	return applyRules(valueRules, s)
}

// Scrub replaces well-known credential patterns in free text: bearer and
// basic credentials, set-auth-token / x-api-key / cookie header values,
// session cookies, token query parameters, Stripe secret and restricted keys,
// webhook secrets, and "secretKey": "value" pairs in JSON text.
func Scrub(text string) string {
	return applyRules(textRules, text)
}

// Scrubber replaces registered secret values (a token just read from stdin,
// a password from a prompt) and the well-known patterns of Scrub.
// The zero value is ready to use; it is safe for concurrent use.
type Scrubber struct {
	mu       sync.RWMutex
	secrets  map[string]struct{}
	replacer *strings.Replacer // rebuilt lazily after Add
}

// Add registers a secret value. Strings shorter than 6 bytes (after trimming
// space) are ignored because they would match ordinary text.
func (s *Scrubber) Add(secret string) {
	secret = strings.TrimSpace(secret)
	if len(secret) < minSecretLen || IsFingerprint(secret) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secrets == nil {
		s.secrets = make(map[string]struct{})
	}
	if _, ok := s.secrets[secret]; ok {
		return
	}
	s.secrets[secret] = struct{}{}
	s.replacer = nil
}

func (s *Scrubber) getReplacer() *strings.Replacer {
	s.mu.RLock()
	r, n := s.replacer, len(s.secrets)
	s.mu.RUnlock()
	if r != nil || n == 0 {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replacer == nil {
		keys := make([]string, 0, len(s.secrets))
		for k := range s.secrets {
			keys = append(keys, k)
		}
		// Longest first: strings.Replacer tries old strings in argument
		// order at each position, so a secret containing another wins.
		slices.SortFunc(keys, func(a, b string) int {
			if len(a) != len(b) {
				return len(b) - len(a)
			}
			return strings.Compare(a, b)
		})
		args := make([]string, 0, 2*len(keys))
		for _, k := range keys {
			args = append(args, k, Fingerprint(k))
		}
		s.replacer = strings.NewReplacer(args...)
	}
	return s.replacer
}

// Scrub replaces every registered secret by its fingerprint, then applies
// the package-level patterns (see Scrub). A nil *Scrubber applies only the
// patterns.
func (s *Scrubber) Scrub(text string) string {
	if s != nil {
		if r := s.getReplacer(); r != nil {
			text = r.Replace(text)
		}
	}
	return Scrub(text)
}

func secretKeyAlternation() string {
	keys := SecretKeys()
	// Longest first so that alternation prefers the full name.
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	for i, k := range keys {
		keys[i] = regexp.QuoteMeta(k)
	}
	return strings.Join(keys, "|")
}
