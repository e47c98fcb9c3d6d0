package config

import (
	"context"
	"errors"
	"fmt"

	"github.com/kernia-dev/kernia-admin/internal/keyring"
	"github.com/kernia-dev/kernia-admin/internal/redact"
)

// StripeKeyAccount is the keyring account of a profile's Stripe secret key (service
// KeyringService): "<profile>:stripe", beside the profile's session token ("<profile>").
func StripeKeyAccount(profile string) string { return profile + ":stripe" }

// resolveStripeKey fills r.StripeKey from the profile (the caller checked that the server
// is the profile's own). A keyring that cannot be read is not an error: StripeKeyError
// says why. Only ctx ending is returned.
func resolveStripeKey(ctx context.Context, r *Resolved, prof *Profile, ks keyring.Store) error {
	switch {
	case prof.StripeKeyStorage == StorageFile && prof.StripeKey != "":
		r.StripeKey, r.StripeKeySource = prof.StripeKey, TokenSourceFile
	case prof.StripeKeyStorage == StorageKeyring && ks != nil:
		key, err := ks.Get(ctx, KeyringService, StripeKeyAccount(prof.Name))
		switch {
		case err == nil && key != "":
			r.StripeKey, r.StripeKeySource = key, TokenSourceKeyring
		case err == nil, errors.Is(err, keyring.ErrNotFound):
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			r.StripeKeyError = err
		}
	}
	return nil
}

// SaveStripeKey stores a Stripe secret key for an existing profile and saves the file, with
// the same storage rules as SaveToken: mode KeyringAuto ("" too) uses the OS keyring when
// it works, else the config file (0600) with a warning; KeyringOS fails without a keyring;
// KeyringFile uses the file. A key moved to the file is removed from the keyring. The key
// is never part of an error or warning; the file keeps only its fingerprint otherwise.
func SaveStripeKey(ctx context.Context, f *File, profile, key string, ks keyring.Store, mode string) (storage, warning string, err error) {
	p, exists := f.Profile(profile)
	if !exists {
		return "", "", fmt.Errorf("%w %q", ErrNoProfile, profile)
	}
	if key == "" {
		return "", "", errors.New("empty Stripe key")
	}
	account := StripeKeyAccount(profile)
	previous := p.StripeKeyStorage

	switch mode {
	case KeyringFile:
		storage = StorageFile
	case KeyringOS:
		if ks == nil {
			return "", "", fmt.Errorf("store Stripe key in OS keyring: %w", keyring.ErrUnavailable)
		}
		if err := ks.Set(ctx, KeyringService, account, key); err != nil {
			if ctx.Err() != nil {
				return "", "", ctx.Err()
			}
			return "", "", fmt.Errorf("store Stripe key in OS keyring (%s=os): %w", EnvKeyring, err)
		}
		storage = StorageKeyring
	case KeyringAuto, "":
		if ks != nil && keyring.Probe(ctx, ks) && ks.Set(ctx, KeyringService, account, key) == nil {
			storage = StorageKeyring
			break
		}
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		storage = StorageFile
		warning = fmt.Sprintf("no OS keyring available; Stripe key stored in %s (mode 0600)", f.Path())
	default:
		return "", "", fmt.Errorf("invalid key storage mode %q: want file, os or auto", mode)
	}

	p.StripeKey = ""
	if storage == StorageFile {
		p.StripeKey = key
		if previous == StorageKeyring && ks != nil {
			_ = ks.Delete(ctx, KeyringService, account) // best effort: no stale copy
		}
	}
	p.StripeKeyStorage = storage
	p.StripeKeyFingerprint = redact.Fingerprint(key)
	if err := f.SetProfile(*p); err != nil {
		return "", "", err
	}
	if err := f.Save(); err != nil {
		return "", "", err
	}
	return storage, warning, nil
}

// DeleteStripeKey removes a profile's Stripe key from the keyring and the config file and
// saves the file. A keyring failure is reported only when the key was in the keyring.
func DeleteStripeKey(ctx context.Context, f *File, profile string, ks keyring.Store) error {
	p, exists := f.Profile(profile)
	var errs []error
	if ks != nil {
		err := ks.Delete(ctx, KeyringService, StripeKeyAccount(profile))
		switch {
		case err == nil, errors.Is(err, keyring.ErrNotFound):
		case ctx.Err() != nil:
			return ctx.Err()
		case exists && p.StripeKeyStorage == StorageKeyring:
			errs = append(errs, fmt.Errorf("remove Stripe key from OS keyring: %w", err))
		}
	}
	if exists {
		p.StripeKey, p.StripeKeyStorage, p.StripeKeyFingerprint = "", "", ""
		if err := f.SetProfile(*p); err != nil {
			return err
		}
		if err := f.Save(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
