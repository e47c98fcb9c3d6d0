package apiclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// BillingService covers the dashboard's billing family (docs/dashboard-api.yaml, family
// "billing", under /api/admin/billing): the product catalog mirrored from Stripe, features,
// plans, price-to-plan mapping, subscriptions, entitlements, grants, usage events and Stripe
// webhook health. It also posts to Kernia's own Stripe webhook route (/api/auth/stripe/webhook).
type BillingService service

// Billing returns the billing service of c.
func (c *Client) Billing() *BillingService { return (*BillingService)(&c.common) }

const billingBase = DashboardBase + "/billing"

// BillingProduct is a catalog product (a Stripe product mirrored on the server).
type BillingProduct struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Active      bool              `json:"active"`
	Metadata    map[string]string `json:"metadata"`
	CreatedAt   Time              `json:"createdAt"`
	UpdatedAt   Time              `json:"updatedAt"`
}

// ProductInput is the body of products/upsert.
type ProductInput struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Active      bool              `json:"active"`
	Metadata    map[string]string `json:"metadata"`
}

// BillingPrice is a catalog price. UnitAmount is nil for prices without a flat amount
// (tiered, customer-chosen); Interval is "" for one-time prices. PlanID is set once the price
// is mapped to a plan.
type BillingPrice struct {
	ID            string            `json:"id"`
	ProductID     string            `json:"productId"`
	Active        bool              `json:"active"`
	Currency      string            `json:"currency"`
	UnitAmount    *int64            `json:"unitAmount"`
	Type          string            `json:"type"`
	Interval      string            `json:"interval"`
	IntervalCount int64             `json:"intervalCount"`
	LookupKey     string            `json:"lookupKey"`
	Nickname      string            `json:"nickname"`
	Metadata      map[string]string `json:"metadata"`
	PlanID        string            `json:"planId,omitempty"`
	CreatedAt     Time              `json:"createdAt"`
	UpdatedAt     Time              `json:"updatedAt"`
}

// PriceInput is the body of prices/upsert.
type PriceInput struct {
	ID            string            `json:"id"`
	ProductID     string            `json:"productId"`
	Active        bool              `json:"active"`
	Currency      string            `json:"currency"`
	UnitAmount    *int64            `json:"unitAmount"`
	Type          string            `json:"type"`
	Interval      string            `json:"interval"`
	IntervalCount int64             `json:"intervalCount"`
	LookupKey     string            `json:"lookupKey"`
	Nickname      string            `json:"nickname"`
	Metadata      map[string]string `json:"metadata"`
}

// UpsertResult says what an upsert did.
type UpsertResult struct {
	Created bool `json:"created"`
	Changed bool `json:"changed"`
}

// PriceFilter filters prices/list. Active is nil for "any".
type PriceFilter struct {
	Active   *bool
	Product  string
	Currency string
	Interval string
}

// Feature is a billable feature. Kind is boolean, metered, seats or quantity. IncludedAmount
// is nil when the plan limit alone decides; ResetPeriod is month, year, never or nil.
type Feature struct {
	Key            string  `json:"key"`
	Name           string  `json:"name"`
	Kind           string  `json:"kind"`
	IncludedAmount *int64  `json:"includedAmount"`
	ResetPeriod    *string `json:"resetPeriod"`
	OverageAllowed bool    `json:"overageAllowed"`
	CreatedAt      Time    `json:"createdAt"`
}

// FeatureInput is the body of features (create).
type FeatureInput struct {
	Key            string  `json:"key"`
	Name           string  `json:"name"`
	Kind           string  `json:"kind"`
	IncludedAmount *int64  `json:"includedAmount,omitempty"`
	ResetPeriod    *string `json:"resetPeriod"`
	OverageAllowed bool    `json:"overageAllowed"`
}

// PlanFeature is one feature of a plan: Limit nil means unlimited.
type PlanFeature struct {
	Key     string `json:"key"`
	Limit   *int64 `json:"limit"`
	Enabled bool   `json:"enabled"`
}

// Plan groups prices (monthly and annual may share one plan) and feature limits.
type Plan struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Prices      []string      `json:"prices"`
	Features    []PlanFeature `json:"features"`
	CreatedAt   Time          `json:"createdAt"`
}

// PlanInput is the body of plans (create).
type PlanInput struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// PlanFeatureInput is the body of plans/set-feature. Limit nil means unlimited.
type PlanFeatureInput struct {
	PlanID     string `json:"planId"`
	FeatureKey string `json:"featureKey"`
	Limit      *int64 `json:"limit"`
	Enabled    *bool  `json:"enabled,omitempty"`
}

// Subscription is a subscription row (Kernia's subscription table, §9.3).
type Subscription map[string]any

