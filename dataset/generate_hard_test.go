package dataset

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// maxAbs returns max |W_ab|, the max norm.
func maxAbs(w *mat.Dense) float64 {
	var m float64
	for _, v := range w.RawMatrix().Data {
		m = max(m, math.Abs(v))
	}
	return m
}

// sumAbs returns sum |W_ab|, the sum norm.
func sumAbs(w *mat.Dense) float64 {
	var s float64
	for _, v := range w.RawMatrix().Data {
		s += math.Abs(v)
	}
	return s
}

// randomClassifier returns a k×d matrix of N(0, 1) entries.
func randomClassifier(rng *rand.Rand, k, d int) *mat.Dense {
	w := mat.NewDense(k, d, nil)
	for i := range w.RawMatrix().Data {
		w.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return w
}

func TestBadlyScaled(t *testing.T) {
	const k, d, per, sigma, spread = 3, 5, 4, 0.1, 6.0
	ds := BadlyScaled(7, k, d, per, sigma, spread)
	again := BadlyScaled(7, k, d, per, sigma, spread)
	base := GaussianClusters(7, k, d, per, sigma)
	n, dd, kk := ds.Dims()
	require.Equal(t, [3]int{k * per, d, k}, [3]int{n, dd, kk})
	require.True(t, mat.Equal(ds.X, again.X), "same seed, same data")
	require.Equal(t, base.Y, ds.Y)
	require.False(t, mat.Equal(ds.X, BadlyScaled(8, k, d, per, sigma, spread).X))

	// s_j = -6, -3, 0, 3, 6 for d = 5.
	scales := ColumnScales(d, spread)
	for j, s := range []float64{-6, -3, 0, 3, 6} {
		assert.InEpsilon(t, math.Pow(10, s), scales[j], 1e-15, "column %d", j)
	}
	for i := range n {
		for j := range d {
			require.Equal(t, base.X.At(i, j)*scales[j], ds.X.At(i, j))
		}
	}

	// Units do not change the margins: W on X and W D^-1 on X D agree.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		w := randomClassifier(rng, k, d)
		wd := mat.DenseCopyOf(w)
		for a := range k {
			for j := range d {
				wd.Set(a, j, w.At(a, j)/scales[j])
			}
		}
		assert.InDelta(t, base.Margin(w), ds.Margin(wd), 1e-9*math.Max(1, math.Abs(base.Margin(w))))
	}
	require.Equal(t, []float64{1}, ColumnScales(1, spread))
	require.Panics(t, func() { BadlyScaled(1, k, d, per, sigma, -1) })
}

