package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Kernia's Stripe plugin (kernia-wire.md §9): the webhook and
// GET /subscription/list.

const (
	stripeSignatureTolerance = 300     // seconds
	maxWebhookBody           = 1 << 20 // bytes
	webhookPath              = "/stripe/webhook"
)

// The four event types Kernia's Stripe plugin handles.
var stripeHandledEvents = []string{
	"checkout.session.completed",
	"customer.subscription.created",
	"customer.subscription.updated",
	"customer.subscription.deleted",
}

// stripeWebhookSecret is the webhookSecret of the stored admin-config
// "stripe" document ("" when not configured).
func (s *Server) stripeWebhookSecret(ctx context.Context) (string, error) {
	row, err := readConfigRow(ctx, s.db, adminConfigStripe)
	if err != nil {
		return "", err
	}
	v, _ := row.value["webhookSecret"].(string)
	return v, nil
}

// verifyStripeSignature checks a Stripe-Signature header value against the
// raw body: HMAC-SHA256 keyed with the whole secret over "<t>." + body,
// any of several v1 values, |now - t| <= 300 s. It returns Kernia's
// INVALID_SIGNATURE message on failure.
func verifyStripeSignature(header string, payload []byte, secret string, now int64) (string, bool) {
	if strings.TrimSpace(header) == "" {
		return "missing Stripe-Signature header", false
	}
	var (
		ts   string
		sigs []string
	)
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			if ts == "" {
				ts = v
			}
		case "v1":
			if v != "" {
				sigs = append(sigs, v)
			}
		}
	}
	if ts == "" || len(sigs) == 0 {
		return "missing t or v1 component", false
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "bad timestamp", false
	}
	if d := now - t; d > stripeSignatureTolerance || d < -stripeSignatureTolerance {
		return "timestamp outside tolerance", false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(payload)
	want := []byte(hex.EncodeToString(mac.Sum(nil)))
	ok := false
	for _, sig := range sigs {
		if hmac.Equal(want, []byte(strings.ToLower(sig))) {
			ok = true
		}
	}
	if !ok {
		return "signature mismatch", false
	}
	return "", true
}

// webhookDelivery is one recorded delivery (never the body or a secret).
type webhookDelivery struct {
	ID           string  `json:"id"`
	ReceivedAt   int64   `json:"receivedAt"`
	EventID      *string `json:"eventId"`
	Type         *string `json:"type"`
	Status       string  `json:"status"`
	Handled      bool    `json:"handled"`
	ErrorCode    *string `json:"errorCode"`
	ErrorMessage *string `json:"errorMessage"`
}

