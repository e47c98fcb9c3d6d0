package users

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// userFields are the columns a search, filter or sort may name (both servers have them).
func userFields() []string {
	return []string{"id", "email", "name", "role", "banned", "banReason", "banExpires", "emailVerified", "image", "createdAt", "updatedAt"}
}

func searchOperators() []string { return []string{"contains", "starts_with", "ends_with", "eq"} }

func filterOperators() []string {
	return []string{"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "starts_with", "ends_with"}
}

type listOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Search         string
	SearchField    string
	SearchOperator string
	Filter         string
	FilterOperator string
	Sort           string
	Limit          int
	Offset         int
	All            bool
	PageSize       int
}

func newCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List and search users",
		Long: heredoc.Doc(`
			List users, searched, filtered and sorted by the server.

			--search matches --search-field (email or name) with --search-operator.
			--filter FIELD=VALUE compares a column with --filter-op (eq by default; for in and
			not_in give comma-separated values). Dates may be given as RFC 3339 or YYYY-MM-DD.
			--sort FIELD sorts ascending, --sort -FIELD descending.

			--all streams every page (memory does not grow with the number of users); otherwise
			at most --limit users are shown.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users list --search alice
			$ kernia-admin users list --search example.org --search-operator ends_with
			$ kernia-admin users list --filter role=admin
			$ kernia-admin users list --filter banned=true --sort -createdAt
			$ kernia-admin users list --filter createdAt=2026-11-01 --filter-op gte
			$ kernia-admin users list --all --jsonl > users.jsonl
			$ kernia-admin users list --all --json --jq 'map(.email)'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.All && cmd.Flags().Changed("limit") {
				return cmdutil.FlagErrorf("--all and --limit cannot be used together")
			}
			if opts.Limit < 1 {
				return cmdutil.FlagErrorf("invalid --limit %d: must be at least 1", opts.Limit)
			}
			if opts.Offset < 0 {
				return cmdutil.FlagErrorf("invalid --offset %d", opts.Offset)
			}
			if opts.PageSize < 1 || opts.PageSize > 10000 {
				return cmdutil.FlagErrorf("invalid --page-size %d: must be between 1 and 10000", opts.PageSize)
			}
			if _, err := opts.query(apiclient.DialectKernia); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Search, "search", "s", "", "Search for `VALUE` in --search-field")
	fl.StringVar(&opts.SearchField, "search-field", "email", "Field to search: email or name")
	fl.StringVar(&opts.SearchOperator, "search-operator", "contains", "contains, starts_with, ends_with or eq")
	fl.StringVar(&opts.Filter, "filter", "", "Filter `FIELD=VALUE`")
	fl.StringVar(&opts.FilterOperator, "filter-op", "eq", "Filter operator: "+strings.Join(filterOperators(), ", "))
	fl.StringVar(&opts.Sort, "sort", "", "Sort by `FIELD` (prefix - for descending)")
	fl.IntVarP(&opts.Limit, "limit", "L", 50, "Maximum number of users to show")
	fl.IntVar(&opts.Offset, "offset", 0, "Skip this many users")
	fl.BoolVar(&opts.All, "all", false, "Stream every matching user, page by page")
	fl.IntVar(&opts.PageSize, "page-size", 500, "Users per request with --all")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func (o *listOptions) query(d apiclient.Dialect) (apiclient.ListUsersOptions, error) {
	q := apiclient.ListUsersOptions{Offset: o.Offset}
	if o.Search != "" {
		if o.SearchField != "email" && o.SearchField != "name" {
			return q, cmdutil.FlagErrorf("invalid --search-field %q: use email or name", o.SearchField)
		}
		if !slices.Contains(searchOperators(), o.SearchOperator) {
			return q, cmdutil.FlagErrorf("invalid --search-operator %q: use %s", o.SearchOperator, strings.Join(searchOperators(), ", "))
		}
		q.SearchValue, q.SearchField, q.SearchOperator = o.Search, o.SearchField, o.SearchOperator
	}
	if o.Filter != "" {
		field, value, ok := strings.Cut(o.Filter, "=")
		field = strings.TrimSpace(field)
		if !ok || field == "" {
			return q, cmdutil.FlagErrorf("invalid --filter %q: use FIELD=VALUE", o.Filter)
		}
		if !slices.Contains(userFields(), field) {
			return q, cmdutil.FlagErrorf("invalid --filter field %q: use one of %s", field, strings.Join(userFields(), ", "))
		}
		if !slices.Contains(filterOperators(), o.FilterOperator) {
			return q, cmdutil.FlagErrorf("invalid --filter-op %q: use one of %s", o.FilterOperator, strings.Join(filterOperators(), ", "))
		}
		v, err := filterValue(field, value, o.FilterOperator, d)
		if err != nil {
			return q, err
		}
		q.FilterField, q.FilterValue, q.FilterOperator = field, v, o.FilterOperator
	}
	if o.Sort != "" {
		field, desc := strings.CutPrefix(o.Sort, "-")
		if !slices.Contains(userFields(), field) {
			return q, cmdutil.FlagErrorf("invalid --sort field %q: use one of %s", field, strings.Join(userFields(), ", "))
		}
		q.SortBy, q.SortDirection = field, "asc"
		if desc {
			q.SortDirection = "desc"
		}
	}
	return q, nil
}

// filterValue types a filter value for its column: booleans, and dates as the server stores
// them (epoch seconds on Kernia, ISO strings on Better Auth).
func filterValue(field, raw, op string, d apiclient.Dialect) (any, error) {
	if op == "in" || op == "not_in" {
		var vals []any
		for _, part := range strings.Split(raw, ",") {
			v, err := filterValue(field, strings.TrimSpace(part), "eq", d)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		return vals, nil
	}
	switch field {
	case "banned", "emailVerified":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, cmdutil.FlagErrorf("invalid --filter value %q for %s: use true or false", raw, field)
		}
		return b, nil
	case "createdAt", "updatedAt", "banExpires":
		t, err := parseDate(raw)
		if err != nil {
			return nil, cmdutil.FlagErrorf("invalid --filter value %q for %s: use RFC 3339 or YYYY-MM-DD", raw, field)
		}
		if d == apiclient.DialectBetterAuth {
			return t.UTC().Format(time.RFC3339Nano), nil
		}
		return t.Unix(), nil
	}
	return raw, nil
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s)
}

func listRun(ctx context.Context, opts *listOptions) (err error) {
	defer func() { err = explain(err) }()
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	q, err := opts.query(c.ResolveDialect(ctx))
	if err != nil {
		return err
	}
	list := output.NewList(opts.IO, opts.Format, listSpec(), opts.Now)
	if opts.All {
		for u, err := range c.Users.ListAll(ctx, q, opts.PageSize) {
			if err != nil {
				return err
			}
			if err := list.Add(u); err != nil {
				return err
			}
		}
		return list.Close()
	}
	q.Limit = opts.Limit
	page, _, err := c.Users.List(ctx, q)
	if err != nil {
		return err
	}
	for i := range page.Users {
		if err := list.Add(&page.Users[i]); err != nil {
			return err
		}
	}
	if err := list.Close(); err != nil {
		return err
	}
	if shown := opts.Offset + len(page.Users); shown < page.Total && opts.IO.IsStderrTTY() && !opts.Format.Machine() {
		fmt.Fprintf(opts.IO.ErrOut, "Showing %d of %d users; use --all or --limit to see more\n", len(page.Users), page.Total)
	}
	return nil
}
