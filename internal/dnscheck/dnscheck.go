// Package dnscheck looks up the TXT record that proves control of a domain for SSO domain
// verification (Kernia's register-domain asks for `_better-auth-token.<domain>`; its
// verify-domain only compares the token it is given, so the check happens here).
package dnscheck

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// RecordPrefix is the label of the verification record under the domain.
const RecordPrefix = "_better-auth-token."

// RecordName returns the TXT record name for domain ("_better-auth-token.example.com").
func RecordName(domain string) string {
	return RecordPrefix + strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
}

// Resolver looks up TXT records, through the system resolver or one DNS server.
type Resolver struct {
	// Server is "host:port" of the DNS server to ask; empty uses the system resolver.
	Server string
	// Timeout bounds one lookup (default 5s).
	Timeout time.Duration
}

// ErrNoRecord: the name has no TXT record (NXDOMAIN or no data).
var ErrNoRecord = errors.New("no TXT record")

// LookupTXT returns the TXT strings of name. A name without TXT data is ErrNoRecord; other
// failures (timeout, refused) are returned as they are.
func (r Resolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res := net.DefaultResolver
	if r.Server != "" {
		if _, _, err := net.SplitHostPort(r.Server); err != nil {
			return nil, fmt.Errorf("invalid DNS server %q: want HOST:PORT", r.Server)
		}
		server := r.Server
		res = &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, server)
			},
		}
	}
	// A trailing dot makes the name absolute: no search domains are tried.
	fqdn := strings.TrimSuffix(name, ".") + "."
	txts, err := res.LookupTXT(ctx, fqdn)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			return nil, ErrNoRecord
		}
		return nil, err
	}
	if len(txts) == 0 {
		return nil, ErrNoRecord
	}
	return txts, nil
}

// Result is the outcome of a verification check.
type Result struct {
	Record  string // the TXT record name looked up
	Found   int    // how many TXT strings were published there
	Matched bool   // whether one of them equals the token
}

// Check looks up RecordName(domain) and reports whether one of its TXT strings equals token
// (compared in constant time; surrounding spaces and quotes are ignored). A missing record is
// a Result with Found 0, not an error.
func (r Resolver) Check(ctx context.Context, domain, token string) (Result, error) {
	res := Result{Record: RecordName(domain)}
	txts, err := r.LookupTXT(ctx, res.Record)
	if errors.Is(err, ErrNoRecord) {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Found = len(txts)
	for _, t := range txts {
		t = strings.Trim(strings.TrimSpace(t), `"`)
		if len(t) == len(token) && subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
			res.Matched = true
		}
	}
	return res, nil
}
