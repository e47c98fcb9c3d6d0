// Package scim implements `kernia-admin scim`.
package scim

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// NewCmdSCIM returns the scim command group.
func NewCmdSCIM(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scim <command>",
		Short: "Manage SCIM provisioning connections and tokens",
		Long: heredoc.Doc(`
			Manage Kernia's SCIM plugin: the connections identity providers use to provision
			users through /api/auth/scim/v2, and their bearer tokens.

			A SCIM token is printed once, by 'scim tokens create'. Creating a token again for
			the same provider replaces the connection: the previous token stops working.

			Kernia's SCIM management routes need a signed-in session: an API key is not
			accepted there.
		`),
	}
	conns := &cobra.Command{
		Use:   "connections <command>",
		Short: "List, view and delete SCIM provider connections",
	}
	conns.AddCommand(newCmdConnectionsList(f, nil), newCmdConnectionsView(f, nil), newCmdConnectionsDelete(f, nil))
	tokens := &cobra.Command{
		Use:   "tokens <command>",
		Short: "Create SCIM tokens",
	}
	tokens.AddCommand(newCmdTokensCreate(f, nil))
	cmd.AddCommand(conns, tokens, newCmdDirectories(f, nil))
	return cmd
}

// explain turns Kernia's SCIM refusals into one clear line; other errors pass unchanged.
func explain(err error) error {
	var ae *apiclient.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.Status == http.StatusNotFound && !ae.RouteMissing:
		return cmdutil.Errorf(cmdutil.ExitNotFound, "list connections with `kernia-admin scim connections list`", "SCIM connection not found (%s)", ae.Code)
	case ae.Status == http.StatusForbidden && ae.Code == "FORBIDDEN":
		return cmdutil.Errorf(cmdutil.ExitForbidden, "", "forbidden: the signed-in account may not manage this SCIM connection (needs an admin or owner role in its organization)")
	}
	return err
}

func connSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Provider", Field: "providerId"},
		{Header: "Organization", Field: "organizationId"},
	}}
}

// checkProviderID applies Kernia's rules to a SCIM provider id before anything is sent.
func checkProviderID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return cmdutil.FlagErrorf("the provider id must not be empty")
	case strings.Contains(id, ":"):
		return cmdutil.FlagErrorf("invalid provider id %q: it must not contain ':'", id)
	}
	for _, r := range []string{"credential", "email-otp", "magic-link", "phone-number", "anonymous", "siwe"} {
		if id == r {
			return cmdutil.FlagErrorf("invalid provider id %q: reserved by Kernia", id)
		}
	}
	return nil
}

type connectionsListOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
}

