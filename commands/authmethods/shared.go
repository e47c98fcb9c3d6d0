package authmethods

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// methodRow is the JSON model of one method.
type methodRow struct {
	Method  string `json:"method"`
	Label   string `json:"label"`
	Enabled bool   `json:"enabled"`
}

func rowOf(key string, e apiclient.MethodEntry) methodRow {
	return methodRow{Method: key, Label: e.Label(), Enabled: e.Enabled()}
}

func listSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Method", Field: "method"},
		{Header: "Label", Field: "label"},
		{Header: "Enabled", Field: "enabled", Kind: output.Bool},
	}}
}

// change is one line of what enable, disable and toggle print.
type change struct {
	Method string `json:"method"`
	Before bool   `json:"before"`
	After  bool   `json:"after"`
}

func changeSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Method", Field: "method"},
		{Header: "Before", Field: "before", Kind: output.Bool},
		{Header: "After", Field: "after", Kind: output.Bool},
	}}
}

// signInMethods are the methods an admin can sign in with. anonymous gives no admin account
// and two-factor is only a second step, so neither counts.
func signInMethods() []string {
	return []string{"email-password", "magic-link", "email-otp", "google", "github", "passkey",
		"username", "phone-number", "siwe", "one-tap", "sso"}
}

func enabledSignIn(m apiclient.AuthMethods) []string {
	var on []string
	for _, k := range signInMethods() {
		if e, ok := m[k]; ok && e.Enabled() {
			on = append(on, k)
		}
	}
	return on
}

var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func validateKeys(keys []string) error {
	for _, k := range keys {
		if !keyRE.MatchString(k) {
			return cmdutil.FlagErrorf("invalid method name %q: use lower-case letters, digits, '.', '_' or '-'", k)
		}
	}
	return nil
}

// changeOptions are shared by enable, disable and toggle.
type changeOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Confirm   func(context.Context, cmdutil.ConfirmOptions) error
	Format    output.Format

	Mode         string // "enable", "disable" or "toggle"
	Methods      []string
	AllowUnknown bool
	Yes          bool
	DryRun       bool
}

func newChangeOptions(f *cmdutil.Factory, mode string) *changeOptions {
	return &changeOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now, Confirm: f.Confirm, Mode: mode}
}

func addChangeFlags(cmd *cobra.Command, opts *changeOptions) {
	cmd.Flags().BoolVar(&opts.AllowUnknown, "allow-unknown", false, "Accept a method the server does not know yet (it is added)")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask before disabling the last sign-in method")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
}

// changeRun reads the merged map, applies the change, writes the whole map back and prints
// what changed.
func changeRun(ctx context.Context, opts *changeOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	before, _, err := c.AdminConfig().AuthMethods(ctx)
	if err != nil {
		return explain(err)
	}
	var unknown []string
	for _, k := range opts.Methods {
		if _, ok := before[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 && !opts.AllowUnknown {
		return cmdutil.FlagErrorf("unknown auth method(s) %s (the server knows: %s); pass --allow-unknown to add them",
			strings.Join(unknown, ", "), strings.Join(before.Keys(), ", "))
	}

	after := before.Clone()
	var changes []change
	seen := map[string]bool{}
	for _, k := range opts.Methods {
		if seen[k] {
			continue
		}
		seen[k] = true
		e, known := after[k]
		was := known && e.Enabled()
		want := opts.Mode == "enable" || opts.Mode == "toggle" && !was
		if !known {
			// Added with --allow-unknown: stored with its key as label.
			e = apiclient.MethodEntry{"label": k}
			after[k] = e
		} else if was == want {
			continue
		}
		e["enabled"] = want
		changes = append(changes, change{Method: k, Before: was, After: want})
	}
	if len(changes) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "nothing to change: %s already %sd\n", strings.Join(opts.Methods, ", "), opts.Mode)
		return printChanges(opts, nil)
	}

	if was, now := enabledSignIn(before), enabledSignIn(after); len(was) > 0 && len(now) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "warning: this disables %s, the last sign-in method an admin could use; nobody will be able to sign in until one is enabled again\n",
			strings.Join(was, ", "))
		if !opts.DryRun {
			if err := opts.Confirm(ctx, cmdutil.ConfirmOptions{Yes: opts.Yes, Action: "disable the last sign-in method (" + strings.Join(was, ", ") + ")"}); err != nil {
				return err
			}
		}
	}
	if before["email-password"].Enabled() && !after["email-password"].Enabled() {
		fmt.Fprintln(opts.IO.ErrOut, "note: kernia-admin signs in with email and password; `kernia-admin auth login` will fail until email-password is enabled again (existing sessions keep working)")
	}

	got, _, err := c.AdminConfig().SetAuthMethods(ctx, after)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return explain(err)
	}
	// Report what the server now says.
	for i := range changes {
		if e, ok := got[changes[i].Method]; ok {
			changes[i].After = e.Enabled()
		}
	}
	return printChanges(opts, changes)
}

func printChanges(opts *changeOptions, changes []change) error {
	list := output.NewList(opts.IO, opts.Format, changeSpec(), opts.Now)
	for _, ch := range changes {
		if err := list.Add(ch); err != nil {
			return err
		}
	}
	return list.Close()
}

// explain turns admin-config refusals into one clear line.
func explain(err error) error {
	var ae *apiclient.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.Status == http.StatusForbidden && ae.Code == "ADMIN_CONFIG_FORBIDDEN":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "admin-config needs a user whose role is admin or owner (or listed in the server's admin_user_ids)",
			"forbidden: the signed-in account may not read or change the server's admin configuration (ADMIN_CONFIG_FORBIDDEN)")
	case ae.RouteMissing:
		return &cmdutil.UnavailableError{Feature: "auth-method settings (Kernia's admin-config plugin, /api/auth/admin/config/auth-methods)",
			Hint: "the server does not mount the admin_config plugin; sign-in methods are then fixed in its code"}
	}
	return err
}
