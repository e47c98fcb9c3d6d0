package apiclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// failThenOK answers fail for the first n requests, then 200 {"ok":true}.
func failThenOK(n int32, fail http.HandlerFunc) http.HandlerFunc {
	var count atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= n {
			fail(w, r)
			return
		}
		reply(w, http.StatusOK, `{"ok":true}`)
	}
}

func TestRateLimitRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		header   map[string]string
		body     string
		wantWait time.Duration
	}{
		{"Retry-After seconds", map[string]string{"Retry-After": "2"}, `{"code":"RATE_LIMITED","message":"Too many requests"}`, 2 * time.Second},
		{"Better Auth X-Retry-After", map[string]string{"X-Retry-After": "3"}, `{"message":"Too many requests. Please try again later."}`, 3 * time.Second},
		{"Kernia API-key data.tryAgainIn ms", nil, `{"code":"RATE_LIMITED","message":"Rate limit exceeded.","data":{"tryAgainIn":1500}}`, 1500 * time.Millisecond},
		{"no hint: back-off", nil, `{"code":"RATE_LIMITED"}`, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			// A plain (non-idempotent) POST: a 429 is answered before the handler runs,
			// so repeating it is safe.
			f.mux.HandleFunc("POST /api/auth/admin/create-user", failThenOK(1, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				reply(w, http.StatusTooManyRequests, tt.body)
			}))
			var out struct{ OK bool }
			if _, err := f.do(context.Background(), http.MethodPost, "/api/auth/admin/create-user", struct{}{}, &out); err != nil {
				t.Fatalf("Do: %v", err)
			}
			if !out.OK {
				t.Error("the retried answer was not decoded")
			}
			f.wantRequests(2)
			if diff := cmp.Diff([]time.Duration{tt.wantWait}, f.waits()); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRateLimitNotRetried(t *testing.T) {
	t.Parallel()
	t.Run("Retry-After beyond the max wait", func(t *testing.T) {
		t.Parallel()
		f := setup(t) // max wait 10s
		f.mux.HandleFunc("GET /api/auth/ok", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			reply(w, http.StatusTooManyRequests, `{"code":"RATE_LIMITED","message":"slow down"}`)
		})
		_, err := f.client.Meta.OK(context.Background())
		ae := apiError(t, err)
		if ae.Status != 429 || ae.Code != "RATE_LIMITED" || ae.RetryAfter != 120*time.Second || ae.Attempts != 1 {
			t.Errorf("error = %+v, want 429 RATE_LIMITED with RetryAfter 2m0s after 1 attempt", ae)
		}
		f.wantRequests(1)
		if w := f.waits(); len(w) != 0 {
			t.Errorf("waited %v, want no wait", w)
		}
	})
	t.Run("tryAgainIn beyond the max wait", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.mux.HandleFunc("GET /api/auth/ok", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusTooManyRequests, `{"code":"RATE_LIMITED","message":"Rate limit exceeded.","data":{"tryAgainIn":86400000}}`)
		})
		_, err := f.client.Meta.OK(context.Background())
		if ae := apiError(t, err); ae.RetryAfter != 24*time.Hour {
			t.Errorf("RetryAfter = %v, want 24h", ae.RetryAfter)
		}
		f.wantRequests(1)
	})
	t.Run("USAGE_EXCEEDED", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.mux.HandleFunc("GET /api/auth/ok", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusTooManyRequests, `{"code":"USAGE_EXCEEDED","message":"Usage exceeded."}`)
		})
		_, err := f.client.Meta.OK(context.Background())
		if ae := apiError(t, err); ae.Code != "USAGE_EXCEEDED" || ae.Attempts != 1 {
			t.Errorf("error = %+v, want USAGE_EXCEEDED after 1 attempt", ae)
		}
		f.wantRequests(1)
		if w := f.waits(); len(w) != 0 {
			t.Errorf("waited %v, want no wait", w)
		}
	})
}

// resetConn hijacks the connection and closes it with SO_LINGER 0, so the client reads a
// TCP reset instead of an answer.
func resetConn(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		conn.Close()
	}
}

