// Package conformance runs the shared commands' scripts against a real Better Auth server
// (better-auth 1.7.25 from npm, see package.json and server.mjs): one fresh server with an
// in-memory SQLite database per script, started on 127.0.0.1 and stopped with SIGTERM.
//
// It needs Node 20 and npm. `npm ci` runs here when node_modules is missing or was installed
// from another package-lock.json. Without node or npm the test skips, unless
// KERNIA_CONFORMANCE=required (CI), where it fails instead. -short skips it too.
package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kernia-dev/kernia-admin/commands"
)

// Seeded by server.mjs.
const (
	adminEmail    = "admin@example.com"
	adminPassword = "correct-horse-battery-staple"
	userEmail     = "user@example.com"
	userPassword  = "user-password-1234"
	seedCount     = 2
)

const (
	envMode      = "KERNIA_CONFORMANCE" // "required": fail instead of skipping
	stampFile    = ".kernia-conformance-stamp"
	startTimeout = 60 * time.Second
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"kernia-admin": func() { os.Exit(commands.Main()) },
	})
}

func required() bool { return os.Getenv(envMode) == "required" }

// skipOrFail skips the test, or fails it when the conformance run is required.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if required() {
		t.Fatalf("%s (%s=required)", msg, envMode)
	}
	t.Skipf("%s; set %s=required to make this a failure", msg, envMode)
}

func TestBetterAuth(t *testing.T) {
	if testing.Short() && !required() {
		t.Skip("-short: the Better Auth conformance suite starts Node servers")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "node is not installed: cannot run the Better Auth conformance suite")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		skipOrFail(t, "npm is not installed: cannot run the Better Auth conformance suite")
	}
	if err := install(t, dir); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup:               func(env *testscript.Env) error { return startServer(env, node, dir) },
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":      cmdExits,
			"signin":     cmdSignin,
			"signup":     cmdSignup,
			"stdout2env": cmdStdout2env,
		},
	})
}

// install runs `npm ci` when node_modules does not match package-lock.json (a stamp file
// holds the hash of the lock file and the node version).
func install(t *testing.T, dir string) error {
	want, err := lockHash(dir)
	if err != nil {
		return err
	}
	stamp := filepath.Join(dir, "node_modules", stampFile)
	if have, err := os.ReadFile(stamp); err == nil && string(have) == want && installed(dir) {
		return nil
	}
	start := time.Now()
	t.Logf("installing the Better Auth server: npm ci in %s (about a minute: better-sqlite3 is compiled)", dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Env = npmEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci failed (%v):\n%s", err, tail(out.String(), 40))
	}
	t.Logf("npm ci took %s", time.Since(start).Round(time.Second))
	return os.WriteFile(stamp, []byte(want), 0o644)
}

// installed reports whether the packages server.mjs loads are there, with the compiled
// better-sqlite3 module (a stamp alone does not prove it).
func installed(dir string) bool {
	for _, p := range []string{
		"node_modules/better-auth/package.json",
		"node_modules/@better-auth/api-key/package.json",
		"node_modules/better-sqlite3/build/Release/better_sqlite3.node",
	} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

// npmEnv lets node-gyp build better-sqlite3 against the system's Node headers, which
// works without access to nodejs.org (only the npm registry is needed).
func npmEnv() []string {
	env := os.Environ()
	if os.Getenv("npm_config_nodedir") == "" {
		if _, err := os.Stat("/usr/include/node/node.h"); err == nil {
			env = append(env, "npm_config_nodedir=/usr")
		}
	}
	return env
}

// lockHash is the stamp of an install: the SHA-256 of package-lock.json and the node
// version, in the same format .ci/run writes after its own `npm ci`:
// "<sha256 hex> node <version>".
func lockHash(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", err
	}
	v, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "", fmt.Errorf("node --version: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) + " node " + strings.TrimSpace(string(v)) + "\n", nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// startServer starts server.mjs for one script and waits for its READY line.
func startServer(env *testscript.Env, node, dir string) error {
	logPath := filepath.Join(env.WorkDir, ".better-auth.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(node, filepath.Join(dir, "server.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT=0", "BA_DB=:memory:", "NODE_ENV=test")
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting the Better Auth server: %w", err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
			logf.Close()
		})
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- strings.TrimSpace(url)
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(ready) // stdout closed: the server exited
	}()
	var base string
	var ok bool
	select {
	case base, ok = <-ready:
	case <-time.After(startTimeout):
	}
	if !ok || base == "" {
		stop()
		log, _ := os.ReadFile(logPath)
		return fmt.Errorf("the Better Auth server did not start (no READY line within %s):\n%s", startTimeout, tail(string(log), 30))
	}
	env.Defer(stop)
	for k, v := range map[string]string{
		"KERNIA_SERVER":     base,
		"BA_URL":            base,
		"KERNIA_CONFIG_DIR": filepath.Join(env.WorkDir, ".config", "kernia-admin"),
		"XDG_CONFIG_HOME":   filepath.Join(env.WorkDir, ".config"),
		"HOME":              env.WorkDir,
		"KERNIA_KEYRING":    "file",
		"NO_COLOR":          "1",
		"ADMIN_EMAIL":       adminEmail,
		"ADMIN_PASSWORD":    adminPassword,
		"USER_EMAIL":        userEmail,
		"USER_PASSWORD":     userPassword,
		"SEED_COUNT":        strconv.Itoa(seedCount),
	} {
		env.Setenv(k, v)
	}
	return nil
}

// exits N command [args...]: runs the command and requires exit status N exactly.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad status %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee interface{ ExitCode() int }
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

func post(ts *testscript.TestScript, path string, body any) (*http.Response, []byte) {
	b, _ := json.Marshal(body)
	resp, err := http.Post(ts.Getenv("BA_URL")+"/api/auth"+path, "application/json", bytes.NewReader(b))
	if err != nil {
		ts.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// signin EMAIL PASSWORD VAR: signs in over HTTP (not through the CLI) and stores the signed
// session token (set-auth-token) in $VAR. With !, the sign-in must fail.
func cmdSignin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: signin EMAIL PASSWORD VAR")
	}
	resp, _ := post(ts, "/sign-in/email", map[string]string{"email": args[0], "password": args[1]})
	tok := resp.Header.Get("set-auth-token")
	if (resp.StatusCode != http.StatusOK || tok == "") != neg {
		ts.Fatalf("signin %s: HTTP %d", args[0], resp.StatusCode)
	}
	ts.Setenv(args[2], tok)
}

// signup EMAIL NAME...: creates a user through Better Auth's public sign-up route (password
// $USER_PASSWORD), for scripts that need more users than the two seeded ones.
func cmdSignup(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: signup EMAIL NAME...")
	}
	resp, body := post(ts, "/sign-up/email", map[string]string{"email": args[0], "name": strings.Join(args[1:], " "), "password": ts.Getenv("USER_PASSWORD")})
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("signup %s: HTTP %d %s", args[0], resp.StatusCode, body)
	}
}

// stdout2env VAR: sets $VAR to the last command's stdout, trimmed.
func cmdStdout2env(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: stdout2env VAR")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}
