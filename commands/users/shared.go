package users

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
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

// validateEmail checks that s is a bare email address (no display name, one @, a domain with
// a dot), before anything is sent.
func validateEmail(flag, s string) error {
	bad := cmdutil.FlagErrorf("invalid %s %q: not an email address", flag, s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return bad
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(strings.Trim(domain, "."), ".") || strings.ContainsAny(s, " \t") {
		return bad
	}
	return nil
}

// Password limits of Kernia's email_and_password defaults (set-user-password checks them).
const (
	minPasswordLen = 8
	maxPasswordLen = 128
)

func checkPassword(p string) error {
	switch n := utf8.RuneCountInString(p); {
	case n < minPasswordLen:
		return cmdutil.FlagErrorf("password too short: at least %d characters are required", minPasswordLen)
	case n > maxPasswordLen:
		return cmdutil.FlagErrorf("password too long: at most %d characters are allowed", maxPasswordLen)
	}
	return nil
}

// readNewPassword reads a password from stdin (fromStdin) or, on a terminal, asks for it
// twice without echo. optional lets an empty answer at the prompt mean "no password".
func readNewPassword(ctx context.Context, ios *output.IOStreams, p prompt.Prompter, fromStdin, optional bool) (string, error) {
	if fromStdin {
		return cmdutil.ReadSecret(ios.In, "password")
	}
	if !ios.CanPrompt() || p == nil {
		return "", nil
	}
	title := "New password:"
	if optional {
		title = "Password (empty for none):"
	}
	first, err := p.Password(ctx, title)
	if err != nil {
		return "", promptErr(err)
	}
	if first == "" && optional {
		return "", nil
	}
	if err := checkPassword(first); err != nil {
		return "", err
	}
	second, err := p.Password(ctx, "Repeat the password:")
	if err != nil {
		return "", promptErr(err)
	}
	if first != second {
		return "", cmdutil.FlagErrorf("the passwords do not match")
	}
	return first, nil
}

func promptErr(err error) error {
	if errors.Is(err, prompt.ErrAborted) {
		return cmdutil.ErrCancelled
	}
	return err
}

// permissionOf names the admin permission behind each "YOU_ARE_NOT_ALLOWED_TO_…" code.
func permissionOf(code string) string {
	switch code {
	case "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS":
		return "user:list"
	case "YOU_ARE_NOT_ALLOWED_TO_GET_USER":
		return "user:get"
	case "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS":
		return "user:create"
	case "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS":
		return "user:update"
	case "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE":
		return "user:set-role"
	case "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS":
		return "user:ban"
	case "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS":
		return "user:impersonate"
	case "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD":
		return "user:set-password"
	case "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS":
		return "user:delete"
	case "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS":
		return "session:list"
	case "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS":
		return "session:revoke"
	}
	return ""
}

// explain turns the admin plugin's permission refusals into one clear line (exit 4) that
// names what is missing; every other error is returned unchanged.
func explain(err error) error {
	var ae *apiclient.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		return err
	}
	switch {
	case ae.Code == "YOU_CANNOT_IMPERSONATE_ADMINS":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "", "impersonation not permitted: admins cannot be impersonated (%s)", ae.Code)
	case strings.HasPrefix(ae.Code, "YOU_ARE_NOT_ALLOWED_TO_"):
		action := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(ae.Code, "YOU_ARE_NOT_ALLOWED_TO_"), "_", " "))
		perm := permissionOf(ae.Code)
		if perm == "" {
			return cmdutil.Errorf(cmdutil.ExitForbidden, "", "forbidden: the signed-in account may not %s (%s)", action, ae.Code)
		}
		return cmdutil.Errorf(cmdutil.ExitForbidden, "", "forbidden: the signed-in account's role lacks the %s permission, so it may not %s (%s)", perm, action, ae.Code)
	}
	return err
}

// bulkFlags are the flags of every per-user bulk mutation.
type bulkFlags struct {
	FromFile    string
	Concurrency int
}

func (b *bulkFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&b.FromFile, "from-file", "", "Read more users from `FILE` (one id or email a line; - for stdin)")
	cmd.Flags().IntVar(&b.Concurrency, "concurrency", 4, "Users processed in parallel (1-32)")
}

func (b *bulkFlags) validate() error {
	if b.Concurrency < 1 || b.Concurrency > 32 {
		return cmdutil.FlagErrorf("invalid --concurrency %d: must be between 1 and 32", b.Concurrency)
	}
	return nil
}

// targetID resolves ref to a user id. With verify (dry runs) an id is looked up too, so that
// a plan never shows a request for a user that does not exist.
func targetID(ctx context.Context, c *apiclient.Client, ref string, verify bool) (string, error) {
	if !verify {
		return resolveUserID(ctx, c, ref)
	}
	u, err := resolveUser(ctx, c, ref)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}
