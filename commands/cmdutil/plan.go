package cmdutil

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/output"
)

// Plan collects the mutations a --dry-run command would have sent. Reads still go out (so
// ids resolve and the plan is real); every other request is recorded instead of sent, in
// apiclient, so a dry run cannot mutate anything whatever the command does.
//
//	plan := &cmdutil.Plan{}
//	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
//	_, _, err = c.Users.Create(ctx, req)
//	if plan.Handled(err) { return plan.Print(opts.IO, opts.Format, opts.Now) }
type Plan struct {
	mu   sync.Mutex
	reqs []apiclient.PlannedRequest
}

// Options returns the client option that turns dry-run on, or none when dryRun is false.
func (p *Plan) Options(dryRun bool) []apiclient.Option {
	if !dryRun {
		return nil
	}
	return []apiclient.Option{apiclient.WithDryRun(p.record)}
}

func (p *Plan) record(r apiclient.PlannedRequest) {
	p.mu.Lock()
	p.reqs = append(p.reqs, r)
	p.mu.Unlock()
}

// Requests returns what was recorded.
func (p *Plan) Requests() []apiclient.PlannedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]apiclient.PlannedRequest(nil), p.reqs...)
}

// Handled reports whether err is the dry-run stop (so the command should print the plan).
func (p *Plan) Handled(err error) bool {
	var dry *apiclient.DryRunError
	return errors.As(err, &dry)
}

// PlanSpec is the table layout of planned requests.
func PlanSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "Method", Field: "method"},
		{Header: "Path", Field: "path"},
		{Header: "Body", Field: "body"},
	}}
}

// Print writes the planned requests (redacted, like every output) to stdout and a note to
// stderr.
func (p *Plan) Print(ios *output.IOStreams, f output.Format, now func() time.Time) error {
	reqs := p.Requests()
	list := output.NewList(ios, f, PlanSpec(), now)
	for _, r := range reqs {
		if err := list.Add(r); err != nil {
			return err
		}
	}
	if err := list.Close(); err != nil {
		return err
	}
	p.Note(ios)
	return nil
}

// Note tells stderr how many requests the dry run held back (for commands that print the
// plan themselves, per item).
func (p *Plan) Note(ios *output.IOStreams) {
	fmt.Fprintf(ios.ErrOut, "dry run: %d request(s) not sent\n", len(p.Requests()))
}
