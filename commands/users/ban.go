package users

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type banOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Auth      func() cmdutil.AuthContext
	Now       func() time.Time
	Format    output.Format

	Refs    []string
	Bulk    bulkFlags
	Reason  string
	Expires string
	DryRun  bool

	expiresIn time.Duration
}

func newCmdBan(f *cmdutil.Factory, runF func(*banOptions) error) *cobra.Command {
	opts := &banOptions{IO: f.IOStreams, APIClient: f.APIClient, Auth: f.AuthContext, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "ban USER...",
		Short: "Ban users and end their sessions",
		Long: heredoc.Doc(`
			Ban one or more users. The server deletes every session of a banned user at once,
			and refuses their sign-in until the ban is lifted or expires.

			--expires takes a duration: 7d, 12h, 30m, 1d12h or any Go duration (90s, 1h30m).
			Without it the ban is permanent (unless the server has a default).

			Many users can be given as arguments and with --from-file (one id or email a line,
			- for stdin); they are processed --concurrency at a time, with one result per user
			(--jsonl streams them). The exit code is 8 if any user failed.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users ban alice@example.com --reason "chargeback" --expires 7d
			$ kernia-admin users ban 7f3kq2 9x2mzp --expires 12h
			$ kernia-admin users list --filter role=user --all --json --jq '.[].id' | kernia-admin users ban --from-file - --jsonl
			$ kernia-admin users ban bob@example.com --dry-run
		`),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Bulk.validate(); err != nil {
				return err
			}
			if opts.Expires != "" {
				d, err := parseExpires(opts.Expires)
				if err != nil {
					return err
				}
				opts.expiresIn = d
			}
			refs, err := cmdutil.ReadIDs(args, opts.Bulk.FromFile, opts.IO.In)
			if err != nil {
				return err
			}
			if len(refs) == 0 {
				return cmdutil.FlagErrorf("no users given: pass ids or emails as arguments or with --from-file FILE|-")
			}
			opts.Refs = refs
			if runF != nil {
				return runF(opts)
			}
			return banRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Reason, "reason", "", "Reason stored with the ban")
	fl.StringVar(&opts.Expires, "expires", "", "Lift the ban after this `DURATION` (7d, 12h, 30m, ...)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the requests that would be sent, send nothing")
	opts.Bulk.register(cmd)
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func banRun(ctx context.Context, opts *banOptions) error {
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	err = runBulk(ctx, bulkRun{
		IO: opts.IO, Format: opts.Format, Now: opts.Now, Auth: opts.Auth,
		Concurrency: opts.Bulk.Concurrency, Label: "Banning", DryRun: opts.DryRun, Plan: plan, Spec: banBulkSpec(),
	}, opts.Refs, func(ctx context.Context, ref string) (any, error) {
		id, err := targetID(ctx, c, ref, opts.DryRun)
		if err != nil {
			return nil, err
		}
		u, _, err := c.Users.Ban(ctx, id, apiclient.BanOptions{Reason: opts.Reason, ExpiresIn: opts.expiresIn})
		return u, err
	})
	return err
}

var daysPrefix = regexp.MustCompile(`^(\d+)d(.*)$`)

// maxBan keeps durations far inside time.Duration (about 292 years).
const maxBan = 100 * 365 * 24 * time.Hour

// parseExpires parses a ban duration: a Go duration ("90s", "1h30m") optionally preceded by
// whole days ("7d", "1d12h"). It must be at least one second and is rounded to whole seconds
// (the wire unit of banExpiresIn).
func parseExpires(s string) (time.Duration, error) {
	bad := func(why string) error {
		return cmdutil.FlagErrorf("invalid --expires %q: %s (use e.g. 7d, 12h, 30m or 1d12h)", s, why)
	}
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, bad("empty")
	}
	var d time.Duration
	if m := daysPrefix.FindStringSubmatch(in); m != nil {
		days, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || days > int64(maxBan/(24*time.Hour)) {
			return 0, bad("too long")
		}
		d = time.Duration(days) * 24 * time.Hour
		in = m[2]
		if strings.HasPrefix(in, "-") || strings.HasPrefix(in, "+") {
			return 0, bad("not a duration")
		}
	}
	if in != "" {
		rest, err := time.ParseDuration(in)
		switch {
		case err != nil:
			return 0, bad("not a duration")
		case rest < 0:
			return 0, bad("must be positive")
		case rest > maxBan || d+rest > maxBan:
			return 0, bad("too long")
		}
		d += rest
	}
	d = d.Round(time.Second)
	if d < time.Second {
		return 0, bad("must be at least 1s")
	}
	return d, nil
}
