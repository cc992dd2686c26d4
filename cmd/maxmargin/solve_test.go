package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// irisCSV is the UCI Iris data, not linearly separable (cases/data/README.md).
const irisCSV = "../../cases/data/iris.csv"

func TestSolveJSON(t *testing.T) {
	// The max-norm margin of Wine is 0.26098219455513216 by HiGHS
	// (solver.TestWine).
	code, out, errw := runCLI("solve", "--norm", "max", "--json", wineCSV)
	require.Equal(t, 0, code, errw)
	require.Empty(t, errw)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	for _, key := range []string{"norm", "margin", "lower", "upper", "certified", "separable", "weights", "seconds", "n", "d", "k", "active"} {
		assert.Contains(t, got, key)
	}
	assert.Equal(t, "max", got["norm"])
	assert.InEpsilon(t, 0.26098219455513216, got["margin"], 1e-7)
	assert.Equal(t, true, got["certified"])
	assert.Equal(t, true, got["separable"])
	assert.LessOrEqual(t, got["lower"], got["upper"])
	w := got["weights"].([]any)
	require.Len(t, w, 3)
	for _, row := range w {
		assert.Len(t, row, 13)
	}
}

func TestSolveText(t *testing.T) {
	for _, name := range []string{"max", "sum", "opinf", "op1"} {
		t.Run(name, func(t *testing.T) {
			code, out, errw := runCLI("solve", wineCSV, "--norm", name) // flags after the file
			require.Equal(t, 0, code, errw)
			assert.Contains(t, out, "norm                "+name)
			assert.Contains(t, out, "certified           true")
			assert.Contains(t, out, "178, 13, 3")
		})
	}
}

func TestSolveNotSeparable(t *testing.T) {
	for _, args := range [][]string{{"--norm", "max"}, {"--norm", "sum", "--json"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errw := runCLI(append(append([]string{"solve"}, args...), irisCSV)...)
			assert.Equal(t, 3, code)
			assert.Contains(t, errw, "not linearly separable")
			assert.Equal(t, 1, strings.Count(errw, "\n"), "one line: %q", errw)
			assert.NotEmpty(t, out, "the result is still printed")
		})
	}
}

func TestSolveHelp(t *testing.T) {
	code, out, errw := runCLI("solve", "-h")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
	assert.Contains(t, errw, "usage: maxmargin solve")
	assert.Contains(t, errw, "-timeout")
}

func TestSolveErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		return path
	}
	tests := []struct {
		name string
		args []string
		want string // in the one-line message
	}{
		{"no norm", []string{wineCSV}, "--norm"},
		{"unknown norm", []string{"--norm", "nosuch", wineCSV}, "unknown norm"},
		{"no file", []string{"--norm", "max"}, "one data file"},
		{"two files", []string{"--norm", "max", wineCSV, irisCSV}, "one data file"},
		{"missing file", []string{"--norm", "max", "nosuch.csv"}, "nosuch.csv"},
		{"bad flag", []string{"--norm", "max", "--timeout", "soon", wineCSV}, "invalid value"},
		{"negative timeout", []string{"--norm", "max", "--timeout", "-1s", wineCSV}, "negative"},
		{"ragged", []string{"--norm", "max", write("ragged.csv", "1,2,0\n3,1\n")}, "ragged"},
		{"empty", []string{"--norm", "max", write("empty.csv", "")}, "no samples"},
		{"header only", []string{"--norm", "max", write("header.csv", "a,b,label\n")}, "no samples"},
		{"NaN", []string{"--norm", "max", write("nan.csv", "1,NaN,0\n0,1,1\n")}, "not finite"},
		{"text", []string{"--norm", "max", write("text.csv", "1,2,0\n0,x,1\n")}, "not a number"},
		{"one class", []string{"--norm", "max", write("one.csv", "1,2,0\n0,1,0\n")}, "fewer than two classes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errw := runCLI(append([]string{"solve"}, tc.args...)...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Equal(t, 1, strings.Count(errw, "\n"), "one line: %q", errw)
			assert.Contains(t, errw, tc.want)
			assert.True(t, strings.HasPrefix(errw, "maxmargin solve: "), errw)
		})
	}
}
