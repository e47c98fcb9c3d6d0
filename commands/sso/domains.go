package sso

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/dnscheck"
	"github.com/kernia-dev/kernia-admin/output"
)

// envDNSServer names the DNS server used by `sso domains verify`.
const envDNSServer = "KERNIA_DNS_SERVER"

func newCmdDomains(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "domains <command>",
		Short: "Register, verify and list the email domains of SSO providers",
		Long: heredoc.Doc(`
			Prove that an email domain belongs to an SSO provider: 'register' issues a token to
			publish as a DNS TXT record, 'verify' checks DNS and then marks the domain
			verified. Users of a verified domain are sent to SSO instead of password sign-in.

			Kernia itself performs no DNS lookup: its verify-domain only compares the token it
			is given. kernia-admin looks the record up itself before calling it.
		`),
	}
	cmd.AddCommand(newCmdDomainsRegister(f, nil), newCmdDomainsVerify(f, nil), newCmdDomainsList(f, nil))
	return cmd
}

type domainsRegisterOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Provider string
	Domain   string
	DryRun   bool
}

// txtRecord is register's output: the record to publish. Token is the verification token,
// shown this once.
type txtRecord struct {
	Domain     string `json:"domain"`
	ProviderID string `json:"providerId"`
	RecordName string `json:"recordName"`
	RecordType string `json:"recordType"`
	Token      string `json:"token"`
}

func txtSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Domain", Field: "domain"},
		{Header: "Provider", Field: "providerId"},
		{Header: "Record name", Field: "recordName"},
		{Header: "Type", Field: "recordType"},
		{Header: "Value", Field: "token"},
	}, Reveal: []string{"token"}}
}

func newCmdDomainsRegister(f *cmdutil.Factory, runF func(*domainsRegisterOptions) error) *cobra.Command {
	opts := &domainsRegisterOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "register PROVIDER DOMAIN",
		Short: "Get the DNS TXT record that proves a domain",
		Long: heredoc.Doc(`
			Register DOMAIN for the provider with id PROVIDER and print the TXT record to
			publish: name _better-auth-token.DOMAIN, value the verification token. The token is
			shown only this once (also in --json); keep it for 'sso domains verify'.

			Registering a domain again (under any provider) moves it to this provider, marks it
			unverified and issues a new token.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sso domains register 3kD9... acme.test
			$ kernia-admin sso domains register 3kD9... acme.test --json --jq .token > acme.token
		`),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			d, err := normalizeDomain(args[1])
			if err != nil {
				return err
			}
			opts.Domain = d
			if runF != nil {
				return runF(opts)
			}
			return domainsRegisterRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func domainsRegisterRun(ctx context.Context, opts *domainsRegisterOptions) (err error) {
	defer func() { err = explain(err) }()
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	reg, _, err := c.SSO().RegisterDomain(ctx, opts.Provider, opts.Domain)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	rec := txtRecord{Domain: reg.Domain, ProviderID: opts.Provider, RecordName: dnscheck.RecordName(reg.Domain), RecordType: "TXT", Token: reg.Token}
	if err := output.PrintObject(opts.IO, opts.Format, txtSpec(), opts.Now, rec); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Publish the TXT record %s with the value above (shown only this once), then run:\n  kernia-admin sso domains verify %s --token-file FILE\n", rec.RecordName, rec.Domain)
	return nil
}

type domainsVerifyOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Getenv    func(string) string
	Now       func() time.Time
	Format    output.Format

	Domain       string
	TokenStdin   bool
	TokenFile    string
	DNSServer    string
	SkipDNSCheck bool
	Timeout      time.Duration
	DryRun       bool
}

// verifyResult is verify's output.
type verifyResult struct {
	Domain     string `json:"domain"`
	Verified   bool   `json:"verified"`
	RecordName string `json:"recordName"`
	DNSChecked bool   `json:"dnsChecked"`
	DNSServer  string `json:"dnsServer,omitempty"`
}

func verifySpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Domain", Field: "domain"},
		{Header: "Verified", Field: "verified", Kind: output.Bool},
		{Header: "Record", Field: "recordName"},
		{Header: "DNS checked", Field: "dnsChecked", Kind: output.Bool},
		{Header: "DNS server", Field: "dnsServer"},
	}}
}

