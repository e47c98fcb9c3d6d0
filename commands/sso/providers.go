package sso

import (
	"context"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

func newCmdProviders(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "providers <command>",
		Short: "Register, list, update and delete SSO identity providers",
		Long: heredoc.Doc(`
			Manage OIDC and SAML identity providers (Kernia's /sso routes).

			Kernia's list-providers returns client secrets and private keys in clear:
			kernia-admin never prints them (they show as a fingerprint).
		`),
	}
	cmd.AddCommand(newCmdProvidersList(f, nil), newCmdProvidersView(f, nil), newCmdProvidersRegister(f, nil),
		newCmdProvidersUpdate(f, nil), newCmdProvidersDelete(f, nil))
	return cmd
}

type providersListOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
}

func newCmdProvidersList(f *cmdutil.Factory, runF func(*providersListOptions) error) *cobra.Command {
	opts := &providersListOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List SSO providers",
		Long: heredoc.Doc(`
			List every SSO provider (GET /sso/list-providers), with the expiry of each SAML
			provider's IdP certificate. Secrets are redacted.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sso providers list
			$ kernia-admin sso providers list --jq '.[] | select(.kind=="saml") | .certificate.notAfter'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return providersListRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func providersListRun(ctx context.Context, opts *providersListOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	ps, _, err := c.SSO().ListProviders(ctx)
	if err != nil {
		return err
	}
	list := output.NewList(opts.IO, opts.Format, providerListSpec(), opts.Now)
	for i := range ps {
		if err := list.Add(withCerts(&ps[i], opts.Now())); err != nil {
			return err
		}
	}
	return list.Close()
}

type providersViewOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
	ID        string
}

func newCmdProvidersView(f *cmdutil.Factory, runF func(*providersViewOptions) error) *cobra.Command {
	opts := &providersViewOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "view ID",
		Short: "Show one SSO provider",
		Long: heredoc.Doc(`
			Show one provider: its issuer, domains, OIDC client or SAML IdP settings, and for
			SAML the IdP certificate's subject, fingerprint and expiry. The client secret and
			private key are shown only as fingerprints.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sso providers view 3kD9...
			$ kernia-admin sso providers view 3kD9... --jq .certificate.notAfter
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return providersViewRun(cmd.Context(), opts)
		},
	}
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func providersViewRun(ctx context.Context, opts *providersViewOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	p, err := findProvider(ctx, c, opts.ID)
	if err != nil {
		return err
	}
	out := withCerts(p, opts.Now())
	if out.Certificate != nil && !opts.Format.Machine() && (out.Certificate.Expired || out.Certificate.ExpiresSoon) {
		fmt.Fprintln(opts.IO.ErrOut, expiryNote("IdP", out.Certificate, opts.Now()))
	}
	return output.PrintObject(opts.IO, opts.Format, providerDetailSpec(), opts.Now, out)
}

type providersDeleteOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Auth      func() cmdutil.AuthContext
	Confirm   func(context.Context, cmdutil.ConfirmOptions) error
	Now       func() time.Time
	Format    output.Format

	IDs    []string
	Yes    bool
	DryRun bool
}

func newCmdProvidersDelete(f *cmdutil.Factory, runF func(*providersDeleteOptions) error) *cobra.Command {
	opts := &providersDeleteOptions{IO: f.IOStreams, APIClient: f.APIClient, Auth: f.AuthContext, Confirm: f.Confirm, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "delete ID...",
		Aliases: []string{"rm"},
		Short:   "Delete SSO providers and their domains",
		Long: heredoc.Doc(`
			Delete one or more providers. The server deletes their registered domains too, and
			users of those domains can no longer sign in through SSO.

			On a terminal you are asked to confirm; otherwise --yes is required (exit 2 without).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sso providers delete 3kD9... --yes
			$ kernia-admin sso providers delete 3kD9... --dry-run
		`),
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			if runF != nil {
				return runF(opts)
			}
			return providersDeleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "Delete without asking for confirmation")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the requests that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

type deletedProvider struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

func providersDeleteRun(ctx context.Context, opts *providersDeleteOptions) error {
	if !opts.DryRun {
		what := "delete SSO provider " + opts.IDs[0]
		if len(opts.IDs) > 1 {
			what = fmt.Sprintf("delete %d SSO providers", len(opts.IDs))
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
	}, opts.IDs, func(ctx context.Context, id string) (any, error) {
		if _, err := c.SSO().DeleteProvider(ctx, id); err != nil {
			return nil, explain(err)
		}
		return deletedProvider{ID: id, Deleted: true}, nil
	})
	if opts.DryRun {
		plan.Note(opts.IO)
	}
	return explain(err)
}