// EntitlementPlan names the plan entitlements come from.
type EntitlementPlan struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Entitlement is one feature's state for a reference in the current period. Limit is nil
// when unlimited, and so is Balance.
type Entitlement struct {
	FeatureKey     string `json:"featureKey"`
	Kind           string `json:"kind"`
	Limit          *int64 `json:"limit"`
	Granted        int64  `json:"granted"`
	Used           int64  `json:"used"`
	Balance        *int64 `json:"balance"`
	ResetAt        Time   `json:"resetAt"`
	Overage        bool   `json:"overage"`
	OverageAllowed bool   `json:"overageAllowed"`
}

// Entitlements is a reference's entitlements.
type Entitlements struct {
	ReferenceID  string           `json:"referenceId"`
	Plan         *EntitlementPlan `json:"plan"`
	PeriodStart  Time             `json:"periodStart"`
	PeriodEnd    Time             `json:"periodEnd"`
	Entitlements []Entitlement    `json:"entitlements"`
}

// Grant is extra allowance given by an admin.
type Grant struct {
	ID          string `json:"id"`
	ReferenceID string `json:"referenceId"`
	FeatureKey  string `json:"featureKey"`
	Amount      int64  `json:"amount"`
	ExpiresAt   Time   `json:"expiresAt"`
	Reason      string `json:"reason"`
	GrantedBy   string `json:"grantedBy"`
	CreatedAt   Time   `json:"createdAt"`
}

// GrantInput is the body of grants (create). ExpiresAt is epoch seconds.
type GrantInput struct {
	ReferenceID string `json:"referenceId"`
	FeatureKey  string `json:"featureKey"`
	Amount      int64  `json:"amount"`
	ExpiresAt   *int64 `json:"expiresAt,omitempty"`
	Reason      string `json:"reason"`
}

// UsageEvent is one recorded usage.
type UsageEvent struct {
	ID             string `json:"id"`
	ReferenceID    string `json:"referenceId"`
	FeatureKey     string `json:"featureKey"`
	Quantity       int64  `json:"quantity"`
	IdempotencyKey string `json:"idempotencyKey"`
	OccurredAt     Time   `json:"occurredAt"`
	CreatedAt      Time   `json:"createdAt"`
}

// UsageInput is the body of usage (track). OccurredAt is epoch seconds.
type UsageInput struct {
	ReferenceID    string `json:"referenceId"`
	FeatureKey     string `json:"featureKey"`
	Quantity       int64  `json:"quantity"`
	IdempotencyKey string `json:"idempotencyKey"`
	OccurredAt     *int64 `json:"occurredAt,omitempty"`
}

// UsageList is usage history and its total quantity.
type UsageList struct {
	Events []UsageEvent `json:"events"`
	Total  int64        `json:"total"`
}

// WebhookDelivery is one Stripe webhook delivery the server recorded.
type WebhookDelivery struct {
	ReceivedAt Time   `json:"receivedAt"`
	EventID    string `json:"eventId"`
	Type       string `json:"type"`
	Status     string `json:"status"`
	ErrorCode  string `json:"errorCode"`
}

// WebhookHealth is the server's view of Stripe webhook deliveries.
type WebhookHealth struct {
	LastReceivedAt   Time              `json:"lastReceivedAt"`
	LastAcceptedAt   Time              `json:"lastAcceptedAt"`
	Received24h      int64             `json:"received24h"`
	Accepted24h      int64             `json:"accepted24h"`
	Rejected24h      int64             `json:"rejected24h"`
	HandlerErrors24h int64             `json:"handlerErrors24h"`
	Recent           []WebhookDelivery `json:"recent"`
}

// WebhookResult is Kernia's answer to an accepted webhook.
type WebhookResult struct {
	Received bool `json:"received"` // Kernia: {"received":true}
	Success  bool `json:"success"`  // Better Auth's Stripe plugin: {"success":true}
}

// Accepted reports whether the server took the event (either dialect's answer).
func (r *WebhookResult) Accepted() bool { return r.Received || r.Success }

func (s *BillingService) get(ctx context.Context, path string, q url.Values, v any) (*Response, error) {
	return (*service)(s).getQuery(ctx, billingBase+path, q, v)
}

func (s *BillingService) post(ctx context.Context, path string, body, v any) (*Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodPost, billingBase+path, body)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, v)
}

func boolQuery(q url.Values, k string, b *bool) {
	if b != nil {
		q.Set(k, strconv.FormatBool(*b))
	}
}

// Products lists catalog products (active nil = all).
func (s *BillingService) Products(ctx context.Context, active *bool) ([]BillingProduct, *Response, error) {
	q := url.Values{}
	boolQuery(q, "active", active)
	var out struct {
		Products []BillingProduct `json:"products"`
	}
	resp, err := s.get(ctx, "/products", q, &out)
	if out.Products == nil {
		out.Products = []BillingProduct{}
	}
	return out.Products, resp, err
}

