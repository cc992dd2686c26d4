package verify

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
)

// shellSpec is a run of 10 steps on 15 Gaussian points (k = 3, d = 2) for
// the protocol tests.
func shellSpec() RunSpec {
	return RunSpec{
		Data:  dataset.GaussianClusters(1, 3, 2, 5, 0.1),
		Claim: Claim{Name: "sh", Norm: "max", LR: 0.25, Decay: 0.5, Beta1: 0.9},
		Steps: 10,
	}
}

// sh returns a CommandSource running script with /bin/sh; args are $1, ...
func sh(script string, args ...string) CommandSource {
	return CommandSource{Argv: append([]string{"/bin/sh", "-c", script, "sh"}, args...)}
}

// TestCommandSourceProtocol checks what a command receives: the data as a
// CSV that reads back to the same data set (removed afterwards), and the
// run's settings in the environment, by a shell script that echoes them back
// in its trajectory.
func TestCommandSourceProtocol(t *testing.T) {
	spec := shellSpec()
	dir := t.TempDir()
	script := `cp "$MAXMARGIN_DATA" data.csv
echo "$MAXMARGIN_DATA" > data.path
echo "$MAXMARGIN_CHECKPOINTS" > checkpoints
echo '{"t": 0, "W": [[0, 0], [0, 0], [0, 0]]}'
printf '{"t": %s, "W": [[%s, %s], [%s, %s], [%s, %s]]}\n' "$MAXMARGIN_STEPS" "$MAXMARGIN_LR" "$MAXMARGIN_DECAY" "$MAXMARGIN_BETA1" "$MAXMARGIN_N" "$MAXMARGIN_D" "$MAXMARGIN_K"`
	spec.Dir = dir // the command runs in the case's folder
	cps, err := sh(script).Checkpoints(context.Background(), spec)
	require.NoError(t, err)
	require.Len(t, cps, 2)
	assert.Equal(t, 10, cps[1].T)
	// W echoes lr, decay, beta1, n, d, k.
	assert.Equal(t, []float64{0.25, 0.5, 0.9, 15, 2, 3}, cps[1].W.RawMatrix().Data)
	got, err := dataset.LoadCSV(filepath.Join(dir, "data.csv"))
	require.NoError(t, err)
	assert.True(t, mat.Equal(spec.Data.X, got.X), "the CSV must read back to the same features")
	assert.Equal(t, spec.Data.Y, got.Y)
	b, err := os.ReadFile(filepath.Join(dir, "checkpoints"))
	require.NoError(t, err)
	// trainer.Checkpoints(10, 0) = 0 1 2 3 4 5 6 8 10.
	assert.Equal(t, "0,1,2,3,4,5,6,8,10\n", string(b))
	b, err = os.ReadFile(filepath.Join(dir, "data.path"))
	require.NoError(t, err)
	_, err = os.Stat(strings.TrimSpace(string(b)))
	assert.True(t, errors.Is(err, os.ErrNotExist), "the data file must be removed: %v", err)
}