func TestTransientFailures(t *testing.T) {
	t.Parallel()
	failures := map[string]func(t *testing.T) http.HandlerFunc{
		"502":              func(*testing.T) http.HandlerFunc { return status(502, "<html>Bad Gateway</html>") },
		"503":              func(*testing.T) http.HandlerFunc { return status(503, `{"code":"UNAVAILABLE","message":"try later"}`) },
		"504":              func(*testing.T) http.HandlerFunc { return status(504, "") },
		"connection reset": resetConn,
	}
	kinds := []struct {
		name    string
		method  string
		ctx     func(context.Context) context.Context
		retried bool
	}{
		{"GET", http.MethodGet, func(c context.Context) context.Context { return c }, true},
		{"ReadOnly POST", http.MethodPost, ReadOnly, true},
		{"Idempotent POST", http.MethodPost, Idempotent, true},
		{"plain POST", http.MethodPost, func(c context.Context) context.Context { return c }, false},
	}
	for fname, fail := range failures {
		for _, k := range kinds {
			t.Run(fname+"/"+k.name, func(t *testing.T) {
				t.Parallel()
				f := setup(t)
				f.mux.HandleFunc("/api/auth/thing", failThenOK(1, fail(t)))
				var body any
				if k.method == http.MethodPost {
					body = map[string]string{"userId": "u1"}
				}
				var out struct{ OK bool }
				_, err := f.do(k.ctx(context.Background()), k.method, "/api/auth/thing", body, &out)
				if k.retried {
					if err != nil || !out.OK {
						t.Fatalf("Do = %v (ok=%v), want success after one retry", err, out.OK)
					}
					reqs := f.wantRequests(2)
					if string(reqs[1].Body) != string(reqs[0].Body) {
						t.Errorf("retried body %q differs from the first %q", reqs[1].Body, reqs[0].Body)
					}
					if diff := cmp.Diff([]time.Duration{50 * time.Millisecond}, f.waits()); diff != "" {
						t.Errorf("waits mismatch (-want +got):\n%s", diff)
					}
					return
				}
				if err == nil {
					t.Fatal("a plain POST succeeded: it was repeated after a transient failure")
				}
				f.wantRequests(1)
				if fname == "connection reset" {
					var ne *NetworkError
					if !errors.As(err, &ne) {
						t.Errorf("error = %T %v, want *NetworkError", err, err)
					}
				} else if ae := apiError(t, err); ae.Attempts != 1 {
					t.Errorf("Attempts = %d, want 1", ae.Attempts)
				}
			})
		}
	}
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { reply(w, code, body) }
}

func TestRetriesStopAtMaximum(t *testing.T) {
	t.Parallel()
	f := setup(t, WithRetry(4, 100*time.Millisecond, 10*time.Second))
	f.mux.HandleFunc("GET /api/auth/ok", status(503, `{"code":"UNAVAILABLE"}`))
	_, err := f.client.Meta.OK(context.Background())
	ae := apiError(t, err)
	if ae.Status != 503 || ae.Attempts != 5 {
		t.Errorf("error = %+v, want 503 after 5 attempts", ae)
	}
	f.wantRequests(5)
	// Exponential back-off (jitter fixed at 0, i.e. the 0.5× end of the range): it grows.
	want := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}
	if diff := cmp.Diff(want, f.waits()); diff != "" {
		t.Errorf("back-off mismatch (-want +got):\n%s", diff)
	}
}

func TestBackoffCappedAndJittered(t *testing.T) {
	t.Parallel()
	c, err := NewClient("http://127.0.0.1:1", WithRetry(10, time.Second, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c.jitter = func() float64 { return 0.999 }
	if got := c.backoff(8); got > 5*time.Second*3/2 || got < 5*time.Second {
		t.Errorf("backoff(8) = %v, want the 5s cap scaled by the jitter (< 7.5s)", got)
	}
	c.jitter = func() float64 { return 0 }
	if got := c.backoff(0); got != 500*time.Millisecond {
		t.Errorf("backoff(0) = %v, want 500ms", got)
	}
}

func TestRetriesStopAfterConnectionResets(t *testing.T) {
	t.Parallel()
	f := setup(t, WithRetry(2, 100*time.Millisecond, 10*time.Second))
	f.mux.HandleFunc("GET /api/auth/ok", resetConn(t))
	_, err := f.client.Meta.OK(context.Background())
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("error = %T %v, want *NetworkError", err, err)
	}
	f.wantRequests(3)
	if diff := cmp.Diff([]time.Duration{50 * time.Millisecond, 100 * time.Millisecond}, f.waits()); diff != "" {
		t.Errorf("back-off mismatch (-want +got):\n%s", diff)
	}
}

// TestCancelDuringBackoff uses the real sleep: the context is cancelled while the client
// waits out a long back-off, and Do returns context.Canceled at once.
func TestCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c, err := NewClient(f.server.URL+baseURLPath, WithToken(testToken), WithRetry(5, 30*time.Second, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	answered := make(chan struct{}, 10)
	f.mux.HandleFunc("GET /api/auth/ok", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 503, `{"code":"UNAVAILABLE"}`)
		answered <- struct{}{}
	})
	go func() {
		<-answered
		time.Sleep(50 * time.Millisecond) // the client is now in its ≥15 s back-off
		cancel()
	}()
	start := time.Now()
	_, err = c.Meta.OK(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v, want promptly after the cancel", d)
	}
	f.wantRequests(1)
}

// TestCancelDuringRateLimitWait: the same while waiting out a Retry-After.
func TestCancelDuringRateLimitWait(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c, err := NewClient(f.server.URL+baseURLPath, WithToken(testToken))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	f.mux.HandleFunc("GET /api/auth/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		reply(w, 429, `{"code":"RATE_LIMITED"}`)
	})
	start := time.Now()
	_, err = c.Meta.OK(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v, want promptly at the deadline", d)
	}
}
