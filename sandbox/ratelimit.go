package sandbox

import (
	"strings"
	"sync"
	"time"
)

// rateLimiter is Kernia's fixed-window limiter, counted per (path, actor).
type rateLimiter struct {
	window time.Duration
	max    int
	mu     sync.Mutex
	counts map[string]*rateBucket
}

type rateBucket struct {
	start time.Time
	n     int
}

func newRateLimiter(cfg RateLimit) *rateLimiter {
	l := &rateLimiter{window: cfg.Window, max: cfg.Max, counts: map[string]*rateBucket{}}
	if l.window <= 0 {
		l.window = defaultRateWindow
	}
	if l.max <= 0 {
		l.max = defaultRateMax
	}
	return l
}

// limitFor is the per-path rule: Kernia's plugin rules, else the global max.
func (l *rateLimiter) limitFor(path string) int {
	switch strings.TrimPrefix(path, authPrefix) {
	case "/sign-in/email":
		return 10
	case "/sign-up/email":
		return 5
	}
	return l.max
}

// allow counts one request; when the window is exhausted it returns false
// and the whole seconds until the window resets (at least 1).
func (l *rateLimiter) allow(path, actor string, now time.Time) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) > 10000 {
		for k, b := range l.counts {
			if now.Sub(b.start) >= l.window {
				delete(l.counts, k)
			}
		}
	}
	key := path + "\x00" + actor
	b := l.counts[key]
	if b == nil || now.Sub(b.start) >= l.window || now.Before(b.start) {
		b = &rateBucket{start: now}
		l.counts[key] = b
	}
	if b.n >= l.limitFor(path) {
		left := b.start.Add(l.window).Sub(now)
		secs := int((left + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return secs, false
	}
	b.n++
	return 0, true
}
