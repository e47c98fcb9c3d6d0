package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// ---- subscriptions ----

// GET /api/admin/billing/subscriptions?referenceId=&status=&limit=&offset=
func (s *Server) billingListSubscriptions(ctx context.Context, rq *request) (any, error) {
	limit, offset, err := page(rq)
	if err != nil {
		return nil, err
	}
	q := rq.r.URL.Query()
	var (
		conds []string
		args  []any
	)
	if v := q.Get("referenceId"); v != "" {
		conds, args = append(conds, `referenceId = ?`), append(args, v)
	}
	if v := q.Get("status"); v != "" {
		conds, args = append(conds, `status = ?`), append(args, v)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM subscription`+where, args...).Scan(&total); err != nil {
		return nil, err
	}
	rows, err := querySubscriptions(ctx, s.db, where+` ORDER BY createdAt DESC, id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	type withPlan struct {
		*subscriptionRow
		PlanID *string `json:"planId"`
	}
	out := []withPlan{}
	for _, r := range rows {
		w := withPlan{subscriptionRow: r}
		plan, err := resolvePlan(ctx, s.db, r)
		if err != nil {
			return nil, err
		}
		if plan != nil {
			w.PlanID = &plan.ID
		}
		out = append(out, w)
	}
	return map[string]any{"subscriptions": out, "total": total, "limit": limit, "offset": offset}, nil
}

// activeSubscription is the reference's newest active or trialing row.
func activeSubscription(ctx context.Context, q dbtx, ref string) (*subscriptionRow, error) {
	rows, err := querySubscriptions(ctx, q, ` WHERE referenceId = ? AND status IN ('active', 'trialing')
		ORDER BY coalesce(periodStart, createdAt) DESC, updatedAt DESC, id LIMIT 1`, ref)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0], nil
}

// ---- entitlements ----

type entitlementPlan struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// entitlement is one feature's state for a reference at now.
type entitlement struct {
	FeatureKey     string `json:"featureKey"`
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	Enabled        bool   `json:"enabled"`
	Limit          *int64 `json:"limit"`
	Granted        int64  `json:"granted"`
	Used           int64  `json:"used"`
	Balance        *int64 `json:"balance"`
	UsageSince     *int64 `json:"usageSince"`
	ResetAt        *int64 `json:"resetAt"`
	Overage        bool   `json:"overage"`
	OverageAllowed bool   `json:"overageAllowed"`
}

