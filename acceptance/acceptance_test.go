// Package acceptance runs testscript end-to-end scripts: the real kernia-admin binary against
// a real sandbox server over HTTP on 127.0.0.1, one fresh server and database per script.
package acceptance

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kernia-dev/kernia-admin/commands"
	"github.com/kernia-dev/kernia-admin/internal/smtpsink"
	"github.com/kernia-dev/kernia-admin/sandbox"
)

func TestMain(m *testing.M) {
	testscript.Main(cleanupM{m}, map[string]func(){
		"kernia-admin": func() { os.Exit(commands.Main()) },
	})
}

type serverKey struct{}

func TestScripts(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			testscript.Run(t, Params(dir))
		})
	}
}

// Params are the testscript parameters shared by every script directory.
func Params(dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup:               setupFor(dir),
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":       cmdExits,
			"signin":      cmdSignin,
			"stdout2env":  cmdStdout2env,
			"seed":        cmdSeed,
			"sleep":       cmdSleep,
			"adminconfig": cmdAdminConfig,
			"smtp-sink":   cmdSMTPSink,
			"smtp-wait":   cmdSMTPWait,
			"stripe-mock": cmdStripeMock,
			// keys, sso and scim (identitycmds_test.go)
			"dns-server":     cmdDNSServer,
			"dns-txt":        cmdDNSTXT,
			"scim-provision": cmdSCIMProvision,
			// fault injection (faultcmds_test.go)
			"fault-proxy": cmdFaultProxy,
			"fault":       cmdFault,
			"fault-count": cmdFaultCount,
			"fault-seen":  cmdFaultSeen,
			"audit-count": cmdAuditCount,
			"lines":       cmdLines,
		},
	}
}

// setupFor returns the Setup of a script directory. A directory whose name ends in
// "-kernia-only" gets a sandbox without the dashboard routes (plain Kernia).
func setupFor(dir string) func(env *testscript.Env) error {
	opts := sandbox.Options{NoDashboard: strings.HasSuffix(filepath.Base(dir), "-kernia-only")}
	return func(env *testscript.Env) error { return setupWith(env, opts) }
}

func setupWith(env *testscript.Env, opts sandbox.Options) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	db := filepath.Join(env.WorkDir, "sandbox.db")
	opts.Path, opts.BaseURL = db, base
	srv, err := sandbox.Open(context.Background(), opts)
	if err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	env.Defer(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		srv.Close()
	})
	env.Values[serverKey{}] = srv
	env.Values[smtpSinkKey{}] = &sinkHolder{}
	env.Values[dnsServerKey{}] = &dnsHolder{}
	env.Values[faultProxyKey{}] = &proxyHolder{}
	for k, v := range map[string]string{
		"KERNIA_SERVER":     base,
		"SANDBOX_URL":       base,
		"SANDBOX_HOST":      ln.Addr().String(),
		"SANDBOX_DB":        db,
		"KERNIA_CONFIG_DIR": filepath.Join(env.WorkDir, ".config", "kernia-admin"),
		"XDG_CONFIG_HOME":   filepath.Join(env.WorkDir, ".config"),
		"HOME":              env.WorkDir,
		"KERNIA_KEYRING":    "file",
		"NO_COLOR":          "1",
		"ADMIN_EMAIL":       sandbox.AdminEmail,
		"ADMIN_PASSWORD":    sandbox.AdminPassword,
		"USER_EMAIL":        sandbox.UserEmail,
		"USER_PASSWORD":     sandbox.UserPassword,
		"SEED_COUNT":        strconv.Itoa(sandbox.SeedUserCount),
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
		ee, ok := err.(interface{ ExitCode() int })
		if !ok {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// signin EMAIL PASSWORD VAR: signs in over HTTP (not through the CLI) and stores the
// session token in $VAR, for scripts that need a non-admin token.
func cmdSignin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: signin EMAIL PASSWORD VAR")
	}
	body, _ := json.Marshal(map[string]string{"email": args[0], "password": args[1]})
	resp, err := http.Post(ts.Getenv("SANDBOX_URL")+"/api/auth/sign-in/email", "application/json", strings.NewReader(string(body)))
	if err != nil {
		ts.Fatalf("signin: %v", err)
	}
	resp.Body.Close()
	tok := resp.Header.Get("set-auth-token")
	if (resp.StatusCode != 200 || tok == "") != neg {
		ts.Fatalf("signin %s: HTTP %d", args[0], resp.StatusCode)
	}
	ts.Setenv(args[2], tok)
}

