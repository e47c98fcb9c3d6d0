package keys

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

// Kernia's default bounds on expiresIn (kernia-wire.md §6.3).
const (
	minExpires = 24 * time.Hour
	maxExpires = 365 * 24 * time.Hour
)

type createOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Name        string
	Prefix      string
	Expires     string
	Permissions string
	RateLimit   string
	Remaining   int64
	Refill      string
	Metadata    string
	User        string
	DryRun      bool

	expiresIn   int64
	permissions map[string][]string
	metadata    map[string]any
	rateOff     bool
	rateMax     int64
	rateWindow  time.Duration
	refillN     int64
	refillEvery time.Duration
	hasRemain   bool
}

// serverOnly reports whether a field Kernia refuses to a session was asked for.
func (o *createOptions) serverOnly() bool {
	return o.permissions != nil || o.RateLimit != "" || o.hasRemain || o.Refill != ""
}

func newCmdCreate(f *cmdutil.Factory, runF func(*createOptions) error) *cobra.Command {
	opts := &createOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an API key (the plaintext is shown once)",
		Long: heredoc.Doc(`
			Create an API key and print it, with its plaintext: the only time the key is ever
			shown (also in --json). Store it at once; no command can show it again.

			Without --user and without server-only settings the key is yours, made through
			Kernia's POST /api-key/create. --user USER (id or email), or any server-only
			setting (--permissions, --rate-limit, --remaining, --refill), goes through the
			dashboard route POST /api/admin/api-keys/create instead: Kernia refuses those
			settings to a signed-in caller. A server without the dashboard "keys" family exits 9.

			--expires takes a duration between 1d and 365d (30d, 12h is too short for Kernia).
			--rate-limit COUNT/WINDOW allows COUNT requests per WINDOW (100/1h), or "off".
			--refill COUNT/INTERVAL adds COUNT to --remaining every INTERVAL.
			--permissions is a JSON object of resource → actions; --metadata a JSON object.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin keys create --name ci --prefix ci_ --expires 30d
			$ kernia-admin keys create --name deploy --user ops@example.com --rate-limit 100/1h
			$ kernia-admin keys create --user 7f3kq2 --remaining 1000 --refill 1000/1d --permissions '{"users":["read"]}'
			$ kernia-admin keys create --name ci --json --jq .key > ci.key
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Name, "name", "", "Key name (1-32 characters)")
	fl.StringVar(&opts.Prefix, "prefix", "", "Key prefix, e.g. ci_ (1-32 characters)")
	fl.StringVar(&opts.Expires, "expires", "", "Expire after `DURATION` (1d to 365d; default: the server's)")
	fl.StringVar(&opts.Permissions, "permissions", "", "Permissions as a JSON object, e.g. '{\"users\":[\"read\"]}' (dashboard)")
	fl.StringVar(&opts.RateLimit, "rate-limit", "", "Allow `COUNT/WINDOW` requests, e.g. 100/1h, or off (dashboard)")
	fl.Int64Var(&opts.Remaining, "remaining", 0, "Total requests the key may make (dashboard)")
	fl.StringVar(&opts.Refill, "refill", "", "Add `COUNT/INTERVAL` to the remaining requests, e.g. 1000/1d (dashboard)")
	fl.StringVar(&opts.Metadata, "metadata", "", "Metadata as a JSON object")
	fl.StringVarP(&opts.User, "user", "u", "", "Create the key for `USER` (id or email) through the dashboard")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func (o *createOptions) parse(cmd *cobra.Command) error {
	if n := len(o.Name); cmd.Flags().Changed("name") && (n < 1 || n > 32) {
		return cmdutil.FlagErrorf("invalid --name: must be 1 to 32 characters")
	}
	if n := len(o.Prefix); cmd.Flags().Changed("prefix") && (n < 1 || n > 32) {
		return cmdutil.FlagErrorf("invalid --prefix: must be 1 to 32 characters")
	}
	if o.Expires != "" {
		d, err := parseDuration("--expires", o.Expires)
		if err != nil {
			return err
		}
		if d < minExpires || d > maxExpires {
			return cmdutil.FlagErrorf("invalid --expires %q: Kernia accepts 1d to 365d", o.Expires)
		}
		o.expiresIn = int64(d / time.Second)
	}
	if o.Permissions != "" {
		if err := parseJSONObject("--permissions", o.Permissions, &o.permissions); err != nil {
			return cmdutil.FlagErrorf("invalid --permissions: want a JSON object of resource to actions, e.g. '{\"users\":[\"read\"]}'")
		}
		if o.permissions == nil {
			o.permissions = map[string][]string{}
		}
	}
	if o.Metadata != "" {
		if err := parseJSONObject("--metadata", o.Metadata, &o.metadata); err != nil {
			return err
		}
		if o.metadata == nil {
			return cmdutil.FlagErrorf("invalid --metadata: want a JSON object")
		}
	}
	if o.RateLimit == "off" {
		o.rateOff = true
	} else if o.RateLimit != "" {
		n, w, err := parseRate("--rate-limit", o.RateLimit)
		if err != nil {
			return err
		}
		o.rateMax, o.rateWindow = n, w
	}
	if cmd.Flags().Changed("remaining") {
		if o.Remaining < 0 {
			return cmdutil.FlagErrorf("invalid --remaining %d: must not be negative", o.Remaining)
		}
		o.hasRemain = true
	}
	if o.Refill != "" {
		n, w, err := parseRate("--refill", o.Refill)
		if err != nil {
			return err
		}
		o.refillN, o.refillEvery = n, w
	}
	return nil
}

func createRun(ctx context.Context, opts *createOptions) (err error) {
	defer func() { err = explain(err) }()
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	var k *apiclient.APIKey
	if opts.User == "" && !opts.serverOnly() {
		k, _, err = c.APIKeys().Create(ctx, apiclient.CreateAPIKeyRequest{
			Name: opts.Name, Prefix: opts.Prefix, ExpiresIn: opts.expiresIn, Metadata: opts.metadata,
		})
	} else {
		k, err = createForUser(ctx, c, opts)
	}
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	if err := output.PrintObject(opts.IO, opts.Format, createdSpec(), opts.Now, record(opts.Format, k)); err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.ErrOut, saveNotice)
	return nil
}

func createForUser(ctx context.Context, c *apiclient.Client, opts *createOptions) (*apiclient.APIKey, error) {
	why := "keys for other users"
	if opts.User == "" {
		why = "server-only key settings (--permissions, --rate-limit, --remaining, --refill)"
	}
	if err := requireKeysFamily(ctx, c, why+" (the dashboard \"keys\" family)",
		"Kernia's own /api-key/create makes keys only for the signed-in caller and refuses server-only settings; drop --user and those flags, or add the dashboard routes to the server"); err != nil {
		return nil, err
	}
	var userID string
	if opts.User != "" {
		id, err := resolveUserID(ctx, c, opts.User)
		if err != nil {
			return nil, err
		}
		userID = id
	} else {
		s, _, err := c.Auth.GetSession(ctx)
		if err != nil {
			return nil, err
		}
		if s == nil || s.User.ID == "" {
			return nil, cmdutil.Errorf(cmdutil.ExitAuth, "run `kernia-admin auth login`, or pass --user USER", "cannot tell who is signed in, so the key has no owner")
		}
		userID = s.User.ID
	}
	req := apiclient.AdminCreateAPIKeyRequest{
		UserID: userID, Name: opts.Name, Prefix: opts.Prefix, ExpiresIn: opts.expiresIn,
		Permissions: opts.permissions, Metadata: opts.metadata,
	}
	switch {
	case opts.rateOff:
		req.RateLimitEnabled = apiclient.Ptr(false)
	case opts.rateMax > 0:
		req.RateLimitEnabled = apiclient.Ptr(true)
		req.RateLimitMax = apiclient.Ptr(opts.rateMax)
		req.RateLimitTimeWindow = apiclient.Ptr(opts.rateWindow.Milliseconds())
	}
	if opts.hasRemain {
		req.Remaining = apiclient.Ptr(opts.Remaining)
	}
	if opts.refillN > 0 {
		req.RefillAmount = apiclient.Ptr(opts.refillN)
		req.RefillInterval = apiclient.Ptr(opts.refillEvery.Milliseconds())
	}
	k, _, err := c.APIKeys().CreateForUser(ctx, req)
	return k, err
}
