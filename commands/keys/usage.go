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

type usageOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	ID      string
	Limit   int
	History bool
}

// usageView is the table model of a usage report.
type usageView struct {
	*apiclient.KeyUsage
	Remaining string `json:"remaining"`
	RateLimit string `json:"rateLimit"`
	Window    string `json:"window"`
}

func usageSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Key ID", Field: "keyId"},
		{Header: "Requests", Field: "requestCount"},
		{Header: "Remaining", Field: "remaining"},
		{Header: "Last request", Field: "lastRequest", Kind: output.Time},
		{Header: "Rate limit", Field: "rateLimit"},
		{Header: "Window started", Field: "windowStart", Kind: output.Time},
		{Header: "Requests in window", Field: "window"},
	}}
}

func historySpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "At", Field: "at", Kind: output.Time},
		{Header: "Path", Field: "path"},
		{Header: "Status", Field: "status"},
	}}
}

func newCmdUsage(f *cmdutil.Factory, runF func(*usageOptions) error) *cobra.Command {
	opts := &usageOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "usage ID",
		Short: "Show an API key's usage: requests, quota, rate-limit window, history",
		Long: heredoc.Doc(`
			Show how key ID has been used: its request count, remaining quota, last request,
			the current rate-limit window (when it started and how many requests it holds),
			and the most recent requests (--limit of them), newest first.

			On a terminal or in a pipe the summary is followed by the history table;
			--history prints the history alone (one request a line, for scripts). --json
			prints the whole report, durations in milliseconds as on the wire.

			Kernia keeps no usage history: this reads the dashboard route
			GET /api/admin/api-keys/usage, and a server without the "keys" family exits 9.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin keys usage 4pQx9...
			$ kernia-admin keys usage 4pQx9... --history --limit 100
			$ kernia-admin keys usage 4pQx9... --jq .requestCount
		`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if opts.Limit < 1 || opts.Limit > 1000 {
				return cmdutil.FlagErrorf("invalid --limit %d: must be between 1 and 1000", opts.Limit)
			}
			if runF != nil {
				return runF(opts)
			}
			return usageRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&opts.Limit, "limit", "L", 20, "Number of recent requests in the history")
	fl.BoolVar(&opts.History, "history", false, "Print only the request history")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func usageRun(ctx context.Context, opts *usageOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	if err := requireKeysFamily(ctx, c, "API-key usage history (the dashboard \"keys\" family)",
		"Kernia keeps only a request count and last-request time: see `kernia-admin keys view ID`"); err != nil {
		return err
	}
	u, _, err := c.APIKeys().Usage(ctx, opts.ID, opts.Limit)
	if err != nil {
		return err
	}
	if opts.History {
		list := output.NewList(opts.IO, opts.Format, historySpec(), opts.Now)
		for i := range u.History {
			if err := list.Add(&u.History[i]); err != nil {
				return err
			}
		}
		return list.Close()
	}
	if opts.Format.Machine() {
		return output.PrintObject(opts.IO, opts.Format, usageSpec(), opts.Now, u)
	}
	v := usageView{KeyUsage: u, Remaining: "unlimited", RateLimit: "off", Window: fmt.Sprint(u.WindowRequests)}
	if u.Remaining != nil {
		v.Remaining = fmt.Sprint(*u.Remaining)
	}
	if u.RateLimitEnabled {
		v.RateLimit = rateText(u.RateLimitMax, u.RateLimitTimeWindow)
		if u.RateLimitMax != nil {
			v.Window = fmt.Sprintf("%d of %d", u.WindowRequests, *u.RateLimitMax)
		}
	}
	if err := output.PrintObject(opts.IO, opts.Format, usageSpec(), opts.Now, v); err != nil {
		return err
	}
	if len(u.History) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "No requests recorded yet.")
		return nil
	}
	fmt.Fprintln(opts.IO.Out)
	list := output.NewList(opts.IO, opts.Format, historySpec(), opts.Now)
	for i := range u.History {
		if err := list.Add(&u.History[i]); err != nil {
			return err
		}
	}
	return list.Close()
}
