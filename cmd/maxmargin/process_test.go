package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// argsEnv carries a command line to the re-executed test binary, which then
// behaves as the maxmargin command (see TestMain).
const argsEnv = "MAXMARGIN_TEST_ARGS"

// TestMain lets the tests run the real command in a child process, so that
// they can set GOMAXPROCS and send real signals. The tests' reference cache
// (verify's default, under XDG_CACHE_HOME) is a temporary folder, not the
// user's.
func TestMain(m *testing.M) {
	if a, ok := os.LookupEnv(argsEnv); ok {
		os.Exit(run(strings.Split(a, "\x1f"), os.Stdout, os.Stderr))
	}
	cache, err := os.MkdirTemp("", "maxmargin-test-cache")
	if err == nil {
		os.Setenv("XDG_CACHE_HOME", cache)
	}
	code := m.Run()
	if err == nil {
		os.RemoveAll(cache)
	}
	os.Exit(code)
}

// child returns the maxmargin command line args as a child process.
func child(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), argsEnv+"="+strings.Join(args, "\x1f")), env...)
	return cmd
}

// timings matches the fields that legitimately differ between runs.
var timings = regexp.MustCompile(`"seconds": [0-9.e+-]+`)

// TestDeterminism runs solve, train and verify with GOMAXPROCS = 1 and 2 and
// twice each: the JSON outputs must be byte-identical, timings aside.
func TestDeterminism(t *testing.T) {
	dir := t.TempDir()
	caseFile := filepath.Join(dir, "tiny.json")
	require.NoError(t, os.WriteFile(caseFile, []byte(`{
  "description": "determinism check",
  "data": {"generator": "gaussian", "seed": 4, "k": 3, "d": 5, "per_class": 10, "sigma": 0.2},
  "claims": [{"claim": "signgd", "steps": 3000}, {"claim": "adam", "steps": 3000}, {"claim": "nsd-op1", "steps": 3000}]
}`), 0o644))
	commands := map[string][]string{
		"solve":  {"solve", "--norm", "sum", "--json", wineCSV},
		"train":  {"train", "--opt", "adam", "--lr", "0.05", "--decay", "0.5", "--steps", "3000", "--json", gaussianCSV},
		"verify": {"verify", "--json", caseFile},
	}
	for name, args := range commands {
		t.Run(name, func(t *testing.T) {
			var first []byte
			for _, procs := range []string{"1", "2", "2", "1"} {
				out, err := child(t, []string{"GOMAXPROCS=" + procs}, args...).Output()
				if ee, ok := err.(*exec.ExitError); ok && name == "verify" && ee.ExitCode() == 1 {
					err = nil // 3000 steps may fail rate checks; the output must still agree
				}
				require.NoError(t, err)
				require.True(t, json.Valid(out), "output is not one JSON value")
				out = timings.ReplaceAll(out, []byte(`"seconds": 0`))
				if first == nil {
					first = out
					continue
				}
				require.True(t, bytes.Equal(first, out), "GOMAXPROCS=%s changed the output of %s", procs, name)
			}
		})
	}
}

// TestInterrupt sends SIGINT and SIGTERM to long train and verify runs: each
// must stop within a second of the signal, exit 1 with one line saying it
// was interrupted, and keep what finished (train's JSON trajectory so far,
// verify's report marked partial).
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	caseDir := filepath.Join(dir, "cases")
	require.NoError(t, os.Mkdir(caseDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(caseDir, "long.json"), []byte(`{
  "description": "a run far longer than the test waits",
  "data": {"generator": "random-labels", "seed": 1, "n": 40, "d": 60, "k": 4},
  "claims": [{"claim": "adam", "steps": 100000000}, {"claim": "signgd", "steps": 100000000}]
}`), 0o644))
	report := filepath.Join(dir, "report")
	tests := []struct {
		name string
		sig  syscall.Signal
		args []string
	}{
		{"train SIGINT", syscall.SIGINT, []string{"train", "--opt", "signgd", "--lr", "0.1", "--steps", "1000000000", "--json", gaussianCSV}},
		{"verify SIGTERM", syscall.SIGTERM, []string{"verify", "--cases", caseDir, "--report", report}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := child(t, nil, tt.args...)
			var out, errw bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errw
			require.NoError(t, cmd.Start())
			time.Sleep(1500 * time.Millisecond)
			sent := time.Now()
			require.NoError(t, cmd.Process.Signal(tt.sig))
			err := cmd.Wait()
			took := time.Since(sent)
			assert.Less(t, took, time.Second, "stopping took %v", took)
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, 1, ee.ExitCode())
			lines := strings.Split(strings.TrimSpace(errw.String()), "\n")
			assert.Contains(t, lines[len(lines)-1], "interrupted")
			if tt.args[0] == "train" {
				var got struct{ Steps int }
				require.NoError(t, json.Unmarshal(out.Bytes(), &got), "train must print the trajectory so far")
				assert.Greater(t, got.Steps, 0)
				assert.Less(t, got.Steps, 1000000000)
				return
			}
			md, err := os.ReadFile(filepath.Join(report, "report.md"))
			require.NoError(t, err, "the report of what finished must be written")
			assert.Contains(t, string(md), "Partial")
			assert.Contains(t, out.String(), "FAIL")
		})
	}
}
