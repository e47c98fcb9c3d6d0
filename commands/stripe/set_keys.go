package stripecmd

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

type setKeysOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Resolved  func() (*config.Resolved, error)
	Now       func() time.Time
	Prompter  prompt.Prompter
	Getenv    func(string) string
	Scrubber  *redact.Scrubber
	Format    output.Format

	KeysStdin          bool
	Live               bool
	ClearWebhookSecret bool
	DryRun             bool
}

func newCmdSetKeys(f *cmdutil.Factory, runF func(*setKeysOptions) error) *cobra.Command {
	opts := &setKeysOptions{IO: f.IOStreams, APIClient: f.APIClient, Resolved: f.Resolved, Now: f.Now,
		Prompter: f.Prompter, Getenv: f.Getenv, Scrubber: f.Scrubber}
	cmd := &cobra.Command{
		Use:   "set-keys",
		Short: "Store the Stripe secret key, publishable key and webhook signing secret",
		Long: heredoc.Doc(`
			Store the Stripe keys in the server's admin-config plugin, the secret key and the
			webhook signing secret as secret fields.

			Each key comes from, in order:
			  1. stdin with --secret-key-stdin: up to three lines, in this order:
			       line 1: secret key       (sk_test_…, sk_live_…, rk_test_… or rk_live_…)
			       line 2: publishable key  (pk_test_… or pk_live_…)
			       line 3: webhook signing secret (whsec_…)
			     An empty or missing line means "not given here";
			  2. the environment: STRIPE_API_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET;
			  3. a prompt, on a terminal (leave empty to keep the stored value).

			Keys are checked before anything is sent (exit 2): the prefixes must match, test and
			live keys are never mixed, and live keys need --live or a profile marked live.

			Nothing is lost: Kernia replaces the whole document on each write and shows stored
			secrets only as "********", so a stored secret that is not given again would be
			overwritten. set-keys then refuses with exit 6: give the secret again, or pass
			--clear-webhook-secret to remove the webhook secret on purpose.
		`),
		Example: heredoc.Doc(`
			$ printf '%s\n%s\n%s\n' "$SK" "$PK" "$WHSEC" | kernia-admin stripe set-keys --secret-key-stdin
			$ STRIPE_API_KEY=sk_live_... STRIPE_PUBLISHABLE_KEY=pk_live_... STRIPE_WEBHOOK_SECRET=whsec_... kernia-admin stripe set-keys --live
			$ kernia-admin stripe set-keys --secret-key-stdin --clear-webhook-secret < sk.txt
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return setKeysRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.KeysStdin, "secret-key-stdin", false, "Read the keys from stdin: secret key, publishable key, webhook secret, one a line")
	fl.BoolVar(&opts.Live, "live", false, "Allow live-mode keys")
	fl.BoolVar(&opts.ClearWebhookSecret, "clear-webhook-secret", false, "Remove the stored webhook signing secret")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

// readKeyLines reads up to three lines from r.
func readKeyLines(r io.Reader) ([3]string, error) {
	var out [3]string
	b, err := io.ReadAll(io.LimitReader(r, 1<<16))
	if err != nil {
		return out, cmdutil.FlagErrorf("reading the keys from stdin: %v", err)
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines) && i < 3; i++ {
		out[i] = strings.TrimSpace(lines[i])
	}
	for _, extra := range lines[min(3, len(lines)):] {
		if strings.TrimSpace(extra) != "" {
			return out, cmdutil.FlagErrorf("--secret-key-stdin: more than three lines on stdin (secret key, publishable key, webhook secret)")
		}
	}
	return out, nil
}

func setKeysRun(ctx context.Context, opts *setKeysOptions) error {
	var given [3]string // secret key, publishable key, webhook secret
	if opts.KeysStdin {
		lines, err := readKeyLines(opts.IO.In)
		if err != nil {
			return err
		}
		given = lines
		if given[0] == "" {
			return cmdutil.FlagErrorf("--secret-key-stdin: no secret key on the first line of stdin")
		}
	}
	for i, env := range []string{envSecretKey, envPublishableKey, envWebhookSecret} {
		if given[i] == "" {
			given[i] = strings.TrimSpace(opts.Getenv(env))
		}
	}
	if opts.ClearWebhookSecret && given[2] != "" {
		return cmdutil.FlagErrorf("--clear-webhook-secret and a webhook secret cannot be given together")
	}
	if opts.IO.CanPrompt() && opts.Prompter != nil {
		questions := []struct {
			title  string
			secret bool
		}{
			{"Stripe secret key (sk_… or rk_…; empty to keep the stored one):", true},
			{"Stripe publishable key (pk_…; empty to keep the stored one):", false},
			{"Stripe webhook signing secret (whsec_…; empty to keep the stored one):", true},
		}
		for i, q := range questions {
			if given[i] != "" || i == 2 && opts.ClearWebhookSecret {
				continue
			}
			var (
				ans string
				err error
			)
			if q.secret {
				ans, err = opts.Prompter.Password(ctx, q.title)
			} else {
				ans, err = opts.Prompter.Input(ctx, q.title, "")
			}
			if err != nil {
				return cmdutil.ErrCancelled
			}
			given[i] = strings.TrimSpace(ans)
		}
	}
	opts.Scrubber.Add(given[0])
	opts.Scrubber.Add(given[2])
	if given == [3]string{} && !opts.ClearWebhookSecret {
		return cmdutil.FlagErrorf("no keys given: use --secret-key-stdin, set %s / %s / %s, or run on a terminal to be asked", envSecretKey, envPublishableKey, envWebhookSecret)
	}

	// Prefixes and modes, before anything is sent.
	modes := map[string]string{}
	if given[0] != "" {
		m, ok := keyMode(keySecret, given[0])
		if !ok {
			return cmdutil.FlagErrorf("the secret key is not a Stripe secret key: it must start with sk_test_, sk_live_, rk_test_ or rk_live_")
		}
		modes["secret key"] = m
	}
	if given[1] != "" {
		m, ok := keyMode(keyPublishable, given[1])
		if !ok {
			return cmdutil.FlagErrorf("the publishable key %q is not a Stripe publishable key: it must start with pk_test_ or pk_live_", redact.Fingerprint(given[1]))
		}
		modes["publishable key"] = m
	}
	if given[2] != "" {
		if _, ok := keyMode(keyWebhook, given[2]); !ok {
			return cmdutil.FlagErrorf("the webhook signing secret is not one: it must start with whsec_")
		}
	}
	if err := sameMode(modes); err != nil {
		return err
	}

	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	stored, _, err := c.AdminConfig().Stripe(ctx)
	if err != nil {
		return explain(err)
	}
	doc := make(map[string]any, len(stored)+4)
	for k, v := range stored {
		doc[k] = v
	}
	for i, field := range []string{fieldSecretKey, fieldPublishableKey, fieldWebhookSecret} {
		if given[i] != "" {
			doc[field] = given[i]
		}
	}
	// Kernia shows a stored secret only as "********": keep a non-secret fingerprint of the
	// secret key beside it (sk_test_…4242, as Stripe's dashboard shows keys), so that
	// `stripe status` can say which key is stored.
	if given[0] != "" {
		doc[fieldSecretKeyFingerprint] = redact.Fingerprint(given[0])
	}
	if opts.ClearWebhookSecret {
		delete(doc, fieldWebhookSecret)
	}
	// The stored publishable key counts too: the result must be one mode.
	if given[1] == "" {
		if pk, _ := doc[fieldPublishableKey].(string); pk != "" {
			if m, ok := keyMode(keyPublishable, pk); ok {
				modes["stored publishable key"] = m
			}
		}
	}
	if err := sameMode(modes); err != nil {
		return cmdutil.FlagErrorf("%v; give the matching publishable key too", err)
	}
	mode := ""
	for _, m := range modes {
		mode = m
	}
	if mode == "" {
		mode = modeOf(stored)
	}
	if mode != "" {
		doc[fieldMode] = mode
	}
	if mode == "live" && !opts.Live {
		r, err := opts.Resolved()
		if err != nil {
			return err
		}
		if !r.Live {
			return cmdutil.FlagErrorf("refusing to store live-mode Stripe keys without --live (or a profile marked live)")
		}
	}

	// Nothing is lost: every stored secret must be given again (or cleared on purpose).
	var lost []string
	red := redactedFields(doc)
	sort.Strings(red)
	for _, f := range red {
		switch f {
		case fieldSecretKey:
			lost = append(lost, "the secret key (apiKey): give it again")
		case fieldWebhookSecret:
			lost = append(lost, "the webhook signing secret (webhookSecret): give it again, or pass --clear-webhook-secret")
		default:
			lost = append(lost, f+": it is stored as a secret and kernia-admin cannot re-supply it")
		}
	}
	if p, ok := apiclient.FindRedacted(doc); ok && len(red) == 0 {
		lost = append(lost, p+": it is stored as a secret and kernia-admin cannot re-supply it")
	}
	if len(lost) > 0 {
		return cmdutil.Errorf(cmdutil.ExitConflict,
			"Kernia replaces the whole Stripe document on each write and shows stored secrets only as \"********\"; nothing was changed",
			"refusing to write the Stripe settings: a stored secret would be overwritten: %s", strings.Join(lost, "; "))
	}

	got, _, err := c.AdminConfig().SetStripe(ctx, doc, apiclient.StripeSecretFields())
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return explain(err)
	}
	view := statusOf(got)
	if given[0] != "" {
		view.SecretKeyFingerprint = redact.Fingerprint(given[0])
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "Stored the Stripe settings (%s mode)\n", view.Mode)
	}
	return output.PrintObject(opts.IO, opts.Format, statusSpec(), opts.Now, view)
}

// sameMode refuses keys of different modes.
func sameMode(modes map[string]string) error {
	var test, live []string
	for what, m := range modes {
		if m == "live" {
			live = append(live, what)
		} else {
			test = append(test, what)
		}
	}
	if len(test) > 0 && len(live) > 0 {
		sort.Strings(test)
		sort.Strings(live)
		return cmdutil.FlagErrorf("refusing to mix test and live keys: %s test, %s live", strings.Join(test, ", "), strings.Join(live, ", "))
	}
	return nil
}
