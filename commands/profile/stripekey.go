package profile

import (
	"context"
	"fmt"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/internal/stripeutil"
)

// readStripeKey reads and checks the key of --stripe-key-stdin ("" without the flag). A
// malformed key is a usage error (exit 2) that shows only its fingerprint.
func readStripeKey(opts *setOptions) (string, error) {
	if !opts.StripeKeyStdin {
		return "", nil
	}
	key, err := cmdutil.ReadSecret(opts.IO.In, "Stripe secret key")
	if err != nil {
		return "", err
	}
	opts.F.Scrubber.Add(key)
	if _, err := stripeutil.ParseKey(key); err != nil {
		return "", cmdutil.FlagErrorf("the key on stdin (%s) is %v", redact.Fingerprint(key), err)
	}
	return key, nil
}

func dryRunStripeKey(opts *setOptions, key string) {
	switch {
	case key != "":
		fmt.Fprintf(opts.IO.ErrOut, "dry run: Stripe key %s would be stored in the profile\n", redact.Fingerprint(key))
	case opts.ClearStripeKey:
		fmt.Fprintf(opts.IO.ErrOut, "dry run: the profile's Stripe key would be removed\n")
	}
}

// saveStripeKey stores key (when given) or clears the stored one (--clear-stripe-key), after
// the profile itself was saved.
func saveStripeKey(ctx context.Context, opts *setOptions, file *config.File, key string) error {
	f := opts.F
	switch {
	case key != "":
		mode, err := config.KeyringMode(f.Getenv)
		if err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		storage, warning, err := config.SaveStripeKey(ctx, file, opts.Name, key, f.Keyring, mode)
		if err != nil {
			return ctxErr(ctx, err)
		}
		if warning != "" {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", warning)
		}
		where := "the OS keyring"
		if storage == config.StorageFile {
			where = "the config file"
		}
		fmt.Fprintf(opts.IO.ErrOut, "Stored Stripe key %s for profile %s in %s.\n", redact.Fingerprint(key), opts.Name, where)
	case opts.ClearStripeKey:
		if err := config.DeleteStripeKey(ctx, file, opts.Name, f.Keyring); err != nil {
			return ctxErr(ctx, err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "Removed the Stripe key of profile %s.\n", opts.Name)
	}
	return nil
}
