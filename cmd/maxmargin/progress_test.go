package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// TestProgress drives the progress line with a fake clock: nothing during
// the first second, then step/total, the rate and the ETA at most every
// 250 ms, and a cleared line at the end.
func TestProgress(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	p := newProgress(&out, 100000, clock.now)

	clock.t = clock.t.Add(900 * time.Millisecond)
	p.report(9000)
	assert.Empty(t, out.String(), "a run younger than a second shows nothing")

	// 1.25 s after the start, 12500 steps: 10^4 steps/s; 87500 steps left
	// take 8.75 s, shown rounded up as 0:09.
	clock.t = clock.t.Add(350 * time.Millisecond)
	p.report(12500)
	assert.Equal(t, "\rstep 12500/100000 (12%), 10000 steps/s, ETA 0:09\033[K", out.String())

	out.Reset()
	clock.t = clock.t.Add(200 * time.Millisecond)
	p.report(14500)
	assert.Empty(t, out.String(), "updates are at least 250 ms apart")

	// 1.5 s, 15000 steps: still 10^4 steps/s, 85000 left: 8.5 s -> 0:09.
	clock.t = clock.t.Add(50 * time.Millisecond)
	p.report(15000)
	assert.Equal(t, "\rstep 15000/100000 (15%), 10000 steps/s, ETA 0:09\033[K", out.String())

	out.Reset()
	p.done()
	assert.Equal(t, "\r\033[K", out.String(), "done clears the line")

	t.Run("short run", func(t *testing.T) {
		var out bytes.Buffer
		p := newProgress(&out, 1000, clock.now)
		p.report(1000)
		p.done()
		assert.Empty(t, out.String(), "a run under a second leaves no trace")
	})
}

// TestFormatDuration checks the ETA format at its boundaries.
func TestFormatDuration(t *testing.T) {
	tests := []struct {
		sec  float64
		want string
	}{
		{0, "0:00"},
		{0.2, "0:01"}, // rounded up: an ETA never promises too early
		{59, "0:59"},
		{61, "1:01"},
		{3599, "59:59"},
		{3600, "1:00:00"},
		{86399, "23:59:59"},
		{1e12, ">99999:59:59"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formatDuration(tt.sec), "%g s", tt.sec)
	}
}

// TestIsTerminal checks the one decision of whether progress is shown: not
// on pipes, files or buffers (so piped output and tests stay clean), and on
// character devices.
func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, isTerminal(w), "pipe")
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "regular file")
	assert.False(t, isTerminal(&bytes.Buffer{}), "buffer")
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer null.Close()
	assert.True(t, isTerminal(null), "/dev/null is a character device")
}

// TestFormatRate checks the rate's format on both sides of 100.
func TestFormatRate(t *testing.T) {
	for _, tt := range []struct {
		rate float64
		want string
	}{{62913.4, "62913"}, {100, "100"}, {99.5, "99.5"}, {4.1666, "4.17"}, {0.0123, "0.0123"}} {
		assert.Equal(t, tt.want, formatRate(tt.rate))
	}
}

// TestTrainProgressOnTerminal runs train for more than a second on a
// pseudo-terminal (util-linux's script): stderr shows the progress line.
func TestTrainProgressOnTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script (util-linux) not found: no pseudo-terminal")
	}
	gaussian, err := filepath.Abs(gaussianCSV)
	require.NoError(t, err)
	bin := maxmarginWrapper(t)
	out, err := exec.Command("script", "-qec", bin+" train --opt signgd --lr 0.1 --steps 300000 "+gaussian+" > /dev/null", "/dev/null").Output()
	require.NoError(t, err)
	assert.Regexp(t, `\rstep [0-9]+/300000 \([0-9]+%\), [0-9.]+ steps/s, ETA [0-9]+:[0-9]{2}\x1b\[K`, string(out))
	assert.True(t, strings.HasSuffix(string(out), "\r\x1b[K"), "the line is cleared at the end: %q", out)
}

// TestTrainNoProgressWhenPiped runs train for more than a second with stderr
// a pipe: stderr must hold no progress line.
func TestTrainNoProgressWhenPiped(t *testing.T) {
	cmd := child(t, nil, "train", "--opt", "signgd", "--lr", "0.1", "--steps", "100000", "--json", gaussianCSV)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	_, err := cmd.Output()
	require.NoError(t, err)
	if time.Since(start) < 1500*time.Millisecond {
		t.Logf("the run took only %v: progress would not have shown anyway", time.Since(start))
	}
	assert.False(t, strings.Contains(stderr.String(), "step"), "stderr: %q", stderr.String())
}