func (s *Server) recordDelivery(ctx context.Context, d *webhookDelivery) {
	_, err := s.db.ExecContext(context.WithoutCancel(ctx), `INSERT INTO stripeWebhookDelivery
		(id, receivedAt, eventId, type, status, handled, errorCode, errorMessage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		newID(), d.ReceivedAt, strOrNil(d.EventID), strOrNil(d.Type), d.Status, d.Handled, strOrNil(d.ErrorCode),
		strOrNil(d.ErrorMessage))
	if err != nil {
		s.logf("stripe webhook: cannot record delivery: %v", err)
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.logger == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.logger, format+"\n", args...)
}

func ptr[T any](v T) *T { return &v }

// POST /api/auth/stripe/webhook (kernia-wire.md §9.2). The body is read
// raw (the route has no body model).
func (s *Server) stripeWebhook(ctx context.Context, rq *request) (any, error) {
	d := &webhookDelivery{ReceivedAt: rq.now}
	reject := func(code, message string) error {
		d.Status, d.ErrorCode, d.ErrorMessage = "rejected", &code, &message
		s.recordDelivery(ctx, d)
		return errMsg(http.StatusBadRequest, code, message)
	}
	payload, err := io.ReadAll(io.LimitReader(rq.r.Body, maxWebhookBody+1))
	if err != nil {
		return nil, reject("INVALID_REQUEST", "cannot read body")
	}
	if len(payload) > maxWebhookBody {
		return nil, reject("INVALID_REQUEST", "body too large")
	}
	secret, err := s.stripeWebhookSecret(ctx)
	if err != nil {
		return nil, err
	}
	if secret == "" {
		return nil, reject("INVALID_SIGNATURE", "webhook secret not configured")
	}
	if msg, ok := verifyStripeSignature(rq.r.Header.Get("Stripe-Signature"), payload, secret, rq.now); !ok {
		return nil, reject("INVALID_SIGNATURE", msg)
	}
	var event map[string]any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&event); err != nil || event == nil {
		return nil, reject("INVALID_REQUEST", "body is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, reject("INVALID_REQUEST", "body is not a JSON object")
	}
	if id := jStr(event, "id"); id != "" {
		d.EventID = ptr(truncate(id, maxBillingText))
	}
	typ := jStr(event, "type")
	if typ != "" {
		d.Type = ptr(truncate(typ, maxBillingText))
	}
	obj, _ := jGet(event, "data", "object").(map[string]any)
	d.Status = "accepted"
	var herr error
	switch typ {
	case "checkout.session.completed":
		d.Handled = true
		herr = s.inTx(ctx, func(tx *sql.Tx) error { return s.onCheckoutCompleted(ctx, tx, obj, rq.now) })
	case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted":
		d.Handled = true
		herr = s.inTx(ctx, func(tx *sql.Tx) error { return s.onSubscriptionEvent(ctx, tx, typ, obj, rq.now) })
	}
	if herr != nil {
		// Kernia logs and swallows handler failures: still 200.
		d.Status = "handler_error"
		d.ErrorCode = ptr("HANDLER_ERROR")
		d.ErrorMessage = ptr(truncate(herr.Error(), 500))
		s.logf("stripe webhook: %s %s: handler error: %v", typ, strOrEmpty(d.EventID), herr)
	}
	s.recordDelivery(ctx, d)
	return map[string]bool{"received": true}, nil
}

func strOrEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// jGet walks nested objects.
func jGet(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func jStr(v any, path ...string) string {
	s, _ := jGet(v, path...).(string)
	return s
}

// jID is a Stripe reference: an id string or an expanded object's id.
func jID(v any, path ...string) string {
	switch t := jGet(v, path...).(type) {
	case string:
		return t
	case map[string]any:
		s, _ := t["id"].(string)
		return s
	}
	return ""
}

// jInt is an integer field, nil when absent, null or not an integer.
func jInt(v any, path ...string) *int64 {
	switch t := jGet(v, path...).(type) {
	case json.Number:
		if n, ok := numberToInt(t); ok {
			return &n
		}
	case float64:
		if t == float64(int64(t)) {
			n := int64(t)
			return &n
		}
	}
	return nil
}

func jBool(v any, path ...string) bool {
	b, _ := jGet(v, path...).(bool)
	return b
}

// firstItem is items.data[0] of a subscription.
func firstItem(sub map[string]any) map[string]any {
	list, _ := jGet(sub, "items", "data").([]any)
	if len(list) == 0 {
		return nil
	}
	m, _ := list[0].(map[string]any)
	return m
}

// userByCustomer returns the id of the user whose stripeCustomerId is customer.
func userByCustomer(ctx context.Context, q dbtx, customer string) (string, error) {
	if customer == "" {
		return "", nil
	}
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM "user" WHERE stripeCustomerId = ? ORDER BY createdAt LIMIT 1`, customer).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// linkCustomer stores customer on the user referenceID when that user has
// no customer id yet (a referenceId that is not a user is left alone).
func linkCustomer(ctx context.Context, q dbtx, referenceID, customer string, now int64) error {
	if referenceID == "" || customer == "" {
		return nil
	}
	_, err := q.ExecContext(ctx, `UPDATE "user" SET stripeCustomerId = ?, updatedAt = ? WHERE id = ? AND stripeCustomerId IS NULL`,
		customer, now, referenceID)
	return err
}

// planForPrice is the dashboard plan a price is mapped to ("" if none).
func planForPrice(ctx context.Context, q dbtx, priceID string) (string, error) {
	if priceID == "" {
		return "", nil
	}
	var plan sql.NullString
	err := q.QueryRowContext(ctx, `SELECT planId FROM billingPrice WHERE id = ?`, priceID).Scan(&plan)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return plan.String, err
}

// onSubscriptionEvent applies customer.subscription.created|updated|deleted
// to the subscription row with the same stripeSubscriptionId (inserting
// it when there is none).
func (s *Server) onSubscriptionEvent(ctx context.Context, tx *sql.Tx, typ string, sub map[string]any, now int64) error {
	if sub == nil {
		return errors.New("event has no data.object")
	}
	subID := jStr(sub, "id")
	if subID == "" {
		return errors.New("subscription object has no id")
	}
	customer := jID(sub, "customer")
	item := firstItem(sub)
	priceID := jID(item, "price")
	var existingID, existingRef string
	var existingPlan sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT id, referenceId, plan FROM subscription WHERE stripeSubscriptionId = ?`, subID).
		Scan(&existingID, &existingRef, &existingPlan)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	ref, err := userByCustomer(ctx, tx, customer)
	if err != nil {
		return err
	}
	for _, k := range []string{"referenceId", "userId"} {
		if ref == "" {
			ref = jStr(sub, "metadata", k)
		}
	}
	if ref == "" {
		ref = existingRef
	}
	if ref == "" {
		return fmt.Errorf("cannot resolve the reference of subscription %s: no user has customer %q and metadata has no referenceId or userId",
			subID, customer)
	}
	if err := linkCustomer(ctx, tx, ref, customer, now); err != nil {
		return err
	}
	plan, err := planForPrice(ctx, tx, priceID)
	if err != nil {
		return err
	}
	if plan == "" {
		plan = existingPlan.String
	}
	status := jStr(sub, "status")
	if typ == "customer.subscription.deleted" {
		status = "canceled"
	}
	if status == "" {
		status = "incomplete"
	}
	periodStart, periodEnd := jInt(sub, "current_period_start"), jInt(sub, "current_period_end")
	if periodStart == nil {
		periodStart = jInt(item, "current_period_start")
	}
	if periodEnd == nil {
		periodEnd = jInt(item, "current_period_end")
	}
	seats := jInt(item, "quantity")
	if seats == nil {
		seats = jInt(sub, "quantity")
	}
	endedAt := jInt(sub, "ended_at")
	if typ == "customer.subscription.deleted" && endedAt == nil {
		endedAt = &now
	}
	interval := jStr(item, "price", "recurring", "interval")
	if interval == "" {
		interval = jStr(item, "plan", "interval")
	}
	vals := []any{nilIfEmpty(plan), ref, nilIfEmpty(customer), status, int64OrNil(periodStart), int64OrNil(periodEnd),
		jBool(sub, "cancel_at_period_end"), int64OrNil(jInt(sub, "cancel_at")), int64OrNil(jInt(sub, "canceled_at")),
		int64OrNil(endedAt), int64OrNil(seats), int64OrNil(jInt(sub, "trial_start")), int64OrNil(jInt(sub, "trial_end")),
		nilIfEmpty(priceID), nilIfEmpty(interval), nilIfEmpty(jID(sub, "schedule"))}
	if existingID != "" {
		_, err = tx.ExecContext(ctx, `UPDATE subscription SET plan = ?, referenceId = ?, stripeCustomerId = ?, status = ?,
			periodStart = ?, periodEnd = ?, cancelAtPeriodEnd = ?, cancelAt = ?, canceledAt = ?, endedAt = ?, seats = ?,
			trialStart = ?, trialEnd = ?, priceId = ?, billingInterval = ?, stripeScheduleId = ?, updatedAt = ?
			WHERE id = ?`, append(vals, now, existingID)...)
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO subscription (plan, referenceId, stripeCustomerId, status, periodStart,
		periodEnd, cancelAtPeriodEnd, cancelAt, canceledAt, endedAt, seats, trialStart, trialEnd, priceId, billingInterval,
		stripeScheduleId, id, stripeSubscriptionId, createdAt, updatedAt)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(vals, newID(), subID, now, now)...)
	return err
}

// onCheckoutCompleted links the checkout's customer to its reference and
// records the subscription id. The sandbox cannot retrieve the
// subscription from Stripe (Kernia does), so a new row stays "incomplete"
// until a customer.subscription.* event brings status, plan and period.
func (s *Server) onCheckoutCompleted(ctx context.Context, tx *sql.Tx, cs map[string]any, now int64) error {
	if cs == nil {
		return errors.New("event has no data.object")
	}
	if mode := jStr(cs, "mode"); mode != "" && mode != "subscription" {
		return nil
	}
	customer := jID(cs, "customer")
	ref := jStr(cs, "client_reference_id")
	for _, k := range []string{"referenceId", "userId"} {
		if ref == "" {
			ref = jStr(cs, "metadata", k)
		}
	}
	if ref == "" {
		var err error
		if ref, err = userByCustomer(ctx, tx, customer); err != nil {
			return err
		}
	}
	if ref == "" {
		return fmt.Errorf("cannot resolve the reference of checkout session %s: no client_reference_id, metadata.referenceId or known customer",
			jStr(cs, "id"))
	}
	if err := linkCustomer(ctx, tx, ref, customer, now); err != nil {
		return err
	}
	subID := jID(cs, "subscription")
	if subID == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE subscription SET stripeCustomerId = coalesce(stripeCustomerId, ?), updatedAt = ?
		WHERE stripeSubscriptionId = ?`, nilIfEmpty(customer), now, subID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO subscription (id, plan, referenceId, stripeCustomerId, stripeSubscriptionId,
		status, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, 'incomplete', ?, ?)`,
		newID(), nilIfEmpty(jStr(cs, "metadata", "plan")), ref, nilIfEmpty(customer), subID, now, now)
	return err
}

// subscriptionRow is a row of Kernia's subscription table on the wire.
type subscriptionRow struct {
	ID                   string  `json:"id"`
	Plan                 *string `json:"plan"`
	ReferenceID          string  `json:"referenceId"`
	StripeCustomerID     *string `json:"stripeCustomerId"`
	StripeSubscriptionID *string `json:"stripeSubscriptionId"`
	Status               string  `json:"status"`
	PeriodStart          *int64  `json:"periodStart"`
	PeriodEnd            *int64  `json:"periodEnd"`
	CancelAtPeriodEnd    bool    `json:"cancelAtPeriodEnd"`
	CancelAt             *int64  `json:"cancelAt"`
	CanceledAt           *int64  `json:"canceledAt"`
	EndedAt              *int64  `json:"endedAt"`
	Seats                *int64  `json:"seats"`
	TrialStart           *int64  `json:"trialStart"`
	TrialEnd             *int64  `json:"trialEnd"`
	PriceID              *string `json:"priceId"`
	GroupID              *string `json:"groupId"`
	BillingInterval      *string `json:"billingInterval"`
	StripeScheduleID     *string `json:"stripeScheduleId"`
	CreatedAt            int64   `json:"createdAt"`
	UpdatedAt            int64   `json:"updatedAt"`
}

const subscriptionColumns = `id, plan, referenceId, stripeCustomerId, stripeSubscriptionId, status, periodStart, periodEnd,
	cancelAtPeriodEnd, cancelAt, canceledAt, endedAt, seats, trialStart, trialEnd, priceId, groupId, billingInterval,
	stripeScheduleId, createdAt, updatedAt`

func scanSubscription(sc scanner) (*subscriptionRow, error) {
	var (
		r                                                              subscriptionRow
		plan, cust, subID, price, group, interval, sched               sql.NullString
		pStart, pEnd, cancelAt, canceledAt, ended, seats, tStart, tEnd sql.NullInt64
	)
	if err := sc.Scan(&r.ID, &plan, &r.ReferenceID, &cust, &subID, &r.Status, &pStart, &pEnd, &r.CancelAtPeriodEnd,
		&cancelAt, &canceledAt, &ended, &seats, &tStart, &tEnd, &price, &group, &interval, &sched, &r.CreatedAt,
		&r.UpdatedAt); err != nil {
		return nil, err
	}
	r.Plan, r.StripeCustomerID, r.StripeSubscriptionID = nullStr(plan), nullStr(cust), nullStr(subID)
	r.PriceID, r.GroupID, r.BillingInterval, r.StripeScheduleID = nullStr(price), nullStr(group), nullStr(interval), nullStr(sched)
	r.PeriodStart, r.PeriodEnd, r.CancelAt, r.CanceledAt = nullInt64(pStart), nullInt64(pEnd), nullInt64(cancelAt), nullInt64(canceledAt)
	r.EndedAt, r.Seats, r.TrialStart, r.TrialEnd = nullInt64(ended), nullInt64(seats), nullInt64(tStart), nullInt64(tEnd)
	return &r, nil
}

func querySubscriptions(ctx context.Context, q dbtx, where string, args ...any) ([]*subscriptionRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM subscription`+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*subscriptionRow{}
	for rows.Next() {
		r, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// resolvePlan is the dashboard plan of a subscription row: the plan its
// price is mapped to now, else its plan column when that names a plan.
func resolvePlan(ctx context.Context, q dbtx, r *subscriptionRow) (*billingPlan, error) {
	if r.PriceID != nil {
		id, err := planForPrice(ctx, q, *r.PriceID)
		if err != nil {
			return nil, err
		}
		if id != "" {
			return getPlan(ctx, q, id)
		}
	}
	if r.Plan != nil && *r.Plan != "" {
		return getPlan(ctx, q, *r.Plan)
	}
	return nil, nil
}

// planLimits is Kernia's "limits" view of a plan: enabled features only,
// number (null = unlimited) for counted kinds, true for boolean ones.
func planLimits(p *billingPlan) map[string]any {
	out := map[string]any{}
	for _, f := range p.Features {
		if !f.Enabled {
			continue
		}
		if f.Kind == "boolean" {
			out[f.Key] = true
			continue
		}
		out[f.Key] = int64OrNil(f.Limit)
	}
	return out
}

// GET /api/auth/subscription/list?referenceId= (kernia-wire.md §9.1). Bare
// array of the reference's active or trialing rows, enriched with priceId
// and limits. Deviation: another reference than the caller's own user id
// needs an admin (Kernia checks nothing).
func (s *Server) subscriptionList(ctx context.Context, rq *request) (any, error) {
	ref := rq.r.URL.Query().Get("referenceId")
	if ref == "" {
		ref = rq.auth.user.ID
	}
	if ref != rq.auth.user.ID && !rq.auth.user.isAdmin() {
		return nil, errCode(http.StatusBadRequest, "REFERENCE_ID_NOT_ALLOWED")
	}
	rows, err := querySubscriptions(ctx, s.db, ` WHERE referenceId = ? AND status IN ('active', 'trialing')
		ORDER BY createdAt, id`, ref)
	if err != nil {
		return nil, err
	}
	type enriched struct {
		*subscriptionRow
		Limits map[string]any `json:"limits"`
	}
	out := []enriched{}
	for _, r := range rows {
		e := enriched{subscriptionRow: r}
		plan, err := resolvePlan(ctx, s.db, r)
		if err != nil {
			return nil, err
		}
		if plan != nil {
			e.Limits = planLimits(plan)
			if r.PriceID == nil && len(plan.Prices) > 0 {
				e.PriceID = &plan.Prices[0]
			}
		}
		out = append(out, e)
	}
	return out, nil
}
