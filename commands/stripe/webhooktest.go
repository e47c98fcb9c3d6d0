package stripecmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/internal/stripeutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type webhooksTestOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Getenv    func(string) string
	Scrubber  *redact.Scrubber
	Format    output.Format

	Event        string
	Customer     string
	Reference    string
	Price        string
	Status       string
	SecretStdin  bool
	DryRun       bool
	randomSuffix func() string
}

func newCmdWebhooksTest(f *cmdutil.Factory, runF func(*webhooksTestOptions) error) *cobra.Command {
	opts := &webhooksTestOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now, Getenv: f.Getenv, Scrubber: f.Scrubber, randomSuffix: randomSuffix}
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Sign a test event and post it to the server's Stripe webhook route",
		Long: heredoc.Docf(`
			Build a realistic Stripe event, sign it as Stripe does (Stripe-Signature:
			t=<unix>,v1=<HMAC-SHA256 over "<t>.<body>" keyed with the webhook signing secret)
			and post it to the server's %[1]s, proving signature verification end to end.

			The webhook signing secret (whsec_…) comes from --webhook-secret-stdin (the first
			line of stdin) or STRIPE_WEBHOOK_SECRET; never from a flag value. It must be the
			secret the server stores (see 'kernia-admin stripe set-keys').

			--event is one of the events Kernia handles: %[2]s (default
			customer.subscription.created). The subscription belongs to --reference (a user
			id or email, or an organization id, put in the metadata as referenceId) and/or
			--customer (a Stripe customer id); --price names the subscribed price.

			Exit status 0 when the server accepts the event, 6 when it rejects it (the
			server's code, for example INVALID_SIGNATURE, is shown), 9 when the server has
			no Stripe webhook route.
		`, webhookPath, strings.Join(handledEvents(), ", ")),
		Example: heredoc.Doc(`
			$ STRIPE_WEBHOOK_SECRET=whsec_... kernia-admin stripe webhooks test
			$ kernia-admin stripe webhooks test --webhook-secret-stdin --reference ada@example.com --price price_123 < whsec.txt
			$ kernia-admin stripe webhooks test --event customer.subscription.deleted --customer cus_123 --json
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(handledEvents(), opts.Event) {
				return cmdutil.FlagErrorf("invalid --event %q: use one of %s", opts.Event, strings.Join(handledEvents(), ", "))
			}
			switch opts.Status {
			case "active", "trialing", "past_due", "canceled", "incomplete", "incomplete_expired", "unpaid", "paused":
			default:
				return cmdutil.FlagErrorf("invalid --status %q", opts.Status)
			}
			if opts.Customer != "" && !strings.HasPrefix(opts.Customer, "cus_") {
				return cmdutil.FlagErrorf("invalid --customer %q: a Stripe customer id starts with cus_", opts.Customer)
			}
			if runF != nil {
				return runF(opts)
			}
			return webhooksTestRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Event, "event", "customer.subscription.created", "Event `TYPE` to send")
	fl.StringVar(&opts.Customer, "customer", "", "Stripe customer `ID` (cus_…) of the subscription")
	fl.StringVar(&opts.Reference, "reference", "", "Reference the subscription is for: a user `ID` or email, or an organization id")
	fl.StringVar(&opts.Price, "price", "", "Subscribed price `ID`")
	fl.StringVar(&opts.Status, "status", "active", "Subscription status in the event")
	fl.BoolVar(&opts.SecretStdin, "webhook-secret-stdin", false, "Read the webhook signing secret from the first line of stdin")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func randomSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type webhookTestView struct {
	Accepted       bool   `json:"accepted"`
	Status         int    `json:"status"`
	Code           string `json:"code"`
	Message        string `json:"message"`
	EventID        string `json:"eventId"`
	EventType      string `json:"eventType"`
	SubscriptionID string `json:"subscriptionId"`
	ReferenceID    string `json:"referenceId"`
	PriceID        string `json:"priceId"`
	URL            string `json:"url"`
}

func webhookTestSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Accepted", Field: "accepted", Kind: output.Bool},
		{Header: "Status", Field: "status"},
		{Header: "Code", Field: "code"},
		{Header: "Message", Field: "message"},
		{Header: "Event ID", Field: "eventId"},
		{Header: "Event type", Field: "eventType"},
		{Header: "Subscription", Field: "subscriptionId"},
		{Header: "Reference", Field: "referenceId"},
		{Header: "Price", Field: "priceId"},
		{Header: "URL", Field: "url"},
	}}
}

func webhooksTestRun(ctx context.Context, opts *webhooksTestOptions) error {
	var secret string
	if opts.SecretStdin {
		s, err := cmdutil.ReadSecret(opts.IO.In, "webhook signing secret")
		if err != nil {
			return err
		}
		secret = strings.TrimSpace(s)
	} else {
		secret = strings.TrimSpace(opts.Getenv(stripeutil.EnvWebhookSecret))
	}
	opts.Scrubber.Add(secret)
	if secret == "" {
		return cmdutil.FlagErrorf("no webhook signing secret: use --webhook-secret-stdin or set %s", stripeutil.EnvWebhookSecret)
	}
	if !stripeutil.ValidWebhookSecret(secret) {
		return cmdutil.FlagErrorf("the webhook signing secret is not one: it must start with whsec_")
	}

	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	ref := opts.Reference
	if strings.Contains(ref, "@") {
		u, _, err := c.Users.GetByEmail(ctx, ref)
		if err != nil {
			return fmt.Errorf("looking up --reference %s: %w", ref, err)
		}
		ref = u.ID
	}
	var price *apiclient.BillingPrice
	if opts.Price != "" {
		// Fill the price object from the catalog when the server has it (best effort).
		if prices, _, err := c.Billing().Prices(ctx, apiclient.PriceFilter{}); err == nil {
			for i := range prices {
				if prices[i].ID == opts.Price {
					price = &prices[i]
				}
			}
		}
	}
	now := opts.Now()
	ev := buildTestEvent(opts.Event, now, opts.randomSuffix(), ref, opts.Customer, opts.Price, opts.Status, price)
	payload, err := json.Marshal(ev.body)
	if err != nil {
		return err
	}
	sig := stripeutil.SignatureHeader(payload, secret, now)
	v := webhookTestView{EventID: ev.id, EventType: opts.Event, SubscriptionID: ev.subscription, ReferenceID: ref,
		PriceID: opts.Price, URL: strings.TrimSuffix(c.BaseURL(), "/") + webhookPath}

	res, resp, err := c.Billing().PostStripeWebhook(ctx, payload, sig)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	var ae *apiclient.APIError
	switch {
	case err == nil:
		v.Accepted, v.Status = res.Accepted(), resp.StatusCode
		if !v.Accepted {
			v.Message = "the server answered without received:true (Kernia) or success:true (Better Auth)"
		}
	case errors.As(err, &ae) && ae.RouteMissing:
		return &cmdutil.UnavailableError{Feature: "Kernia's Stripe webhook route (POST " + webhookPath + ")",
			Hint: "the server does not mount the kernia_stripe plugin"}
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != 401 && ae.Status != 403 && ae.Status != 429:
		v.Status, v.Code, v.Message = ae.Status, ae.Code, ae.Message
	default:
		return err
	}
	if err := output.PrintObject(opts.IO, opts.Format, webhookTestSpec(), opts.Now, v); err != nil {
		return err
	}
	if !v.Accepted {
		hint := ""
		if v.Code == "INVALID_SIGNATURE" {
			hint = "the webhook signing secret does not match the one the server stores (kernia-admin stripe set-keys), or the clocks differ by more than 300 s"
		}
		msg := v.Code
		if v.Message != "" {
			msg += ": " + v.Message
		}
		return cmdutil.Errorf(cmdutil.ExitConflict, hint, "the server rejected the event: %s", strings.TrimPrefix(msg, ": "))
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "Accepted %s (%s)\n", v.EventID, v.EventType)
	}
	return nil
}

type testEvent struct {
	id, subscription string
	body             map[string]any
}

// buildTestEvent builds an event shaped like Stripe's (API version 2024-06-20).
func buildTestEvent(typ string, now time.Time, suffix, ref, customer, priceID, status string, price *apiclient.BillingPrice) testEvent {
	if customer == "" {
		customer = "cus_test_" + suffix[:8]
	}
	subID := "sub_test_" + suffix
	meta := map[string]any{}
	if ref != "" {
		meta["referenceId"] = ref
		meta["userId"] = ref
	}
	start := now.Unix()
	end := now.AddDate(0, 1, 0).Unix()
	priceObj := map[string]any{"id": priceID, "object": "price", "active": true, "currency": "usd", "type": "recurring",
		"recurring": map[string]any{"interval": "month", "interval_count": 1, "usage_type": "licensed"}, "livemode": false}
	if price != nil {
		priceObj["currency"], priceObj["product"], priceObj["lookup_key"], priceObj["nickname"] = price.Currency, price.ProductID, nilIfEmpty(price.LookupKey), nilIfEmpty(price.Nickname)
		if price.UnitAmount != nil {
			priceObj["unit_amount"] = *price.UnitAmount
		}
		if price.Interval != "" {
			priceObj["recurring"] = map[string]any{"interval": price.Interval, "interval_count": max(price.IntervalCount, 1), "usage_type": "licensed"}
			if price.Interval == "year" {
				end = now.AddDate(1, 0, 0).Unix()
			}
		} else {
			priceObj["type"], priceObj["recurring"] = "one_time", nil
		}
	}
	var obj map[string]any
	if typ == "checkout.session.completed" {
		obj = map[string]any{"id": "cs_test_" + suffix, "object": "checkout.session", "mode": "subscription",
			"status": "complete", "payment_status": "paid", "customer": customer, "subscription": subID,
			"client_reference_id": nilIfEmpty(ref), "metadata": meta, "created": start, "livemode": false}
	} else {
		items := []any{}
		if priceID != "" {
			items = append(items, map[string]any{"id": "si_test_" + suffix, "object": "subscription_item", "price": priceObj,
				"quantity": 1, "subscription": subID, "current_period_start": start, "current_period_end": end})
		}
		var canceledAt, endedAt any
		if typ == "customer.subscription.deleted" {
			status, canceledAt, endedAt = "canceled", start, start
		}
		obj = map[string]any{"id": subID, "object": "subscription", "customer": customer, "status": status,
			"current_period_start": start, "current_period_end": end, "cancel_at_period_end": false,
			"cancel_at": nil, "canceled_at": canceledAt, "ended_at": endedAt, "trial_start": nil, "trial_end": nil,
			"created": start, "start_date": start, "livemode": false, "metadata": meta, "quantity": 1,
			"items": map[string]any{"object": "list", "data": items, "has_more": false, "url": "/v1/subscription_items?subscription=" + subID}}
		if priceID != "" {
			obj["plan"] = map[string]any{"id": priceID, "object": "plan", "active": true}
		}
	}
	id := "evt_test_" + suffix
	return testEvent{id: id, subscription: subID, body: map[string]any{
		"id": id, "object": "event", "api_version": "2024-06-20", "created": start, "livemode": false,
		"pending_webhooks": 1, "request": map[string]any{"id": nil, "idempotency_key": nil}, "type": typ,
		"data": map[string]any{"object": obj},
	}}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
