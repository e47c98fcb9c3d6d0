package keyring

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	zk "github.com/zalando/go-keyring"
)

// fakeBackend is a raw keyring with a value size limit, like Windows Credential Manager.
type fakeBackend struct {
	mu    sync.Mutex
	m     map[string]string
	limit int
	err   error         // returned by every call when set
	block chan struct{} // every call waits on it when set
}

func newFake(limit int) *fakeBackend { return &fakeBackend{m: map[string]string{}, limit: limit} }

func (f *fakeBackend) wait() error {
	if f.block != nil {
		<-f.block
	}
	return f.err
}

func (f *fakeBackend) Get(service, account string) (string, error) {
	if err := f.wait(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[service+"\x00"+account]
	if !ok {
		return "", zk.ErrNotFound
	}
	return v, nil
}

func (f *fakeBackend) Set(service, account, secret string) error {
	if err := f.wait(); err != nil {
		return err
	}
	if f.limit > 0 && len(secret) > f.limit {
		return zk.ErrSetDataTooBig
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[service+"\x00"+account] = secret
	return nil
}

func (f *fakeBackend) Delete(service, account string) error {
	if err := f.wait(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := service + "\x00" + account
	if _, ok := f.m[k]; !ok {
		return zk.ErrNotFound
	}
	delete(f.m, k)
	return nil
}

func (f *fakeBackend) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.m)
}

func TestStoreContract(t *testing.T) {
	stores := map[string]func() Store{
		"memory": NewMemory,
		"os-fake": func() Store {
			return &osStore{be: newFake(ChunkSize), timeout: time.Second}
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := mk()
			if _, err := s.Get(ctx, "svc", "a"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get absent: err = %v, want ErrNotFound", err)
			}
			if err := s.Set(ctx, "svc", "a", "one"); err != nil {
				t.Fatal(err)
			}
			if err := s.Set(ctx, "svc", "a", "two"); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(ctx, "svc", "a"); err != nil || got != "two" {
				t.Fatalf("Get = %q, %v; want two", got, err)
			}
			if _, err := s.Get(ctx, "other", "a"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get other service: err = %v, want ErrNotFound", err)
			}
			if err := s.Delete(ctx, "svc", "a"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "svc", "a"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Delete absent: err = %v, want ErrNotFound", err)
			}
			if !Probe(ctx, s) {
				t.Fatal("Probe = false on a working store")
			}
		})
	}
}

func TestChunking(t *testing.T) {
	ctx := context.Background()
	be := newFake(ChunkSize)
	s := &osStore{be: be, timeout: time.Second}

	big := strings.Repeat("abcdefghij", 700) // 7000 bytes → 4 chunks
	if err := s.Set(ctx, "svc", "prod", big); err != nil {
		t.Fatalf("Set big: %v", err)
	}
	if n := be.len(); n != 5 {
		t.Errorf("entries after chunked Set = %d, want 5 (header + 4 chunks)", n)
	}
	got, err := s.Get(ctx, "svc", "prod")
	if err != nil || got != big {
		t.Fatalf("Get big: len %d, err %v", len(got), err)
	}

	// Replacing by a small value removes the old chunks.
	if err := s.Set(ctx, "svc", "prod", "small"); err != nil {
		t.Fatal(err)
	}
	if n := be.len(); n != 1 {
		t.Errorf("entries after small Set = %d, want 1", n)
	}
	if got, _ := s.Get(ctx, "svc", "prod"); got != "small" {
		t.Errorf("Get = %q, want small", got)
	}

	// Delete removes every chunk.
	if err := s.Set(ctx, "svc", "prod", big); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "svc", "prod"); err != nil {
		t.Fatal(err)
	}
	if n := be.len(); n != 0 {
		t.Errorf("entries after Delete = %d, want 0", n)
	}

	// A value of exactly ChunkSize is stored in one entry.
	exact := strings.Repeat("x", ChunkSize)
	if err := s.Set(ctx, "svc", "prod", exact); err != nil {
		t.Fatal(err)
	}
	if n := be.len(); n != 1 {
		t.Errorf("entries for a ChunkSize value = %d, want 1", n)
	}
}

func TestSplitKeepsRunes(t *testing.T) {
	s := strings.Repeat("é", 10) // 2 bytes each
	parts := split(s, 3)
	if strings.Join(parts, "") != s {
		t.Fatal("split lost data")
	}
	for _, p := range parts {
		if len(p) > 3 || !utf8.ValidString(p) {
			t.Fatalf("bad part %q", p)
		}
		if !isRuneStart(p[0]) {
			t.Fatalf("part %q starts mid-rune", p)
		}
	}
}

func TestTimeout(t *testing.T) {
	be := newFake(0)
	be.block = make(chan struct{})
	defer close(be.block)
	s := &osStore{be: be, timeout: 50 * time.Millisecond}

	start := time.Now()
	_, err := s.Get(context.Background(), "svc", "a")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Get blocked for %s", d)
	}
	if err := s.Set(context.Background(), "svc", "a", "v"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Set err = %v, want ErrUnavailable", err)
	}
	if Probe(context.Background(), s) {
		t.Fatal("Probe = true on a hung keyring")
	}
}

func TestContextCancelled(t *testing.T) {
	be := newFake(0)
	be.block = make(chan struct{})
	defer close(be.block)
	s := &osStore{be: be, timeout: time.Minute}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := s.Get(ctx, "svc", "a"); err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled unwrapped", err)
	}
}

func TestErrorMapping(t *testing.T) {
	be := newFake(0)
	be.err = errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	s := &osStore{be: be, timeout: time.Second}
	_, err := s.Get(context.Background(), "svc", "a")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "ServiceUnknown") {
		t.Errorf("err = %v, want the cause kept", err)
	}
	if Probe(context.Background(), s) {
		t.Fatal("Probe = true on a failing keyring")
	}
}

func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	s := NewUnavailable()
	if _, err := s.Get(ctx, "s", "a"); !errors.Is(err, ErrUnavailable) {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "s", "a", "v"); !errors.Is(err, ErrUnavailable) {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "s", "a"); !errors.Is(err, ErrUnavailable) {
		t.Fatal(err)
	}
	if Probe(ctx, s) {
		t.Fatal("Probe = true")
	}
}

// TestOSStoreBounded runs against the real OS keyring of the test machine when
// KERNIA_TEST_OS_KEYRING=1 (it would otherwise write a probe entry to a
// developer's keychain, or make it prompt). It does not require a keyring to
// exist: it checks that calls return within the timeout with a mapped error.
func TestOSStoreBounded(t *testing.T) {
	if os.Getenv("KERNIA_TEST_OS_KEYRING") != "1" {
		t.Skip("set KERNIA_TEST_OS_KEYRING=1 to touch the OS keyring")
	}
	s := NewOS()
	start := time.Now()
	ok := Probe(context.Background(), s)
	if d := time.Since(start); d > Timeout+2*time.Second {
		t.Fatalf("Probe took %s", d)
	}
	_, err := s.Get(context.Background(), "kernia-admin-test", "absent-account")
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrUnavailable) {
		t.Fatalf("unmapped error %v", err)
	}
	t.Logf("OS keyring usable: %v (get err: %v)", ok, err)
}
