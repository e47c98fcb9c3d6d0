// Package keyring stores secrets (session tokens) in the operating system's
// keyring, with every call bounded by a short timeout so that a hung or
// absent D-Bus daemon never blocks the process.
//
// The OS store splits secrets larger than ChunkSize bytes into several
// entries, because some keyrings (Windows Credential Manager, macOS Keychain)
// refuse large values. Tests use NewMemory, or NewUnavailable to simulate a
// machine without a keyring.
package keyring

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	zk "github.com/zalando/go-keyring"
)

// Store is a secret store keyed by service and account.
type Store interface {
	// Get returns the secret, or an error wrapping ErrNotFound when there is none.
	Get(ctx context.Context, service, account string) (string, error)
	// Set stores (or replaces) the secret.
	Set(ctx context.Context, service, account, secret string) error
	// Delete removes the secret; deleting an absent secret returns ErrNotFound.
	Delete(ctx context.Context, service, account string) error
}

var (
	// ErrNotFound means the keyring has no secret for that service and account.
	ErrNotFound = errors.New("secret not found in keyring")
	// ErrUnavailable means the keyring could not be used: no keyring service,
	// a locked or refusing keyring, or no answer within the timeout.
	ErrUnavailable = errors.New("OS keyring unavailable")
)

const (
	// Timeout bounds every call to the OS keyring.
	Timeout = 3 * time.Second
	// ChunkSize is the largest value stored in one keyring entry.
	ChunkSize = 2048

	// chunkHeader marks an entry whose secret is stored in numbered chunks
	// under "<account>#<i>". Account names used by this project never contain
	// '#', and a real token never starts with this header.
	chunkHeader = "kernia-admin-chunked:"
	// maxChunks guards against a corrupt header.
	maxChunks = 64
)

// backend is the raw, blocking, context-free keyring API (go-keyring's shape).
type backend interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

type zalandoBackend struct{}

func (zalandoBackend) Get(service, account string) (string, error) {
	return zk.Get(service, account)
}

func (zalandoBackend) Set(service, account, secret string) error {
	return zk.Set(service, account, secret)
}

func (zalandoBackend) Delete(service, account string) error {
	return zk.Delete(service, account)
}

// NewOS returns the store backed by the operating system keyring (Keychain,
// Secret Service over D-Bus, Windows Credential Manager) through
// zalando/go-keyring. Every call is bounded by Timeout; a call that does not
// finish in time fails with an error wrapping ErrUnavailable. A cancelled
// caller context returns ctx.Err() unwrapped.
func NewOS() Store {
	return &osStore{be: zalandoBackend{}, timeout: Timeout}
}

type osStore struct {
	be      backend
	timeout time.Duration
}

// run calls fn in its own goroutine so that a blocked keyring call cannot
// block the caller beyond the timeout. The goroutine of a call that timed out
// is abandoned (go-keyring offers no cancellation); it finishes or dies with
// the process.
func (s *osStore) run(ctx context.Context, op string, fn func() (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.v, mapErr(op, r.err)
	case <-ctx.Done():
		return "", ctx.Err()
	case <-timer.C:
		return "", fmt.Errorf("keyring %s: no answer within %s: %w", op, s.timeout, ErrUnavailable)
	}
}

func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, zk.ErrNotFound), errors.Is(err, ErrNotFound):
		return ErrNotFound
	case errors.Is(err, ErrUnavailable):
		return err
	default:
		return fmt.Errorf("keyring %s: %w: %w", op, ErrUnavailable, err)
	}
}

func (s *osStore) Get(ctx context.Context, service, account string) (string, error) {
	return s.run(ctx, "get", func() (string, error) { return getChunked(s.be, service, account) })
}

func (s *osStore) Set(ctx context.Context, service, account, secret string) error {
	_, err := s.run(ctx, "set", func() (string, error) { return "", setChunked(s.be, service, account, secret) })
	return err
}

