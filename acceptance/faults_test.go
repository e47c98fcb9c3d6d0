package acceptance

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kernia-dev/kernia-admin/internal/faultproxy"
	"github.com/kernia-dev/kernia-admin/sandbox"
)

// What scripts cannot do: deliver signals to a running kernia-admin, and time it.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/kernia-admin once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kernia-admin-faults")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "kernia-admin")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/kernia-dev/kernia-admin/cmd/kernia-admin").CombinedOutput()
		if err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatalf("building kernia-admin: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// stalledServer starts a sandbox with a proxy in front that stalls every list-users, and
// returns the proxy URL, an admin token and the proxy.
func stalledServer(t *testing.T) (string, string, *faultproxy.Proxy) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv, err := sandbox.Open(context.Background(), sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.db"), BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close(); srv.Close() })

	body, _ := json.Marshal(map[string]string{"email": sandbox.AdminEmail, "password": sandbox.AdminPassword})
	resp, err := http.Post(base+"/api/auth/sign-in/email", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	token := resp.Header.Get("set-auth-token")
	if token == "" {
		t.Fatalf("sign-in: HTTP %d without a token", resp.StatusCode)
	}
	target, _ := url.Parse(base)
	p := faultproxy.New(target)
	purl, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	p.SetRules(faultproxy.Rule{Method: "POST", Path: "/api/auth/admin/list-users", Fault: faultproxy.Stall})
	return purl, token, p
}

func command(t *testing.T, server, token string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(binary(t), args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "KERNIA_SERVER="+server, "KERNIA_TOKEN="+token, "HOME="+home,
		"KERNIA_CONFIG_DIR="+filepath.Join(home, "cfg"), "KERNIA_KEYRING=file", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// waitStalled waits until the proxy holds a list-users request.
func waitStalled(t *testing.T, p *faultproxy.Proxy) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.Stats().Faults[faultproxy.Stall] == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the proxy")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSignalDuringStalledRequest: Ctrl-C (SIGINT) or SIGTERM while a request hangs ends the
// command promptly with exit 130, "interrupted" on stderr in one line, and no panic.
func TestSignalDuringStalledRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			server, token, p := stalledServer(t)
			cmd, stdout, stderr := command(t, server, token, "users", "list", "--all")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitStalled(t, p)
			time.Sleep(500 * time.Millisecond)
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 3s after %v; stderr:\n%s", sig, stderr)
			}
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Fatalf("exit %d after %v, want 130; stderr:\n%s", code, sig, stderr)
			}
			if got := stderr.String(); got != "kernia-admin: interrupted\n" {
				t.Fatalf("stderr %q, want one line \"kernia-admin: interrupted\"", got)
			}
			if stdout.Len() != 0 {
				t.Fatalf("stdout %q", stdout)
			}
			t.Logf("%v: exited %s after the signal", sig, time.Since(sent).Round(time.Millisecond))
		})
	}
}

// TestTimeoutAgainstStall: --timeout 1s against a stalled request exits 7 in well under 5 s.
func TestTimeoutAgainstStall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	server, token, _ := stalledServer(t)
	cmd, _, stderr := command(t, server, token, "users", "list", "--all", "--timeout", "1s")
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if cmd.ProcessState == nil {
		t.Fatal(err)
	}
	if code := cmd.ProcessState.ExitCode(); code != 7 {
		t.Fatalf("exit %d, want 7; stderr:\n%s", code, stderr)
	}
	if took > 5*time.Second {
		t.Fatalf("took %s, want < 5s", took)
	}
	if !strings.HasPrefix(stderr.String(), "kernia-admin: timed out\n") || strings.Count(stderr.String(), "\n") != 2 ||
		strings.Contains(stderr.String(), "panic:") {
		t.Fatalf("stderr %q", stderr)
	}
	t.Logf("exit 7 after %s", took.Round(time.Millisecond))
}

// TestSignalDuringEndlessJQ: a --jq program that never ends stops on Ctrl-C (exit 130) and on
// --timeout (exit 7): rendering runs under the command's context too.
func TestSignalDuringEndlessJQ(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	db := "sandbox:" + filepath.Join(t.TempDir(), "jq.db")
	cmd, _, stderr := command(t, db, "", "users", "list", "--json", "--jq", "def f: f; f")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("an endless --jq program ignored Ctrl-C; stderr:\n%s", stderr)
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr)
	}

	cmd, _, stderr = command(t, db, "", "users", "list", "--json", "--jq", "def f: f; f", "--timeout", "1s")
	start := time.Now()
	_ = cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 7 || time.Since(start) > 5*time.Second {
		t.Fatalf("exit %d after %s, want 7 within 5s; stderr:\n%s", code, time.Since(start), stderr)
	}
}
