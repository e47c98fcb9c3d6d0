package entitlements

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// billingError turns a missing billing family into exit 9.
func billingError(err error) error {
	if cmdutil.IsRouteMissing(err) {
		return &cmdutil.UnavailableError{Feature: "the dashboard's billing routes (/api/admin/billing, family \"billing\")",
			Hint: "the application beside Kernia must implement the billing family of docs/dashboard-api.yaml"}
	}
	return err
}

// resolveRef returns a reference id: an email is looked up (users are referenced by id).
func resolveRef(ctx context.Context, c *apiclient.Client, ref string) (string, error) {
	if !strings.Contains(ref, "@") {
		return ref, nil
	}
	u, _, err := c.Users.GetByEmail(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("looking up user %s: %w", ref, err)
	}
	return u.ID, nil
}

// entitlementView is one row of entitlements list / view.
type entitlementView struct {
	ReferenceID    string         `json:"referenceId"`
	PlanID         string         `json:"planId"`
	FeatureKey     string         `json:"featureKey"`
	Kind           string         `json:"kind"`
	Limit          *int64         `json:"limit"`
	Unlimited      bool           `json:"unlimited"`
	Granted        int64          `json:"granted"`
	Used           int64          `json:"used"`
	Balance        *int64         `json:"balance"`
	ResetAt        apiclient.Time `json:"resetAt"`
	Overage        bool           `json:"overage"`
	OverageAllowed bool           `json:"overageAllowed"`
}

func viewEntitlement(ref string, plan *apiclient.EntitlementPlan, e apiclient.Entitlement) entitlementView {
	v := entitlementView{ReferenceID: ref, FeatureKey: e.FeatureKey, Kind: e.Kind, Limit: e.Limit, Unlimited: e.Limit == nil,
		Granted: e.Granted, Used: e.Used, Balance: e.Balance, ResetAt: e.ResetAt, Overage: e.Overage, OverageAllowed: e.OverageAllowed}
	if plan != nil {
		v.PlanID = plan.ID
	}
	return v
}

func entitlementSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Feature", Field: "featureKey"},
		{Header: "Limit", Field: "limit"},
		{Header: "Granted", Field: "granted"},
		{Header: "Used", Field: "used"},
		{Header: "Balance", Field: "balance"},
		{Header: "Resets", Field: "resetAt", Kind: output.Time},
		{Header: "Overage", Field: "overage", Kind: output.Bool},
	}}
}

func entitlementDetailSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Reference", Field: "referenceId"},
		{Header: "Plan", Field: "planId"},
		{Header: "Feature", Field: "featureKey"},
		{Header: "Kind", Field: "kind"},
		{Header: "Limit", Field: "limit"},
		{Header: "Unlimited", Field: "unlimited", Kind: output.Bool},
		{Header: "Granted", Field: "granted"},
		{Header: "Used", Field: "used"},
		{Header: "Balance", Field: "balance"},
		{Header: "Resets", Field: "resetAt", Kind: output.Time},
		{Header: "Overage", Field: "overage", Kind: output.Bool},
		{Header: "Overage allowed", Field: "overageAllowed", Kind: output.Bool},
	}}
}

// parseWhen reads a point in time: RFC 3339, YYYY-MM-DD (midnight UTC), or a duration such
// as 7d, 12h or 30m counted back from now (past=true) or forward (past=false).
func parseWhen(flag, s string, now time.Time, past bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	d, err := parseDuration(s)
	if err != nil || d <= 0 {
		return time.Time{}, cmdutil.FlagErrorf("invalid %s %q: use a date (2026-11-01), an RFC 3339 time, or a duration such as 7d, 12h, 30m", flag, s)
	}
	if past {
		return now.Add(-d), nil
	}
	return now.Add(d), nil
}

func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days > 36500 {
			return 0, fmt.Errorf("bad days")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	if n, ok := strings.CutSuffix(s, "w"); ok {
		w, err := strconv.Atoi(n)
		if err != nil || w > 5200 {
			return 0, fmt.Errorf("bad weeks")
		}
		return time.Duration(w) * 7 * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
