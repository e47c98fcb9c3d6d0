package sessions

import (
	"context"
	"strings"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// sessionsFamily is the dashboard route family for all-user session views.
const sessionsFamily = "sessions"

func listSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "User", Field: "user.email"},
		{Header: "IP", Field: "ipAddress"},
		{Header: "User agent", Field: "userAgent"},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
		{Header: "Expires", Field: "expiresAt", Kind: output.Time},
		{Header: "Impersonated by", Field: "impersonatedBy"},
	}}
}

// resolveUser fetches a user by id or, when ref looks like an email address, by email. An
// unknown user is a handler-level 404 (exit 5).
func resolveUser(ctx context.Context, c *apiclient.Client, ref string) (*apiclient.User, error) {
	if strings.Contains(ref, "@") {
		u, _, err := c.Users.GetByEmail(ctx, ref)
		return u, err
	}
	u, _, err := c.Users.Get(ctx, ref)
	return u, err
}

func owner(u *apiclient.User) *apiclient.SessionUser {
	return &apiclient.SessionUser{ID: u.ID, Email: u.Email, Name: u.Name}
}

// requireDashboardSessions fails with exit 9 when the server has no dashboard sessions family.
func requireDashboardSessions(ctx context.Context, c *apiclient.Client, feature, hint string) error {
	ok, err := c.Admin.HasFamily(ctx, sessionsFamily)
	if err != nil {
		return err
	}
	if !ok {
		return &cmdutil.UnavailableError{Feature: feature, Hint: hint}
	}
	return nil
}
