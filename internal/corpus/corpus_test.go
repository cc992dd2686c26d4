package corpus

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReal checks the shapes of the real data sets against data/README.md.
func TestReal(t *testing.T) {
	entries, err := Real()
	require.NoError(t, err)
	want := map[string][3]int{
		"breast-cancer": {569, 30, 2},
		"wine":          {178, 13, 3},
		"iris":          {150, 4, 3},
		"digits":        {1797, 64, 10},
	}
	require.Len(t, entries, 2*len(want))
	for _, e := range entries {
		t.Run(e.Name, func(t *testing.T) {
			n, d, k := e.Data.Dims()
			base := e.Name
			if len(base) > 4 && base[len(base)-4:] == "-std" {
				base = base[:len(base)-4]
			}
			require.Equal(t, want[base], [3]int{n, d, k})
		})
	}
}
