package apiclient

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/kernia-dev/kernia-admin/internal/redact"
)

const maxTraceBody = 8 << 10

// traceHeader reports the headers a --debug trace shows (an allowlist: anything else,
// including unknown credential headers, is left out).
func traceHeader(canonical string) bool {
	switch canonical {
	case "Accept", "Content-Type", "User-Agent", "Authorization", "X-Api-Key", "Set-Auth-Token",
		"Set-Cookie", "Retry-After", "X-Retry-After", "Content-Length", "X-Scim-Status", "Location", "Cookie":
		return true
	}
	return false
}

func (c *Client) tracef(format string, args ...any) {
	if c.debug == nil {
		return
	}
	fmt.Fprintln(c.debug, c.scrubber.Scrub(fmt.Sprintf(format, args...)))
}

func (c *Client) traceRequest(r *http.Request) {
	if c.debug == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", r.Method, sanitizeURL(r.URL.String()))
	writeHeaders(&b, "> ", r.Header)
	if r.GetBody != nil {
		if rc, err := r.GetBody(); err == nil {
			buf := make([]byte, maxTraceBody+1)
			n, _ := rc.Read(buf)
			rc.Close()
			writeBody(&b, "> ", buf[:n])
		}
	}
	fmt.Fprint(c.debug, c.scrubber.Scrub(b.String()))
}

func (c *Client) traceResponse(resp *Response, d time.Duration) {
	if c.debug == nil {
		return
	}
	c.learnSecrets(resp.Body) // secret values echoed in free text are scrubbed too
	var b strings.Builder
	fmt.Fprintf(&b, "< %s (%s)\n", resp.Status, d.Round(time.Millisecond))
	writeHeaders(&b, "< ", resp.Header)
	writeBody(&b, "< ", resp.Body)
	fmt.Fprint(c.debug, c.scrubber.Scrub(b.String()))
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		if traceHeader(http.CanonicalHeaderKey(k)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization":
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " ********"
			case "X-Api-Key", "Set-Auth-Token":
				v = redact.Fingerprint(v)
			case "Set-Cookie", "Cookie":
				v = redactCookie(v)
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

func redactCookie(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && i == 0 || ok && strings.Contains(strings.ToLower(name), "token") || ok && strings.Contains(strings.ToLower(name), "session") {
			if val != "" {
				parts[i] = " " + name + "=********"
				if i == 0 {
					parts[i] = name + "=********"
				}
			}
		}
	}
	return strings.Join(parts, ";")
}

func writeBody(b *strings.Builder, prefix string, body []byte) {
	if len(body) == 0 {
		return
	}
	trunc := len(body) > maxTraceBody
	if trunc {
		body = body[:maxTraceBody]
	}
	out := redact.JSON(body)
	fmt.Fprintf(b, "%s%s", prefix, out)
	if trunc {
		b.WriteString(" …(truncated)")
	}
	b.WriteString("\n")
}
