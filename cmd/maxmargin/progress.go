package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"maxmargin/solver"
)

// signalContext returns a context that SIGINT and SIGTERM cancel, for the
// commands that stop early and print what they have (solve, train and
// verify), and the function that releases it.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// isTerminal reports whether w is a character device (a terminal): the one
// place that decides whether progress lines that rewrite themselves are
// shown (train and solve). Pipes, files and buffers are not, so piped output
// and tests stay clean; /dev/null is one, which is harmless.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Progress display, for train and solve: nothing during the first
// progressDelay of a run, so short runs print nothing, then at most one
// line every progressEvery (four a second).
const (
	progressDelay = time.Second
	progressEvery = 250 * time.Millisecond
)

// progressPrinter writes solver progress to a terminal as one line
// rewritten in place ("\r", the line, and "\x1b[K" to erase the rest of
// the previous one): the method, its iteration, the best certified
// interval [L, U] so far and its width U - L. Solves shorter than
// progressDelay print nothing. A nil *progressPrinter does nothing.
type progressPrinter struct {
	w   io.Writer
	now func() time.Time
	mu  sync.Mutex
	// start is the time of the printer's creation, last that of the last
	// line written (zero for none).
	start, last time.Time
}

// newProgressPrinter returns a printer to w that reads the time from now.
func newProgressPrinter(w io.Writer, now func() time.Time) *progressPrinter {
	return &progressPrinter{w: w, now: now, start: now()}
}

// update is the solver.Settings.Progress callback.
func (p *progressPrinter) update(pr solver.Progress) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.now()
	if t.Sub(p.start) < progressDelay || (!p.last.IsZero() && t.Sub(p.last) < progressEvery) {
		return
	}
	p.last = t
	fmt.Fprintf(p.w, "\r%s\x1b[K", progressLine(pr, t.Sub(p.start)))
}

// clear erases the progress line, if one was written.
func (p *progressPrinter) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// progressLine formats one progress report.
func progressLine(pr solver.Progress, elapsed time.Duration) string {
	interval := "no certified interval yet"
	if !math.IsNaN(pr.Lower) && !math.IsNaN(pr.Upper) {
		interval = fmt.Sprintf("certified [%.10g, %.10g] width %.3g", pr.Lower, pr.Upper, pr.Upper-pr.Lower)
	}
	return fmt.Sprintf("%.1fs %s, iteration %d: %s", elapsed.Seconds(), pr.Method, pr.Iteration, interval)
}