func (s *osStore) Delete(ctx context.Context, service, account string) error {
	_, err := s.run(ctx, "delete", func() (string, error) { return "", deleteChunked(s.be, service, account) })
	return err
}

func chunkAccount(account string, i int) string {
	return account + "#" + strconv.Itoa(i)
}

// chunkCount returns n when v is a chunk header, or 0.
func chunkCount(v string) (int, error) {
	rest, ok := strings.CutPrefix(v, chunkHeader)
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || n > maxChunks {
		return 0, fmt.Errorf("corrupt chunked keyring entry (%q)", v)
	}
	return n, nil
}

func getChunked(be backend, service, account string) (string, error) {
	v, err := be.Get(service, account)
	if err != nil {
		return "", err
	}
	n, err := chunkCount(v)
	if err != nil || n == 0 {
		return v, err
	}
	var b strings.Builder
	for i := range n {
		part, err := be.Get(service, chunkAccount(account, i))
		if err != nil {
			if errors.Is(err, zk.ErrNotFound) || errors.Is(err, ErrNotFound) {
				return "", fmt.Errorf("chunk %d of %d missing: %w", i+1, n, ErrNotFound)
			}
			return "", err
		}
		b.WriteString(part)
	}
	return b.String(), nil
}

func setChunked(be backend, service, account, secret string) error {
	// Remove the chunks of a previous, larger value first.
	if err := deleteChunks(be, service, account); err != nil {
		return err
	}
	if len(secret) <= ChunkSize && !strings.HasPrefix(secret, chunkHeader) {
		return be.Set(service, account, secret)
	}
	parts := split(secret, ChunkSize)
	if len(parts) > maxChunks {
		return fmt.Errorf("secret of %d bytes is too large for the keyring: %w", len(secret), zk.ErrSetDataTooBig)
	}
	for i, p := range parts {
		if err := be.Set(service, chunkAccount(account, i), p); err != nil {
			return err
		}
	}
	return be.Set(service, account, chunkHeader+strconv.Itoa(len(parts)))
}

func deleteChunked(be backend, service, account string) error {
	if err := deleteChunks(be, service, account); err != nil {
		return err
	}
	return be.Delete(service, account)
}

// deleteChunks removes the chunk entries of a chunked value, if the current
// value is one. An absent entry is not an error.
func deleteChunks(be backend, service, account string) error {
	v, err := be.Get(service, account)
	if err != nil {
		if errors.Is(err, zk.ErrNotFound) || errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	n, err := chunkCount(v)
	if err != nil {
		n = maxChunks // corrupt header: clean up whatever is there
	}
	for i := range n {
		if err := be.Delete(service, chunkAccount(account, i)); err != nil &&
			!errors.Is(err, zk.ErrNotFound) && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// split cuts s into parts of at most size bytes without splitting a UTF-8
// sequence (tokens are ASCII; this keeps arbitrary secrets valid strings).
func split(s string, size int) []string {
	var parts []string
	for len(s) > size {
		cut := size
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = size
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return append(parts, s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// probeAccount cannot collide with a profile name (profile names never
// contain ':').
const probeAccount = "kernia-admin:probe"

// Probe reports whether the store works: a probe entry can be written, read
// back and deleted, all within Timeout. It never returns an error; a false
// result means "use another storage".
func Probe(ctx context.Context, s Store) bool {
	return ProbeService(ctx, s, "kernia-admin")
}

// ProbeService is Probe with an explicit service name.
func ProbeService(ctx context.Context, s Store, service string) bool {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	value := "probe-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := s.Set(ctx, service, probeAccount, value); err != nil {
		return false
	}
	got, err := s.Get(ctx, service, probeAccount)
	if err != nil || got != value {
		_ = s.Delete(ctx, service, probeAccount)
		return false
	}
	return s.Delete(ctx, service, probeAccount) == nil
}
