package sandbox

import (
	"context"
	"database/sql"
	"errors"
)

// billingFeature is a feature definition on the wire.
type billingFeature struct {
	Key            string  `json:"key"`
	Name           string  `json:"name"`
	Kind           string  `json:"kind"`
	IncludedAmount *int64  `json:"includedAmount"`
	ResetPeriod    *string `json:"resetPeriod"`
	OverageAllowed bool    `json:"overageAllowed"`
	CreatedAt      int64   `json:"createdAt"`
	UpdatedAt      int64   `json:"updatedAt"`
}

const featureColumns = `key, name, kind, includedAmount, resetPeriod, overageAllowed, createdAt, updatedAt`

func scanFeature(sc scanner) (*billingFeature, error) {
	var (
		f        billingFeature
		included sql.NullInt64
		reset    sql.NullString
	)
	if err := sc.Scan(&f.Key, &f.Name, &f.Kind, &included, &reset, &f.OverageAllowed, &f.CreatedAt, &f.UpdatedAt); err != nil {
		return nil, err
	}
	f.IncludedAmount, f.ResetPeriod = nullInt64(included), nullStr(reset)
	return &f, nil
}

func getFeature(ctx context.Context, q dbtx, key string) (*billingFeature, error) {
	f, err := scanFeature(q.QueryRowContext(ctx, `SELECT `+featureColumns+` FROM billingFeature WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return f, err
}

func errFeatureNotFound(key string) error {
	return errNotFound("FEATURE_NOT_FOUND", "feature "+quote(key)+" not found")
}

func errPlanNotFound(id string) error {
	return errNotFound("PLAN_NOT_FOUND", "plan "+quote(id)+" not found")
}

// POST /api/admin/billing/features
func (s *Server) billingCreateFeature(ctx context.Context, rq *request) (any, error) {
	var (
		f   billingFeature
		err error
	)
	if f.Key, err = rq.body.requiredStr("key"); err != nil {
		return nil, err
	}
	if !featureKeyRe.MatchString(f.Key) {
		return nil, errInvalid("key must match ^[a-z0-9_.-]{1,64}$")
	}
	if f.Name, err = rq.body.idText("name"); err != nil {
		return nil, err
	}
	if f.Kind, err = rq.body.requiredStr("kind"); err != nil {
		return nil, err
	}
	switch f.Kind {
	case "boolean", "metered", "seats", "quantity":
	default:
		return nil, errInvalid("kind must be boolean, metered, seats or quantity")
	}
	if f.IncludedAmount, err = rq.body.strictInt("includedAmount"); err != nil {
		return nil, err
	}
	if f.IncludedAmount != nil && *f.IncludedAmount < 0 {
		return nil, errInvalid("includedAmount must be >= 0")
	}
	if f.ResetPeriod, err = rq.body.optText("resetPeriod"); err != nil {
		return nil, err
	}
	if f.ResetPeriod != nil {
		switch *f.ResetPeriod {
		case "month", "year", "never":
		default:
			return nil, errInvalid("resetPeriod must be month, year, never or null")
		}
	}
	if f.OverageAllowed, err = rq.body.boolean("overageAllowed", false); err != nil {
		return nil, err
	}
	if f.Kind == "boolean" && (f.IncludedAmount != nil || f.ResetPeriod != nil || f.OverageAllowed) {
		return nil, errInvalid("a boolean feature takes no includedAmount, resetPeriod or overageAllowed")
	}
	f.CreatedAt, f.UpdatedAt = rq.now, rq.now
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO billingFeature (`+featureColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			f.Key, f.Name, f.Kind, int64OrNil(f.IncludedAmount), strOrNil(f.ResetPeriod), f.OverageAllowed, f.CreatedAt, f.UpdatedAt)
		if isPrimaryKeyViolation(err) {
			return errConflict("FEATURE_EXISTS", "feature "+quote(f.Key)+" already exists")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, rq.auth.user.ID, auditBillingFeatureCreate, auditTargetFeature, f.Key,
			map[string]any{"kind": f.Kind})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"feature": f}, nil
}

