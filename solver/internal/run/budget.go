package solver

import (
	"context"
	"fmt"
	"time"
)

// Progress is one report of a running solve, passed to Settings.Progress.
type Progress struct {
	// Method names the method that is running, e.g. "interior-point (max)"
	// or "lp_solve working set".
	Method string
	// Iteration counts the method's iterations (or working-set rounds).
	Iteration int
	// Lower and Upper are the best certified interval for gamma_N found so
	// far, on the caller's data; both are NaN while none is known.
	Lower, Upper float64
	// Elapsed is the time since the solve started.
	Elapsed time.Duration
}

// budget is what every method checks between its iterations: the deadline
// of Settings.Timeout, the cancellation of MaxMarginContext's context, and
// the Settings.Progress callback; and the Settings.Trace callback.
type budget struct {
	ctx      context.Context
	start    time.Time
	deadline time.Time // zero for none
	progress func(Progress)
	trace    func(string)
}

// newBudget returns the budget of a solve started at start with settings
// set under ctx (nil means context.Background()).
func newBudget(ctx context.Context, set Settings, start time.Time) *budget {
	if ctx == nil {
		ctx = context.Background()
	}
	b := &budget{ctx: ctx, start: start, progress: set.Progress, trace: set.Trace}
	if set.Timeout > 0 {
		b.deadline = start.Add(set.Timeout)
	}
	if d, ok := ctx.Deadline(); ok && (b.deadline.IsZero() || d.Before(b.deadline)) {
		b.deadline = d
	}
	return b
}

// unlimited is the budget of a solve with no limit and no progress: for
// tests and internal sub-solves.
func unlimited() *budget { return newBudget(nil, Settings{}, time.Now()) }

// stop returns the *StatusError that ends method: status TIMEOUT past the
// deadline, CANCELLED once the context is done, nil otherwise.
func (b *budget) stop(method string) error {
	if b == nil {
		return nil
	}
	if !b.deadline.IsZero() && time.Now().After(b.deadline) {
		return &StatusError{Status: "TIMEOUT", Method: method}
	}
	if b.ctx.Err() != nil {
		if b.ctx.Err() == context.DeadlineExceeded {
			return &StatusError{Status: "TIMEOUT", Method: method}
		}
		return &StatusError{Status: "CANCELLED", Method: method}
	}
	return nil
}

// remaining returns the time left before the deadline, and false when
// there is no deadline.
func (b *budget) remaining() (time.Duration, bool) {
	if b == nil || b.deadline.IsZero() {
		return 0, false
	}
	return time.Until(b.deadline), true
}

// report passes p, with Elapsed filled in, to the progress callback if any.
func (b *budget) report(p Progress) {
	if b == nil || b.progress == nil {
		return
	}
	p.Elapsed = time.Since(b.start)
	b.progress(p)
}

// tracing reports whether a Settings.Trace callback is set, so that a
// method computes what it traces only then.
func (b *budget) tracing() bool { return b != nil && b.trace != nil }

// tracef formats a line for the Settings.Trace callback, if any.
func (b *budget) tracef(format string, args ...any) {
	if !b.tracing() {
		return
	}
	b.trace(fmt.Sprintf(format, args...))
}
