package users

import (
	"context"
	"strings"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/output"
)

func listSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Email", Field: "email"},
		{Header: "Name", Field: "name"},
		{Header: "Role", Field: "role"},
		{Header: "Banned", Field: "banned", Kind: output.Bool},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
	}}
}

func detailSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Email", Field: "email"},
		{Header: "Name", Field: "name"},
		{Header: "Email verified", Field: "emailVerified", Kind: output.Bool},
		{Header: "Role", Field: "role"},
		{Header: "Banned", Field: "banned", Kind: output.Bool},
		{Header: "Ban reason", Field: "banReason"},
		{Header: "Ban expires", Field: "banExpires", Kind: output.Time},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
		{Header: "Updated", Field: "updatedAt", Kind: output.Time},
	}}
}

// resolveUser fetches a user by id or, when ref looks like an email address, by email.
func resolveUser(ctx context.Context, c *apiclient.Client, ref string) (*apiclient.User, error) {
	if strings.Contains(ref, "@") {
		u, _, err := c.Users.GetByEmail(ctx, ref)
		return u, err
	}
	u, _, err := c.Users.Get(ctx, ref)
	return u, err
}

// resolveUserID returns ref itself when it is an id, or looks the email up.
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