func newCmdConnectionsList(f *cmdutil.Factory, runF func(*connectionsListOptions) error) *cobra.Command {
	opts := &connectionsListOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List SCIM provider connections",
		Example: heredoc.Doc(`
			$ kernia-admin scim connections list
			$ kernia-admin scim connections list --jq '.[].providerId'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return connectionsListRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func connectionsListRun(ctx context.Context, opts *connectionsListOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	conns, _, err := c.SCIM().ListConnections(ctx)
	if err != nil {
		return err
	}
	list := output.NewList(opts.IO, opts.Format, connSpec(), opts.Now)
	for i := range conns {
		if err := list.Add(&conns[i]); err != nil {
			return err
		}
	}
	return list.Close()
}

type connectionsViewOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
	Provider  string
}

func newCmdConnectionsView(f *cmdutil.Factory, runF func(*connectionsViewOptions) error) *cobra.Command {
	opts := &connectionsViewOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "view PROVIDER",
		Short:   "Show one SCIM provider connection",
		Example: "$ kernia-admin scim connections view okta",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			if err := checkProviderID(opts.Provider); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return connectionsViewRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func connectionsViewRun(ctx context.Context, opts *connectionsViewOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	conn, _, err := c.SCIM().GetConnection(ctx, opts.Provider)
	if err != nil {
		return err
	}
	return output.PrintObject(opts.IO, opts.Format, connSpec(), opts.Now, conn)
}

type connectionsDeleteOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Auth      func() cmdutil.AuthContext
	Confirm   func(context.Context, cmdutil.ConfirmOptions) error
	Now       func() time.Time
	Format    output.Format

	Providers []string
	Yes       bool
	DryRun    bool
}

type deletedConn struct {
	ProviderID string `json:"providerId"`
	Deleted    bool   `json:"deleted"`
}

func newCmdConnectionsDelete(f *cmdutil.Factory, runF func(*connectionsDeleteOptions) error) *cobra.Command {
	opts := &connectionsDeleteOptions{IO: f.IOStreams, APIClient: f.APIClient, Auth: f.AuthContext, Confirm: f.Confirm, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "delete PROVIDER...",
		Aliases: []string{"rm"},
		Short:   "Delete SCIM connections (their tokens stop working)",
		Long: heredoc.Doc(`
			Delete one or more SCIM connections by provider id. Their tokens stop working at
			once; users already provisioned are kept.

			On a terminal you are asked to confirm; otherwise --yes is required (exit 2 without).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin scim connections delete okta --yes
			$ kernia-admin scim connections delete okta --dry-run
		`),
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				if err := checkProviderID(a); err != nil {
					return err
				}
			}
			opts.Providers = args
			if runF != nil {
				return runF(opts)
			}
			return connectionsDeleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "Delete without asking for confirmation")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the requests that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func connectionsDeleteRun(ctx context.Context, opts *connectionsDeleteOptions) error {
	if !opts.DryRun {
		what := "delete the SCIM connection of " + opts.Providers[0]
		if len(opts.Providers) > 1 {
			what = fmt.Sprintf("delete %d SCIM connections", len(opts.Providers))
		}
		if err := opts.Confirm(ctx, cmdutil.ConfirmOptions{Yes: opts.Yes, Action: what}); err != nil {
			return err
		}
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	var ac cmdutil.AuthContext
	if opts.Auth != nil {
		ac = opts.Auth()
	}
	err = cmdutil.RunBulk(ctx, cmdutil.BulkOptions{
		IO: opts.IO, Format: opts.Format, Now: opts.Now, Concurrency: 1, Label: "Deleting", Auth: ac,
	}, opts.Providers, func(ctx context.Context, p string) (any, error) {
		if _, err := c.SCIM().DeleteConnection(ctx, p); err != nil {
			return nil, explain(err)
		}
		return deletedConn{ProviderID: p, Deleted: true}, nil
	})
	if opts.DryRun {
		plan.Note(opts.IO)
	}
	return err
}

type tokensCreateOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Provider string
	Org      string
	DryRun   bool
}

// createdToken is tokens create's output; SCIMToken is shown this once.
type createdToken struct {
	ProviderID     string  `json:"providerId"`
	OrganizationID *string `json:"organizationId"`
	SCIMToken      string  `json:"scimToken"`
	Endpoint       string  `json:"endpoint"`
	Replaced       bool    `json:"replaced"`
}

func newCmdTokensCreate(f *cmdutil.Factory, runF func(*tokensCreateOptions) error) *cobra.Command {
	opts := &tokensCreateOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "create PROVIDER",
		Short: "Create a SCIM token for a provider (shown once)",
		Long: heredoc.Doc(`
			Create the SCIM bearer token that identity provider PROVIDER (any id you choose,
			e.g. okta) uses to provision users through /api/auth/scim/v2. The token is printed
			only this once (also in --json); give it to the identity provider at once.

			Creating a token again for the same provider (and organization) REPLACES the
			connection: the previous token stops working.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin scim tokens create okta
			$ kernia-admin scim tokens create okta --org 9Xc2... --json --jq .scimToken
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			if err := checkProviderID(opts.Provider); err != nil {
				return err
			}
			if strings.Contains(opts.Org, ":") {
				return cmdutil.FlagErrorf("invalid --org %q: it must not contain ':' (the SCIM token is provider:org)", opts.Org)
			}
			if runF != nil {
				return runF(opts)
			}
			return tokensCreateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Org, "org", "", "Organization `ID` the connection provisions into")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func tokensCreateRun(ctx context.Context, opts *tokensCreateOptions) (err error) {
	defer func() { err = explain(err) }()
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	replaced := false
	if _, _, gerr := c.SCIM().GetConnection(ctx, opts.Provider); gerr == nil {
		replaced = true
	}
	tok, _, err := c.SCIM().GenerateToken(ctx, opts.Provider, opts.Org)
	if plan.Handled(err) {
		if replaced {
			fmt.Fprintf(opts.IO.ErrOut, "note: %s already has a connection; creating a token would replace it and invalidate its token\n", opts.Provider)
		}
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	out := createdToken{ProviderID: opts.Provider, SCIMToken: tok, Endpoint: strings.TrimSuffix(c.BaseURL(), "/") + apiclient.AuthBase + "/scim/v2", Replaced: replaced}
	if opts.Org != "" {
		out.OrganizationID = apiclient.Ptr(opts.Org)
	}
	spec := output.Spec{Columns: []output.Column{
		{Header: "Provider", Field: "providerId"},
		{Header: "Organization", Field: "organizationId"},
		{Header: "SCIM token", Field: "scimToken"},
		{Header: "Endpoint", Field: "endpoint"},
	}, Reveal: []string{"scimToken"}}
	if err := output.PrintObject(opts.IO, opts.Format, spec, opts.Now, out); err != nil {
		return err
	}
	if replaced {
		fmt.Fprintf(opts.IO.ErrOut, "The previous connection of %s was replaced: its token no longer works.\n", opts.Provider)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Save this token now: it is shown only this once. Creating a token again for %s replaces this one (and the connection).\n", opts.Provider)
	return nil
}

type directoriesOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	TokenStdin bool
	TokenFile  string
}

func directorySpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Provider", Field: "providerId"},
		{Header: "Organization", Field: "organizationId"},
		{Header: "Users", Field: "userCount"},
		{Header: "Last provisioned", Field: "lastProvisionedAt", Kind: output.Time},
	}}
}

