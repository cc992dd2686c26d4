package verify

import (
	"encoding/json"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// requireSameReferences checks that two reference sets agree bit for bit in
// everything a report uses: W, the interval and the verdicts.
func requireSameReferences(t *testing.T, want, got References) {
	t.Helper()
	require.Len(t, got, len(want))
	for name, w := range want {
		g := got[name]
		require.NotNil(t, g, name)
		assert.Equal(t, math.Float64bits(w.Lower), math.Float64bits(g.Lower), "%s lower", name)
		assert.Equal(t, math.Float64bits(w.Upper), math.Float64bits(g.Upper), "%s upper", name)
		assert.Equal(t, w.Certified, g.Certified, name)
		assert.Equal(t, w.Separable, g.Separable, name)
		assert.Equal(t, w.W.RawMatrix().Data, g.W.RawMatrix().Data, "%s W", name)
		assert.Equal(t, w.Lambda, g.Lambda, "%s lambda", name)
	}
}

// cacheNorms covers both kinds of re-check: exact (LP norms) and the
// convex path's rigorous bounds.
var cacheNorms = []string{"max", "sum", "opinf", "op1", "fro", "spectral", "l3"}

// TestReferenceCache solves references through a cache twice: the second
// time every reference comes from the cache, identical to the first and to
// a solve without cache; another build does not see the entries.
func TestReferenceCache(t *testing.T) {
	ds := dataset.GaussianClusters(2, 3, 4, 5, 0.1)
	direct, err := SolveReferences(ds, cacheNorms...)
	require.NoError(t, err)
	dir := t.TempDir()

	cold := &ReferenceCache{Dir: dir, Build: "b1"}
	refs, err := cold.SolveReferences(ds, cacheNorms...)
	require.NoError(t, err)
	requireSameReferences(t, direct, refs)
	hits, solved := cold.Counts()
	assert.Equal(t, [2]int{0, len(cacheNorms)}, [2]int{hits, solved})

	warm := &ReferenceCache{Dir: dir, Build: "b1"}
	refs, err = warm.SolveReferences(ds, cacheNorms...)
	require.NoError(t, err)
	requireSameReferences(t, direct, refs)
	hits, solved = warm.Counts()
	assert.Equal(t, [2]int{len(cacheNorms), 0}, [2]int{hits, solved}, "every reference from the cache")

	other := &ReferenceCache{Dir: dir, Build: "b2"}
	_, err = other.SolveReferences(ds, "max")
	require.NoError(t, err)
	hits, solved = other.Counts()
	assert.Equal(t, [2]int{0, 1}, [2]int{hits, solved}, "another build solves again")

	var nilCache *ReferenceCache
	refs, err = nilCache.SolveReferences(ds, "max")
	require.NoError(t, err)
	requireSameReferences(t, References{"max": direct["max"]}, refs)

	assert.NoError(t, warm.StoreError())
	unwritable := &ReferenceCache{Dir: filepath.Join(dir, "a-file", "cache"), Build: "b1"}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a-file"), nil, 0o644))
	refs, err = unwritable.SolveReferences(ds, "max")
	require.NoError(t, err, "a cache that cannot be written is not an error")
	requireSameReferences(t, References{"max": direct["max"]}, refs)
	assert.Error(t, unwritable.StoreError())
	require.NoError(t, os.Remove(filepath.Join(dir, "a-file")))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, len(cacheNorms)+1)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), "temporary file %s left behind", e.Name())
	}
}

