// Package bench measures kernia-admin end to end: the real binary against a real sandbox
// server over HTTP on 127.0.0.1. Its first measurement is the streaming claim of
// DESIGN.md §5: `users list --all` keeps its peak memory flat as the number of users grows.
//
// The helpers here are used by the tests in this package (TestListAllStreamsMemory, the
// report behind stream.sh, and BenchmarkListAll). See README.md.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kernia-dev/kernia-admin/sandbox"
)

// Format is one output mode of `users list --all`.
type Format struct {
	Name string   // "jsonl", "json", "table"
	Args []string // extra flags
}

// Formats are the three streamed output modes. "table" is the non-TTY table (TSV rows):
// the child's stdout is a pipe, never a terminal.
func Formats() []Format {
	return []Format{
		{Name: "jsonl", Args: []string{"--jsonl"}},
		{Name: "json", Args: []string{"--json"}},
		{Name: "table", Args: nil},
	}
}

// ModuleRoot finds the directory holding go.mod, starting at dir and walking up.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("bench: go.mod not found")
		}
		dir = parent
	}
}

// Build compiles ./cmd/kernia-admin of the module at root into dir and returns the path.
func Build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "kernia-admin")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/kernia-admin")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, stderr.String())
	}
	return bin, nil
}

// Server is a sandbox served over HTTP on 127.0.0.1 with Users users in total
// (sandbox.SeedUserCount built-in users plus the bulk-seeded ones).
type Server struct {
	URL       string
	Token     string
	Users     int
	SeedTime  time.Duration
	srv       *sandbox.Server
	hs        *http.Server
	closeOnce sync.Once
}

// StartServer opens a new sandbox database in dir, seeds extra bulk users and serves it.
func StartServer(ctx context.Context, dir string, extra int) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	srv, err := sandbox.Open(ctx, sandbox.Options{Path: filepath.Join(dir, "sandbox.db"), BaseURL: base})
	if err != nil {
		ln.Close()
		return nil, err
	}
	start := time.Now()
	if err := srv.Seed(ctx, extra); err != nil {
		ln.Close()
		srv.Close()
		return nil, err
	}
	seedTime := time.Since(start)
	tok, err := srv.AdminToken(ctx)
	if err != nil {
		ln.Close()
		srv.Close()
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return &Server{URL: base, Token: tok, Users: sandbox.SeedUserCount + extra, SeedTime: seedTime, srv: srv, hs: hs}, nil
}

// Close stops the HTTP server and closes the database.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.hs.Shutdown(ctx)
		s.srv.Close()
	})
}

// Result is one run of the binary.
type Result struct {
	Format  string
	Users   int
	Records int           // records counted on stdout
	Bytes   int64         // bytes on stdout
	MaxRSS  int64         // peak resident set size of the child, in bytes
	Floor   int64         // the launcher's RSS when it started the child (MaxRSS >= Floor)
	Wall    time.Duration // wall-clock time of the child
	CPU     time.Duration // user+system CPU time of the child (the rest of Wall is the server)
	Stderr  string
}

// RunList runs `kernia-admin users list --all <format flags>` against srv with stdout going
// to a counting writer (nothing is kept in memory) and returns the child's peak RSS.
//
// The child is not started directly. Go's os/exec starts children with
// clone(CLONE_VM|CLONE_VFORK), so the child shares the parent's address space until it
// calls execve, and Linux then folds the parent's high-water RSS into the child's
// ru_maxrss. Started from a test process that holds a 100 000-user sandbox, every child
// would report the test process's peak (measured: 76.6 MiB for every format and size),
// which hides any difference. So the binary is started by a launcher: a fresh copy of the
// calling executable (which must call LauncherMain first thing in main or TestMain), whose
// own resident set is a few MiB. The launcher runs the binary, takes its peak RSS from
// cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss, and writes it to a file. The
// launcher's own high-water RSS at spawn time is returned as Result.Floor: a measurement
// can never read below it.
func RunList(ctx context.Context, bin, home string, srv *Server, f Format, pageSize int) (Result, error) {
	args := append([]string{"users", "list", "--all"}, f.Args...)
	if pageSize > 0 {
		args = append(args, "--page-size", fmt.Sprint(pageSize))
	}
	self, err := os.Executable()
	if err != nil {
		return Result{}, err
	}
	rfile, err := os.CreateTemp(home, "rusage-*.json")
	if err != nil {
		return Result{}, err
	}
	rfile.Close()
	defer os.Remove(rfile.Name())
	cmd := exec.CommandContext(ctx, self, append([]string{bin}, args...)...)
	cmd.Env = append(childEnv(home, srv), envLaunch+"=1", envRusage+"="+rfile.Name())
	cw := &countingWriter{format: f.Name}
	var stderr bytes.Buffer
	cmd.Stdout = cw
	cmd.Stderr = &stderr
	err = cmd.Run()
	res := Result{Format: f.Name, Users: srv.Users, Stderr: stderr.String()}
	var rep launchReport
	if b, rerr := os.ReadFile(rfile.Name()); rerr == nil && len(b) > 0 {
		if jerr := json.Unmarshal(b, &rep); jerr != nil {
			return res, fmt.Errorf("launcher report: %v", jerr)
		}
		res.MaxRSS, res.Floor, res.Wall, res.CPU = rep.MaxRSS, rep.Floor, time.Duration(rep.WallNS), time.Duration(rep.CPUNS)
	}
	if err != nil {
		return res, fmt.Errorf("%s %s: %v\nstderr: %s", bin, strings.Join(args, " "), err, stderr.String())
	}
	if rep.MaxRSS == 0 {
		return res, errors.New("launcher wrote no rusage report (does the executable call bench.LauncherMain?)")
	}
	n, err := cw.records()
	res.Records, res.Bytes = n, cw.bytes
	return res, err
}