func newCmdDirectories(f *cmdutil.Factory, runF func(*directoriesOptions) error) *cobra.Command {
	opts := &directoriesOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "directories",
		Short: "Show each SCIM connection with its provisioned user count",
		Long: heredoc.Doc(`
			Show every SCIM connection with the number of users it provisioned and when it last
			did, through the dashboard route GET /api/admin/scim/directories (a server without
			the "scim-directories" family exits 9).

			With a SCIM token (--token-stdin or --token-file; never a flag value) the count
			comes instead from the SCIM v2 endpoint GET /api/auth/scim/v2/Users as that
			token's identity provider sees it, on any Kernia server.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin scim directories
			$ kernia-admin scim directories --token-file okta.token
			$ kernia-admin scim directories --jq 'map(.userCount) | add'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.TokenStdin && opts.TokenFile != "" {
				return cmdutil.FlagErrorf("--token-stdin and --token-file cannot be used together")
			}
			if runF != nil {
				return runF(opts)
			}
			return directoriesRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.TokenStdin, "token-stdin", false, "Count through SCIM v2 with the SCIM token read from stdin")
	cmd.Flags().StringVar(&opts.TokenFile, "token-file", "", "Count through SCIM v2 with the SCIM token read from `FILE`")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

// tokenDirectory is the count seen through one SCIM token.
type tokenDirectory struct {
	ProviderID     string  `json:"providerId"`
	OrganizationID *string `json:"organizationId"`
	UserCount      int64   `json:"userCount"`
	Source         string  `json:"source"`
}

// tokenScope decodes the provider and organization a Kernia SCIM token names
// (base64url of "<secret>:<providerId>[:<organizationId>]"); the secret part is dropped.
func tokenScope(tok string) (provider string, org *string) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(tok, "="))
	if err != nil {
		return "", nil
	}
	parts := strings.SplitN(string(b), ":", 3)
	if len(parts) < 2 {
		return "", nil
	}
	if len(parts) == 3 && parts[2] != "" {
		o := parts[2]
		org = &o
	}
	return parts[1], org
}

func directoriesRun(ctx context.Context, opts *directoriesOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	if opts.TokenStdin || opts.TokenFile != "" {
		var tok string
		if opts.TokenStdin {
			tok, err = cmdutil.ReadSecret(opts.IO.In, "SCIM token")
		} else {
			var b []byte
			b, err = os.ReadFile(opts.TokenFile)
			tok = strings.TrimSpace(string(b))
			if err == nil && tok == "" {
				err = cmdutil.FlagErrorf("--token-file %s is empty", opts.TokenFile)
			} else if err != nil {
				err = cmdutil.FlagErrorf("--token-file: %v", err)
			}
		}
		if err != nil {
			return err
		}
		c.Scrubber().Add(tok)
		n, _, err := c.SCIM().CountUsers(ctx, tok)
		if err != nil {
			var ae *apiclient.APIError
			if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
				return cmdutil.Errorf(cmdutil.ExitAuth, "create a new one with `kernia-admin scim tokens create PROVIDER`", "the SCIM token was refused (%s)", ae.Message)
			}
			return err
		}
		p, org := tokenScope(tok)
		list := output.NewList(opts.IO, opts.Format, directorySpec(), opts.Now)
		if err := list.Add(tokenDirectory{ProviderID: p, OrganizationID: org, UserCount: n, Source: "scim-v2"}); err != nil {
			return err
		}
		return list.Close()
	}
	ok, err := c.Admin.HasFamily(ctx, apiclient.SCIMDirectoriesFamily)
	if err != nil {
		return err
	}
	if !ok {
		return &cmdutil.UnavailableError{Feature: "SCIM directory counts (the dashboard \"scim-directories\" family)",
			Hint: "count one connection's users through SCIM v2 instead: --token-file FILE or --token-stdin"}
	}
	dirs, _, err := c.SCIM().ListDirectories(ctx)
	if err != nil {
		return err
	}
	list := output.NewList(opts.IO, opts.Format, directorySpec(), opts.Now)
	for i := range dirs {
		if err := list.Add(&dirs[i]); err != nil {
			return err
		}
	}
	return list.Close()
}
