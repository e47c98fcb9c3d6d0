package output

import (
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress reports the advance of a bulk operation on stderr. It draws a bar
// only when stderr is a terminal; otherwise every method is a no-op. A nil
// *Progress is a valid no-op too. Safe for concurrent use.
type Progress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// NewProgress starts a progress bar of total steps (total <= 0: unknown,
// a spinner) labelled label.
func NewProgress(ios *IOStreams, total int, label string) *Progress {
	if !ios.IsStderrTTY() {
		return &Progress{}
	}
	if total <= 0 {
		total = -1
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(ios.ErrOut),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(65*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionEnableColorCodes(false),
		progressbar.OptionSetPredictTime(true),
	)
	return &Progress{bar: bar}
}

// Add advances the bar by n steps.
func (p *Progress) Add(n int) {
	if p == nil || p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Add(n)
}

// Done finishes and clears the bar. Further calls do nothing.
func (p *Progress) Done() {
	if p == nil || p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Finish()
	_ = p.bar.Clear()
	_ = p.bar.Exit()
	p.bar = nil
}