// isPrimaryKeyViolation: SQLite reports a duplicate primary key as a
// UNIQUE constraint failure.
func isPrimaryKeyViolation(err error) bool { return isUniqueViolation(err) }

// GET /api/admin/billing/features
func (s *Server) billingListFeatures(ctx context.Context, _ *request) (any, error) {
	list, err := listFeatures(ctx, s.db)
	if err != nil {
		return nil, err
	}
	return map[string]any{"features": list}, nil
}

func listFeatures(ctx context.Context, q dbtx) ([]*billingFeature, error) {
	return queryAll(ctx, q, scanFeature, `SELECT `+featureColumns+` FROM billingFeature ORDER BY key`)
}

// planFeature is one feature setting of a plan.
type planFeature struct {
	Key     string `json:"key"`
	Kind    string `json:"kind"`
	Limit   *int64 `json:"limit"`
	Enabled bool   `json:"enabled"`
}

// billingPlan is a plan on the wire.
type billingPlan struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Description *string       `json:"description"`
	Prices      []string      `json:"prices"`
	Features    []planFeature `json:"features"`
	CreatedAt   int64         `json:"createdAt"`
	UpdatedAt   int64         `json:"updatedAt"`
}

// getPlanRow reads a plan without prices and features.
func getPlanRow(ctx context.Context, q dbtx, id string) (*billingPlan, error) {
	var (
		p    billingPlan
		desc sql.NullString
	)
	err := q.QueryRowContext(ctx, `SELECT id, name, description, createdAt, updatedAt FROM billingPlan WHERE id = ?`, id).
		Scan(&p.ID, &p.Name, &desc, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.Description = nullStr(desc)
	return &p, nil
}

// getPlan reads a plan with its price ids and feature settings.
func getPlan(ctx context.Context, q dbtx, id string) (*billingPlan, error) {
	p, err := getPlanRow(ctx, q, id)
	if err != nil || p == nil {
		return p, err
	}
	if err := fillPlan(ctx, q, p); err != nil {
		return nil, err
	}
	return p, nil
}

func fillPlan(ctx context.Context, q dbtx, p *billingPlan) error {
	p.Prices, p.Features = []string{}, []planFeature{}
	rows, err := q.QueryContext(ctx, `SELECT id FROM billingPrice WHERE planId = ? ORDER BY id`, p.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		p.Prices = append(p.Prices, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT pf.featureKey, f.kind, pf."limit", pf.enabled FROM billingPlanFeature pf
		JOIN billingFeature f ON f.key = pf.featureKey WHERE pf.planId = ? ORDER BY pf.featureKey`, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			f     planFeature
			limit sql.NullInt64
		)
		if err := rows.Scan(&f.Key, &f.Kind, &limit, &f.Enabled); err != nil {
			return err
		}
		f.Limit = nullInt64(limit)
		p.Features = append(p.Features, f)
	}
	return rows.Err()
}

// POST /api/admin/billing/plans {"id"?,"name","description"?}
func (s *Server) billingCreatePlan(ctx context.Context, rq *request) (any, error) {
	name, err := rq.body.idText("name")
	if err != nil {
		return nil, err
	}
	id, hasID, err := rq.body.str("id")
	if err != nil {
		return nil, err
	}
	if !hasID || id == "" {
		if id = slugify(name); id == "" {
			return nil, errInvalid("id is required: the name has no letters or digits to derive it from")
		}
	}
	if !planIDRe.MatchString(id) {
		return nil, errInvalid("id must match ^[a-z0-9][a-z0-9_-]{0,63}$")
	}
	desc, err := rq.body.optText("description")
	if err != nil {
		return nil, err
	}
	var out *billingPlan
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO billingPlan (id, name, description, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)`,
			id, name, strOrNil(desc), rq.now, rq.now)
		if isPrimaryKeyViolation(err) {
			return errConflict("PLAN_EXISTS", "plan "+quote(id)+" already exists")
		}
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, rq.auth.user.ID, auditBillingPlanCreate, auditTargetPlan, id, map[string]any{"name": name}); err != nil {
			return err
		}
		out, err = getPlan(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"plan": out}, nil
}

// GET /api/admin/billing/plans
func (s *Server) billingListPlans(ctx context.Context, _ *request) (any, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM billingPlan ORDER BY createdAt, id`)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []*billingPlan{}
	for _, id := range ids {
		p, err := getPlan(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, p)
		}
	}
	return map[string]any{"plans": out}, nil
}

// GET /api/admin/billing/plans/get?id=
func (s *Server) billingGetPlan(ctx context.Context, rq *request) (any, error) {
	id := rq.r.URL.Query().Get("id")
	if id == "" {
		return nil, errInvalid("id is required")
	}
	p, err := getPlan(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errPlanNotFound(id)
	}
	return map[string]any{"plan": p}, nil
}

// POST /api/admin/billing/plans/set-feature {"planId","featureKey","limit"?,"enabled"?}
func (s *Server) billingPlanSetFeature(ctx context.Context, rq *request) (any, error) {
	planID, err := rq.body.idText("planId")
	if err != nil {
		return nil, err
	}
	key, err := rq.body.idText("featureKey")
	if err != nil {
		return nil, err
	}
	limit, err := rq.body.strictInt("limit")
	if err != nil {
		return nil, err
	}
	if limit != nil && *limit < 0 {
		return nil, errInvalid("limit must be >= 0, or null for unlimited")
	}
	limitGiven := rq.body.present("limit")
	var enabled *bool
	if rq.body.has("enabled") {
		v, err := rq.body.boolean("enabled", true)
		if err != nil {
			return nil, err
		}
		enabled = &v
	}
	var out *billingPlan
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		plan, err := getPlanRow(ctx, tx, planID)
		if err != nil {
			return err
		}
		if plan == nil {
			return errPlanNotFound(planID)
		}
		f, err := getFeature(ctx, tx, key)
		if err != nil {
			return err
		}
		if f == nil {
			return errFeatureNotFound(key)
		}
		var (
			oldLimit   sql.NullInt64
			oldEnabled bool
			exists     = true
		)
		err = tx.QueryRowContext(ctx, `SELECT "limit", enabled FROM billingPlanFeature WHERE planId = ? AND featureKey = ?`,
			planID, key).Scan(&oldLimit, &oldEnabled)
		if errors.Is(err, sql.ErrNoRows) {
			exists, err = false, nil
		}
		if err != nil {
			return err
		}
		newLimit := limit
		switch {
		case f.Kind == "boolean":
			if limit != nil {
				return errInvalid("a boolean feature takes no limit (use enabled)")
			}
		case !limitGiven && exists:
			newLimit = nullInt64(oldLimit)
		case !limitGiven:
			newLimit = f.IncludedAmount
		}
		newEnabled := true
		if enabled != nil {
			newEnabled = *enabled
		} else if exists {
			newEnabled = oldEnabled
		}
		if exists && eqInt(nullInt64(oldLimit), newLimit) && oldEnabled == newEnabled {
			out, err = getPlan(ctx, tx, planID)
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO billingPlanFeature (planId, featureKey, "limit", enabled, createdAt, updatedAt)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (planId, featureKey) DO UPDATE SET "limit" = excluded."limit",
			enabled = excluded.enabled, updatedAt = excluded.updatedAt`,
			planID, key, int64OrNil(newLimit), newEnabled, rq.now, rq.now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE billingPlan SET updatedAt = ? WHERE id = ?`, rq.now, planID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, rq.auth.user.ID, auditBillingPlanSetFeature, auditTargetPlan, planID,
			map[string]any{"featureKey": key, "limit": int64OrNil(newLimit), "enabled": newEnabled}); err != nil {
			return err
		}
		out, err = getPlan(ctx, tx, planID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"plan": out}, nil
}