// TestCommandSourceErrors checks that each way a command can fail is an error
// saying how: the exit status with the last line of stderr, the line of a
// malformed trajectory (the command is then stopped, not waited for), a
// trajectory that stops early, a missing program, and a cancelled context.
func TestCommandSourceErrors(t *testing.T) {
	zero := `{"t": 0, "W": [[0, 0], [0, 0], [0, 0]]}`
	tests := []struct {
		name string
		src  CommandSource
		want error
		says string
	}{
		{"exit status", sh("echo starting >&2; echo 'ModuleNotFoundError: no module named torch' >&2; echo >&2; exit 3"),
			ErrCommand, `command ["/bin/sh" "-c"`},
		{"exit status after output", sh("echo '" + zero + "'; echo 'Traceback: boom' >&2; exit 1"),
			ErrCommand, "exited with status 1: Traceback: boom"},
		{"malformed", sh("echo '" + zero + "'; echo '{\"t\": 1, \"W\": [[0, 0]]}'; sleep 20"),
			ErrTrajectory, ":2: verify: bad trajectory: t = 1: W has 1 rows, the data have 3 classes"},
		{"NaN", sh("echo '" + zero + "'; echo '{\"t\": 10, \"W\": [[NaN, 0], [0, 0], [0, 0]]}'"),
			ErrTrajectory, ":2: verify: bad trajectory: W is not finite"},
		{"short", sh("echo '" + zero + "'"),
			ErrCommand, "the trajectory ends at t = 0, the run has 10 steps"},
		{"empty", sh("exit 0"),
			ErrTrajectory, "no checkpoints"},
		{"no program", CommandSource{Argv: []string{"./no-such-optimizer"}},
			ErrCommand, "no-such-optimizer"},
		{"empty argv", CommandSource{},
			ErrCommand, "empty command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := tt.src.Checkpoints(context.Background(), shellSpec())
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.says)
			// "sleep 20" must have been killed; 10 s leaves room for load.
			assert.Less(t, time.Since(start), 10*time.Second)
		})
	}
	t.Run("exit status message", func(t *testing.T) {
		_, err := tests[0].src.Checkpoints(context.Background(), shellSpec())
		require.Error(t, err)
		assert.True(t, strings.HasSuffix(err.Error(), "exited with status 3: ModuleNotFoundError: no module named torch"), err.Error())
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := sh("echo '"+zero+"'; sleep 20").Checkpoints(ctx, shellSpec())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 10*time.Second)
	})
}

// TestCommandSourceSignGD runs SignGD written in NumPy
// (testdata/external/signgd.py) as an external optimizer under the signgd
// claim's settings and compares it with the built-in trainer: the same
// normalized margins up to t = 1000, and the same verdicts. The NumPy
// gradient is the textbook one, (S - e_y) x^T: SignGD keeps only signs, so
// the runs agree to rounding (1e-9 allowed) until samples' margins pass
// about 37 and their S_y - 1 rounds to 0 (trainer/doc.go): measured between
// t = 1000 and 1259 on this set (as for Signum in PyTorch,
// examples/torch), after which the margins differ by about 1e-4 relative
// (1e-2 allowed) and, at 2000 steps, both still pass.
func TestCommandSourceSignGD(t *testing.T) {
	if out, err := exec.Command(debianPython, "-c", "import numpy").CombinedOutput(); err != nil {
		t.Skipf("the NumPy optimizer needs %s with numpy: %v: %s", debianPython, err, out)
	}
	ds := dataset.GaussianClusters(3, 5, 8, 30, 0.1) // small-gaussian's data
	refs, err := SolveReferences(ds)
	require.NoError(t, err)
	builtin, err := ClaimByName("signgd")
	require.NoError(t, err)
	external := builtin
	external.Name, external.Optimizer = "numpy-signgd", "numpy SignGD"
	external.Command = []string{debianPython, "testdata/external/signgd.py"}
	const steps = 2000
	want := CheckClaim(context.Background(), "small", ds, refs, CaseClaim{Claim: "signgd", Steps: steps}, nil, Options{})
	got := CheckClaim(context.Background(), "small", ds, refs, CaseClaim{Claim: external.Name, Steps: steps, Define: &external}, nil, Options{})
	require.Empty(t, got.Error)
	require.Len(t, got.Checkpoints, len(want.Checkpoints))
	for i, cp := range got.Checkpoints {
		require.Equal(t, want.Checkpoints[i].T, cp.T)
		tol := 1e-9
		if cp.T > 1000 {
			tol = 1e-2
		}
		for name, m := range want.Checkpoints[i].Margins {
			assert.InEpsilon(t, m+1, cp.Margins[name]+1, tol, "t = %d, %s", cp.T, name)
		}
	}
	require.Len(t, got.Checks, len(want.Checks))
	for i, c := range got.Checks {
		assert.Equal(t, want.Checks[i].Name, c.Name)
		assert.Equal(t, want.Checks[i].Pass, c.Pass, "%s: %s", c.Name, c.Detail)
		assert.Equal(t, want.Checks[i].Skipped, c.Skipped, c.Name)
	}
}

// debianPython is the interpreter with Debian's numpy and torch.
const debianPython = "/usr/bin/python3"