// UpsertProduct creates or updates a product. Repeating it gives the same state.
func (s *BillingService) UpsertProduct(ctx context.Context, in ProductInput) (*BillingProduct, UpsertResult, *Response, error) {
	if in.Metadata == nil {
		in.Metadata = map[string]string{}
	}
	var out struct {
		Product BillingProduct `json:"product"`
		UpsertResult
	}
	resp, err := s.post(Idempotent(ctx), "/products/upsert", in, &out)
	if err != nil {
		return nil, UpsertResult{}, resp, err
	}
	return &out.Product, out.UpsertResult, resp, nil
}

// ArchiveProduct marks a product inactive.
func (s *BillingService) ArchiveProduct(ctx context.Context, id string) (*Response, error) {
	return s.post(Idempotent(ctx), "/products/archive", map[string]string{"id": id}, nil)
}

// Prices lists catalog prices.
func (s *BillingService) Prices(ctx context.Context, f PriceFilter) ([]BillingPrice, *Response, error) {
	q := url.Values{}
	boolQuery(q, "active", f.Active)
	for k, v := range map[string]string{"product": f.Product, "currency": f.Currency, "interval": f.Interval} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out struct {
		Prices []BillingPrice `json:"prices"`
	}
	resp, err := s.get(ctx, "/prices", q, &out)
	if out.Prices == nil {
		out.Prices = []BillingPrice{}
	}
	return out.Prices, resp, err
}

// UpsertPrice creates or updates a price.
func (s *BillingService) UpsertPrice(ctx context.Context, in PriceInput) (*BillingPrice, UpsertResult, *Response, error) {
	if in.Metadata == nil {
		in.Metadata = map[string]string{}
	}
	var out struct {
		Price BillingPrice `json:"price"`
		UpsertResult
	}
	resp, err := s.post(Idempotent(ctx), "/prices/upsert", in, &out)
	if err != nil {
		return nil, UpsertResult{}, resp, err
	}
	return &out.Price, out.UpsertResult, resp, nil
}

// ArchivePrice marks a price inactive.
func (s *BillingService) ArchivePrice(ctx context.Context, id string) (*Response, error) {
	return s.post(Idempotent(ctx), "/prices/archive", map[string]string{"id": id}, nil)
}

