package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHostileInputs runs solve and train on hostile inputs (malformed,
// degenerate and extreme data sets) and checks each outcome: a result
// (exit 0), "not linearly separable" (exit 3), or one line on stderr with
// exit 1; never a panic or a stack trace.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rng := rand.New(rand.NewPCG(50, 50))
	var k50 strings.Builder
	// k = 50 classes of 2 samples each, x ~ N(0, I_10): 100 points in R^10
	// give 500 weights for 4900 margin constraints. Whether this instance is
	// separable is the certificate's to say; it is (exit 0), and train must
	// run on it too.
	for i := range 100 {
		for range 10 {
			fmt.Fprintf(&k50, "%.6f,", rng.NormFloat64())
		}
		fmt.Fprintf(&k50, "%d\n", i%50)
	}
	tests := []struct {
		name string
		file string
		code int    // solve's exit status
		says string // in the output or the one-line error
	}{
		{"ragged", write("ragged.csv", "1,2,0\n3,1\n"), 1, "ragged.csv:2: "},
		{"empty", write("empty.csv", ""), 1, "no samples"},
		{"header only", write("header.csv", "a,b,label\n"), 1, "header line but no samples"},
		{"binary", write("binary.bin", "\x7fELF\x02\x01\x01\x00\x00\"\x00\n\x03\x00>\x00"), 1, "binary.bin:"},
		{"NaN", write("nan.csv", "1,NaN,0\n2,3,1\n"), 1, "not finite"},
		{"Inf", write("inf.csv", "1,2,0\n2,+Inf,1\n"), 1, "not finite"},
		{"same point two labels", write("twice.csv", "1,2,0\n1,2,1\n"), 3, "not linearly separable"},
		{"single class", write("single.csv", "1,0\n2,0\n"), 1, "fewer than two classes"},
		{"label gap", write("gap.csv", "1,0\n2,2\n3,2\n"), 1, "class 1 has no sample"},
		// d = 1: x = 1, 2 (class 0) and -1, -3 (class 1); with w_0 = -w_1 =
		// 1 the margin is 2 min|x| = 2, the max-norm optimum.
		{"d = 1", write("d1.csv", "1,0\n-1,1\n2,0\n-3,1\n"), 0, "margin              2\n"},
		// One sample per class at the vertices e_1, e_2, -e_1-e_2: W = the
		// sign pattern gives margin 2 (derived in solver's triangle test).
		{"one sample per class", write("one.csv", "1,0,0\n0,1,1\n-1,-1,2\n"), 0, "margin              2\n"},
		// Features of size 1e300 and 1e-300: class 0 at x = 1, 2 and class 1
		// at x = -1 in units u; gamma_max = 2u (w = (1, -1)), solved on data
		// rescaled by a power of two.
		{"features 1e300", write("huge.csv", "1e300,0\n2e300,0\n-1e300,1\n"), 0, "margin              2e+300\n"},
		{"features 1e-300", write("tiny.csv", "1e-300,0\n2e-300,0\n-1e-300,1\n"), 0, "margin              2e-300\n"},
		{"k = 50", write("k50.csv", k50.String()), 0, "certified           true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errw := runCLI("solve", "--norm", "max", tt.file)
			assert.Equal(t, tt.code, code, "stdout %s stderr %s", out, errw)
			assert.Contains(t, out+errw, tt.says)
			assert.NotContains(t, errw, "goroutine", "no stack traces")
			if code == 1 {
				assert.Equal(t, 1, strings.Count(errw, "\n"), "one line on stderr: %q", errw)
			}
			tcode, _, terrw := runCLI("train", "--opt", "signgd", "--lr", "0.1", "--steps", "100", tt.file)
			if code == 1 {
				assert.Equal(t, 1, tcode)
				assert.Equal(t, 1, strings.Count(terrw, "\n"), "one line on stderr: %q", terrw)
			} else {
				assert.Equal(t, 0, tcode, terrw)
			}
		})
	}
}