func TestNearDuplicates(t *testing.T) {
	const k, d, per, pairs, sigma, eps = 3, 4, 5, 4, 0.05, 1e-6
	ds := NearDuplicates(11, k, d, per, pairs, sigma, eps)
	require.True(t, mat.Equal(ds.X, NearDuplicates(11, k, d, per, pairs, sigma, eps).X))
	n, dd, kk := ds.Dims()
	nb := k * per
	require.Equal(t, [3]int{nb + pairs, d + pairs, k}, [3]int{n, dd, kk})
	require.Equal(t, nb+pairs, sum(ds.ClassCounts()))

	// Each duplicate p copies a distinct base sample (found by its row),
	// moved by eps along feature d+p and relabelled (y+1) mod k.
	w0 := mat.NewDense(k, d+pairs, nil)
	for a := range k {
		w0.Set(a, a, 1)
	}
	seen := map[int]bool{}
	var srcs []int
	var worst float64 // max_p max_{c != b_p} (x_{i_p,c} - x_{i_p,b_p})
	for p := range pairs {
		row := ds.X.RawRowView(nb + p)
		src := -1
		for i := range nb {
			if mat.Equal(mat.NewVecDense(d, ds.X.RawRowView(i)[:d]), mat.NewVecDense(d, row[:d])) {
				src = i
			}
		}
		require.GreaterOrEqual(t, src, 0, "duplicate %d copies no base sample", p)
		require.False(t, seen[src])
		seen[src] = true
		srcs = append(srcs, src)
		for j := d; j < d+pairs; j++ {
			want := 0.0
			if j == d+p {
				want = eps
			}
			require.Equal(t, want, row[j])
			require.Equal(t, 0.0, ds.X.At(src, j))
		}
		b := ds.Y[nb+p]
		require.Equal(t, (ds.Y[src]+1)%k, b)
		for c := range k {
			if c != b {
				worst = max(worst, ds.X.At(src, c)-ds.X.At(src, b))
			}
		}
	}

	// The witness of the doc comment: margin min(s m0, min_{p, c != b_p}
	// (2 eps - s (x_{i_p,c} - x_{i_p,b_p}))) > 0.
	baseOnly := &Dataset{X: ds.X.Slice(0, nb, 0, d+pairs).(*mat.Dense), Y: ds.Y[:nb], K: k}
	m0 := baseOnly.Margin(w0)
	require.Positive(t, m0, "the base clusters are separated by [I 0]")
	s := eps / worst
	w := mat.DenseCopyOf(w0)
	w.Scale(s, w)
	want := s * m0
	for p, src := range srcs {
		b := ds.Y[nb+p]
		for c := range k {
			if c == b {
				w.Set(c, d+p, 1)
				continue
			}
			w.Set(c, d+p, -1)
			want = min(want, 2*eps-s*(ds.X.At(src, c)-ds.X.At(src, b)))
		}
	}
	got := ds.Margin(w)
	require.Positive(t, got)
	assert.InEpsilon(t, want, got, 1e-9)
	require.Equal(t, 1.0, maxAbs(w), "s <= 1 here, so the witness has max norm 1")

	// The derived bounds hold for the witness and for random classifiers:
	// m(W)/max|W| <= eps and m(W)/sum|W| <= eps/2.
	bmax, ok := NearDuplicatesBound("max", eps)
	require.True(t, ok)
	require.Equal(t, eps, bmax)
	bsum, _ := NearDuplicatesBound("sum", eps)
	require.Equal(t, eps/2, bsum)
	require.LessOrEqual(t, got/maxAbs(w), bmax*(1+1e-12))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		r := randomClassifier(rng, k, d+pairs)
		m := ds.Margin(r)
		require.LessOrEqual(t, m/maxAbs(r), bmax*(1+1e-12))
		require.LessOrEqual(t, m/sumAbs(r), bsum*(1+1e-12))
	}
	require.Panics(t, func() { NearDuplicates(1, 3, 2, 5, 1, sigma, eps) }, "d < k")
	require.Panics(t, func() { NearDuplicates(1, k, d, per, 1, sigma, 0) }, "eps = 0")
}

// sum returns the sum of the counts.
func sum(c []int) int {
	var s int
	for _, v := range c {
		s += v
	}
	return s
}