// MapPrice maps a price to a plan.
func (s *BillingService) MapPrice(ctx context.Context, priceID, planID string) (*BillingPrice, *Response, error) {
	var out struct {
		Price BillingPrice `json:"price"`
	}
	resp, err := s.post(Idempotent(ctx), "/prices/map", map[string]string{"priceId": priceID, "planId": planID}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Price, resp, nil
}

// Features lists features.
func (s *BillingService) Features(ctx context.Context) ([]Feature, *Response, error) {
	var out struct {
		Features []Feature `json:"features"`
	}
	resp, err := s.get(ctx, "/features", nil, &out)
	if out.Features == nil {
		out.Features = []Feature{}
	}
	return out.Features, resp, err
}

// CreateFeature creates a feature (409 FEATURE_EXISTS when the key is taken).
func (s *BillingService) CreateFeature(ctx context.Context, in FeatureInput) (*Feature, *Response, error) {
	var out struct {
		Feature Feature `json:"feature"`
	}
	resp, err := s.post(ctx, "/features", in, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Feature, resp, nil
}

// Plans lists plans with their prices and features.
func (s *BillingService) Plans(ctx context.Context) ([]Plan, *Response, error) {
	var out struct {
		Plans []Plan `json:"plans"`
	}
	resp, err := s.get(ctx, "/plans", nil, &out)
	if out.Plans == nil {
		out.Plans = []Plan{}
	}
	return out.Plans, resp, err
}

// Plan reads one plan.
func (s *BillingService) Plan(ctx context.Context, id string) (*Plan, *Response, error) {
	var out struct {
		Plan Plan `json:"plan"`
	}
	resp, err := s.get(ctx, "/plans/get", url.Values{"id": {id}}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Plan, resp, nil
}

// CreatePlan creates a plan (409 PLAN_EXISTS when the id is taken).
func (s *BillingService) CreatePlan(ctx context.Context, in PlanInput) (*Plan, *Response, error) {
	var out struct {
		Plan Plan `json:"plan"`
	}
	resp, err := s.post(ctx, "/plans", in, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Plan, resp, nil
}

// SetPlanFeature sets a plan's limit for a feature.
func (s *BillingService) SetPlanFeature(ctx context.Context, in PlanFeatureInput) (*Plan, *Response, error) {
	var out struct {
		Plan Plan `json:"plan"`
	}
	resp, err := s.post(Idempotent(ctx), "/plans/set-feature", in, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Plan, resp, nil
}

// Subscriptions lists subscription rows (referenceID and status optional).
func (s *BillingService) Subscriptions(ctx context.Context, referenceID, status string) ([]Subscription, *Response, error) {
	q := url.Values{}
	if referenceID != "" {
		q.Set("referenceId", referenceID)
	}
	if status != "" {
		q.Set("status", status)
	}
	var out struct {
		Subscriptions []Subscription `json:"subscriptions"`
	}
	resp, err := s.get(ctx, "/subscriptions", q, &out)
	if out.Subscriptions == nil {
		out.Subscriptions = []Subscription{}
	}
	return out.Subscriptions, resp, err
}

// Entitlements computes a reference's entitlements for the current period.
func (s *BillingService) Entitlements(ctx context.Context, referenceID string) (*Entitlements, *Response, error) {
	var out Entitlements
	resp, err := s.get(ctx, "/entitlements", url.Values{"referenceId": {referenceID}}, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Entitlements == nil {
		out.Entitlements = []Entitlement{}
	}
	return &out, resp, nil
}

// Entitlement reads one feature's entitlement for a reference.
func (s *BillingService) Entitlement(ctx context.Context, referenceID, feature string) (*Entitlement, *Response, error) {
	// The answer is {"entitlement":{...}} (possibly with referenceId and plan beside it) or
	// the entitlement object itself.
	var raw struct {
		Wrapped *Entitlement `json:"entitlement"`
	}
	resp, err := s.get(ctx, "/entitlements/get", url.Values{"referenceId": {referenceID}, "feature": {feature}}, &raw)
	if err != nil {
		return nil, resp, err
	}
	if raw.Wrapped != nil {
		return raw.Wrapped, resp, nil
	}
	var bare Entitlement
	if err := json.Unmarshal(resp.Body, &bare); err != nil {
		return nil, resp, &DecodeError{Path: billingBase + "/entitlements/get", Status: resp.StatusCode, Err: err}
	}
	return &bare, resp, nil
}

// Grant adds extra allowance; the server records the acting admin.
func (s *BillingService) Grant(ctx context.Context, in GrantInput) (*Grant, *Response, error) {
	var out struct {
		Grant Grant `json:"grant"`
	}
	resp, err := s.post(ctx, "/grants", in, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Grant, resp, nil
}

// Grants lists a reference's grants.
func (s *BillingService) Grants(ctx context.Context, referenceID string) ([]Grant, *Response, error) {
	var out struct {
		Grants []Grant `json:"grants"`
	}
	resp, err := s.get(ctx, "/grants", url.Values{"referenceId": {referenceID}}, &out)
	if out.Grants == nil {
		out.Grants = []Grant{}
	}
	return out.Grants, resp, err
}

// TrackUsage records usage. The idempotency key makes it safe to repeat: a repeat answers
// duplicate=true and counts nothing.
func (s *BillingService) TrackUsage(ctx context.Context, in UsageInput) (*UsageEvent, bool, *Response, error) {
	var out struct {
		Event     UsageEvent `json:"event"`
		Duplicate bool       `json:"duplicate"`
	}
	resp, err := s.post(Idempotent(ctx), "/usage", in, &out)
	if err != nil {
		return nil, false, resp, err
	}
	return &out.Event, out.Duplicate, resp, nil
}

// Usage lists usage events (feature optional; since zero = the server's default).
func (s *BillingService) Usage(ctx context.Context, referenceID, feature string, since time.Time) (*UsageList, *Response, error) {
	q := url.Values{"referenceId": {referenceID}}
	if feature != "" {
		q.Set("feature", feature)
	}
	if !since.IsZero() {
		q.Set("since", strconv.FormatInt(since.Unix(), 10))
	}
	var out UsageList
	resp, err := s.get(ctx, "/usage", q, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Events == nil {
		out.Events = []UsageEvent{}
	}
	return &out, resp, nil
}

// WebhookHealth reads the server's webhook delivery record.
func (s *BillingService) WebhookHealth(ctx context.Context) (*WebhookHealth, *Response, error) {
	var out WebhookHealth
	resp, err := s.get(ctx, "/webhooks/health", nil, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Recent == nil {
		out.Recent = []WebhookDelivery{}
	}
	return &out, resp, nil
}

// PostStripeWebhook sends a signed event to Kernia's POST /api/auth/stripe/webhook, as Stripe
// would: the raw payload and the Stripe-Signature header, no session. Not retried (each
// delivery is recorded).
func (s *BillingService) PostStripeWebhook(ctx context.Context, payload []byte, signature string) (*WebhookResult, *Response, error) {
	req, err := s.client.NewRequest(WithBearer(ctx, ""), http.MethodPost, AuthBase+"/stripe/webhook", payload)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Stripe-Signature", signature)
	var out WebhookResult
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}
