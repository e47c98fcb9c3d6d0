package stripecmd

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	stripe "github.com/stripe/stripe-go/v76"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// handledEvents are the four events Kernia's Stripe plugin handles (kernia-wire.md §9.2).
func handledEvents() []string {
	return []string{"checkout.session.completed", "customer.subscription.created",
		"customer.subscription.updated", "customer.subscription.deleted"}
}

// WebhookPath is Kernia's Stripe webhook route.
const webhookPath = "/api/auth/stripe/webhook"

type webhooksOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
	Stripe    *stripeAccess

	URL        string
	SkipStripe bool
}

func newCmdWebhooks(f *cmdutil.Factory, runF func(*webhooksOptions) error) *cobra.Command {
	opts := &webhooksOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now, Stripe: newStripeAccess(f)}
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "One health verdict for Stripe webhooks, from Stripe's side and the server's",
		Long: heredoc.Docf(`
			Check that Stripe events reach the server and are accepted, from both sides.

			In Stripe (through the key):
			  - an endpoint whose URL is the server's %[1]s (the configured server URL, or
			    --url), that is enabled and subscribed to the four events Kernia handles
			    (checkout.session.completed, customer.subscription.created|updated|deleted)
			    or to "*";
			  - no event of the last 24 hours whose delivery is still pending or failed.
			On the server (the dashboard's billing webhook-health route):
			  - when the last event was received and accepted;
			  - how many deliveries were rejected (bad signature) and how many failed in a
			    handler in the last 24 hours.

			The checks are printed as a table, the last line being the verdict. Exit status 0
			only when healthy, 1 when not, 9 when the server has no billing routes.
			--skip-stripe checks the server side only (no key needed).

			%[2]s
		`, webhookPath, stripeKeyHelp),
		Example: heredoc.Doc(`
			$ kernia-admin stripe webhooks
			$ kernia-admin stripe webhooks --url https://auth.example.com/api/auth/stripe/webhook
			$ kernia-admin stripe webhooks --skip-stripe --json --jq .server
			$ STRIPE_WEBHOOK_SECRET=whsec_... kernia-admin stripe webhooks test
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.URL != "" {
				u, err := url.Parse(opts.URL)
				if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
					return cmdutil.FlagErrorf("invalid --url %q: use the full https URL of the webhook route", opts.URL)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return webhooksRun(cmd.Context(), opts)
		},
	}
	opts.Stripe.addFlags(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.URL, "url", "", "The webhook `URL` Stripe should call (default: the server URL + "+webhookPath+")")
	fl.BoolVar(&opts.SkipStripe, "skip-stripe", false, "Check the server side only")
	output.AddFormatFlags(cmd, &opts.Format)
	cmd.AddCommand(newCmdWebhooksTest(f, nil))
	return cmd
}

type webhookCheck struct {
	Side   string `json:"side"`
	Check  string `json:"check"`
	Status string `json:"status"` // ok, fail, warn, skip
	Detail string `json:"detail"`
}

type webhooksView struct {
	Healthy     bool                     `json:"healthy"`
	Verdict     string                   `json:"verdict"`
	Reasons     []string                 `json:"reasons"`
	ExpectedURL string                   `json:"expectedUrl"`
	Checks      []webhookCheck           `json:"checks"`
	Server      *apiclient.WebhookHealth `json:"server"`
}

func webhooksSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Side", Field: "side"},
		{Header: "Check", Field: "check"},
		{Header: "Status", Field: "status"},
		{Header: "Detail", Field: "detail"},
	}}
}

func sameURL(a, b string) bool {
	ua, err1 := url.Parse(strings.TrimSpace(a))
	ub, err2 := url.Parse(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		strings.TrimSuffix(ua.Path, "/") == strings.TrimSuffix(ub.Path, "/")
}

func webhooksRun(ctx context.Context, opts *webhooksOptions) error {
	var k *stripeKey
	if !opts.SkipStripe {
		var err error
		if k, err = opts.Stripe.open(opts.IO.In); err != nil {
			return err
		}
	}
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	now := opts.Now()
	expected := opts.URL
	if expected == "" {
		expected = strings.TrimSuffix(c.BaseURL(), "/") + webhookPath
	}
	v := webhooksView{ExpectedURL: expected, Checks: []webhookCheck{}, Reasons: []string{}}
	add := func(side, check, status, detail string) {
		v.Checks = append(v.Checks, webhookCheck{Side: side, Check: check, Status: status, Detail: detail})
		if status == "fail" {
			v.Reasons = append(v.Reasons, detail)
		}
	}

	// Server side first: a server without billing routes is exit 9 whatever Stripe says.
	h, _, err := c.Billing().WebhookHealth(ctx)
	if err != nil {
		return billingError(err)
	}
	v.Server = h

	if k == nil {
		add("stripe", "endpoint", "skip", "--skip-stripe")
	} else {
		var endpoints []*stripe.WebhookEndpoint
		it := k.Client.WebhookEndpoints.List(&stripe.WebhookEndpointListParams{ListParams: stripe.ListParams{Context: ctx, Limit: stripe.Int64(100)}})
		for it.Next() {
			endpoints = append(endpoints, it.WebhookEndpoint())
		}
		if err := it.Err(); err != nil {
			return opts.Stripe.stripeError("listing webhook endpoints", err)
		}
		var match []*stripe.WebhookEndpoint
		var others []string
		for _, e := range endpoints {
			if sameURL(e.URL, expected) {
				match = append(match, e)
			} else {
				others = append(others, e.URL)
			}
		}
		if len(match) == 0 {
			detail := "no webhook endpoint url matches " + expected
			if len(others) > 0 {
				detail = fmt.Sprintf("endpoint url does not match %s (Stripe has: %s)", expected, strings.Join(others, ", "))
			}
			add("stripe", "endpoint", "fail", detail)
		} else {
			// The best match: enabled, then with the most handled events.
			best := match[0]
			for _, e := range match[1:] {
				if e.Status == "enabled" && best.Status != "enabled" || e.Status == best.Status && len(missingEvents(e.EnabledEvents)) < len(missingEvents(best.EnabledEvents)) {
					best = e
				}
			}
			add("stripe", "endpoint", "ok", best.ID+" "+best.URL)
			if best.Status == "enabled" {
				add("stripe", "endpoint enabled", "ok", "enabled")
			} else {
				add("stripe", "endpoint enabled", "fail", fmt.Sprintf("endpoint %s is %s", best.ID, best.Status))
			}
			if miss := missingEvents(best.EnabledEvents); len(miss) > 0 {
				add("stripe", "events", "fail", "endpoint is not subscribed to "+strings.Join(miss, ", "))
			} else {
				add("stripe", "events", "ok", "subscribed to the four handled events")
			}
		}
		// Recent events whose delivery is pending or failed.
		since := now.Add(-24 * time.Hour)
		params := &stripe.EventListParams{ListParams: stripe.ListParams{Context: ctx, Limit: stripe.Int64(100)},
			DeliverySuccess: stripe.Bool(false), CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: since.Unix()}}
		eit := k.Client.Events.List(params)
		var failed []string
		for eit.Next() {
			e := eit.Event()
			if e.Created < since.Unix() || e.PendingWebhooks == 0 {
				continue
			}
			failed = append(failed, e.ID+" ("+string(e.Type)+")")
		}
		if err := eit.Err(); err != nil {
			return opts.Stripe.stripeError("listing events", err)
		}
		if len(failed) > 0 {
			shown := failed
			if len(shown) > 5 {
				shown = append(shown[:5:5], "…")
			}
			add("stripe", "failed deliveries (24h)", "fail", fmt.Sprintf("%d event(s) not delivered: %s", len(failed), strings.Join(shown, ", ")))
		} else {
			add("stripe", "failed deliveries (24h)", "ok", "none")
		}
	}

	// Server side.
	if h.LastReceivedAt.IsZero() {
		add("server", "last event received", "warn", "never")
	} else {
		add("server", "last event received", "ok", h.LastReceivedAt.UTC().Format(time.RFC3339))
	}
	if h.LastAcceptedAt.IsZero() {
		add("server", "last event accepted", "warn", "never")
	} else {
		add("server", "last event accepted", "ok", h.LastAcceptedAt.UTC().Format(time.RFC3339))
	}
	if h.Rejected24h > 0 {
		add("server", "rejected (24h)", "fail", fmt.Sprintf("%d delivery(ies) rejected in 24 h%s", h.Rejected24h, lastError(h, "rejected")))
	} else {
		add("server", "rejected (24h)", "ok", "0")
	}
	if h.HandlerErrors24h > 0 {
		add("server", "handler errors (24h)", "fail", fmt.Sprintf("%d handler error(s) in 24 h%s", h.HandlerErrors24h, lastError(h, "error")))
	} else {
		add("server", "handler errors (24h)", "ok", "0")
	}

	v.Healthy = len(v.Reasons) == 0
	v.Verdict = "healthy"
	if !v.Healthy {
		v.Verdict = "unhealthy: " + strings.Join(v.Reasons, "; ")
	}
	if opts.Format.Machine() {
		if err := output.PrintObject(opts.IO, opts.Format, output.Spec{}, opts.Now, v); err != nil {
			return err
		}
	} else {
		list := output.NewList(opts.IO, opts.Format, webhooksSpec(), opts.Now)
		rows := append(v.Checks, webhookCheck{Side: "-", Check: "verdict", Status: map[bool]string{true: "ok", false: "fail"}[v.Healthy], Detail: v.Verdict})
		for _, r := range rows {
			if err := list.Add(r); err != nil {
				return err
			}
		}
		if err := list.Close(); err != nil {
			return err
		}
	}
	if !v.Healthy {
		return cmdutil.Errorf(cmdutil.ExitFailure, "", "Stripe webhooks are %s", v.Verdict)
	}
	return nil
}

// missingEvents lists the handled events an endpoint does not receive ("*" receives all).
func missingEvents(enabled []string) []string {
	if slices.Contains(enabled, "*") {
		return nil
	}
	var out []string
	for _, e := range handledEvents() {
		if !slices.Contains(enabled, e) {
			out = append(out, e)
		}
	}
	return out
}

// lastError describes the newest recent delivery whose status contains kind.
func lastError(h *apiclient.WebhookHealth, kind string) string {
	var best *apiclient.WebhookDelivery
	for i := range h.Recent {
		d := &h.Recent[i]
		if !strings.Contains(d.Status, kind) {
			continue
		}
		if best == nil || d.ReceivedAt.After(best.ReceivedAt.Time) {
			best = d
		}
	}
	if best == nil {
		return ""
	}
	s := " (last: " + best.Status
	if best.ErrorCode != "" {
		s += " " + best.ErrorCode
	}
	return s + " at " + best.ReceivedAt.UTC().Format(time.RFC3339) + ")"
}
