package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The binary is built once per test process, into a directory removed by TestMain.
var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	LauncherMain() // RunList re-executes this test binary as its launcher
	code := m.Run()
	for _, s := range shared {
		if s != nil {
			s.Close()
		}
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func binary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		root, err := ModuleRoot(".")
		if err != nil {
			buildErr = err
			return
		}
		if buildDir, err = os.MkdirTemp("", "kernia-bench-"); err != nil {
			buildErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		buildBin, buildErr = Build(ctx, root, buildDir)
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return buildBin
}

func startServer(tb testing.TB, extra int) *Server {
	tb.Helper()
	srv, err := StartServer(context.Background(), tb.TempDir(), extra)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	return srv
}

var (
	sharedOnce sync.Once
	shared     []*Server
	sharedErr  error
	sharedDir  string
)

// sharedServers are the 10k and 100k sandboxes, seeded once per test process and closed
// by TestMain.
func sharedServers(tb testing.TB) (small, large *Server) {
	tb.Helper()
	sharedOnce.Do(func() {
		start := time.Now()
		if sharedDir, sharedErr = os.MkdirTemp("", "kernia-bench-db-"); sharedErr != nil {
			return
		}
		shared = make([]*Server, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, n := range []int{smallSeed, largeSeed} {
			dir := fmt.Sprintf("%s/%d", sharedDir, n)
			if sharedErr = os.Mkdir(dir, 0o700); sharedErr != nil {
				return
			}
			wg.Go(func() { shared[i], errs[i] = StartServer(context.Background(), dir, n) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && sharedErr == nil {
				sharedErr = err
			}
		}
		fmt.Fprintf(os.Stderr, "bench: seeded %d and %d users in %s\n", smallSeed, largeSeed, time.Since(start).Round(time.Millisecond))
	})
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return shared[0], shared[1]
}

const (
	smallSeed = 10_000
	largeSeed = 100_000
	// rssFactor and rssSlack: peak RSS at 100k users may be at most rssFactor × the peak at
	// 10k plus rssSlack. A list that keeps its records (the TTY table, --jq) needs far more:
	// see TestMemoryMeasureDetectsGrowth.
	rssFactor = 1.5
	rssSlack  = 4 << 20
)

// checkMeasurable fails when a peak RSS cannot be the child's own: missing, or not clearly
// above the launcher's resident set, which the kernel folds into the child's ru_maxrss.
func checkMeasurable(t *testing.T, r Result) {
	t.Helper()
	if r.MaxRSS <= 0 {
		t.Fatalf("no peak RSS reported for the child")
	}
	if r.Floor <= 0 || 2*r.Floor > r.MaxRSS {
		t.Fatalf("peak RSS %s is not clearly above the launcher's %s: the number would measure the launcher, not kernia-admin",
			mib(r.MaxRSS), mib(r.Floor))
	}
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// TestListAllStreamsMemory is the proof of DESIGN.md §5 "Lists page through everything
// with --all, streaming (memory does not grow with N)": the real binary lists 10 025 and
// 100 025 users in each streamed format, and its peak RSS at 100k stays within 1.5× (plus
// a little slack) of the 10k run.
func TestListAllStreamsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and seeds 110 000 users; skipped with -short")
	}
	bin := binary(t)
	small, large := sharedServers(t)
	home := t.TempDir()
	ctx := context.Background()
	for _, f := range Formats() {
		t.Run(f.Name, func(t *testing.T) {
			rs, err := RunList(ctx, bin, home, small, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			rl, err := RunList(ctx, bin, home, large, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []Result{rs, rl} {
				if r.Records != r.Users {
					t.Errorf("%s with %d users: %d records on stdout, want %d", f.Name, r.Users, r.Records, r.Users)
				}
				checkMeasurable(t, r)
				if strings.TrimSpace(r.Stderr) != "" {
					t.Errorf("%s with %d users: unexpected stderr: %s", f.Name, r.Users, r.Stderr)
				}
			}
			limit := int64(rssFactor*float64(rs.MaxRSS)) + rssSlack
			t.Logf("%-5s 10k: %s in %s (CPU %s, %d B out) | 100k: %s in %s (CPU %s, %d B out) | ratio %.2f | limit %s | launcher floor %s",
				f.Name, mib(rs.MaxRSS), rs.Wall.Round(time.Millisecond), rs.CPU.Round(time.Millisecond), rs.Bytes,
				mib(rl.MaxRSS), rl.Wall.Round(time.Millisecond), rl.CPU.Round(time.Millisecond), rl.Bytes,
				float64(rl.MaxRSS)/float64(rs.MaxRSS), mib(limit), mib(max(rs.Floor, rl.Floor)))
			if rl.MaxRSS > limit {
				t.Errorf("%s: peak RSS grows with the number of users: %s at %d users vs %s at %d (limit %s)",
					f.Name, mib(rl.MaxRSS), rl.Users, mib(rs.MaxRSS), rs.Users, mib(limit))
			}
		})
	}
}

// TestMemoryMeasureDetectsGrowth is the control: the same measurement on an output mode
// that must hold the whole list (--jq runs over the complete array) shows the growth the
// streaming test would catch. If this fails, the memory measurement itself is blind.
func TestMemoryMeasureDetectsGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and seeds users; skipped with -short")
	}
	bin := binary(t)
	small, large := sharedServers(t)
	srvs := []*Server{small, large}
	home := t.TempDir()
	f := Format{Name: "jq", Args: []string{"--jq", "length"}}
	ctx := context.Background()
	var rss [2]int64
	for i, srv := range srvs {
		r, err := RunList(ctx, bin, home, srv, f, 0)
		if err != nil {
			t.Fatal(err)
		}
		// "--jq length" prints one line: the number of users.
		if r.Records != 1 {
			t.Fatalf("--jq length printed %d lines, want 1", r.Records)
		}
		checkMeasurable(t, r)
		rss[i] = r.MaxRSS
		t.Logf("jq %d users: %s in %s (launcher floor %s)", srv.Users, mib(r.MaxRSS), r.Wall.Round(time.Millisecond), mib(r.Floor))
	}
	if limit := int64(rssFactor*float64(rss[0])) + rssSlack; rss[1] <= limit {
		t.Errorf("a buffering mode stayed within the streaming limit (%s at 100k vs %s at 10k, limit %s): the measurement cannot tell streaming from buffering",
			mib(rss[1]), mib(rss[0]), mib(limit))
	}
}

// TestStreamReport prints the numbers behind stream.sh: the median peak RSS and wall time
// of BENCH_RUNS runs (default 5) per format at 10k and 100k users, and their ratio.
// It runs only with BENCH_REPORT=1.
func TestStreamReport(t *testing.T) {
	if os.Getenv("BENCH_REPORT") != "1" {
		t.Skip("set BENCH_REPORT=1 (bench/stream.sh does)")
	}
	runs := 5
	if v := os.Getenv("BENCH_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("invalid BENCH_RUNS %q", v)
		}
		runs = n
	}
	pageSize := 0
	if v := os.Getenv("BENCH_PAGE_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("invalid BENCH_PAGE_SIZE %q", v)
		}
		pageSize = n
	}
	bin := binary(t)
	small, large := sharedServers(t)
	srvs := []*Server{small, large}
	home := t.TempDir()
	ctx := context.Background()
	var b strings.Builder
	fmt.Fprintf(&b, "users list --all: median of %d runs (page size %s), seeded %d and %d users\n",
		runs, orDefault(pageSize), srvs[0].Users, srvs[1].Users)
	fmt.Fprintf(&b, "%-6s %14s %14s %7s %9s %9s %7s %9s\n", "format", "RSS 10k", "RSS 100k", "ratio", "time 10k", "time 100k", "ratio", "CPU 100k")
	for _, f := range Formats() {
		var rss, wall, cpu [2][]float64
		// Interleave sizes so that machine noise hits both alike.
		for range runs {
			for i, srv := range srvs {
				r, err := RunList(ctx, bin, home, srv, f, pageSize)
				if err != nil {
					t.Fatal(err)
				}
				if r.Records != srv.Users {
					t.Fatalf("%s: %d records, want %d", f.Name, r.Records, srv.Users)
				}
				rss[i] = append(rss[i], float64(r.MaxRSS))
				wall[i] = append(wall[i], r.Wall.Seconds())
				cpu[i] = append(cpu[i], r.CPU.Seconds())
			}
		}
		r0, r1 := Median(rss[0]), Median(rss[1])
		w0, w1 := Median(wall[0]), Median(wall[1])
		fmt.Fprintf(&b, "%-6s %10.1f MiB %10.1f MiB %7.2f %8.2fs %8.2fs %7.2f %8.2fs\n",
			f.Name, r0/(1<<20), r1/(1<<20), r1/r0, w0, w1, w1/w0, Median(cpu[1]))
	}
	fmt.Print(b.String())
}

func orDefault(n int) string {
	if n == 0 {
		return "default"
	}
	return strconv.Itoa(n)
}

// BenchmarkListAll runs `users list --all --jsonl` over 10 025 users per iteration and
// reports the child's peak RSS as a custom metric.
func BenchmarkListAll(b *testing.B) {
	bin := binary(b)
	srv := startServer(b, smallSeed)
	home := b.TempDir()
	f := Formats()[0]
	var peak int64
	b.ResetTimer()
	for b.Loop() {
		r, err := RunList(context.Background(), bin, home, srv, f, 0)
		if err != nil {
			b.Fatal(err)
		}
		if r.Records != srv.Users {
			b.Fatalf("%d records, want %d", r.Records, srv.Users)
		}
		peak = max(peak, r.MaxRSS)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(srv.Users), "users/op")
}
