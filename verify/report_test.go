package verify

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteReport writes the report of a short run and checks its parts: the
// table, every check, and a decodable gap plot and correlation plot per claim,
// with no temporary files left behind.
func TestWriteReport(t *testing.T) {
	c, err := ParseCase([]byte(`{"data": {"generator": "gaussian", "seed": 5, "k": 3, "d": 4, "per_class": 8, "sigma": 0.1},
		"claims": [{"claim": "signgd", "steps": 2000}]}`), "cases/tiny.json")
	require.NoError(t, err)
	s := Run(context.Background(), Jobs([]*Case{c}), 1, Options{}, nil)
	dir := t.TempDir()
	require.NoError(t, WriteReport(dir, s))
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	for _, want := range []string{"# maxmargin verification report", "signgd on tiny", "| inequalities |", "| slope |", "tiny-signgd.png", "tiny-signgd-corr.png"} {
		assert.Contains(t, string(md), want)
	}
	for _, name := range []string{"tiny-signgd.png", "tiny-signgd-corr.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err, name)
		assert.Greater(t, img.Bounds().Dx(), 100)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), "temporary file %s left behind", e.Name())
	}
}
