package keys

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// keyView is the table model of a key: the wire object plus the durations in words. JSON
// output uses the wire object itself (apiclient.APIKey), durations in milliseconds.
type keyView struct {
	*apiclient.APIKey
	Owner     string `json:"owner"`
	RateLimit string `json:"rateLimit"`
	Refill    string `json:"refill"`
}

// record returns what a list or object printer is given for k: the wire model for machine
// formats, the table view otherwise.
func record(f output.Format, k *apiclient.APIKey) any {
	if f.Machine() {
		return k
	}
	v := keyView{APIKey: k, Owner: k.ReferenceID}
	if k.User != nil && k.User.Email != "" {
		v.Owner = k.User.Email
	}
	v.RateLimit = "off"
	if k.RateLimitEnabled {
		v.RateLimit = rateText(k.RateLimitMax, k.RateLimitTimeWindow)
	}
	if k.RefillAmount != nil && k.RefillInterval != nil {
		v.Refill = fmt.Sprintf("%d every %s", *k.RefillAmount, msText(*k.RefillInterval))
	}
	return v
}

func rateText(max, windowMS *int64) string {
	if max == nil || windowMS == nil {
		return "on"
	}
	return fmt.Sprintf("%d per %s", *max, msText(*windowMS))
}

// msText writes a millisecond duration compactly: 86400000 → "1d", 5400000 → "1h30m".
func msText(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dd", days)
		d -= days * 24 * time.Hour
	}
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
		d -= m * time.Minute
	}
	if d > 0 {
		if d%time.Second == 0 {
			fmt.Fprintf(&b, "%ds", d/time.Second)
		} else {
			fmt.Fprintf(&b, "%dms", d/time.Millisecond)
		}
	}
	return b.String()
}

func listSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Name", Field: "name"},
		{Header: "Start", Field: "start"},
		{Header: "Owner", Field: "owner"},
		{Header: "Enabled", Field: "enabled", Kind: output.Bool},
		{Header: "Requests", Field: "requestCount"},
		{Header: "Last request", Field: "lastRequest", Kind: output.Time},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
	}}
}

func detailColumns() []output.Column {
	return []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Name", Field: "name"},
		{Header: "Start", Field: "start"},
		{Header: "Prefix", Field: "prefix"},
		{Header: "Owner", Field: "owner"},
		{Header: "Owner ID", Field: "referenceId"},
		{Header: "Enabled", Field: "enabled", Kind: output.Bool},
		{Header: "Requests", Field: "requestCount"},
		{Header: "Remaining", Field: "remaining"},
		{Header: "Rate limit", Field: "rateLimit"},
		{Header: "Refill", Field: "refill"},
		{Header: "Last request", Field: "lastRequest", Kind: output.Time},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
		{Header: "Updated", Field: "updatedAt", Kind: output.Time},
		{Header: "Permissions", Field: "permissions"},
		{Header: "Metadata", Field: "metadata"},
	}
}

func detailSpec() output.Spec { return output.Spec{Columns: detailColumns()} }

// createdSpec shows a new key with its plaintext: the one time it is ever printed.
func createdSpec() output.Spec {
	cols := append([]output.Column{{Header: "Key", Field: "key"}}, detailColumns()...)
	return output.Spec{Columns: cols, Reveal: []string{"key"}}
}

// saveNotice is printed on stderr after a key was shown.
const saveNotice = "Save this key now: it is shown only this once and cannot be recovered."

// requireKeysFamily fails with exit 9 when the dashboard lacks the "keys" family.
func requireKeysFamily(ctx context.Context, c *apiclient.Client, feature, hint string) error {
	ok, err := c.Admin.HasFamily(ctx, apiclient.KeysFamily)
	if err != nil {
		return err
	}
	if !ok {
		return &cmdutil.UnavailableError{Feature: feature, Hint: hint}
	}
	return nil
}

// resolveUserID returns ref itself when it is an id, or looks the email up (admin plugin).
func resolveUserID(ctx context.Context, c *apiclient.Client, ref string) (string, error) {
	if !strings.Contains(ref, "@") {
		return ref, nil
	}
	u, _, err := c.Users.GetByEmail(ctx, ref)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// explain adds the API-key plugin's remedies to its refusals; other errors pass unchanged.
func explain(err error) error {
	var ae *apiclient.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.Code == "SERVER_ONLY_PROPERTY":
		return cmdutil.Errorf(cmdutil.ExitConflict, "rate limits, quotas and permissions can only be set through the dashboard route: add --user USER",
			"the server refused a server-only field for a key created with a session (%s)", ae.Code)
	case ae.Code == "METADATA_DISABLED":
		return cmdutil.Errorf(cmdutil.ExitConflict, "", "this server has API-key metadata turned off (%s)", ae.Code)
	case ae.Status == http.StatusNotFound && ae.Code == "KEY_NOT_FOUND":
		return cmdutil.Errorf(cmdutil.ExitNotFound, "", "API key not found (%s)", ae.Code)
	}
	return err
}

var durationRE = regexp.MustCompile(`^(?:(\d+)d)?(.*)$`)

// parseDuration parses 30d, 12h, 10m, 1d12h or any Go duration; it must be positive.
func parseDuration(flag, s string) (time.Duration, error) {
	bad := func(why string) error {
		return cmdutil.FlagErrorf("invalid %s %q: %s (use e.g. 30d, 12h, 10m or 1d12h)", flag, s, why)
	}
	in := strings.TrimSpace(s)
	m := durationRE.FindStringSubmatch(in)
	if in == "" || m == nil {
		return 0, bad("not a duration")
	}
	var d time.Duration
	if m[1] != "" {
		days, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || days > 100*365 {
			return 0, bad("too long")
		}
		d = time.Duration(days) * 24 * time.Hour
	}
	if m[2] != "" {
		if strings.HasPrefix(m[2], "-") || strings.HasPrefix(m[2], "+") {
			return 0, bad("not a duration")
		}
		rest, err := time.ParseDuration(m[2])
		if err != nil {
			return 0, bad("not a duration")
		}
		d += rest
	}
	if d <= 0 {
		return 0, bad("must be positive")
	}
	return d, nil
}

// parseRate parses N/DURATION (10/1h, 1000/1d): a count and a window.
func parseRate(flag, s string) (int64, time.Duration, error) {
	n, w, ok := strings.Cut(s, "/")
	count, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
	if !ok || err != nil || count < 1 {
		return 0, 0, cmdutil.FlagErrorf("invalid %s %q: use COUNT/DURATION, e.g. 100/1h", flag, s)
	}
	d, err := parseDuration(flag, w)
	if err != nil {
		return 0, 0, err
	}
	if d < time.Millisecond {
		return 0, 0, cmdutil.FlagErrorf("invalid %s %q: the window must be at least 1ms", flag, s)
	}
	return count, d, nil
}

// parseJSONObject parses an inline JSON object, or @FILE.
func parseJSONObject(flag, v string, into any) error {
	raw := []byte(v)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return cmdutil.FlagErrorf("invalid %s: want a JSON object (%v)", flag, err)
	}
	if dec.More() {
		return cmdutil.FlagErrorf("invalid %s: trailing data after the JSON object", flag)
	}
	return nil
}
