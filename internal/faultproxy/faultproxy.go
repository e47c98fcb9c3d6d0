// Package faultproxy is a reverse proxy for tests that sits between kernia-admin and a
// server and injects the failures a network or a server can produce: rate limits, 5xx
// answers, connection resets, stalls, truncated or malformed JSON, empty bodies, and a
// response lost after the server applied a write.
//
// Rules are replaced at runtime (tests change them between commands). The proxy counts the
// requests it received and forwarded per path, and how often each fault fired, so tests can
// assert exactly how often the server was hit.
package faultproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is what the proxy does to a request a rule fires on.
type Fault string

// Faults.
const (
	// Status answers with Rule.Status and a JSON error body, without forwarding.
	Status Fault = "status"
	// Reset closes the client connection with SO_LINGER 0 (a TCP RST) before forwarding.
	Reset Fault = "reset"
	// Stall holds the connection open without answering until the client gives up or the
	// proxy closes. Nothing is forwarded.
	Stall Fault = "stall"
	// Truncate forwards, then answers with the first half of the server's body (with a
	// matching Content-Length, so the HTTP exchange is well formed and the JSON is not).
	Truncate Fault = "truncate"
	// Malformed answers 200 with {"users":[{"id": without forwarding.
	Malformed Fault = "malformed"
	// Empty200 answers 200 with an empty body without forwarding.
	Empty200 Fault = "empty200"
	// DropAfterApply forwards (so a write is applied), then resets the client connection
	// instead of answering.
	DropAfterApply Fault = "drop-after-apply"
)

// MalformedBody is the body of the Malformed fault.
const MalformedBody = `{"users":[{"id":`

// Rule matches requests and says which fault to inject.
type Rule struct {
	// Method matches the request method exactly ("" or "*" = any).
	Method string
	// Path matches the URL path exactly, or as a prefix when Prefix is set ("" = any).
	Path   string
	Prefix bool
	// Every fires on every Nth matching request (N, 2N, ...). First fires on the first N
	// matching requests. With neither set the rule always fires.
	Every int
	First int
	// Distinct counts (and fires on) only requests whose method, path and body this rule
	// has not seen before, so a client's retry of the same request is never faulted again.
	// It makes "every 10th request" deterministic under concurrency and retries.
	Distinct bool

	Fault Fault
	// Status and RetryAfter (a header value) for the Status fault; RetryAfterHeader is
	// "Retry-After" (default) or "X-Retry-After".
	Status           int
	RetryAfter       string
	RetryAfterHeader string
}

func (r Rule) matches(req *http.Request) bool {
	if r.Method != "" && r.Method != "*" && !strings.EqualFold(r.Method, req.Method) {
		return false
	}
	switch {
	case r.Path == "":
		return true
	case r.Prefix:
		return strings.HasPrefix(req.URL.Path, r.Path)
	}
	return req.URL.Path == r.Path
}

// fires reports whether the rule fires on its n-th matching request (1-based).
func (r Rule) fires(n int) bool {
	switch {
	case r.Every > 0:
		return n%r.Every == 0
	case r.First > 0:
		return n <= r.First
	}
	return true
}

// String renders the rule in the syntax ParseRule reads.
func (r Rule) String() string {
	var parts []string
	if r.Method != "" {
		parts = append(parts, r.Method)
	}
	p := r.Path
	if p == "" {
		p = "*"
	} else if r.Prefix {
		p += "*"
	}
	parts = append(parts, p)
	switch {
	case r.Every > 0:
		parts = append(parts, "every="+strconv.Itoa(r.Every))
	case r.First > 0:
		parts = append(parts, "first="+strconv.Itoa(r.First))
	}
	if r.Distinct {
		parts = append(parts, "distinct")
	}
	if r.Fault == Status {
		parts = append(parts, "status="+strconv.Itoa(r.Status))
		if r.RetryAfter != "" {
			name := "retry-after"
			if strings.EqualFold(r.RetryAfterHeader, "X-Retry-After") {
				name = "x-retry-after"
			}
			parts = append(parts, name+"="+r.RetryAfter)
		}
	} else {
		parts = append(parts, string(r.Fault))
	}
	return strings.Join(parts, " ")
}