const (
	envLaunch = "KERNIA_BENCH_LAUNCHER"
	envRusage = "KERNIA_BENCH_RUSAGE_FILE"
)

type launchReport struct {
	MaxRSS int64 `json:"maxRSS"`
	Floor  int64 `json:"floor"`
	WallNS int64 `json:"wallNs"`
	CPUNS  int64 `json:"cpuNs"`
}

// LauncherMain turns the process into RunList's launcher when it was started as one: it
// runs os.Args[1:] with stdin, stdout and stderr passed through, writes the child's peak
// RSS to the report file and exits with the child's exit code. Otherwise it returns at
// once. Call it first in TestMain (or main).
func LauncherMain() {
	if os.Getenv(envLaunch) != "1" {
		return
	}
	report := os.Getenv(envRusage)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envLaunch+"=") && !strings.HasPrefix(kv, envRusage+"=") {
			env = append(env, kv)
		}
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "bench launcher: no command")
		os.Exit(2)
	}
	floor := selfHWM()
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "bench launcher:", err)
			os.Exit(125)
		}
		code = ee.ExitCode()
	}
	rep := launchReport{Floor: floor, WallNS: int64(wall)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rep.MaxRSS = int64(ru.Maxrss) * 1024 // Linux reports kilobytes
		rep.CPUNS = ru.Utime.Nano() + ru.Stime.Nano()
	}
	b, _ := json.Marshal(rep)
	if report != "" {
		if err := os.WriteFile(report, b, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "bench launcher:", err)
			os.Exit(125)
		}
	}
	os.Exit(code)
}

// selfHWM is this process's high-water resident set (VmHWM), in bytes; 0 if unknown.
func selfHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb * 1024
		}
	}
	return 0
}

// childEnv is a minimal environment: the server and token, a private config dir and
// HOME, and the file keyring (never the user's real configuration or keyring).
func childEnv(home string, srv *Server) []string {
	env := []string{
		"KERNIA_SERVER=" + srv.URL,
		"KERNIA_TOKEN=" + srv.Token,
		"KERNIA_CONFIG_DIR=" + filepath.Join(home, ".config", "kernia-admin"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"HOME=" + home,
		"KERNIA_KEYRING=file",
		"NO_COLOR=1",
	}
	for _, k := range []string{"PATH", "TMPDIR", "GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// countingWriter counts lines and records without keeping the output.
//
//	jsonl: one record a line.
//	table: the non-TTY table prints one tab-separated row a record and no header.
//	json:  a streamed, indented array: "[", then each record opens with a line that is
//	       exactly "  {" (the user model is flat), then "]".
type countingWriter struct {
	format    string
	bytes     int64
	lines     int
	objects   int
	first     string
	last      string
	cur       []byte
	badPrefix string
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n := len(p)
	w.bytes += int64(n)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.cur = append(w.cur, p...)
			break
		}
		w.cur = append(w.cur, p[:i]...)
		w.line(w.cur)
		w.cur = w.cur[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (w *countingWriter) line(l []byte) {
	w.lines++
	s := string(l)
	if w.lines == 1 {
		w.first = s
	}
	w.last = s
	switch w.format {
	case "json":
		if s == "  {" {
			w.objects++
		}
	case "jsonl":
		if !strings.HasPrefix(s, "{") && w.badPrefix == "" {
			w.badPrefix = s
		}
	}
}

func (w *countingWriter) records() (int, error) {
	if len(w.cur) > 0 {
		return 0, fmt.Errorf("output does not end with a newline: %q", truncate(string(w.cur)))
	}
	switch w.format {
	case "json":
		if w.first != "[" || w.last != "]" {
			return w.objects, fmt.Errorf("--json output is not one array: first line %q, last line %q", truncate(w.first), truncate(w.last))
		}
		return w.objects, nil
	case "jsonl":
		if w.badPrefix != "" {
			return w.lines, fmt.Errorf("--jsonl line is not an object: %q", truncate(w.badPrefix))
		}
	}
	return w.lines, nil
}

func truncate(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// Median returns the median of xs (the mean of the two middle values for an even count).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
