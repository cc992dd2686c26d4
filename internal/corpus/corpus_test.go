package corpus

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
)

// TestReal checks the shapes of the real data sets against data/README.md.
func TestReal(t *testing.T) {
	entries, err := Real()
	require.NoError(t, err)
	want := map[string][3]int{
		"breast-cancer": {569, 30, 2},
		"wine":          {178, 13, 3},
		"iris":          {150, 4, 3},
		"cars":          {392, 7, 3},
		"digits":        {1797, 64, 10},
		"digits-300":    {300, 64, 10},
	}
	require.Len(t, entries, 2*len(want))
	for _, e := range entries {
		t.Run(e.Name, func(t *testing.T) {
			n, d, k := e.Data.Dims()
			base := strings.TrimSuffix(e.Name, "-std")
			require.Equal(t, want[base], [3]int{n, d, k})
			require.Equal(t, e.Name == "digits" || e.Name == "digits-std" || e.Name == "digits-300-std", e.Long)
		})
	}
}

// TestDigits300 checks that digits-300 is the first 300 rows of digits.
func TestDigits300(t *testing.T) {
	all, err := Load("digits")
	require.NoError(t, err)
	entries, err := Real()
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name == "digits-300" {
			require.True(t, mat.Equal(all.X.Slice(0, 300, 0, 64), e.Data.X))
			require.Equal(t, all.Y[:300], e.Data.Y)
			return
		}
	}
	t.Fatal("no digits-300 entry")
}

// TestGenerated checks the generated entries: unique names, deterministic
// data, and that the closed-form values cover every norm of the corpus
// test: tiny-margin's exact gamma_max is 2 delta with delta = 1e-8 scale
// (dataset.TinyMargin), near-duplicates' bound on gamma_max is eps = 1e-6
// (dataset.NearDuplicates).
func TestGenerated(t *testing.T) {
	entries, err := Entries()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, e := range entries {
		require.False(t, names[e.Name], "duplicate name %s", e.Name)
		names[e.Name] = true
	}
	again := Generated()
	for i, e := range Generated() {
		t.Run(e.Name, func(t *testing.T) {
			require.True(t, mat.Equal(e.Data.X, again[i].Data.X))
			require.Equal(t, e.Data.Y, again[i].Data.Y)
			require.True(t, e.Separable)
			_, err := dataset.New(e.Name, e.Data.X, e.Data.Y)
			require.NoError(t, err, "every class has a sample, every value is finite")
			for _, n := range []string{"max", "sum", "opinf", "op1", "fro", "spectral", "nuclear", "l1.5", "l3", "l10"} {
				if e.Gamma != nil {
					_, ok := e.Gamma(n)
					require.True(t, ok, n)
				}
				if e.Bound != nil {
					_, ok := e.Bound(n)
					require.True(t, ok, n)
				}
			}
			switch {
			case strings.HasPrefix(e.Name, "tiny-margin"):
				g, _ := e.Gamma("max")
				scale := 1.0
				if strings.HasSuffix(e.Name, "scale1000") {
					scale = 1e3
				}
				require.InEpsilon(t, 2e-8*scale, g, 1e-15)
				// The witness W_{1,0} = 1, W_{0,0} = -1 attains it.
				_, d, _ := e.Data.Dims()
				w := mat.NewDense(2, d, nil)
				w.Set(1, 0, 1)
				w.Set(0, 0, -1)
				require.Equal(t, g, e.Data.Margin(w))
			case strings.HasPrefix(e.Name, "near-duplicates"):
				b, _ := e.Bound("max")
				require.Equal(t, 1e-6, b)
			default:
				require.Nil(t, e.Gamma)
				require.Nil(t, e.Bound)
			}
		})
	}
}
