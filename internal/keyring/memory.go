package keyring

import (
	"context"
	"fmt"
	"sync"
)

// NewMemory returns an in-memory Store for tests. It is safe for concurrent use.
func NewMemory() Store {
	return &memoryStore{m: map[[2]string]string{}}
}

type memoryStore struct {
	mu sync.Mutex
	m  map[[2]string]string
}

func (s *memoryStore) Get(ctx context.Context, service, account string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[[2]string{service, account}]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (s *memoryStore) Set(ctx context.Context, service, account, secret string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[[2]string{service, account}] = secret
	return nil
}

func (s *memoryStore) Delete(ctx context.Context, service, account string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{service, account}
	if _, ok := s.m[k]; !ok {
		return ErrNotFound
	}
	delete(s.m, k)
	return nil
}

// NewUnavailable returns a Store whose every call fails with an error wrapping
// ErrUnavailable, like a machine without a keyring service. For tests.
func NewUnavailable() Store { return unavailableStore{} }

type unavailableStore struct{}

func (unavailableStore) Get(context.Context, string, string) (string, error) {
	return "", fmt.Errorf("keyring get: %w", ErrUnavailable)
}

func (unavailableStore) Set(context.Context, string, string, string) error {
	return fmt.Errorf("keyring set: %w", ErrUnavailable)
}

func (unavailableStore) Delete(context.Context, string, string) error {
	return fmt.Errorf("keyring delete: %w", ErrUnavailable)
}
