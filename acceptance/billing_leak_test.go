package acceptance

import (
	"os"
	"path/filepath"

	"github.com/kernia-dev/kernia-admin/sandbox"
)

// Secrets of the Stripe, catalog and entitlements leak cases: a Stripe secret key, a
// restricted key, a live key (which stripe-mock rejects, echoing the Authorization header in
// its error message), and two webhook signing secrets.
const (
	leakStripeKey        = "sk_test_leakBillingSecret51Aa2Bb3Cc4"
	leakStripeRestricted = "rk_test_leakBillingRestricted9Zz8Yy7"
	leakStripeLive       = "sk_live_leakBillingLive51Dd5Ee6Ff7Gg8"
	leakWebhookSecret    = "whsec_leakBillingWebhook4Hh5Ii6Jj7"
	leakWebhookWrong     = "whsec_leakBillingWrongOne8Kk9Ll0Mm1"
	// leakStripeProfileKey is stored in the profile (profile set --stripe-key-stdin) and
	// cleared again before the config directory is scanned.
	leakStripeProfileKey = "sk_test_leakBillingProfile51Nn2Oo3Pp4"
)

// billingLeakCases starts stripe-mock, stores the Stripe keys on the server, fills the
// catalog, and returns a case for every stripe, catalog and entitlements command.
func billingLeakCases(e *leakEnv) []leakCase {
	e.t.Helper()
	for kind, v := range map[string]string{
		"Stripe secret key": leakStripeKey, "Stripe restricted key": leakStripeRestricted,
		"Stripe live key": leakStripeLive, "Stripe webhook secret": leakWebhookSecret, "wrong webhook secret": leakWebhookWrong,
		"Stripe key stored in the profile": leakStripeProfileKey,
	} {
		e.secrets.add(kind, v)
	}
	base, stop, err := startStripeMock()
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(stop)
	keyFile := filepath.Join(e.t.TempDir(), "stripe-key")
	if err := os.WriteFile(keyFile, []byte(leakStripeKey+"\n"), 0o600); err != nil {
		e.t.Fatal(err)
	}
	stripeEnv := []string{"STRIPE_API_BASE=" + base, "STRIPE_API_KEY=" + leakStripeKey, "STRIPE_WEBHOOK_SECRET=" + leakWebhookSecret}
	noKeyEnv := []string{"STRIPE_API_BASE=" + base, "STRIPE_API_KEY=", "STRIPE_WEBHOOK_SECRET="}

	// Setup through the CLI (scanned like every run).
	setup := func(what, stdin string, env []string, args ...string) {
		if _, stderr, code := e.run(what, stdin, env, args...); code != 0 {
			e.t.Fatalf("%s: exit %d: %s", what, code, stderr)
		}
	}
	setup("stripe set-keys (billing setup)", leakStripeKey+"\n\n"+leakWebhookSecret+"\n", noKeyEnv, "stripe", "set-keys", "--secret-key-stdin")
	setup("stripe sync (billing setup)", "", stripeEnv, "stripe", "sync")
	setup("features create (billing setup)", "", nil, "catalog", "features", "create", "--key", "leak_calls", "--kind", "metered", "--reset", "month", "--overage")
	setup("plans create (billing setup)", "", nil, "catalog", "plans", "create", "--id", "leakplan", "--name", "Leak plan")
	setup("set-feature (billing setup)", "", nil, "catalog", "plans", "set-feature", "leakplan", "leak_calls", "--limit", "10")
	setup("map (billing setup)", "", nil, "catalog", "map", "price_1PgafmB7WZ01zgkW6dKueIc5", "--plan", "leakplan")
	setup("webhooks test (billing setup)", "", stripeEnv, "stripe", "webhooks", "test", "--reference", sandbox.UserEmail, "--price", "price_1PgafmB7WZ01zgkW6dKueIc5")

	user := sandbox.UserEmail
	return []leakCase{
		{args: []string{"stripe", "validate"}, env: stripeEnv},
		{args: []string{"stripe", "validate", "--api-key-stdin"}, stdin: leakStripeRestricted + "\n", env: noKeyEnv},
		{args: []string{"stripe", "validate", "--api-key-file", keyFile}, env: noKeyEnv},
		{args: []string{"stripe", "validate", "--api-key-stdin", "--live"}, stdin: leakStripeLive + "\n", env: noKeyEnv, exit: 3},     // stripe-mock refuses live keys
		{args: []string{"stripe", "validate"}, env: []string{"STRIPE_API_BASE=" + base, "STRIPE_API_KEY=" + leakStripeLive}, exit: 2}, // live key without --live
		// A Stripe key stored in the profile, used by stripe validate, then cleared (so the
		// config directory scan at the end finds no copy).
		{args: []string{"profile", "set", "default", "--stripe-key-stdin"}, stdin: leakStripeProfileKey + "\n", env: noKeyEnv},
		{args: []string{"profile", "show"}, env: noKeyEnv},
		{args: []string{"stripe", "validate"}, env: noKeyEnv},
		{args: []string{"profile", "set", "default", "--clear-stripe-key"}, env: noKeyEnv},
		{args: []string{"stripe", "set-keys", "--secret-key-stdin", "--dry-run"}, stdin: leakStripeKey + "\n\n" + leakWebhookSecret + "\n", env: noKeyEnv},
		{args: []string{"stripe", "sync", "--dry-run"}, env: stripeEnv},
		{args: []string{"stripe", "sync", "--api-key-stdin"}, stdin: leakStripeRestricted + "\n", env: noKeyEnv},
		{args: []string{"stripe", "webhooks"}, env: stripeEnv, exit: 1}, // stripe-mock's fixture endpoint points elsewhere: unhealthy
		{args: []string{"stripe", "webhooks", "--skip-stripe"}, env: noKeyEnv},
		{args: []string{"stripe", "webhooks", "test", "--reference", user}, env: stripeEnv},
		{args: []string{"stripe", "webhooks", "test", "--webhook-secret-stdin"}, stdin: leakWebhookWrong + "\n", env: noKeyEnv, exit: 6}, // wrong secret
		{args: []string{"stripe", "webhooks", "test", "--dry-run"}, env: stripeEnv},
		{args: []string{"catalog", "products"}},
		{args: []string{"catalog", "prices", "--active"}},
		{args: []string{"catalog", "features", "list"}},
		{args: []string{"catalog", "features", "create", "--key", "leak_sso", "--kind", "boolean"}},
		{args: []string{"catalog", "plans", "list"}},
		{args: []string{"catalog", "plans", "view", "leakplan"}},
		{args: []string{"catalog", "plans", "create", "--id", "leakplan2", "--name", "Leak plan 2"}},
		{args: []string{"catalog", "plans", "set-feature", "leakplan2", "leak_sso", "--unlimited"}},
		{args: []string{"catalog", "map", "price_1PgafmB7WZ01zgkW6dKueIc5", "--plan", "leakplan", "--dry-run"}},
		{args: []string{"entitlements", "list", "--user", user}},
		{args: []string{"entitlements", "view", user, "leak_calls"}},
		{args: []string{"entitlements", "track", user, "leak_calls", "--quantity", "3", "--idempotency-key", "leak-usage-1"}},
		{args: []string{"entitlements", "grant", user, "leak_calls", "--amount", "5", "--reason", "leak test", "--expires", "30d"}},
		{args: []string{"entitlements", "usage", user, "--since", "7d"}},
	}
}