// ParseRule reads one rule from words:
//
//	[METHOD] PATH [every=N | first=N | always] [distinct] FAULT
//
// PATH is exact, or a prefix when it ends in "*" ("*" alone matches every path). FAULT is
// status=CODE (optionally followed by retry-after=SECS or x-retry-after=SECS), reset,
// stall, truncate, malformed, empty200 or drop-after-apply.
func ParseRule(words []string) (Rule, error) {
	var r Rule
	if len(words) == 0 {
		return r, errors.New("empty rule")
	}
	i := 0
	if !strings.HasPrefix(words[0], "/") && words[0] != "*" {
		r.Method = strings.ToUpper(words[0])
		i++
	}
	if i >= len(words) {
		return r, errors.New("rule has no path")
	}
	p := words[i]
	i++
	if !strings.HasPrefix(p, "/") && p != "*" {
		return r, fmt.Errorf("path %q must start with / (or be *)", p)
	}
	if strings.HasSuffix(p, "*") {
		r.Prefix = true
		p = strings.TrimSuffix(p, "*")
	}
	r.Path = p
	for ; i < len(words); i++ {
		k, v, hasV := strings.Cut(words[i], "=")
		num := func() (int, error) {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("%s needs a non-negative number, got %q", k, v)
			}
			return n, nil
		}
		var err error
		switch {
		case k == "every" && hasV:
			r.Every, err = num()
			if err == nil && r.Every == 0 {
				err = errors.New("every=0 never fires")
			}
		case k == "first" && hasV:
			r.First, err = num()
		case k == "always" && !hasV:
		case k == "distinct" && !hasV:
			r.Distinct = true
		case k == "status" && hasV:
			r.Fault = Status
			r.Status, err = num()
			if err == nil && (r.Status < 100 || r.Status > 599) {
				err = fmt.Errorf("status %d out of range", r.Status)
			}
		case (k == "retry-after" || k == "x-retry-after") && hasV:
			r.RetryAfter = v
			r.RetryAfterHeader = "Retry-After"
			if k == "x-retry-after" {
				r.RetryAfterHeader = "X-Retry-After"
			}
		case !hasV && isFault(Fault(k)):
			r.Fault = Fault(k)
		default:
			err = fmt.Errorf("unknown rule word %q", words[i])
		}
		if err != nil {
			return r, err
		}
	}
	if r.Fault == "" {
		return r, errors.New("rule has no fault (status=CODE, reset, stall, truncate, malformed, empty200, drop-after-apply)")
	}
	if r.RetryAfter != "" && r.Fault != Status {
		return r, errors.New("retry-after needs status=CODE")
	}
	return r, nil
}

func isFault(f Fault) bool {
	switch f {
	case Reset, Stall, Truncate, Malformed, Empty200, DropAfterApply:
		return true
	}
	return false
}

// ParseRules reads rules separated by a ";" word.
func ParseRules(words []string) ([]Rule, error) {
	var rules []Rule
	start := 0
	for i := 0; i <= len(words); i++ {
		if i < len(words) && words[i] != ";" {
			continue
		}
		if i > start {
			r, err := ParseRule(words[start:i])
			if err != nil {
				return nil, err
			}
			rules = append(rules, r)
		}
		start = i + 1
	}
	return rules, nil
}

// Stats are the proxy's counters since the last Reset (or SetRules).
type Stats struct {
	// Received counts requests per path that reached the proxy.
	Received map[string]int
	// Forwarded counts requests per path sent on to the server (the server's hits).
	Forwarded map[string]int
	// Faults counts how often each fault fired.
	Faults map[Fault]int
}

// Proxy is an http.Handler forwarding to one target with fault rules.
type Proxy struct {
	target    *url.URL
	transport *http.Transport

	mu        sync.Mutex
	rules     []Rule
	counts    []int
	seen      []map[string]bool
	received  map[string]int
	forwarded map[string]int
	faults    map[Fault]int

	srv     *http.Server
	ln      net.Listener
	closing chan struct{}
	once    sync.Once
}

// New returns a proxy to target (scheme://host[:port]).
func New(target *url.URL) *Proxy {
	return &Proxy{
		target: target,
		transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
		},
		received:  map[string]int{},
		forwarded: map[string]int{},
		faults:    map[Fault]int{},
		closing:   make(chan struct{}),
	}
}

// SetRules replaces the rules and resets every counter.
func (p *Proxy) SetRules(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append([]Rule(nil), rules...)
	p.counts = make([]int, len(rules))
	p.seen = make([]map[string]bool, len(rules))
	for i := range p.seen {
		p.seen[i] = map[string]bool{}
	}
	p.resetLocked()
}

// Rules returns the current rules.
func (p *Proxy) Rules() []Rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Rule(nil), p.rules...)
}

// ResetStats zeroes the request and fault counters (not the rules' ordinals).
func (p *Proxy) ResetStats() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resetLocked()
}

func (p *Proxy) resetLocked() {
	p.received = map[string]int{}
	p.forwarded = map[string]int{}
	p.faults = map[Fault]int{}
}

