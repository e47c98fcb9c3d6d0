package acceptance

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// stripe-mock (github.com/stripe/stripe-mock, pinned in go.mod as a tool) is built once per
// test binary into a temporary directory, and started per script on 127.0.0.1 with ports the
// system chooses (HTTP and HTTPS both on loopback).
var stripeMockBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func stripeMockBinary() (string, error) {
	b := &stripeMockBuild
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "kernia-admin-stripe-mock-")
		if b.err != nil {
			return
		}
		b.bin = filepath.Join(b.dir, "stripe-mock")
		cmd := exec.Command("go", "build", "-o", b.bin, "github.com/stripe/stripe-mock")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build stripe-mock: %v\n%s", err, out)
		}
	})
	return b.bin, b.err
}

// removeStripeMockBinary deletes the built binary (at the end of the test binary).
func removeStripeMockBinary() {
	if d := stripeMockBuild.dir; d != "" {
		os.RemoveAll(d)
	}
}

// cleanupM runs the tests, then removes what the harness built.
type cleanupM struct{ m interface{ Run() int } }

func (c cleanupM) Run() int {
	code := c.m.Run()
	removeStripeMockBinary()
	return code
}

var stripeMockAddrRE = regexp.MustCompile(`Listening for HTTP at address: (127\.0\.0\.1:\d+)`)

// startStripeMock starts stripe-mock on loopback and returns its base URL (http) once it
// answers, and a stop function.
func startStripeMock() (string, func(), error) {
	bin, err := stripeMockBinary()
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return "", nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		return "", nil, err
	}
	stop := func() {
		cancel()
		_ = cmd.Wait()
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() { // keep draining so stripe-mock never blocks on its log
			if m := stripeMockAddrRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addrc <- m[1]
				sent = true
			}
		}
	}()
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, fmt.Errorf("stripe-mock did not report its address within 30s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/account", nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, stop, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("stripe-mock at %s does not answer: %v", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stripe-mock: starts stripe-mock for this script on 127.0.0.1, sets $STRIPE_API_BASE, and
// stops it when the script ends.
func cmdStripeMock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: stripe-mock")
	}
	base, stop, err := startStripeMock()
	if err != nil {
		ts.Fatalf("stripe-mock: %v", err)
	}
	ts.Defer(stop)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		ts.Fatalf("stripe-mock: not on loopback: %s", base)
	}
	ts.Setenv("STRIPE_API_BASE", base)
}
