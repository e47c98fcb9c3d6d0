package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// fallbackError makes list-users answer Kernia's adapter-error fallback:
// 200 {"users":[],"total":0} without limit/offset.
type fallbackError struct{}

func (fallbackError) Error() string { return "list-users fallback" }

type listUsersResult struct {
	Users  []*user `json:"users"`
	Total  int64   `json:"total"`
	Limit  *int64  `json:"limit"`
	Offset *int64  `json:"offset"`
}

// POST /admin/list-users (kernia-wire.md §3.3)
func (s *Server) adminListUsers(ctx context.Context, rq *request) (any, error) {
	res, err := s.listUsers(ctx, rq.body)
	if errors.As(err, new(fallbackError)) {
		return struct {
			Users []any `json:"users"`
			Total int   `json:"total"`
		}{Users: []any{}}, nil
	}
	return res, err
}

func (s *Server) listUsers(ctx context.Context, b body) (*listUsersResult, error) {
	var (
		where []string
		args  []any
		res   = &listUsersResult{Users: []*user{}}
	)
	if n, ok := b.integer("limit"); ok && n > 0 {
		res.Limit = &n
	}
	if n, ok := b.integer("offset"); ok && n > 0 {
		res.Offset = &n
	}

	// Search.
	if b.has("search_value") {
		v, ok := b.any("search_value")
		sv, isStr := v.(string)
		if !ok || !isStr {
			return nil, fallbackError{}
		}
		if sv != "" {
			field, err := optString(b, "search_field", "email")
			if err != nil {
				return nil, err
			}
			op, err := optString(b, "search_operator", "contains")
			if err != nil {
				return nil, err
			}
			cond, cargs, err := userCondition(field, op, sv)
			if err != nil {
				return nil, err
			}
			where, args = append(where, cond), append(args, cargs...)
		}
	}

	// Filter.
	if fv, ok := b.any("filter_value"); ok {
		field, err := optString(b, "filter_field", "email")
		if err != nil {
			return nil, err
		}
		op, err := optString(b, "filter_operator", "eq")
		if err != nil {
			return nil, err
		}
		if !knownOperator(op) {
			op = "eq"
		}
		cond, cargs, err := userCondition(field, op, fv)
		if err != nil {
			return nil, err
		}
		where, args = append(where, cond), append(args, cargs...)
	}

	// Sort.
	order := "rowid"
	if sortBy, err := optString(b, "sort_by", ""); err != nil {
		return nil, err
	} else if sortBy != "" {
		if _, ok := userColumnKind(sortBy); !ok {
			return nil, fallbackError{}
		}
		dir := "ASC"
		if d, _ := optString(b, "sort_direction", "asc"); strings.EqualFold(d, "desc") {
			dir = "DESC"
		}
		order = fmt.Sprintf(`"%s" %s, rowid %s`, sortBy, dir, dir)
	}

	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM "user"`+cond, args...).Scan(&res.Total); err != nil {
		return nil, err
	}
	q := `SELECT ` + userColumns + ` FROM "user"` + cond + ` ORDER BY ` + order
	qargs := append([]any{}, args...)
	limit, offset := int64(-1), int64(0)
	if res.Limit != nil {
		limit = *res.Limit
	}
	if res.Offset != nil {
		offset = *res.Offset
	}
	q += ` LIMIT ? OFFSET ?`
	qargs = append(qargs, limit, offset)
	rows, err := s.db.QueryContext(ctx, q, qargs...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		res.Users = append(res.Users, u)
	}
	return res, rows.Err()
}

// optString reads an optional string parameter; a non-string value gives
// the fallback.
func optString(b body, key, def string) (string, error) {
	v, ok := b.any(key)
	if !ok {
		return def, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", fallbackError{}
	}
	if s == "" {
		return def, nil
	}
	return s, nil
}

func knownOperator(op string) bool {
	switch op {
	case "eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "starts_with", "ends_with", "ilike_eq":
		return true
	}
	return false
}

// userCondition builds a SQL condition on a user column. The column name is
// validated against the real column list (never interpolated unchecked);
// values are always bound parameters.
func userCondition(field, op string, value any) (string, []any, error) {
	if field == "_id" {
		field = "id"
	}
	kind, ok := userColumnKind(field)
	if !ok || !knownOperator(op) {
		return "", nil, fallbackError{}
	}
	col := `"` + field + `"`
	switch op {
	case "in", "not_in":
		list, isList := value.([]any)
		if !isList {
			list = []any{value}
		}
		if len(list) == 0 {
			if op == "in" {
				return "0", nil, nil
			}
			return "1", nil, nil
		}
		args := make([]any, 0, len(list))
		for _, item := range list {
			v, err := coerce(kind, item)
			if err != nil {
				return "", nil, err
			}
			args = append(args, v)
		}
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
		if op == "in" {
			return col + " IN (" + ph + ")", args, nil
		}
		return "(" + col + " IS NULL OR " + col + " NOT IN (" + ph + "))", args, nil
	case "contains", "starts_with", "ends_with":
		text, err := coerce(colText, value)
		if err != nil {
			return "", nil, err
		}
		pat := escapeLike(text.(string))
		switch op {
		case "contains":
			pat = "%" + pat + "%"
		case "starts_with":
			pat += "%"
		case "ends_with":
			pat = "%" + pat
		}
		return "CAST(" + col + " AS TEXT) LIKE ? ESCAPE '\\'", []any{pat}, nil
	case "ilike_eq":
		text, err := coerce(colText, value)
		if err != nil {
			return "", nil, err
		}
		return "lower(CAST(" + col + " AS TEXT)) = lower(?)", []any{text}, nil
	}
	v, err := coerce(kind, value)
	if err != nil {
		return "", nil, err
	}
	sqlOp := map[string]string{"eq": "IS", "ne": "IS NOT", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[op]
	return col + " " + sqlOp + " ?", []any{v}, nil
}

// coerce converts a JSON value to the column's storage type; strings are
// coerced the way Kernia does ("true" → true, numeric strings → numbers).
func coerce(kind columnKind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch kind {
	case colBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "1":
				return true, nil
			case "false", "0":
				return false, nil
			}
		case json.Number:
			f, err := x.Float64()
			if err == nil {
				return f != 0, nil
			}
		}
	case colInt:
		switch x := v.(type) {
		case json.Number:
			if n, ok := numberToInt(x); ok {
				return n, nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, nil
			}
		}
	case colText:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
	}
	return nil, fallbackError{}
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
