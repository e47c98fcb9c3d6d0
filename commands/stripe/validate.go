package stripecmd

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	stripe "github.com/stripe/stripe-go/v76"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/internal/stripeutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type validateOptions struct {
	IO     *output.IOStreams
	Now    func() time.Time
	Format output.Format
	Stripe *stripeAccess
}

func newCmdValidate(f *cmdutil.Factory, runF func(*validateOptions) error) *cobra.Command {
	opts := &validateOptions{IO: f.IOStreams, Now: f.Now, Stripe: newStripeAccess(f)}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a Stripe key: format, mode, account and (restricted keys) read access",
		Long: heredoc.Docf(`
			Check a Stripe secret or restricted key before it is stored or used: its format
			and mode (test or live, secret or restricted), then a real call to Stripe
			(GET /v1/account) proving that it works and telling which account it belongs to.
			For a restricted key, it also probes read access to what sync and the webhook
			checks need: products, prices, webhook endpoints and events.

			%s

			Exit status: 0 the key works, 2 the key is malformed (or live without --live;
			nothing sent), 3 Stripe rejected the key (HTTP 401), 7 Stripe could not be reached.
		`, stripeKeyHelp),
		Example: heredoc.Doc(`
			$ STRIPE_API_KEY=sk_test_... kernia-admin stripe validate
			$ kernia-admin stripe validate --api-key-file ~/.stripe-key --json
			$ pass show stripe/live | kernia-admin stripe validate --api-key-stdin --live
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
	opts.Stripe.addFlags(cmd)
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

// validateView is the JSON model of a validation.
type validateView struct {
	Valid          bool              `json:"valid"`
	KeyType        string            `json:"keyType"`
	Mode           string            `json:"mode"`
	KeyFingerprint string            `json:"keyFingerprint"`
	Source         string            `json:"source"`
	APIBase        string            `json:"apiBase"`
	AccountID      string            `json:"accountId"`
	AccountName    string            `json:"accountName"`
	Access         string            `json:"access"`
	Permissions    []permissionCheck `json:"permissions"`
}

type permissionCheck struct {
	Resource string `json:"resource"`
	Read     bool   `json:"read"`
	Detail   string `json:"detail,omitempty"`
}

func validateSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Valid", Field: "valid", Kind: output.Bool},
		{Header: "Key type", Field: "keyType"},
		{Header: "Mode", Field: "mode"},
		{Header: "Key", Field: "keyFingerprint"},
		{Header: "Source", Field: "source"},
		{Header: "API base", Field: "apiBase"},
		{Header: "Account ID", Field: "accountId"},
		{Header: "Account name", Field: "accountName"},
		{Header: "Access", Field: "access"},
	}}
}

func validateRun(ctx context.Context, opts *validateOptions) error {
	k, err := opts.Stripe.open(opts.IO.In)
	if err != nil {
		return err
	}
	v := validateView{KeyType: k.Info.Type, Mode: k.Info.Mode, KeyFingerprint: redact.Fingerprint(k.Key),
		Source: k.From, APIBase: k.Base, Permissions: []permissionCheck{}}

	acct := &stripe.Account{}
	err = k.Client.Accounts.B.Call(http.MethodGet, "/v1/account", k.Key, &stripe.Params{Context: ctx}, acct)
	f := stripeutil.Classify(err, opts.Stripe.scrubber)
	switch {
	case f == nil:
		v.AccountID, v.AccountName = acct.ID, accountName(acct)
	case f.Class == stripeutil.FailForbidden && k.Info.Type == stripeutil.TypeRestricted:
		// A restricted key without account access still authenticated.
		v.AccountName = "(the restricted key may not read the account)"
	default:
		return opts.Stripe.stripeError("reading the account", err)
	}
	v.Valid = true
	v.Access = "full (secret key)"
	if k.Info.Type == stripeutil.TypeRestricted {
		v.Access = "restricted"
		one := stripe.Int64(1)
		probes := []struct {
			resource string
			call     func() error
		}{
			{"products", func() error {
				it := k.Client.Products.List(&stripe.ProductListParams{ListParams: stripe.ListParams{Context: ctx, Limit: one, Single: true}})
				it.Next()
				return it.Err()
			}},
			{"prices", func() error {
				it := k.Client.Prices.List(&stripe.PriceListParams{ListParams: stripe.ListParams{Context: ctx, Limit: one, Single: true}})
				it.Next()
				return it.Err()
			}},
			{"webhook_endpoints", func() error {
				it := k.Client.WebhookEndpoints.List(&stripe.WebhookEndpointListParams{ListParams: stripe.ListParams{Context: ctx, Limit: one, Single: true}})
				it.Next()
				return it.Err()
			}},
			{"events", func() error {
				it := k.Client.Events.List(&stripe.EventListParams{ListParams: stripe.ListParams{Context: ctx, Limit: one, Single: true}})
				it.Next()
				return it.Err()
			}},
		}
		var denied []string
		for _, p := range probes {
			pc := permissionCheck{Resource: p.resource, Read: true}
			if f := stripeutil.Classify(p.call(), opts.Stripe.scrubber); f != nil {
				if f.Class != stripeutil.FailForbidden {
					return opts.Stripe.stripeError("probing read access to "+p.resource, f)
				}
				pc.Read, pc.Detail = false, f.Message
				denied = append(denied, p.resource)
			}
			v.Permissions = append(v.Permissions, pc)
		}
		if len(denied) > 0 {
			v.Access = "restricted: cannot read " + strings.Join(denied, ", ")
			fmt.Fprintf(opts.IO.ErrOut, "warning: the restricted key cannot read %s: stripe sync and stripe webhooks need read access to products, prices, webhook endpoints and events\n", strings.Join(denied, ", "))
		} else {
			v.Access = "restricted: reads products, prices, webhook endpoints and events"
		}
	}
	return output.PrintObject(opts.IO, opts.Format, validateSpec(), opts.Now, v)
}

func accountName(a *stripe.Account) string {
	switch {
	case a.BusinessProfile != nil && a.BusinessProfile.Name != "":
		return a.BusinessProfile.Name
	case a.Settings != nil && a.Settings.Dashboard != nil && a.Settings.Dashboard.DisplayName != "":
		return a.Settings.Dashboard.DisplayName
	}
	return a.Email
}