func newCmdDomainsVerify(f *cmdutil.Factory, runF func(*domainsVerifyOptions) error) *cobra.Command {
	opts := &domainsVerifyOptions{IO: f.IOStreams, APIClient: f.APIClient, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "verify DOMAIN (--token-stdin | --token-file FILE)",
		Short: "Check the domain's TXT record, then mark it verified",
		Long: heredoc.Doc(`
			Look up the TXT record _better-auth-token.DOMAIN and, only if one of its values is
			the verification token (given on stdin or in a file, never as a flag), call the
			server's verify-domain. A missing record, or one without the token, exits 6 and the
			server is not called. A failed lookup (timeout, refused) exits 7.

			The lookup uses the system resolver, or the DNS server --dns-server HOST:PORT
			(env KERNIA_DNS_SERVER), e.g. the domain's authoritative server to avoid caches.

			--skip-dns-check calls verify-domain without looking at DNS, for an operator who
			checked the record by other means and attests to it.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sso domains verify acme.test --token-file acme.token
			$ kernia-admin sso domains verify acme.test --token-file acme.token --dns-server 8.8.8.8:53
			$ printf '%s' "$TOKEN" | kernia-admin sso domains verify acme.test --token-stdin --skip-dns-check
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := normalizeDomain(args[0])
			if err != nil {
				return err
			}
			opts.Domain = d
			if opts.TokenStdin == (opts.TokenFile != "") {
				return cmdutil.FlagErrorf("give the verification token with exactly one of --token-stdin and --token-file FILE")
			}
			if opts.SkipDNSCheck && cmd.Flags().Changed("dns-server") {
				return cmdutil.FlagErrorf("--skip-dns-check and --dns-server cannot be used together")
			}
			if opts.DNSServer == "" && !opts.SkipDNSCheck {
				opts.DNSServer = opts.Getenv(envDNSServer)
			}
			if opts.DNSServer != "" && !opts.SkipDNSCheck {
				if !strings.Contains(opts.DNSServer, ":") {
					opts.DNSServer += ":53"
				}
			}
			if opts.Timeout <= 0 {
				return cmdutil.FlagErrorf("invalid --dns-timeout: must be positive")
			}
			if runF != nil {
				return runF(opts)
			}
			return domainsVerifyRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.TokenStdin, "token-stdin", false, "Read the verification token from stdin")
	fl.StringVar(&opts.TokenFile, "token-file", "", "Read the verification token from `FILE`")
	fl.StringVar(&opts.DNSServer, "dns-server", "", "Ask this DNS server, `HOST:PORT` (env KERNIA_DNS_SERVER; default: the system resolver)")
	fl.DurationVar(&opts.Timeout, "dns-timeout", 5*time.Second, "Bound the DNS lookup")
	fl.BoolVar(&opts.SkipDNSCheck, "skip-dns-check", false, "Do not look at DNS: attest that the record was checked by hand")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Check DNS and print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func readToken(opts *domainsVerifyOptions) (string, error) {
	if opts.TokenStdin {
		return cmdutil.ReadSecret(opts.IO.In, "verification token")
	}
	b, err := os.ReadFile(opts.TokenFile)
	if err != nil {
		return "", cmdutil.FlagErrorf("--token-file: %v", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", cmdutil.FlagErrorf("--token-file %s is empty", opts.TokenFile)
	}
	return t, nil
}

func domainsVerifyRun(ctx context.Context, opts *domainsVerifyOptions) (err error) {
	defer func() { err = explain(err) }()
	token, err := readToken(opts)
	if err != nil {
		return err
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	c.Scrubber().Add(token)
	res := verifyResult{Domain: opts.Domain, RecordName: dnscheck.RecordName(opts.Domain)}
	if opts.SkipDNSCheck {
		fmt.Fprintf(opts.IO.ErrOut, "warning: --skip-dns-check: not looking up %s; you attest that it holds the token\n", res.RecordName)
	} else {
		r := dnscheck.Resolver{Server: opts.DNSServer, Timeout: opts.Timeout}
		res.DNSServer = opts.DNSServer
		chk, err := r.Check(ctx, opts.Domain, token)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			where := "the system resolver"
			if opts.DNSServer != "" {
				where = opts.DNSServer
			}
			return cmdutil.Errorf(cmdutil.ExitNetwork, "check --dns-server, or use --skip-dns-check if you verified the record by other means",
				"DNS lookup of %s TXT failed (%s): %v; verify-domain was not called", res.RecordName, where, err)
		}
		switch {
		case chk.Found == 0:
			return cmdutil.Errorf(cmdutil.ExitConflict, "publish the record from `kernia-admin sso domains register`, wait for DNS to update, and try again",
				"no TXT record %s found; the domain was not verified (verify-domain was not called)", res.RecordName)
		case !chk.Matched:
			return cmdutil.Errorf(cmdutil.ExitConflict, "the record must hold the token printed by `kernia-admin sso domains register` (registering again issues a new token)",
				"TXT record %s has %d value(s), none of them the verification token; the domain was not verified (verify-domain was not called)", res.RecordName, chk.Found)
		}
		res.DNSChecked = true
		fmt.Fprintf(opts.IO.ErrOut, "DNS: %s holds the verification token\n", res.RecordName)
	}
	v, _, err := c.SSO().VerifyDomain(ctx, opts.Domain, token)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	res.Verified = v.Verified
	if v.Domain != "" {
		res.Domain = v.Domain
	}
	return output.PrintObject(opts.IO, opts.Format, verifySpec(), opts.Now, res)
}

type domainsListOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format
	Provider  string
}

func domainListSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Domain", Field: "domain"},
		{Header: "Provider", Field: "ssoProviderId"},
		{Header: "Verified", Field: "verified", Kind: output.Bool},
		{Header: "Created", Field: "createdAt", Kind: output.Time},
	}}
}

func newCmdDomainsList(f *cmdutil.Factory, runF func(*domainsListOptions) error) *cobra.Command {
	opts := &domainsListOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List registered domains and whether they are verified",
		Long: heredoc.Doc(`
			List registered SSO domains with their verification state (never their tokens).
			Kernia has no route for this: it reads the dashboard route GET /api/admin/sso/domains,
			and a server without the dashboard "sso-domains" family exits 9.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sso domains list
			$ kernia-admin sso domains list --provider 3kD9... --jq '.[] | select(.verified | not) | .domain'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return domainsListRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Provider, "provider", "", "Only the domains of provider `ID`")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func domainsListRun(ctx context.Context, opts *domainsListOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	ok, err := c.Admin.HasFamily(ctx, apiclient.SSODomainsFamily)
	if err != nil {
		return err
	}
	if !ok {
		return &cmdutil.UnavailableError{Feature: "a list of SSO domains (the dashboard \"sso-domains\" family)",
			Hint: "Kernia has no route that lists domains or their verification state"}
	}
	ds, _, err := c.SSO().ListDomains(ctx, opts.Provider)
	if err != nil {
		return err
	}
	list := output.NewList(opts.IO, opts.Format, domainListSpec(), opts.Now)
	for i := range ds {
		if err := list.Add(&ds[i]); err != nil {
			return err
		}
	}
	return list.Close()
}
