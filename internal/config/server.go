package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// SandboxPrefix marks a server that is an in-process sandbox on a SQLite file.
const SandboxPrefix = "sandbox:"

// ErrInvalidServer is wrapped by every ValidateServer error except
// *InsecureServerError.
var ErrInvalidServer = errors.New("invalid server")

// InsecureServerError is returned by ValidateServer for a plain-http server
// that is not on a loopback address, when insecure http was not allowed.
type InsecureServerError struct {
	Server string // the normalized URL
	Host   string
}

func (e *InsecureServerError) Error() string {
	return fmt.Sprintf("refusing to send credentials over plain http to %s: use https, "+
		"or pass --insecure-http (insecure_http: true in the profile) if this network is trusted", e.Host)
}

// ValidateServer checks and normalizes a server address.
//
// "sandbox:PATH" is returned unchanged. Anything else must be an absolute
// http or https URL without credentials, query or fragment; the scheme and
// host are lower-cased and a trailing "/" and "/api/auth" are removed, so
// "https://auth.example.com/api/auth/" becomes "https://auth.example.com".
// Plain http is accepted only for loopback hosts (127.0.0.0/8, ::1,
// localhost) unless insecureHTTP is true; otherwise the error is an
// *InsecureServerError.
func ValidateServer(raw string, insecureHTTP bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("%w: empty server address", ErrInvalidServer)
	}
	if path, ok := strings.CutPrefix(raw, SandboxPrefix); ok {
		if strings.TrimSpace(path) == "" {
			return "", fmt.Errorf("%w: %q: want sandbox:PATH, e.g. sandbox:./demo.db", ErrInvalidServer, raw)
		}
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not a URL", ErrInvalidServer, raw)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("%w: %q: want an absolute http(s) URL such as https://auth.example.com, or sandbox:PATH", ErrInvalidServer, raw)
	}
	if u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return "", fmt.Errorf("%w: %q has no host", ErrInvalidServer, raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("%w: the server URL must not contain credentials", ErrInvalidServer)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%w: %q: the server URL must not have a query or fragment", ErrInvalidServer, raw)
	}
	if port := u.Port(); port == "" && strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("%w: %q has an empty port", ErrInvalidServer, raw)
	}

	path := strings.TrimRight(u.Path, "/")
	path = strings.TrimSuffix(path, "/api/auth")
	path = strings.TrimRight(path, "/")

	norm := &url.URL{Scheme: scheme, Host: strings.ToLower(u.Host), Path: path}
	out := norm.String()

	if scheme == "http" && !insecureHTTP && !IsLoopbackHost(u.Hostname()) {
		return "", &InsecureServerError{Server: out, Host: u.Hostname()}
	}
	return out, nil
}

// IsLoopbackHost reports whether host (without port) is "localhost" or a
// loopback IP address.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
