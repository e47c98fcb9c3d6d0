package users

import (
	"context"
	"time"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

// bulkRun configures runBulk.
type bulkRun struct {
	IO          *output.IOStreams
	Format      output.Format
	Now         func() time.Time
	Auth        func() cmdutil.AuthContext
	Concurrency int
	Label       string
	DryRun      bool
	Plan        *cmdutil.Plan
	// Spec is the table layout of the results (cmdutil.BulkSpec() when empty).
	Spec output.Spec
}

// runBulk runs fn over refs with cmdutil.RunBulk (one result per user, exit 8 on partial
// failure, the specific exit code for a single user), explaining permission refusals in one
// line, and notes on stderr how many requests a dry run did not send.
func runBulk(ctx context.Context, o bulkRun, refs []string, fn func(context.Context, string) (any, error)) error {
	var ac cmdutil.AuthContext
	if o.Auth != nil {
		ac = o.Auth()
	}
	spec := o.Spec
	if o.DryRun {
		spec = planBulkSpec()
	}
	err := cmdutil.RunBulk(ctx, cmdutil.BulkOptions{
		IO: o.IO, Format: o.Format, Now: o.Now, Concurrency: o.Concurrency, Label: o.Label, Auth: ac, Spec: spec,
	}, refs, func(ctx context.Context, ref string) (any, error) {
		res, err := fn(ctx, ref)
		return res, explain(err)
	})
	if o.DryRun && o.Plan != nil {
		o.Plan.Note(o.IO)
	}
	return err
}

// planBulkSpec shows the planned request of each item of a dry run.
func planBulkSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Status", Field: "status"},
		{Header: "Method", Field: "result.method"},
		{Header: "Path", Field: "result.path"},
		{Header: "Body", Field: "result.body"},
		{Header: "Error", Field: "error"},
	}}
}

// banBulkSpec shows each user's ban state after ban and unban.
func banBulkSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Status", Field: "status"},
		{Header: "Email", Field: "result.email"},
		{Header: "Banned", Field: "result.banned", Kind: output.Bool},
		{Header: "Ban expires", Field: "result.banExpires", Kind: output.Time},
		{Header: "Error", Field: "error"},
	}}
}