// TestReferenceCacheNeverWeakens tampers with stored entries: an interval
// that claims more than its certificate proves (a higher lower end or a
// lower upper end, by one ulp), an interval wider than the tolerance, a
// malformed file, and an entry of other data moved under this key. Each must
// be ignored and the reference solved again, giving the true result.
func TestReferenceCacheNeverWeakens(t *testing.T) {
	ds := dataset.GaussianClusters(2, 3, 4, 5, 0.1)
	truth, err := SolveReferences(ds, "max", "spectral")
	require.NoError(t, err)
	otherData := dataset.GaussianClusters(3, 3, 4, 5, 0.1)
	tests := []struct {
		name   string
		norm   string
		tamper func(e map[string]any) map[string]any
	}{
		{"max lower one ulp up", "max", func(e map[string]any) map[string]any {
			e["lower"] = math.Nextafter(e["lower"].(float64), math.Inf(1))
			e["margin"] = e["lower"]
			return e
		}},
		{"max upper one ulp down", "max", func(e map[string]any) map[string]any {
			e["upper"] = math.Nextafter(e["upper"].(float64), 0)
			return e
		}},
		{"spectral lower one ulp up", "spectral", func(e map[string]any) map[string]any {
			e["lower"] = math.Nextafter(e["lower"].(float64), math.Inf(1))
			e["margin"] = e["lower"]
			return e
		}},
		{"spectral upper one ulp down", "spectral", func(e map[string]any) map[string]any {
			e["upper"] = math.Nextafter(e["upper"].(float64), 0)
			return e
		}},
		{"wider than the tolerance", "max", func(e map[string]any) map[string]any {
			// Still a true interval, but not certified: 1e-9 relative
			// (solver.DefaultTolerance) is exceeded by 1e-6.
			e["upper"] = e["upper"].(float64) * (1 + 1e-6)
			return e
		}},
		{"malformed", "max", func(map[string]any) map[string]any { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &ReferenceCache{Dir: t.TempDir(), Build: "b"}
			_, err := c.SolveReferences(ds, tt.norm)
			require.NoError(t, err)
			n, err := norm.ByName(tt.norm)
			require.NoError(t, err)
			path := c.path(n, DataHash(ds))
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			var e map[string]any
			require.NoError(t, json.Unmarshal(b, &e))
			out := []byte("{not json")
			if e = tt.tamper(e); e != nil {
				out, err = json.Marshal(e)
				require.NoError(t, err)
			}
			require.NoError(t, os.WriteFile(path, out, 0o644))

			again := &ReferenceCache{Dir: c.Dir, Build: "b"}
			refs, err := again.SolveReferences(ds, tt.norm)
			require.NoError(t, err)
			hits, solved := again.Counts()
			assert.Equal(t, [2]int{0, 1}, [2]int{hits, solved}, "the tampered entry must not be used")
			requireSameReferences(t, References{tt.norm: truth[tt.norm]}, refs)
		})
	}
	t.Run("other data under this key", func(t *testing.T) {
		c := &ReferenceCache{Dir: t.TempDir(), Build: "b"}
		_, err := c.SolveReferences(otherData, "max")
		require.NoError(t, err)
		n, _ := norm.ByName("max")
		require.NoError(t, os.Rename(c.path(n, DataHash(otherData)), c.path(n, DataHash(ds))))
		refs, err := c.SolveReferences(ds, "max")
		require.NoError(t, err)
		hits, _ := c.Counts()
		assert.Zero(t, hits)
		requireSameReferences(t, References{"max": truth["max"]}, refs)
	})
}

// TestReferenceCacheConcurrent lets four workers with their own caches on
// one folder (shard processes sharing a volume) solve the same references
// at once: all get the same results and the folder holds one complete entry
// per norm.
func TestReferenceCacheConcurrent(t *testing.T) {
	ds := dataset.GaussianClusters(5, 3, 4, 6, 0.1)
	dir := t.TempDir()
	results := make([]References, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &ReferenceCache{Dir: dir, Build: "b"}
			results[i], errs[i] = c.SolveReferences(ds, "max", "sum")
		}()
	}
	wg.Wait()
	for i := range results {
		require.NoError(t, errs[i])
		requireSameReferences(t, results[0], results[i])
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2)
	c := &ReferenceCache{Dir: dir, Build: "b"}
	_, err = c.SolveReferences(ds, "max", "sum")
	require.NoError(t, err)
	hits, _ := c.Counts()
	assert.Equal(t, 2, hits)
}

// TestDataHash checks that the key sees every bit of the data and nothing
// else.
func TestDataHash(t *testing.T) {
	ds := dataset.GaussianClusters(2, 3, 4, 5, 0.1)
	h := DataHash(ds)
	assert.Len(t, h, 64)

	renamed := *ds
	renamed.Name = "other name"
	assert.Equal(t, h, DataHash(&renamed), "the name is not data")

	x := copyDataset(ds)
	bits := math.Float64bits(x.X.At(2, 1))
	x.X.Set(2, 1, math.Float64frombits(bits^1))
	assert.NotEqual(t, h, DataHash(x), "last bit of one feature")

	y := copyDataset(ds)
	y.Y[0], y.Y[len(y.Y)-1] = y.Y[len(y.Y)-1], y.Y[0]
	assert.NotEqual(t, h, DataHash(y), "two labels swapped")

	assert.NotEqual(t, h, DataHash(ds.Standardized()), "standardization changes the data")
}

// copyDataset returns a deep copy of ds.
func copyDataset(ds *dataset.Dataset) *dataset.Dataset {
	c := *ds
	c.X = mat.DenseCopyOf(ds.X)
	c.Y = append([]int(nil), ds.Y...)
	return &c
}

// ratOf returns x as an exact rational.
func ratOf(x float64) *big.Rat { return new(big.Rat).SetFloat64(x) }

// BenchmarkReferences compares solving a reference with loading it,
// re-checked, from the cache, at the paper's size (n = 500, d = 25, k = 10).
func BenchmarkReferences(b *testing.B) {
	ds := dataset.GaussianClusters(1, 10, 25, 50, 0.1)
	for _, name := range []string{"max", "sum", "fro", "spectral"} {
		b.Run(name+"/solve", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SolveReferences(ds, name); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/cache", func(b *testing.B) {
			c := &ReferenceCache{Dir: b.TempDir(), Build: "bench"}
			if _, err := c.SolveReferences(ds, name); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.SolveReferences(ds, name); err != nil {
					b.Fatal(err)
				}
			}
			if hits, _ := c.Counts(); hits == 0 {
				b.Fatal("no cache hit")
			}
		})
	}
}
