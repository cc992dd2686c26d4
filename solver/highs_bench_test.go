package solver

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// writeDataCSV writes ds to path with dataset.WriteCSV.
func writeDataCSV(path string, ds *dataset.Dataset) error {
	var buf bytes.Buffer
	if err := dataset.WriteCSV(&buf, ds); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// TestHiGHSRatios times MaxMargin and HiGHS (testdata/highs_bench.py:
// scipy's linprog(method="highs") on the same LP, only the solve timed) on
// the benchmark ladder from (100, 200, 5) on and the digits set, for the max
// and sum norms, and prints one line per case:
//
//	ratio CASE NORM go=SECONDS highs=SECONDS ratio=GO/HIGHS gamma_go=G gamma_highs=G
//
// A HiGHS run that hits the limit (MAXMARGIN_HIGHS_LIMIT seconds, default
// 600) prints highs=>LIMIT and ratio=<R; a Go solve that hits it prints
// go=>LIMIT and HiGHS is not run. It runs only when
// MAXMARGIN_HIGHS_BENCH is set (minutes to hours: make bench), and cases
// whose name does not contain MAXMARGIN_HIGHS_CASES (when set) are skipped.
func TestHiGHSRatios(t *testing.T) {
	if os.Getenv("MAXMARGIN_HIGHS_BENCH") == "" {
		t.Skip("set MAXMARGIN_HIGHS_BENCH=1 to compare with HiGHS")
	}
	if out, err := exec.Command(debianPython, "-c", "import scipy.optimize").CombinedOutput(); err != nil {
		t.Skipf("needs scipy under %s: %v: %s", debianPython, err, bytes.TrimSpace(out))
	}
	limit := 600.0
	if s := os.Getenv("MAXMARGIN_HIGHS_LIMIT"); s != "" {
		var err error
		limit, err = strconv.ParseFloat(s, 64)
		require.NoError(t, err)
	}
	filter := os.Getenv("MAXMARGIN_HIGHS_CASES")
	dir := t.TempDir()
	for _, bc := range benchCases() {
		if strings.Contains(bc.name, "n=20,") || strings.Contains(bc.name, "n=50,") {
			continue
		}
		ds, err := bc.load()
		if err != nil {
			t.Logf("%s: %v", bc.name, err)
			continue
		}
		path := filepath.Join(dir, "data.csv")
		require.NoError(t, writeDataCSV(path, ds))
		for _, nrm := range []norm.Norm{norm.Max, norm.Sum} {
			name := bc.name + " " + nrm.Name()
			if filter != "" && !strings.Contains(name, filter) {
				continue
			}
			start := time.Now()
			res, err := MaxMargin(ds, nrm, &Settings{Timeout: time.Duration(limit * float64(time.Second))})
			goSec := time.Since(start).Seconds()
			var se *StatusError
			if errors.As(err, &se) && se.Status == "TIMEOUT" {
				fmt.Printf("ratio %s %s go=>%.0f (no certified result within the limit; HiGHS not run)\n", bc.name, nrm.Name(), limit)
				continue
			}
			require.NoError(t, err, name)
			require.True(t, res.Certified, name)

			out, err := exec.Command(debianPython, "testdata/highs_bench.py", path, nrm.Name(), strconv.FormatFloat(limit, 'g', -1, 64)).CombinedOutput()
			require.NoError(t, err, "%s: %s", name, out)
			fields := map[string]string{}
			for _, f := range strings.Fields(string(out)) {
				if k, v, ok := strings.Cut(f, "="); ok {
					fields[k] = v
				}
			}
			hs, err := strconv.ParseFloat(fields["highs_seconds"], 64)
			require.NoError(t, err, "%s: %s", name, out)
			line := fmt.Sprintf("ratio %s %s go=%.3f", bc.name, nrm.Name(), goSec)
			if fields["status"] == "optimal" {
				line += fmt.Sprintf(" highs=%.3f ratio=%.3f gamma_go=%.12g gamma_highs=%s", hs, goSec/hs, res.Margin, fields["gamma"])
				hg, err := strconv.ParseFloat(fields["gamma"], 64)
				require.NoError(t, err)
				require.InDelta(t, hg, res.Margin, 1e-6*max(1, hg), name)
			} else {
				line += fmt.Sprintf(" highs=>%.0f ratio=<%.3f gamma_go=%.12g gamma_highs=nan", limit, goSec/limit, res.Margin)
			}
			fmt.Println(line)
		}
	}
}
