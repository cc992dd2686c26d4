package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"maxmargin/solver"
)

// digitsCSV is scikit-learn's 8x8 digits (1797 x 64, k = 10): its l3 solve
// takes tens of seconds, long enough to be stopped.
const digitsCSV = "../../internal/corpus/data/digits.csv"

// stoppedResult checks the output of a solve stopped by its time limit or
// a signal: exit status 1, one line on stderr naming the reason and the
// interval, and the JSON result with "certified": false and a certified
// interval (lower <= upper, or lower 0 and upper null when no interval was
// certified yet: gamma_N >= 0 is all that is known then).
func stoppedResult(t *testing.T, code int, stdout, stderr, reason string) {
	t.Helper()
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	require.Len(t, lines, 1, "one line on stderr: %q", stderr)
	assert.Contains(t, lines[0], reason)
	assert.Contains(t, lines[0], "best certified interval gamma_l3 in [")
	var got struct {
		Lower     float64  `json:"lower"`
		Upper     *float64 `json:"upper"`
		Certified bool     `json:"certified"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &got), "the best interval must be printed: %q", stdout)
	assert.False(t, got.Certified)
	assert.GreaterOrEqual(t, got.Lower, 0.0)
	if got.Upper == nil {
		assert.Zero(t, got.Lower)
	} else {
		assert.LessOrEqual(t, got.Lower, *got.Upper)
	}
}

// TestSolveTimeLimit stops the long digits solve after 800 ms: the best
// certified interval so far is printed and the exit status is 1.
func TestSolveTimeLimit(t *testing.T) {
	start := time.Now()
	code, out, errw := runCLI("solve", "--norm", "l3", "--time-limit", "800ms", "--json", digitsCSV)
	took := time.Since(start)
	stoppedResult(t, code, out, errw, "time limit 800ms reached")
	// One Newton step of the l3 method (a 641-square factorisation) is
	// the granularity of the limit; 10 s leaves room for a loaded machine.
	assert.Less(t, took, 10*time.Second)
}

// TestSolveInterrupt sends SIGINT to a long solve in a child process: it
// must stop within two seconds, print the best certified interval as JSON
// and exit 1 with one line saying it was interrupted.
func TestSolveInterrupt(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := child(t, nil, "solve", "--norm", "l3", "--json", digitsCSV)
			var out, errw bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errw
			require.NoError(t, cmd.Start())
			time.Sleep(2 * time.Second)
			sent := time.Now()
			require.NoError(t, cmd.Process.Signal(sig))
			err := cmd.Wait()
			took := time.Since(sent)
			assert.Less(t, took, 2*time.Second, "stopping took %v", took)
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			stoppedResult(t, ee.ExitCode(), out.String(), errw.String(), "interrupted")
		})
	}
}

// TestSolveCancelledText checks the text output of a cancelled solve: the
// interval and "certified false" are printed.
func TestSolveCancelledText(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errw bytes.Buffer
	err := solve(ctx, []string{"--norm", "l3", wineCSV}, &out, &errw, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "interrupted: best certified interval gamma_l3 in [0, +Inf]")
	assert.Contains(t, out.String(), "certified           false")
	assert.Contains(t, out.String(), "certified interval  [0, +Inf]")
}

// TestProgressPrinter drives the progress display with an injected clock
// and writer: nothing in the first second, then one line rewritten in
// place at most every 250 ms, erased at the end.
func TestProgressPrinter(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	var buf bytes.Buffer
	p := newProgressPrinter(&buf, clock.now)
	report := func(after time.Duration, it int, lo, up float64) {
		clock.t = time.Unix(1000, 0).Add(after)
		p.update(solver.Progress{Method: "SDP interior-point method (spectral)", Iteration: it, Lower: lo, Upper: up})
	}
	report(500*time.Millisecond, 1, math.NaN(), math.NaN())
	assert.Empty(t, buf.String(), "nothing during the first second")
	report(1100*time.Millisecond, 2, math.NaN(), math.NaN())
	assert.Equal(t, "\r1.1s SDP interior-point method (spectral), iteration 2: no certified interval yet\x1b[K", buf.String())
	buf.Reset()
	report(1200*time.Millisecond, 3, 0.25, 0.5)
	assert.Empty(t, buf.String(), "at most one line every 250 ms")
	report(1400*time.Millisecond, 4, 0.25, 0.5)
	// width 0.5 - 0.25 = 0.25
	assert.Equal(t, "\r1.4s SDP interior-point method (spectral), iteration 4: certified [0.25, 0.5] width 0.25\x1b[K", buf.String())
	buf.Reset()
	p.clear()
	assert.Equal(t, "\r\x1b[K", buf.String())

	// A solve shorter than a second prints nothing, not even the erasure.
	var quiet bytes.Buffer
	var nilPrinter *progressPrinter
	nilPrinter.update(solver.Progress{}) // a nil printer does nothing
	nilPrinter.clear()
	code := 0
	if err := solve(context.Background(), []string{"--norm", "fro", wineCSV}, &bytes.Buffer{}, &bytes.Buffer{}, &quiet); err != nil {
		code = 1
	}
	assert.Equal(t, 0, code)
	assert.Empty(t, quiet.String())
}

// TestSolveProgressLong checks that a solve longer than a second writes
// progress lines naming the method to the progress writer.
func TestSolveProgressLong(t *testing.T) {
	var progress bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	err := solve(ctx, []string{"--norm", "l3", "--json", digitsCSV}, &bytes.Buffer{}, &bytes.Buffer{}, &progress)
	require.Error(t, err)
	assert.Contains(t, progress.String(), "primal-dual barrier method (l3), iteration ")
	assert.True(t, strings.HasSuffix(progress.String(), "\r\x1b[K"), "the line is erased at the end")
}