type entitlementsView struct {
	ReferenceID    string           `json:"referenceId"`
	Plan           *entitlementPlan `json:"plan"`
	SubscriptionID *string          `json:"subscriptionId"`
	PeriodStart    int64            `json:"periodStart"`
	PeriodEnd      int64            `json:"periodEnd"`
	Entitlements   []entitlement    `json:"entitlements"`
}

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// addMonths adds n months to t, clamping the day to the target month's
// length (Jan 31 + 1 month = Feb 28/29), as Stripe's billing anchors do.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	target := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	d = min(d, daysIn(target.Year(), target.Month()))
	return time.Date(target.Year(), target.Month(), d, t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

// calendarPeriod is the UTC calendar month (months=1) or year (12) holding now.
func calendarPeriod(now int64, months int) (int64, int64) {
	t := time.Unix(now, 0).UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if months == 12 {
		start = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return start.Unix(), addMonths(start, months).Unix()
}

// effectiveResetPeriod is the feature's resetPeriod, or its kind's default
// (metered: month; boolean, seats, quantity: never).
func effectiveResetPeriod(f *billingFeature) string {
	if f.ResetPeriod != nil {
		return *f.ResetPeriod
	}
	if f.Kind == "metered" {
		return "month"
	}
	return "never"
}

// usageWindow is the [start, end) window in which usage counts: nil, nil
// for "never" (all usage ever). With a subscription period it is the
// month- or year-long slice anchored at periodStart that holds now (capped
// at periodEnd), i.e. exactly periodStart..periodEnd when the billing
// interval equals the reset period; otherwise the UTC calendar month/year.
func usageWindow(f *billingFeature, sub *subscriptionRow, now int64) (*int64, *int64) {
	months := 0
	switch effectiveResetPeriod(f) {
	case "month":
		months = 1
	case "year":
		months = 12
	default:
		return nil, nil
	}
	if sub == nil || sub.PeriodStart == nil || *sub.PeriodStart > now {
		st, en := calendarPeriod(now, months)
		return &st, &en
	}
	anchor := time.Unix(*sub.PeriodStart, 0).UTC()
	nowT := time.Unix(now, 0).UTC()
	k := ((nowT.Year()-anchor.Year())*12 + int(nowT.Month()) - int(anchor.Month())) / months
	for k > 0 && addMonths(anchor, k*months).After(nowT) {
		k--
	}
	for !addMonths(anchor, (k+1)*months).After(nowT) {
		k++
	}
	st, en := addMonths(anchor, k*months).Unix(), addMonths(anchor, (k+1)*months).Unix()
	if sub.PeriodEnd != nil && *sub.PeriodEnd > now && *sub.PeriodEnd < en {
		en = *sub.PeriodEnd
	}
	return &st, &en
}

// computeEntitlements evaluates every feature (or only the one named) for
// ref at now: the active subscription's plan, plus unexpired grants, minus
// usage in the current window.
func computeEntitlements(ctx context.Context, q dbtx, ref, only string, now int64) (*entitlementsView, error) {
	view := &entitlementsView{ReferenceID: ref, Entitlements: []entitlement{}}
	sub, err := activeSubscription(ctx, q, ref)
	if err != nil {
		return nil, err
	}
	var plan *billingPlan
	if sub != nil {
		view.SubscriptionID = &sub.ID
		if plan, err = resolvePlan(ctx, q, sub); err != nil {
			return nil, err
		}
	}
	if plan != nil {
		view.Plan = &entitlementPlan{ID: plan.ID, Name: plan.Name}
	}
	if sub != nil && sub.PeriodStart != nil && sub.PeriodEnd != nil {
		view.PeriodStart, view.PeriodEnd = *sub.PeriodStart, *sub.PeriodEnd
	} else {
		view.PeriodStart, view.PeriodEnd = calendarPeriod(now, 1)
	}
	var features []*billingFeature
	if only != "" {
		f, err := getFeature(ctx, q, only)
		if err != nil {
			return nil, err
		}
		if f == nil {
			return nil, errFeatureNotFound(only)
		}
		features = []*billingFeature{f}
	} else if features, err = listFeatures(ctx, q); err != nil {
		return nil, err
	}
	inPlan := map[string]planFeature{}
	if plan != nil {
		for _, pf := range plan.Features {
			inPlan[pf.Key] = pf
		}
	}
	for _, f := range features {
		e := entitlement{FeatureKey: f.Key, Name: f.Name, Kind: f.Kind, OverageAllowed: f.OverageAllowed}
		pf, ok := inPlan[f.Key]
		planEnabled := ok && pf.Enabled
		if err := q.QueryRowContext(ctx, `SELECT coalesce(sum(amount), 0) FROM billingGrant
			WHERE referenceId = ? AND featureKey = ? AND (expiresAt IS NULL OR expiresAt > ?)`, ref, f.Key, now).
			Scan(&e.Granted); err != nil {
			return nil, err
		}
		if f.Kind == "boolean" {
			e.Enabled = planEnabled || e.Granted > 0
			if !e.Enabled {
				e.Limit, e.Balance = ptr(int64(0)), ptr(int64(0))
			}
			view.Entitlements = append(view.Entitlements, e)
			continue
		}
		e.Enabled = planEnabled || e.Granted > 0
		switch {
		case planEnabled:
			e.Limit = pf.Limit
		default:
			e.Limit = ptr(int64(0))
		}
		e.UsageSince, e.ResetAt = usageWindow(f, sub, now)
		cond, args := ``, []any{ref, f.Key}
		if e.UsageSince != nil {
			cond, args = ` AND occurredAt >= ? AND occurredAt < ?`, append(args, *e.UsageSince, *e.ResetAt)
		}
		if err := q.QueryRowContext(ctx, `SELECT coalesce(sum(quantity), 0) FROM billingUsageEvent
			WHERE referenceId = ? AND featureKey = ?`+cond, args...).Scan(&e.Used); err != nil {
			return nil, err
		}
		if e.Limit != nil {
			e.Balance = ptr(*e.Limit + e.Granted - e.Used)
			e.Overage = e.Used > *e.Limit+e.Granted
		}
		view.Entitlements = append(view.Entitlements, e)
	}
	return view, nil
}

func requiredQuery(rq *request, key string) (string, error) {
	v := rq.r.URL.Query().Get(key)
	if v == "" {
		return "", errInvalid(key + " is required")
	}
	return v, nil
}

// GET /api/admin/billing/entitlements?referenceId=
func (s *Server) billingEntitlements(ctx context.Context, rq *request) (any, error) {
	ref, err := requiredQuery(rq, "referenceId")
	if err != nil {
		return nil, err
	}
	return computeEntitlements(ctx, s.db, ref, "", rq.now)
}

// GET /api/admin/billing/entitlements/get?referenceId=&feature=: the
// entry's fields at the top level, plus referenceId, plan, periodStart,
// periodEnd, subscriptionId and the same entry under "entitlement".
func (s *Server) billingEntitlement(ctx context.Context, rq *request) (any, error) {
	ref, err := requiredQuery(rq, "referenceId")
	if err != nil {
		return nil, err
	}
	key, err := requiredQuery(rq, "feature")
	if err != nil {
		return nil, err
	}
	view, err := computeEntitlements(ctx, s.db, ref, key, rq.now)
	if err != nil {
		return nil, err
	}
	e := view.Entitlements[0]
	return struct {
		entitlement
		ReferenceID    string           `json:"referenceId"`
		Plan           *entitlementPlan `json:"plan"`
		SubscriptionID *string          `json:"subscriptionId"`
		PeriodStart    int64            `json:"periodStart"`
		PeriodEnd      int64            `json:"periodEnd"`
		Entitlement    entitlement      `json:"entitlement"`
	}{e, view.ReferenceID, view.Plan, view.SubscriptionID, view.PeriodStart, view.PeriodEnd, e}, nil
}

// ---- grants ----

type billingGrant struct {
	ID          string  `json:"id"`
	ReferenceID string  `json:"referenceId"`
	FeatureKey  string  `json:"featureKey"`
	Amount      int64   `json:"amount"`
	ExpiresAt   *int64  `json:"expiresAt"`
	Reason      string  `json:"reason"`
	GrantedBy   *string `json:"grantedBy"`
	CreatedAt   int64   `json:"createdAt"`
	Active      bool    `json:"active"`
}

const grantColumns = `id, referenceId, featureKey, amount, expiresAt, reason, grantedBy, createdAt`

func scanGrant(sc scanner, now int64) (*billingGrant, error) {
	var (
		g       billingGrant
		expires sql.NullInt64
		by      sql.NullString
	)
	if err := sc.Scan(&g.ID, &g.ReferenceID, &g.FeatureKey, &g.Amount, &expires, &g.Reason, &by, &g.CreatedAt); err != nil {
		return nil, err
	}
	g.ExpiresAt, g.GrantedBy = nullInt64(expires), nullStr(by)
	g.Active = g.ExpiresAt == nil || *g.ExpiresAt > now
	return &g, nil
}

// POST /api/admin/billing/grants {"referenceId","featureKey","amount","expiresAt"?,"reason"}
func (s *Server) billingCreateGrant(ctx context.Context, rq *request) (any, error) {
	ref, err := rq.body.idText("referenceId")
	if err != nil {
		return nil, err
	}
	key, err := rq.body.idText("featureKey")
	if err != nil {
		return nil, err
	}
	amount, err := rq.body.strictInt("amount")
	if err != nil {
		return nil, err
	}
	if amount == nil || *amount <= 0 {
		return nil, errInvalid("amount must be an integer > 0")
	}
	expires, err := rq.body.strictInt("expiresAt")
	if err != nil {
		return nil, err
	}
	if expires != nil && *expires <= rq.now {
		return nil, errInvalid("expiresAt must be in the future (epoch seconds)")
	}
	reason, err := rq.body.requiredStr("reason")
	if err != nil {
		return nil, err
	}
	if len(reason) > 1000 {
		return nil, errInvalid("reason is too long (max 1000 bytes)")
	}
	g := &billingGrant{ID: newID(), ReferenceID: ref, FeatureKey: key, Amount: *amount, ExpiresAt: expires,
		Reason: reason, GrantedBy: &rq.auth.user.ID, CreatedAt: rq.now, Active: true}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		f, err := getFeature(ctx, tx, key)
		if err != nil {
			return err
		}
		if f == nil {
			return errFeatureNotFound(key)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO billingGrant (`+grantColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.ReferenceID, g.FeatureKey, g.Amount, int64OrNil(g.ExpiresAt), g.Reason, rq.auth.user.ID, g.CreatedAt); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditBillingGrantCreate, auditTargetGrant, g.ID, map[string]any{
			"referenceId": ref, "featureKey": key, "amount": g.Amount, "expiresAt": int64OrNil(expires)})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"grant": g}, nil
}

// GET /api/admin/billing/grants?referenceId=&feature=&active=
func (s *Server) billingListGrants(ctx context.Context, rq *request) (any, error) {
	active, err := queryBool(rq, "active")
	if err != nil {
		return nil, err
	}
	q := rq.r.URL.Query()
	var (
		conds []string
		args  []any
	)
	if v := q.Get("referenceId"); v != "" {
		conds, args = append(conds, `referenceId = ?`), append(args, v)
	}
	if v := q.Get("feature"); v != "" {
		conds, args = append(conds, `featureKey = ?`), append(args, v)
	}
	if active != nil {
		if *active {
			conds = append(conds, `(expiresAt IS NULL OR expiresAt > ?)`)
		} else {
			conds = append(conds, `expiresAt <= ?`)
		}
		args = append(args, rq.now)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+grantColumns+` FROM billingGrant`+where+` ORDER BY createdAt DESC, rowid DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*billingGrant{}
	for rows.Next() {
		g, err := scanGrant(rows, rq.now)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return map[string]any{"grants": out}, nil
}

// ---- usage ----

type usageEvent struct {
	ID             string  `json:"id"`
	ReferenceID    string  `json:"referenceId"`
	FeatureKey     string  `json:"featureKey"`
	Quantity       int64   `json:"quantity"`
	IdempotencyKey string  `json:"idempotencyKey"`
	OccurredAt     int64   `json:"occurredAt"`
	RecordedBy     *string `json:"recordedBy"`
	CreatedAt      int64   `json:"createdAt"`
}

const usageColumns = `id, referenceId, featureKey, quantity, idempotencyKey, occurredAt, recordedBy, createdAt`

func scanUsage(sc scanner) (*usageEvent, error) {
	var (
		u  usageEvent
		by sql.NullString
	)
	if err := sc.Scan(&u.ID, &u.ReferenceID, &u.FeatureKey, &u.Quantity, &u.IdempotencyKey, &u.OccurredAt, &by, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.RecordedBy = nullStr(by)
	return &u, nil
}

// POST /api/admin/billing/usage {"referenceId","featureKey","quantity","idempotencyKey","occurredAt"?}
func (s *Server) billingTrackUsage(ctx context.Context, rq *request) (any, error) {
	ref, err := rq.body.idText("referenceId")
	if err != nil {
		return nil, err
	}
	key, err := rq.body.idText("featureKey")
	if err != nil {
		return nil, err
	}
	qty, err := rq.body.strictInt("quantity")
	if err != nil {
		return nil, err
	}
	if qty == nil || *qty == 0 {
		return nil, errInvalid("quantity must be a non-zero integer")
	}
	idem, err := rq.body.idText("idempotencyKey")
	if err != nil {
		return nil, err
	}
	occurred, err := rq.body.strictInt("occurredAt")
	if err != nil {
		return nil, err
	}
	if occurred == nil {
		occurred = &rq.now
	}
	if *occurred < 0 {
		return nil, errInvalid("occurredAt must be epoch seconds >= 0")
	}
	var (
		ev  *usageEvent
		dup bool
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		f, err := getFeature(ctx, tx, key)
		if err != nil {
			return err
		}
		if f == nil {
			return errFeatureNotFound(key)
		}
		if *qty < 0 && f.Kind != "seats" && f.Kind != "quantity" {
			return errInvalid("quantity must be > 0 for a " + f.Kind + " feature (only seats and quantity features take negative quantities)")
		}
		old, err := scanUsage(tx.QueryRowContext(ctx, `SELECT `+usageColumns+` FROM billingUsageEvent WHERE idempotencyKey = ?`, idem))
		switch {
		case err == nil:
			if old.ReferenceID != ref || old.FeatureKey != key || old.Quantity != *qty {
				return errConflict("IDEMPOTENCY_KEY_REUSED",
					"idempotencyKey was already used for a different usage event (referenceId, featureKey or quantity differ)")
			}
			ev, dup = old, true
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		ev = &usageEvent{ID: newID(), ReferenceID: ref, FeatureKey: key, Quantity: *qty, IdempotencyKey: idem,
			OccurredAt: *occurred, RecordedBy: &rq.auth.user.ID, CreatedAt: rq.now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO billingUsageEvent (`+usageColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			ev.ID, ev.ReferenceID, ev.FeatureKey, ev.Quantity, ev.IdempotencyKey, ev.OccurredAt, rq.auth.user.ID, ev.CreatedAt); err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditBillingUsageRecord, auditTargetUsage, ev.ID, map[string]any{
			"referenceId": ref, "featureKey": key, "quantity": ev.Quantity})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"event": ev, "duplicate": dup}, nil
}

// GET /api/admin/billing/usage?referenceId=&feature=&since=&until=&limit=&offset=
func (s *Server) billingListUsage(ctx context.Context, rq *request) (any, error) {
	limit, offset, err := page(rq)
	if err != nil {
		return nil, err
	}
	since, err := queryInt(rq, "since")
	if err != nil {
		return nil, err
	}
	until, err := queryInt(rq, "until")
	if err != nil {
		return nil, err
	}
	q := rq.r.URL.Query()
	var (
		conds []string
		args  []any
	)
	if v := q.Get("referenceId"); v != "" {
		conds, args = append(conds, `referenceId = ?`), append(args, v)
	}
	if v := q.Get("feature"); v != "" {
		conds, args = append(conds, `featureKey = ?`), append(args, v)
	}
	if since != nil {
		conds, args = append(conds, `occurredAt >= ?`), append(args, *since)
	}
	if until != nil {
		conds, args = append(conds, `occurredAt < ?`), append(args, *until)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total, count int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(quantity), 0), count(*) FROM billingUsageEvent`+where, args...).
		Scan(&total, &count); err != nil {
		return nil, err
	}
	out, err := queryAll(ctx, s.db, scanUsage, `SELECT `+usageColumns+` FROM billingUsageEvent`+where+`
		ORDER BY occurredAt DESC, createdAt DESC, rowid DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	return map[string]any{"events": out, "total": total, "count": count, "limit": limit, "offset": offset}, nil
}

// ---- webhook health ----

// GET /api/admin/billing/webhooks/health
func (s *Server) billingWebhookHealth(ctx context.Context, rq *request) (any, error) {
	var (
		lastReceived, lastAccepted                  sql.NullInt64
		received, accepted, rejected, handlerErrors int64
	)
	since := rq.now - 24*3600
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT max(receivedAt) FROM stripeWebhookDelivery),
		(SELECT max(receivedAt) FROM stripeWebhookDelivery WHERE status = 'accepted'),
		(SELECT count(*) FROM stripeWebhookDelivery WHERE receivedAt > ?1),
		(SELECT count(*) FROM stripeWebhookDelivery WHERE receivedAt > ?1 AND status = 'accepted'),
		(SELECT count(*) FROM stripeWebhookDelivery WHERE receivedAt > ?1 AND status = 'rejected'),
		(SELECT count(*) FROM stripeWebhookDelivery WHERE receivedAt > ?1 AND status = 'handler_error')`, since).
		Scan(&lastReceived, &lastAccepted, &received, &accepted, &rejected, &handlerErrors)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, receivedAt, eventId, type, status, handled, errorCode, errorMessage
		FROM stripeWebhookDelivery ORDER BY receivedAt DESC, rowid DESC LIMIT 20`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	recent := []webhookDelivery{}
	for rows.Next() {
		var (
			d                        webhookDelivery
			evID, typ, errCode, emsg sql.NullString
		)
		if err := rows.Scan(&d.ID, &d.ReceivedAt, &evID, &typ, &d.Status, &d.Handled, &errCode, &emsg); err != nil {
			return nil, err
		}
		d.EventID, d.Type, d.ErrorCode, d.ErrorMessage = nullStr(evID), nullStr(typ), nullStr(errCode), nullStr(emsg)
		recent = append(recent, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	secret, err := s.stripeWebhookSecret(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"lastReceivedAt":          int64OrNil(nullInt64(lastReceived)),
		"lastAcceptedAt":          int64OrNil(nullInt64(lastAccepted)),
		"received24h":             received,
		"accepted24h":             accepted,
		"rejected24h":             rejected,
		"handlerErrors24h":        handlerErrors,
		"recent":                  recent,
		"webhookSecretConfigured": secret != "",
		"endpointPath":            authPrefix + webhookPath,
		"handledEvents":           stripeHandledEvents,
	}, nil
}
