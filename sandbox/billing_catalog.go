package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
)

// billingProduct is a catalog product on the wire.
type billingProduct struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description *string         `json:"description"`
	Active      bool            `json:"active"`
	Metadata    json.RawMessage `json:"metadata"`
	ArchivedAt  *int64          `json:"archivedAt"`
	CreatedAt   int64           `json:"createdAt"`
	UpdatedAt   int64           `json:"updatedAt"`
	metadata    string
}

const productColumns = `id, name, description, active, metadata, archivedAt, createdAt, updatedAt`

func scanProduct(sc scanner) (*billingProduct, error) {
	var (
		p        billingProduct
		desc     sql.NullString
		archived sql.NullInt64
	)
	if err := sc.Scan(&p.ID, &p.Name, &desc, &p.Active, &p.metadata, &archived, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.Description, p.ArchivedAt, p.Metadata = nullStr(desc), nullInt64(archived), rawObject(p.metadata)
	return &p, nil
}

func getProduct(ctx context.Context, q dbtx, id string) (*billingProduct, error) {
	p, err := scanProduct(q.QueryRowContext(ctx, `SELECT `+productColumns+` FROM billingProduct WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

// POST /api/admin/billing/products/upsert
func (s *Server) billingUpsertProduct(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.idText("id")
	if err != nil {
		return nil, err
	}
	name, err := rq.body.idText("name")
	if err != nil {
		return nil, err
	}
	desc, err := rq.body.optTextEmptyNull("description")
	if err != nil {
		return nil, err
	}
	active, err := rq.body.boolean("active", true)
	if err != nil {
		return nil, err
	}
	meta, err := rq.body.metadata("metadata")
	if err != nil {
		return nil, err
	}
	var (
		out              *billingProduct
		created, changed bool
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := getProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case old == nil:
			created, changed = true, true
			_, err = tx.ExecContext(ctx, `INSERT INTO billingProduct (`+productColumns+`) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)`,
				id, name, strOrNil(desc), active, meta, rq.now, rq.now)
		case old.Name != name || !eqStr(old.Description, desc) || old.Active != active || old.metadata != meta ||
			old.ArchivedAt != nil:
			changed = true
			_, err = tx.ExecContext(ctx, `UPDATE billingProduct SET name = ?, description = ?, active = ?, metadata = ?,
				archivedAt = NULL, updatedAt = ? WHERE id = ?`, name, strOrNil(desc), active, meta, rq.now, id)
		}
		if err != nil {
			return err
		}
		if changed {
			if err := s.audit(ctx, tx, rq.auth.user.ID, auditBillingProductUpsert, auditTargetProduct, id,
				map[string]any{"created": created, "active": active}); err != nil {
				return err
			}
		}
		out, err = getProduct(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"product": out, "created": created, "changed": changed}, nil
}

// GET /api/admin/billing/products?active=
func (s *Server) billingListProducts(ctx context.Context, rq *request) (any, error) {
	active, err := queryBool(rq, "active")
	if err != nil {
		return nil, err
	}
	cond, args := "", []any{}
	if active != nil {
		cond, args = ` WHERE active = ?`, append(args, *active)
	}
	out, err := queryAll(ctx, s.db, scanProduct, `SELECT `+productColumns+` FROM billingProduct`+cond+` ORDER BY createdAt, id`, args...)
	if err != nil {
		return nil, err
	}
	return map[string]any{"products": out}, nil
}

// POST /api/admin/billing/products/archive {"id"}
func (s *Server) billingArchiveProduct(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.idText("id")
	if err != nil {
		return nil, err
	}
	var (
		out     *billingProduct
		changed bool
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := getProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		if old == nil {
			return errNotFound("PRODUCT_NOT_FOUND", "product "+quote(id)+" not found")
		}
		if old.Active || old.ArchivedAt == nil {
			changed = true
			if _, err := tx.ExecContext(ctx, `UPDATE billingProduct SET active = 0, archivedAt = ?, updatedAt = ? WHERE id = ?`,
				rq.now, rq.now, id); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, rq.auth.user.ID, auditBillingProductArchive, auditTargetProduct, id, nil); err != nil {
				return err
			}
		}
		out, err = getProduct(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"product": out, "changed": changed}, nil
}

// billingPrice is a catalog price on the wire.
type billingPrice struct {
	ID            string          `json:"id"`
	ProductID     string          `json:"productId"`
	Active        bool            `json:"active"`
	Currency      string          `json:"currency"`
	UnitAmount    *int64          `json:"unitAmount"`
	Type          string          `json:"type"`
	Interval      *string         `json:"interval"`
	IntervalCount *int64          `json:"intervalCount"`
	LookupKey     *string         `json:"lookupKey"`
	Nickname      *string         `json:"nickname"`
	Metadata      json.RawMessage `json:"metadata"`
	PlanID        *string         `json:"planId"`
	ArchivedAt    *int64          `json:"archivedAt"`
	CreatedAt     int64           `json:"createdAt"`
	UpdatedAt     int64           `json:"updatedAt"`
	metadata      string
}

const priceColumns = `id, productId, active, currency, unitAmount, type, interval, intervalCount, lookupKey, nickname,
	metadata, planId, archivedAt, createdAt, updatedAt`

func scanPrice(sc scanner) (*billingPrice, error) {
	var (
		p                                  billingPrice
		amount, count, archived            sql.NullInt64
		interval, lookup, nickname, planID sql.NullString
	)
	if err := sc.Scan(&p.ID, &p.ProductID, &p.Active, &p.Currency, &amount, &p.Type, &interval, &count, &lookup,
		&nickname, &p.metadata, &planID, &archived, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.UnitAmount, p.IntervalCount, p.ArchivedAt = nullInt64(amount), nullInt64(count), nullInt64(archived)
	p.Interval, p.LookupKey, p.Nickname, p.PlanID = nullStr(interval), nullStr(lookup), nullStr(nickname), nullStr(planID)
	p.Metadata = rawObject(p.metadata)
	return &p, nil
}

func getPrice(ctx context.Context, q dbtx, id string) (*billingPrice, error) {
	p, err := scanPrice(q.QueryRowContext(ctx, `SELECT `+priceColumns+` FROM billingPrice WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

// priceInput decodes and validates a price upsert body.
func priceInput(b body) (*billingPrice, error) {
	var (
		p   billingPrice
		err error
	)
	if p.ID, err = b.idText("id"); err != nil {
		return nil, err
	}
	if p.ProductID, err = b.idText("productId"); err != nil {
		return nil, err
	}
	if p.Active, err = b.boolean("active", true); err != nil {
		return nil, err
	}
	cur, err := b.requiredStr("currency")
	if err != nil {
		return nil, err
	}
	p.Currency = strings.ToLower(cur)
	if !currencyRe.MatchString(p.Currency) {
		return nil, errInvalid("currency must be a three-letter ISO 4217 code")
	}
	if p.UnitAmount, err = b.strictInt("unitAmount"); err != nil {
		return nil, err
	}
	if p.UnitAmount != nil && *p.UnitAmount < 0 {
		return nil, errInvalid("unitAmount must be >= 0 (minor units)")
	}
	if p.Type, err = b.requiredStr("type"); err != nil {
		return nil, err
	}
	if p.Interval, err = b.optTextEmptyNull("interval"); err != nil {
		return nil, err
	}
	if p.IntervalCount, err = b.strictInt("intervalCount"); err != nil {
		return nil, err
	}
	if p.IntervalCount != nil && *p.IntervalCount == 0 {
		p.IntervalCount = nil // 0 is read as absent
	}
	switch p.Type {
	case "recurring":
		if p.Interval == nil {
			return nil, errInvalid("interval is required for a recurring price")
		}
		switch *p.Interval {
		case "day", "week", "month", "year":
		default:
			return nil, errInvalid("interval must be day, week, month or year")
		}
		if p.IntervalCount == nil {
			one := int64(1)
			p.IntervalCount = &one
		}
		if *p.IntervalCount < 1 {
			return nil, errInvalid("intervalCount must be >= 1")
		}
	case "one_time":
		if p.Interval != nil || p.IntervalCount != nil {
			return nil, errInvalid("interval and intervalCount must be null for a one_time price")
		}
	default:
		return nil, errInvalid("type must be one_time or recurring")
	}
	if p.LookupKey, err = b.optTextEmptyNull("lookupKey"); err != nil {
		return nil, err
	}
	if p.Nickname, err = b.optTextEmptyNull("nickname"); err != nil {
		return nil, err
	}
	if p.metadata, err = b.metadata("metadata"); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *billingPrice) sameAs(o *billingPrice) bool {
	return p.ProductID == o.ProductID && p.Active == o.Active && p.Currency == o.Currency &&
		eqInt(p.UnitAmount, o.UnitAmount) && p.Type == o.Type && eqStr(p.Interval, o.Interval) &&
		eqInt(p.IntervalCount, o.IntervalCount) && eqStr(p.LookupKey, o.LookupKey) && eqStr(p.Nickname, o.Nickname) &&
		p.metadata == o.metadata && o.ArchivedAt == nil
}

// POST /api/admin/billing/prices/upsert
func (s *Server) billingUpsertPrice(ctx context.Context, rq *request) (any, error) {
	in, err := priceInput(rq.body)
	if err != nil {
		return nil, err
	}
	var (
		out              *billingPrice
		created, changed bool
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		prod, err := getProduct(ctx, tx, in.ProductID)
		if err != nil {
			return err
		}
		if prod == nil {
			return errNotFound("PRODUCT_NOT_FOUND", "product "+quote(in.ProductID)+" not found (upsert products first)")
		}
		old, err := getPrice(ctx, tx, in.ID)
		if err != nil {
			return err
		}
		args := []any{in.ProductID, in.Active, in.Currency, int64OrNil(in.UnitAmount), in.Type, strOrNil(in.Interval),
			int64OrNil(in.IntervalCount), strOrNil(in.LookupKey), strOrNil(in.Nickname), in.metadata}
		switch {
		case old == nil:
			created, changed = true, true
			_, err = tx.ExecContext(ctx, `INSERT INTO billingPrice (id, productId, active, currency, unitAmount, type, interval,
				intervalCount, lookupKey, nickname, metadata, planId, archivedAt, createdAt, updatedAt)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
				append(append([]any{in.ID}, args...), rq.now, rq.now)...)
		case !in.sameAs(old):
			changed = true
			_, err = tx.ExecContext(ctx, `UPDATE billingPrice SET productId = ?, active = ?, currency = ?, unitAmount = ?,
				type = ?, interval = ?, intervalCount = ?, lookupKey = ?, nickname = ?, metadata = ?, archivedAt = NULL,
				updatedAt = ? WHERE id = ?`, append(args, rq.now, in.ID)...)
		}
		if err != nil {
			return err
		}
		if changed {
			if err := s.audit(ctx, tx, rq.auth.user.ID, auditBillingPriceUpsert, auditTargetPrice, in.ID,
				map[string]any{"created": created, "productId": in.ProductID, "active": in.Active}); err != nil {
				return err
			}
		}
		out, err = getPrice(ctx, tx, in.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"price": out, "created": created, "changed": changed}, nil
}

// GET /api/admin/billing/prices?active=&product=&currency=&interval=&plan=
func (s *Server) billingListPrices(ctx context.Context, rq *request) (any, error) {
	active, err := queryBool(rq, "active")
	if err != nil {
		return nil, err
	}
	q := rq.r.URL.Query()
	var (
		conds []string
		args  []any
	)
	if active != nil {
		conds, args = append(conds, `active = ?`), append(args, *active)
	}
	if v := q.Get("product"); v != "" {
		conds, args = append(conds, `productId = ?`), append(args, v)
	}
	if v := q.Get("currency"); v != "" {
		conds, args = append(conds, `currency = ?`), append(args, strings.ToLower(v))
	}
	switch v := q.Get("interval"); v {
	case "":
	case "one_time":
		conds = append(conds, `type = 'one_time'`)
	case "day", "week", "month", "year":
		conds, args = append(conds, `interval = ?`), append(args, v)
	default:
		return nil, errInvalid("interval must be day, week, month, year or one_time")
	}
	if v := q.Get("plan"); v != "" {
		conds, args = append(conds, `planId = ?`), append(args, v)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	out, err := queryAll(ctx, s.db, scanPrice, `SELECT `+priceColumns+` FROM billingPrice`+where+` ORDER BY createdAt, id`, args...)
	if err != nil {
		return nil, err
	}
	return map[string]any{"prices": out}, nil
}

// POST /api/admin/billing/prices/archive {"id"}
func (s *Server) billingArchivePrice(ctx context.Context, rq *request) (any, error) {
	id, err := rq.body.idText("id")
	if err != nil {
		return nil, err
	}
	var (
		out     *billingPrice
		changed bool
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := getPrice(ctx, tx, id)
		if err != nil {
			return err
		}
		if old == nil {
			return errNotFound("PRICE_NOT_FOUND", "price "+quote(id)+" not found")
		}
		if old.Active || old.ArchivedAt == nil {
			changed = true
			if _, err := tx.ExecContext(ctx, `UPDATE billingPrice SET active = 0, archivedAt = ?, updatedAt = ? WHERE id = ?`,
				rq.now, rq.now, id); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, rq.auth.user.ID, auditBillingPriceArchive, auditTargetPrice, id, nil); err != nil {
				return err
			}
		}
		out, err = getPrice(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"price": out, "changed": changed}, nil
}

// POST /api/admin/billing/prices/map {"priceId","planId"} (planId null unmaps)
func (s *Server) billingMapPrice(ctx context.Context, rq *request) (any, error) {
	priceID, err := rq.body.idText("priceId")
	if err != nil {
		return nil, err
	}
	if !rq.body.present("planId") {
		return nil, errInvalid("planId is required (null to unmap)")
	}
	planID, err := rq.body.optText("planId")
	if err != nil {
		return nil, err
	}
	if planID != nil && *planID == "" {
		return nil, errInvalid("planId must not be empty (null to unmap)")
	}
	var out *billingPrice
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := getPrice(ctx, tx, priceID)
		if err != nil {
			return err
		}
		if old == nil {
			return errNotFound("PRICE_NOT_FOUND", "price "+quote(priceID)+" not found")
		}
		if planID != nil {
			pl, err := getPlanRow(ctx, tx, *planID)
			if err != nil {
				return err
			}
			if pl == nil {
				return errNotFound("PLAN_NOT_FOUND", "plan "+quote(*planID)+" not found")
			}
		}
		if !eqStr(old.PlanID, planID) {
			if _, err := tx.ExecContext(ctx, `UPDATE billingPrice SET planId = ?, updatedAt = ? WHERE id = ?`,
				strOrNil(planID), rq.now, priceID); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, rq.auth.user.ID, auditBillingPriceMap, auditTargetPrice, priceID,
				map[string]any{"planId": strOrNil(planID), "previousPlanId": strOrNil(old.PlanID)}); err != nil {
				return err
			}
		}
		out, err = getPrice(ctx, tx, priceID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"price": out}, nil
}

// quote wraps s in double quotes for messages.
func quote(s string) string { return `"` + s + `"` }