// stdout2env VAR: sets $VAR to the last command's stdout, trimmed.
func cmdStdout2env(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: stdout2env VAR")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// seed N: adds N generated users to this script's sandbox.
func cmdSeed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: seed N")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("seed: %v", err)
	}
	srv := ts.Value(serverKey{}).(*sandbox.Server)
	if err := srv.Seed(context.Background(), n); err != nil {
		ts.Fatalf("seed: %v", err)
	}
	ts.Setenv("SEED_COUNT", fmt.Sprint(sandbox.SeedUserCount+n))
}

// adminconfig KEY: prints the admin-config document stored under KEY straight from the
// sandbox database (secrets in clear), for assertions that nothing was lost.
func cmdAdminConfig(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: adminconfig KEY")
	}
	srv := ts.Value(serverKey{}).(*sandbox.Server)
	value, secretFields, err := srv.AdminConfigRaw(context.Background(), args[0])
	if (err != nil) != neg {
		ts.Fatalf("adminconfig %s: %v", args[0], err)
	}
	if err == nil {
		fmt.Fprintf(ts.Stdout(), "%s\nsecretFields: %s\n", value, secretFields)
	}
}

type smtpSinkKey struct{}

// smtp-sink: starts an SMTP sink on 127.0.0.1 for this script and sets $SMTP_HOST and
// $SMTP_PORT. It is closed when the script ends.
func cmdSMTPSink(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: smtp-sink")
	}
	sink, err := smtpsink.Start()
	if err != nil {
		ts.Fatalf("smtp-sink: %v", err)
	}
	ts.Defer(func() { sink.Close() })
	holder, _ := ts.Value(smtpSinkKey{}).(*sinkHolder)
	if holder == nil {
		ts.Fatalf("smtp-sink: no holder (setup)")
	}
	holder.sink = sink
	ts.Setenv("SMTP_HOST", sink.Host())
	ts.Setenv("SMTP_PORT", strconv.Itoa(sink.Port()))
}

// sinkHolder lets smtp-wait find the sink smtp-sink started (ts.Value is read-only).
type sinkHolder struct{ sink *smtpsink.Sink }

// smtp-wait N: waits up to 10s for N messages in the sink and prints them (From, To, Data).
func cmdSMTPWait(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: smtp-wait N")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("smtp-wait: %v", err)
	}
	holder, _ := ts.Value(smtpSinkKey{}).(*sinkHolder)
	if holder == nil || holder.sink == nil {
		ts.Fatalf("smtp-wait: run smtp-sink first")
	}
	timeout := 10 * time.Second
	if neg {
		timeout = time.Second
	}
	msgs, err := holder.sink.WaitFor(n, timeout)
	if neg {
		if err == nil {
			ts.Fatalf("smtp-wait: %d message(s) arrived", len(msgs))
		}
		return
	}
	if err != nil {
		ts.Fatalf("smtp-wait (sink %s): %v", holder.sink.Addr(), err)
	}
	for _, m := range msgs {
		fmt.Fprintf(ts.Stdout(), "From: %s\nTo: %s\nUser: %s\n%s\n", m.From, strings.Join(m.To, ","), m.Username, m.Data)
	}
}

// sleep DURATION: pauses the script (e.g. to let a grace period or a server start pass).
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	arg := args[0]
	if _, err := strconv.Atoi(arg); err == nil {
		arg += "s"
	}
	d, err := time.ParseDuration(arg)
	if err != nil || d > time.Minute {
		ts.Fatalf("sleep: bad duration %q", args[0])
	}
	time.Sleep(d)
}
