package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wineCSV is the UCI Wine data (178 samples, 13 features, 3 classes).
const wineCSV = "../../cases/data/wine.csv"

// gaussianCSV is dataset.GaussianClusters(1, 5, 8, 30, 0.1) as CSV.
const gaussianCSV = "../../trainer/testdata/gaussian-k5-d8-n150.csv"

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errw bytes.Buffer
	code = run(args, &out, &errw)
	return code, out.String(), errw.String()
}

func TestTrainErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in the one-line message
	}{
		{"no opt", []string{"--lr", "0.1", "--steps", "10", wineCSV}, "--opt"},
		{"no lr", []string{"--opt", "signgd", "--steps", "10", wineCSV}, "--lr"},
		{"no steps", []string{"--opt", "signgd", "--lr", "0.1", wineCSV}, "--steps"},
		{"negative steps", []string{"--opt", "signgd", "--lr", "0.1", "--steps", "-1", wineCSV}, "--steps -1"},
		{"zero lr", []string{"--opt", "signgd", "--lr", "0", "--steps", "10", wineCSV}, "--lr 0"},
		{"negative decay", []string{"--opt", "signgd", "--lr", "0.1", "--decay", "-0.5", "--steps", "10", wineCSV}, "--decay"},
		{"beta1 one", []string{"--opt", "adam", "--lr", "0.1", "--beta1", "1", "--steps", "10", wineCSV}, "--beta1"},
		{"beta2 negative", []string{"--opt", "adam", "--lr", "0.1", "--beta2", "-0.1", "--steps", "10", wineCSV}, "--beta2"},
		{"negative eps", []string{"--opt", "adam", "--lr", "0.1", "--eps", "-1", "--steps", "10", wineCSV}, "--eps"},
		{"unknown optimizer", []string{"--opt", "sgd", "--lr", "0.1", "--steps", "10", wineCSV}, "unknown optimizer"},
		{"unknown loss", []string{"--opt", "gd", "--loss", "hinge", "--lr", "0.1", "--steps", "10", wineCSV}, "unknown loss"},
		{"unknown norm", []string{"--opt", "nsd", "--norm", "nosuch", "--lr", "0.1", "--steps", "10", wineCSV}, "unknown norm"},
		{"nsd without norm", []string{"--opt", "nsd", "--lr", "0.1", "--steps", "10", wineCSV}, "needs a norm"},
		{"norm contradicts", []string{"--opt", "signgd", "--norm", "fro", "--lr", "0.1", "--steps", "10", wineCSV}, "not \"fro\""},
		{"no file", []string{"--opt", "signgd", "--lr", "0.1", "--steps", "10"}, "one data file"},
		{"missing file", []string{"--opt", "signgd", "--lr", "0.1", "--steps", "10", "nosuch.csv"}, "nosuch.csv"},
		{"bad flag", []string{"--opt", "signgd", "--lr", "x", "--steps", "10", wineCSV}, "invalid value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errw := runCLI(append([]string{"train"}, tc.args...)...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Equal(t, 1, strings.Count(errw, "\n"), "one line: %q", errw)
			assert.Contains(t, errw, tc.want)
			assert.True(t, strings.HasPrefix(errw, "maxmargin train: "), errw)
		})
	}
}

func TestTrainHelp(t *testing.T) {
	code, out, errw := runCLI("train", "-h")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
	assert.Contains(t, errw, "usage: maxmargin train")
	assert.Contains(t, errw, "-bias-correction")
}

func TestTrainJSON(t *testing.T) {
	code, out, errw := runCLI("train", "--opt", "signgd", "--lr", "0.1", "--decay", "0.5", "--steps", "1000", "--json", gaussianCSV)
	require.Equal(t, 0, code, errw)
	assert.Empty(t, errw)
	var got struct {
		Steps       int
		Weights     [][]float64
		Checkpoints []struct {
			T       int
			Loss    float64
			Margins map[string]float64
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, 1000, got.Steps)
	require.Len(t, got.Weights, 5) // k
	for _, row := range got.Weights {
		require.Len(t, row, 8) // d
		for _, w := range row {
			// SignGD from 0 moves each entry by eta_t per step:
			// |W_ij| <= sum_{t<1000} 0.1 (t+1)^{-1/2} < 0.2 sqrt(1000) = 6.33.
			assert.LessOrEqual(t, w, 6.33)
		}
	}
	// 10 per decade over 3 decades: 0 1 2 3 4 5 6 8 10 13 16 20 25 32 40 50
	// 63 79 100 ... 1000 is 29 checkpoints.
	require.Len(t, got.Checkpoints, 29)
	last := got.Checkpoints[len(got.Checkpoints)-1]
	assert.Equal(t, 1000, last.T)
	assert.Positive(t, last.Loss)
	// The generated set's gamma_max is 5.2035 (HiGHS, trainer tests); SignGD
	// reaches 5.0559 at t = 1000 (trainer's independent numpy reference).
	assert.InDelta(t, 5.055866244531065, last.Margins["max"], 1e-9)
	for _, name := range []string{"max", "sum", "opinf", "op1", "fro"} {
		assert.Contains(t, last.Margins, name)
	}
}

func TestTrainTable(t *testing.T) {
	code, out, errw := runCLI("train", "--opt", "adam", "--lr", "0.01", "--steps", "100", "--per-decade", "1", wineCSV)
	require.Equal(t, 0, code, errw)
	assert.Empty(t, errw)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2+4) // title, header, t = 0, 1, 10, 100
	assert.Contains(t, lines[0], "adam")
	assert.Contains(t, lines[1], "m/max")
	assert.True(t, strings.HasPrefix(strings.TrimSpace(lines[5]), "100 "), lines[5])
}

// TestTrainWarnings checks that settings outside a theorem's assumptions run
// with a one-line warning each.
func TestTrainWarnings(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"adam b1 > b2", []string{"--opt", "adam", "--beta1", "0.99", "--beta2", "0.9"}, "beta1 <= beta2"},
		{"adam eps without bias correction", []string{"--opt", "adam", "--eps", "1e-8"}, "eps = 0"},
		{"ignored beta2", []string{"--opt", "signgd", "--beta2", "0.5"}, "--beta2 is ignored"},
		{"summable steps", []string{"--opt", "signgd", "--decay", "1.5"}, "summable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"train", "--lr", "0.1", "--steps", "10"}, tc.args...)
			code, out, errw := runCLI(append(args, gaussianCSV)...)
			require.Equal(t, 0, code, errw)
			assert.NotEmpty(t, out)
			assert.Equal(t, 1, strings.Count(errw, "\n"), errw)
			assert.Contains(t, errw, "warning: ")
			assert.Contains(t, errw, tc.want)
		})
	}
}

// TestTrainInterrupted checks what a SIGINT does (through the context that
// signal.NotifyContext would cancel): the trajectory so far is printed and
// the command fails with one line.
func TestTrainInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errw bytes.Buffer
	err := train(ctx, []string{"--opt", "signgd", "--lr", "0.1", "--steps", "1000000000", "--json", gaussianCSV}, &out, &errw)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "interrupted after 0 of 1000000000 steps")
	var got struct {
		Steps       int
		Checkpoints []struct{ T int }
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	assert.Equal(t, 0, got.Steps)
	require.Len(t, got.Checkpoints, 1)
}
