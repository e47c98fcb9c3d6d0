package stripecmd

import (
	"errors"
	"io"

	"github.com/spf13/cobra"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/internal/stripeutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// stripeKeyHelp is the key-source paragraph shared by the commands that call Stripe.
const stripeKeyHelp = `The Stripe secret (sk_) or restricted (rk_) key comes from, in order: --api-key-stdin
(the first line of stdin), --api-key-file FILE (its first line), STRIPE_API_KEY, or the
key stored in the profile ('kernia-admin profile set NAME --stripe-key-stdin'; used only
with the profile's own server). It is never a flag value, and the key the server stores
cannot be used: Kernia returns it only as "********". Live keys (sk_live_, rk_live_) are refused unless the profile is
marked live or --live is given.

Requests go to https://api.stripe.com, or to --stripe-api-base / STRIPE_API_BASE (for
example a local stripe-mock; plain http only to a loopback host).`

// stripeAccess holds the flags and dependencies every Stripe-calling command shares.
type stripeAccess struct {
	Source  stripeutil.KeySource
	APIBase string
	Live    bool

	io       *output.IOStreams
	getenv   func(string) string
	scrubber *redact.Scrubber
	resolved func() (*config.Resolved, error)
	flags    *cmdutil.GlobalFlags
}

func newStripeAccess(f *cmdutil.Factory) *stripeAccess {
	return &stripeAccess{io: f.IOStreams, getenv: f.Getenv, scrubber: f.Scrubber, resolved: f.Resolved, flags: f.Flags}
}

func (a *stripeAccess) addFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&a.Source.Stdin, "api-key-stdin", false, "Read the Stripe secret key from the first line of stdin")
	fl.StringVar(&a.Source.File, "api-key-file", "", "Read the Stripe secret key from the first line of `FILE`")
	fl.StringVar(&a.APIBase, "stripe-api-base", "", "Stripe API base `URL` (env STRIPE_API_BASE; default https://api.stripe.com)")
	fl.BoolVar(&a.Live, "live", false, "Allow a live-mode Stripe key")
}

// stripeKey is a key read and checked, with the client built for it.
type stripeKey struct {
	Key    string
	From   string
	Info   stripeutil.KeyInfo
	Base   string
	Client *client.API
}

// open reads the key (stdin, file, env), checks its format and mode, and builds a client.
// Everything it refuses is a usage error (exit 2): nothing has been sent.
func (a *stripeAccess) open(stdin io.Reader) (*stripeKey, error) {
	base, err := stripeutil.APIBase(a.APIBase, a.getenv)
	if err != nil {
		return nil, usage(err)
	}
	src := a.Source
	src.Profile = a.profileKey
	key, from, err := stripeutil.ReadKey(src, stdin, a.getenv)
	if err != nil {
		return nil, usage(err)
	}
	a.scrubber.Add(key)
	info, err := stripeutil.ParseKey(key)
	if err != nil {
		return nil, cmdutil.FlagErrorf("the key from %s (%s) is %v", from, redact.Fingerprint(key), err)
	}
	if info.Mode == "live" && !a.Live && !a.profileLive() {
		return nil, cmdutil.FlagErrorf("refusing a live-mode Stripe key (%s) without --live or a profile marked live", redact.Fingerprint(key))
	}
	var debug io.Writer
	if a.flags != nil && a.flags.Debug {
		debug = a.io.ErrOut
	}
	c := stripeutil.New(stripeutil.Config{Key: key, BaseURL: base, Debug: debug, Scrubber: a.scrubber})
	return &stripeKey{Key: key, From: from, Info: info, Base: base, Client: c}, nil
}

// profileKey is the Stripe key stored in the profile in use (only when the server is the
// profile's own; see config.Resolve).
func (a *stripeAccess) profileKey() (name, key string, err error) {
	if a.resolved == nil {
		return "", "", nil
	}
	r, err := a.resolved()
	if err != nil || r == nil {
		return "", "", nil // the command reports a bad configuration where it needs it
	}
	if r.StripeKey != "" {
		a.scrubber.Add(r.StripeKey)
	}
	return r.ProfileName, r.StripeKey, r.StripeKeyError
}

func (a *stripeAccess) profileLive() bool {
	if a.resolved == nil {
		return false
	}
	r, err := a.resolved()
	return err == nil && r != nil && r.Live
}

func usage(err error) error {
	var ue *stripeutil.UsageError
	if errors.As(err, &ue) {
		return cmdutil.FlagErrorf("%s", ue.Msg)
	}
	return err
}

// stripeError maps a failed Stripe call to an exit code: 401 → 3, 403 → 4, no answer → 7,
// anything else → 1.
func (a *stripeAccess) stripeError(what string, err error) error {
	f := stripeutil.Classify(err, a.scrubber)
	if f == nil {
		return nil
	}
	switch f.Class {
	case stripeutil.FailAuth:
		return cmdutil.Errorf(cmdutil.ExitAuth, "check the key (STRIPE_API_KEY, --api-key-file, --api-key-stdin or the profile's stored key): it may be wrong, expired or revoked",
			"Stripe rejected the key while %s (HTTP 401): %s", what, f.Message)
	case stripeutil.FailForbidden:
		return cmdutil.Errorf(cmdutil.ExitForbidden, "a restricted key needs read access to products, prices, webhook endpoints and events",
			"the Stripe key may not do this while %s (HTTP 403): %s", what, f.Message)
	case stripeutil.FailNetwork:
		return cmdutil.Errorf(cmdutil.ExitNetwork, "check --stripe-api-base / STRIPE_API_BASE and the network",
			"cannot reach Stripe while %s: %s", what, f.Message)
	}
	return cmdutil.Errorf(cmdutil.ExitFailure, "", "Stripe refused while %s (HTTP %d): %s", what, f.Status, f.Message)
}