// Stats returns a copy of the counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Received: map[string]int{}, Forwarded: map[string]int{}, Faults: map[Fault]int{}}
	for k, v := range p.received {
		s.Received[k] = v
	}
	for k, v := range p.forwarded {
		s.Forwarded[k] = v
	}
	for k, v := range p.faults {
		s.Faults[k] = v
	}
	return s
}

// decide counts req and returns the rule that fires on it, if any. Every rule that matches
// counts the request; the first that fires wins.
func (p *Proxy) decide(req *http.Request, body []byte) (Rule, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.received[req.URL.Path]++
	var (
		hit Rule
		ok  bool
	)
	for i, r := range p.rules {
		if !r.matches(req) {
			continue
		}
		if r.Distinct {
			key := req.Method + " " + req.URL.RequestURI() + "\x00" + string(body)
			if p.seen[i][key] {
				continue
			}
			p.seen[i][key] = true
		}
		p.counts[i]++
		if !ok && r.fires(p.counts[i]) {
			hit, ok = r, true
		}
	}
	if ok {
		p.faults[hit.Fault]++
	}
	return hit, ok
}

func (p *Proxy) countForward(path string) {
	p.mu.Lock()
	p.forwarded[path]++
	p.mu.Unlock()
}

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	rule, ok := p.decide(req, body)
	if !ok {
		p.forward(w, req)
		return
	}
	switch rule.Fault {
	case Status:
		writeStatus(w, rule)
	case Reset:
		_, _ = io.Copy(io.Discard, req.Body)
		resetConn(w)
	case Stall:
		select {
		case <-req.Context().Done():
		case <-p.closing:
		}
		panic(http.ErrAbortHandler) // close without an answer
	case Malformed:
		writeBody(w, http.StatusOK, []byte(MalformedBody))
	case Empty200:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case Truncate:
		resp, body, err := p.roundTrip(req)
		if err != nil {
			writeStatus(w, Rule{Status: http.StatusBadGateway})
			return
		}
		copyHeader(w.Header(), resp.Header)
		writeBody(w, resp.StatusCode, body[:len(body)/2])
	case DropAfterApply:
		_, _, _ = p.roundTrip(req)
		resetConn(w)
	default:
		p.forward(w, req)
	}
}

func (p *Proxy) forward(w http.ResponseWriter, req *http.Request) {
	resp, body, err := p.roundTrip(req)
	if err != nil {
		writeStatus(w, Rule{Status: http.StatusBadGateway})
		return
	}
	copyHeader(w.Header(), resp.Header)
	writeBody(w, resp.StatusCode, body)
}

// roundTrip sends req to the target and reads the whole answer.
func (p *Proxy) roundTrip(req *http.Request) (*http.Response, []byte, error) {
	in, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, nil, err
	}
	u := *p.target
	u.Path = strings.TrimSuffix(p.target.Path, "/") + req.URL.Path
	u.RawQuery = req.URL.RawQuery
	// The write must reach the server even if the client has gone (drop-after-apply).
	out, err := http.NewRequestWithContext(context.WithoutCancel(req.Context()), req.Method, u.String(), bytes.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	copyHeader(out.Header, req.Header)
	out.Header.Del("Connection")
	p.countForward(req.URL.Path)
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Content-Length": true,
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		if hopHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var statusCodes = map[int]string{
	429: "RATE_LIMITED", 500: "INTERNAL", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
}

func writeStatus(w http.ResponseWriter, r Rule) {
	code := statusCodes[r.Status]
	if code == "" {
		code = "HTTP_" + strconv.Itoa(r.Status)
	}
	if r.RetryAfter != "" {
		h := r.RetryAfterHeader
		if h == "" {
			h = "Retry-After"
		}
		w.Header().Set(h, r.RetryAfter)
	}
	body := fmt.Sprintf(`{"code":%q,"message":%q}`, code, "fault injected: "+http.StatusText(r.Status))
	writeBody(w, r.Status, []byte(body))
}

// resetConn hijacks the client connection and closes it with SO_LINGER 0, so the client
// sees a TCP reset instead of an answer.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// Start listens on 127.0.0.1 and serves; it returns the proxy's base URL.
func (p *Proxy) Start() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	p.ln = ln
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog()}
	go func() { _ = p.srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the proxy, releasing stalled requests, and closes every connection.
func (p *Proxy) Close() error {
	p.once.Do(func() { close(p.closing) })
	var err error
	if p.srv != nil {
		err = p.srv.Close()
	}
	p.transport.CloseIdleConnections()
	return err
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
