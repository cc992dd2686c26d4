package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
)

// debianPython sees Debian's python3-cvxopt (the python3 first on PATH may
// not).
const debianPython = "/usr/bin/python3"

// TestSolveAgainstCvxopt is the convex references' agreement check through
// the command: `maxmargin solve --norm fro|spectral` on data no other test uses agrees with
// cvxopt's QP and SDP (solver/testdata/cvxopt_maxmargin.py) to 1e-6
// relative, certified.
func TestSolveAgainstCvxopt(t *testing.T) {
	if out, err := exec.Command(debianPython, "-c", "import cvxopt, numpy").CombinedOutput(); err != nil {
		t.Skipf("needs python3-cvxopt under %s: %v: %s", debianPython, err, strings.TrimSpace(string(out)))
	}
	dir := t.TempDir()
	sets := map[string]*dataset.Dataset{
		"gaussian": dataset.GaussianClusters(2718, 4, 6, 12, 0.15),
		"random":   dataset.RandomLabels(3141, 30, 40, 3),
	}
	for name, ds := range sets {
		path := filepath.Join(dir, name+".csv")
		var b strings.Builder
		require.NoError(t, dataset.WriteCSV(&b, ds))
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
		for _, nm := range []string{"fro", "spectral"} {
			t.Run(name+"/"+nm, func(t *testing.T) {
				code, out, errw := runCLI("solve", "--norm", nm, "--json", path)
				require.Equal(t, 0, code, errw)
				var got struct {
					Margin    float64
					Certified bool
				}
				require.NoError(t, json.Unmarshal([]byte(out), &got))
				require.True(t, got.Certified)
				ref, err := exec.Command(debianPython, "../../solver/testdata/cvxopt_maxmargin.py", path, nm).CombinedOutput()
				require.NoError(t, err, "%s", ref)
				want, err := strconv.ParseFloat(strings.TrimSpace(string(ref)), 64)
				require.NoError(t, err)
				require.InEpsilon(t, want, got.Margin, 1e-6)
			})
		}
	}
}
