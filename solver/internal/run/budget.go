package run

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

// Budget is what every method checks between its iterations: the deadline
// of Settings.Timeout, the cancellation of MaxMarginContext's context, and
// the Settings.Progress callback; and the Settings.Trace callback. A nil
// *Budget has no limit, no progress and no trace.
type Budget struct {
	ctx      context.Context
	start    time.Time
	deadline time.Time // zero for none
	progress func(Progress)
	trace    func(string)
}

// NewBudget returns the budget of a solve started at start under ctx (nil
// means context.Background()), ending at start+timeout when timeout > 0 or
// at ctx's deadline, whichever comes first, and reporting to progress and
// trace when they are not nil.
func NewBudget(ctx context.Context, timeout time.Duration, progress func(Progress), trace func(string), start time.Time) *Budget {
	if ctx == nil {
		ctx = context.Background()
	}
	b := &Budget{ctx: ctx, start: start, progress: progress, trace: trace}
	if timeout > 0 {
		b.deadline = start.Add(timeout)
	}
	if d, ok := ctx.Deadline(); ok && (b.deadline.IsZero() || d.Before(b.deadline)) {
		b.deadline = d
	}
	return b
}

// Unlimited is the budget of a solve with no limit and no progress: for
// tests and internal sub-solves.
func Unlimited() *Budget { return NewBudget(nil, 0, nil, nil, time.Now()) }

// Stop returns the *StatusError that ends method: status TIMEOUT past the
// deadline, CANCELLED once the context is done, nil otherwise.
func (b *Budget) Stop(method string) error {
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

// Remaining returns the time left before the deadline, and false when
// there is no deadline.
func (b *Budget) Remaining() (time.Duration, bool) {
	if b == nil || b.deadline.IsZero() {
		return 0, false
	}
	return time.Until(b.deadline), true
}

// Reporting reports whether a progress callback is set, so that a method
// computes what it reports only then.
func (b *Budget) Reporting() bool { return b != nil && b.progress != nil }

// Watched reports whether the solve can be seen or stopped before it ends:
// a progress callback, a deadline or a context that can be cancelled. A
// method keeps its best result so far (the anytime result) only then.
func (b *Budget) Watched() bool {
	return b != nil && (b.progress != nil || !b.deadline.IsZero() || b.ctx.Done() != nil)
}

// Report passes p, with Elapsed filled in, to the progress callback if any.
func (b *Budget) Report(p Progress) {
	if b == nil || b.progress == nil {
		return
	}
	p.Elapsed = time.Since(b.start)
	b.progress(p)
}

// Tracing reports whether a Settings.Trace callback is set, so that a
// method computes what it traces only then.
func (b *Budget) Tracing() bool { return b != nil && b.trace != nil }

// Tracef formats a line for the Settings.Trace callback, if any.
func (b *Budget) Tracef(format string, args ...any) {
	if !b.Tracing() {
		return
	}
	b.trace(fmt.Sprintf(format, args...))
}
