package acceptance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kernia-dev/kernia-admin/internal/dnscheck/dnstest"
)

// Custom testscript commands for the keys, sso and scim scripts.

type dnsServerKey struct{}

// dnsHolder lets dns-txt find the server dns-server started (ts.Value is read-only).
type dnsHolder struct{ srv *dnstest.Server }

// dns-server: starts a tiny DNS server on 127.0.0.1 for this script (UDP and TCP) and sets
// $DNS_ADDR to its HOST:PORT. It answers only the TXT records set with dns-txt (NXDOMAIN for
// every other name). It is closed when the script ends.
func cmdDNSServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: dns-server")
	}
	h, _ := ts.Value(dnsServerKey{}).(*dnsHolder)
	if h == nil {
		ts.Fatalf("dns-server: no holder (setup)")
	}
	srv, err := dnstest.Start()
	if err != nil {
		ts.Fatalf("dns-server: %v", err)
	}
	ts.Defer(srv.Close)
	h.srv = srv
	ts.Setenv("DNS_ADDR", srv.Addr())
}

// dns-txt NAME VALUE: publishes a TXT record on the script's DNS server.
func cmdDNSTXT(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dns-txt NAME VALUE")
	}
	h, _ := ts.Value(dnsServerKey{}).(*dnsHolder)
	if h == nil || h.srv == nil {
		ts.Fatalf("dns-txt: run dns-server first")
	}
	h.srv.SetTXT(args[0], args[1])
}

// scim-provision TOKEN USERNAME: provisions a user through the sandbox's SCIM v2 endpoint
// (POST /api/auth/scim/v2/Users, "Authorization: Bearer TOKEN"), as an identity provider
// would, and prints the HTTP status, the x-scim-status header and the body. It fails unless
// the request succeeded (or, negated, unless it was refused).
func cmdSCIMProvision(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: scim-provision TOKEN USERNAME")
	}
	body, _ := json.Marshal(map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": args[1],
		"name":     map[string]string{"formatted": "SCIM " + args[1]},
		"emails":   []map[string]any{{"value": args[1], "primary": true}},
	})
	req, err := http.NewRequest(http.MethodPost, ts.Getenv("SANDBOX_URL")+"/api/auth/scim/v2/Users", bytes.NewReader(body))
	if err != nil {
		ts.Fatalf("scim-provision: %v", err)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	req.Header.Set("Authorization", "Bearer "+args[0])
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		ts.Fatalf("scim-provision: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(ts.Stdout(), "HTTP %d x-scim-status %s\n%s\n", resp.StatusCode, resp.Header.Get("x-scim-status"), b)
	if ok := resp.StatusCode == http.StatusOK; ok == neg {
		ts.Fatalf("scim-provision %s: HTTP %d %s", args[1], resp.StatusCode, b)
	}
}