func TestCollinear(t *testing.T) {
	const k, d, per, extra, sigma = 3, 4, 6, 3, 0.2
	ds := Collinear(5, k, d, per, extra, sigma)
	require.True(t, mat.Equal(ds.X, Collinear(5, k, d, per, extra, sigma).X))
	n, dd, kk := ds.Dims()
	require.Equal(t, [3]int{k * per, d + extra, k}, [3]int{n, dd, kk})
	g := GaussianClusters(5, k, d, per, sigma)
	require.Equal(t, g.Y, ds.Y)
	for i := range n {
		row := ds.X.RawRowView(i)
		for j := range d {
			require.InDelta(t, g.X.At(i, j), row[j], 0x1p-21, "rounded to the grid 2^-20")
			require.Equal(t, row[j], math.Ldexp(math.Round(math.Ldexp(row[j], 20)), -20))
		}
		// Columns 4, 5, 6 = x_0 - 2 x_1, x_1, x_2 - 2 x_3, exactly: the
		// difference, recomputed in exact rational arithmetic through the
		// grid's integers, is zero.
		for j, c := range [][3]int{{0, 1, 1}, {1, 2, 0}, {2, 3, 1}} {
			want := row[c[0]]
			if c[2] == 1 {
				want = math.Ldexp(float64(int64(math.Ldexp(row[c[0]], 20))-2*int64(math.Ldexp(row[c[1]], 20))), -20)
			}
			require.Equal(t, want, row[d+j], "sample %d column %d", i, d+j)
		}
	}
	// A classifier on the first d columns padded with zeros keeps its margins.
	rng := rand.New(rand.NewPCG(5, 6))
	rounded := &Dataset{X: ds.X.Slice(0, n, 0, d).(*mat.Dense), Y: ds.Y, K: k}
	for range 5 {
		w := randomClassifier(rng, k, d)
		pad := mat.NewDense(k, d+extra, nil)
		pad.Slice(0, k, 0, d).(*mat.Dense).Copy(w)
		assert.InDelta(t, rounded.Margin(w), ds.Margin(pad), 1e-12)
	}
	var svd mat.SVD
	require.True(t, svd.Factorize(ds.X, mat.SVDNone))
	vals := svd.Values(nil)
	require.Less(t, vals[d]/vals[0], 1e-13, "rank d: the extra columns add no direction")
}

func TestTinyMargin(t *testing.T) {
	const d, per, scale = 6, 10, 3.0
	delta := 1e-8 * scale
	ds := TinyMargin(9, d, per, delta, scale)
	require.True(t, mat.Equal(ds.X, TinyMargin(9, d, per, delta, scale).X))
	n, dd, k := ds.Dims()
	require.Equal(t, [3]int{2 * per, d, 2}, [3]int{n, dd, k})
	require.Equal(t, []int{per, per}, ds.ClassCounts())
	for i := range per {
		r0, r1 := ds.X.RawRowView(i), ds.X.RawRowView(per+i)
		require.Equal(t, -delta, r0[0])
		require.Equal(t, delta, r1[0])
		require.Equal(t, r0[1:], r1[1:], "the spread is shared by the two classes")
		require.Equal(t, [2]int{0, 1}, [2]int{ds.Y[i], ds.Y[per+i]})
	}

	// The witness W_{1,0} = 1, W_{0,0} = -1 has margin exactly 2 delta =
	// gamma_max; any other classifier has m(W)/max|W| <= 2 delta.
	w := mat.NewDense(2, d, nil)
	w.Set(1, 0, 1)
	w.Set(0, 0, -1)
	gmax, ok := TinyMarginGamma("max", delta)
	require.True(t, ok)
	require.Equal(t, 2*delta, gmax)
	require.Equal(t, gmax, ds.Margin(w))
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		r := randomClassifier(rng, 2, d)
		require.LessOrEqual(t, ds.Margin(r)/maxAbs(r), gmax*(1+1e-9))
	}

	// The closed forms of TinyMargin's doc comment, delta N*(E) with
	// E = (e_1 - e_0) e_0^T.
	for _, c := range []struct {
		name string
		want float64
	}{
		{"max", 2}, {"opinf", 2}, {"sum", 1}, {"op1", 1},
		{"fro", math.Sqrt2}, {"spectral", math.Sqrt2}, {"nuclear", math.Sqrt2},
		{"l1.5", math.Pow(2, 1.0/3)}, {"l3", math.Pow(2, 2.0/3)}, {"l10", math.Pow(2, 0.9)},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, ok := TinyMarginGamma(c.name, delta)
			require.True(t, ok)
			require.InEpsilon(t, c.want*delta, g, 1e-15)
		})
	}
	for _, bad := range []string{"l1", "linf", "l0.5", "foo", "l3x"} {
		_, ok := TinyMarginGamma(bad, delta)
		require.False(t, ok, bad)
	}
	require.Panics(t, func() { TinyMargin(1, 1, per, delta, scale) })
	require.Panics(t, func() { TinyMargin(1, d, per, 0, scale) })
}
