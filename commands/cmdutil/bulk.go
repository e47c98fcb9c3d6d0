package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/output"
)

// BulkResult is one line of a bulk operation's output.
type BulkResult struct {
	ID     string `json:"id"`
	Status string `json:"status"` // "ok", "planned" (dry run) or "failed"
	Exit   int    `json:"exitCode"`
	Error  string `json:"error,omitempty"`
	Result any    `json:"result,omitempty"`
}

// BulkSpec is the table layout of bulk results.
func BulkSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Status", Field: "status"},
		{Header: "Error", Field: "error"},
	}}
}

// BulkOptions configure RunBulk.
type BulkOptions struct {
	IO          *output.IOStreams
	Format      output.Format
	Now         func() time.Time
	Concurrency int
	Label       string
	Auth        AuthContext
	// Spec is the table layout of the results; BulkSpec() when it has no columns.
	Spec output.Spec
}

// RunBulk applies fn to every id with bounded concurrency, prints one result per item as it
// completes (JSON Lines with --jsonl), draws a progress bar on a TTY, and returns a
// *PartialError when any item failed. A single id returns its own error instead, so its
// exit code is the specific one (5 for a missing user, and so on).
func RunBulk(ctx context.Context, o BulkOptions, ids []string, fn func(ctx context.Context, id string) (any, error)) error {
	if len(ids) == 0 {
		return FlagErrorf("no ids given: pass them as arguments or with --from-file FILE|-")
	}
	if o.Concurrency < 1 {
		o.Concurrency = 1
	}
	spec := o.Spec
	if len(spec.Columns) == 0 {
		spec = BulkSpec()
	}
	if len(ids) == 1 {
		res, err := fn(ctx, ids[0])
		var dry *apiclient.DryRunError
		if errors.As(err, &dry) {
			return output.PrintObject(o.IO, o.Format, spec, o.Now, BulkResult{ID: ids[0], Status: "planned", Result: dry.Planned})
		}
		if err != nil {
			return err
		}
		return output.PrintObject(o.IO, o.Format, spec, o.Now, BulkResult{ID: ids[0], Status: "ok", Result: res})
	}

	list := output.NewList(o.IO, o.Format, spec, o.Now)
	bar := output.NewProgress(o.IO, len(ids), o.Label)
	var (
		mu       sync.Mutex
		failed   int
		printErr error
	)
	work := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < o.Concurrency && w < len(ids); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				res, err := fn(ctx, id)
				r := BulkResult{ID: id, Status: "ok", Result: res}
				var dry *apiclient.DryRunError
				switch {
				case errors.As(err, &dry):
					r.Status, r.Result = "planned", dry.Planned
				case err != nil:
					code, msg, _ := Describe(err, o.Auth)
					r.Status, r.Exit, r.Error, r.Result = "failed", code, msg, nil
				}
				mu.Lock()
				if r.Status == "failed" {
					failed++
				}
				if e := list.Add(r); e != nil && printErr == nil {
					printErr = e
				}
				bar.Add(1)
				mu.Unlock()
			}
		}()
	}
feed:
	for _, id := range ids {
		select {
		case <-ctx.Done():
			break feed
		case work <- id:
		}
	}
	close(work)
	wg.Wait()
	bar.Done()
	if err := list.Close(); err != nil && printErr == nil {
		printErr = err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if printErr != nil {
		return printErr
	}
	if o.IO.IsStderrTTY() {
		fmt.Fprintf(o.IO.ErrOut, "%s: %d ok, %d failed\n", o.Label, len(ids)-failed, failed)
	}
	if failed > 0 {
		return &PartialError{Failed: failed, Total: len(ids)}
	}
	return nil
}

// ConfirmOptions configure Confirm.
type ConfirmOptions struct {
	Yes    bool   // --yes was given
	Action string // "delete 3 users"
	// Typed, when set, must be typed back exactly instead of a yes/no answer.
	Typed string
}

// Confirm asks before a destructive action. Without a terminal (or with --no-input) it
// refuses unless --yes was given: exit 2, nothing sent.
func (f *Factory) Confirm(ctx context.Context, o ConfirmOptions) error {
	if o.Yes {
		return nil
	}
	if !f.IOStreams.CanPrompt() {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("refusing to %s without confirmation: not an interactive terminal", o.Action), Hint: "pass --yes to confirm"}
	}
	if o.Typed != "" {
		if err := f.Prompter.ConfirmTyped(ctx, fmt.Sprintf("This will %s.", o.Action), o.Typed); err != nil {
			return ErrCancelled
		}
		return nil
	}
	ok, err := f.Prompter.Confirm(ctx, fmt.Sprintf("Really %s?", o.Action), false)
	if err != nil || !ok {
		return ErrCancelled
	}
	return nil
}
