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

type registerOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Getenv    func(string) string
	Now       func() time.Time
	Format    output.Format

	Flags  providerFlags
	DryRun bool

	body  map[string]any
	notes []string
}

func newCmdProvidersRegister(f *cmdutil.Factory, runF func(*registerOptions) error) *cobra.Command {
	opts := &registerOptions{IO: f.IOStreams, APIClient: f.APIClient, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register an OIDC or SAML identity provider",
		Long: heredoc.Doc(`
			Register an identity provider, from flags or from a JSON or YAML file (--from-file,
			the register-provider body: issuer, kind, name, domains, oidcConfig or samlConfig,
			mapping, organizationId); flags override the file.

			Everything is checked before anything is sent: the issuer and endpoints must be
			http(s) URLs; OIDC needs a client ID and secret; SAML needs the IdP entity ID, SSO
			URL and a readable PEM certificate, whose expiry is shown (a warning when it has
			expired or expires within 30 days). Invalid input exits 2.

			Secrets are never flag values. The OIDC client secret comes from
			--client-secret-file, --client-secret-stdin or $KERNIA_SSO_CLIENT_SECRET; a SAML
			service-provider private key from --private-key-file, --private-key-stdin or
			$KERNIA_SSO_PRIVATE_KEY. They are never printed.

			Kernia blocks every /sso route while the "sso" auth method is disabled: enable it
			with 'kernia-admin auth-methods enable sso'.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sso providers register --issuer https://login.acme.test --client-id acme-app --client-secret-file secret.txt --domain acme.test
			$ vault read -field=secret kv/okta | kernia-admin sso providers register --kind oidc --issuer https://acme.okta.com --client-id 0oa1 --client-secret-stdin
			$ kernia-admin sso providers register --kind saml --issuer https://idp.acme.test --idp-entity-id https://idp.acme.test/meta --idp-sso-url https://idp.acme.test/sso --idp-cert-file idp.pem
			$ kernia-admin sso providers register --from-file provider.yaml --dry-run
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := opts.Flags.build(cmd, secretSources{Stdin: opts.IO.In, Getenv: opts.Getenv}, false)
			if err != nil {
				return err
			}
			v, err := validate(body, false, opts.Now())
			if err != nil {
				return err
			}
			opts.body, opts.notes = body, v.Notes
			if runF != nil {
				return runF(opts)
			}
			return registerRun(cmd.Context(), opts)
		},
	}
	opts.Flags.register(cmd, false)
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent (secrets redacted), send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func registerRun(ctx context.Context, opts *registerOptions) (err error) {
	defer func() { err = explain(err) }()
	printNotes(opts.IO.ErrOut, opts.notes)
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	p, _, err := c.SSO().RegisterProvider(ctx, opts.body)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	if err := output.PrintObject(opts.IO, opts.Format, providerDetailSpec(), opts.Now, withCerts(p, opts.Now())); err != nil {
		return err
	}
	if len(p.Domains) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "Prove each domain with `kernia-admin sso domains register %s DOMAIN`, then `sso domains verify`.\n", p.ID)
	}
	return nil
}

type updateOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Getenv    func(string) string
	Now       func() time.Time
	Format    output.Format

	ID     string
	Flags  providerFlags
	DryRun bool

	body  map[string]any
	notes []string
}

func newCmdProvidersUpdate(f *cmdutil.Factory, runF func(*updateOptions) error) *cobra.Command {
	opts := &updateOptions{IO: f.IOStreams, APIClient: f.APIClient, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "update ID",
		Short: "Change an SSO provider",
		Long: heredoc.Doc(`
			Change a provider: only what is given (flags, or fields of --from-file) is sent.
			--domain replaces the domain list and --mapping the mapping. OIDC and SAML settings
			are merged into the stored config; for SAML the idp and sp objects are merged
			field by field here first (the server would replace them whole).

			A new client secret comes from --client-secret-file, --client-secret-stdin or, with
			--client-secret-env, $KERNIA_SSO_CLIENT_SECRET; a new private key likewise
			(--private-key-file, --private-key-stdin, --private-key-env). The same checks as
			for register apply to what is given.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sso providers update 3kD9... --name "Acme Okta" --domain acme.test,acme.io
			$ kernia-admin sso providers update 3kD9... --client-secret-file new-secret.txt
			$ kernia-admin sso providers update 3kD9... --idp-cert-file renewed.pem --dry-run
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			body, err := opts.Flags.build(cmd, secretSources{Stdin: opts.IO.In, Getenv: opts.Getenv}, true)
			if err != nil {
				return err
			}
			delete(body, "kind")
			delete(body, "id")
			if len(body) == 0 {
				return cmdutil.FlagErrorf("nothing to update: give at least one field (see --help)")
			}
			v, err := validate(body, true, opts.Now())
			if err != nil {
				return err
			}
			opts.body, opts.notes = body, v.Notes
			if runF != nil {
				return runF(opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	opts.Flags.register(cmd, true)
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent (secrets redacted), send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func updateRun(ctx context.Context, opts *updateOptions) (err error) {
	defer func() { err = explain(err) }()
	printNotes(opts.IO.ErrOut, opts.notes)
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	// The server merges samlConfig shallowly: merge idp and sp with the stored ones here.
	if sc := sub(opts.body, "samlConfig", false); sc != nil && (sc["idp"] != nil || sc["sp"] != nil) {
		cur, err := findProvider(ctx, c, opts.ID)
		if err != nil {
			return err
		}
		for _, part := range []string{"idp", "sp"} {
			given := sub(sc, part, false)
			if given == nil || cur.SAMLConfig == nil {
				continue
			}
			if stored, ok := cur.SAMLConfig[part].(map[string]any); ok {
				merged := map[string]any{}
				for k, v := range stored {
					merged[k] = v
				}
				for k, v := range given {
					merged[k] = v
				}
				sc[part] = merged
			}
		}
	}
	p, _, err := c.SSO().UpdateProvider(ctx, opts.ID, opts.body)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	return output.PrintObject(opts.IO, opts.Format, providerDetailSpec(), opts.Now, withCerts(p, opts.Now()))
}
