package corpus

import (
	"embed"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
)

//go:embed data/*.csv
var files embed.FS

// Entry is one data set of the corpus.
type Entry struct {
	// Name identifies the entry in test names and tables, e.g.
	// "breast-cancer" or "breast-cancer-std".
	Name string
	// Data is the data set.
	Data *dataset.Dataset
	// Long marks entries whose solves take long (tens of seconds for some
	// norm, or for HiGHS or cvxopt): the tests run them only when asked to.
	Long bool
	// Separable tells whether the data are linearly separable (by a
	// classifier without bias; the same for every norm): by construction
	// for the generated entries whose doc says so, otherwise as HiGHS's
	// max-norm LP finds it (gamma_max > 0; see data/README.md).
	Separable bool
	// Gamma, when not nil, returns the exact gamma_N for a norm name, known
	// in closed form (ok false for a norm it does not cover).
	Gamma func(norm string) (gamma float64, ok bool)
	// Bound, when not nil, returns a proven upper bound on gamma_N for a
	// norm name (ok false for a norm it does not cover).
	Bound func(norm string) (bound float64, ok bool)
}

// realSets are the files of data/ with whether their solves are long and
// whether the raw and standardized data are separable (HiGHS, max norm;
// data/README.md).
var realSets = []struct {
	name             string
	long             bool
	separable, stdOK bool
}{
	{"breast-cancer", false, true, false}, // 569 x 30, k = 2; raw columns span 1e-3..4e3
	{"wine", false, true, true},           // 178 x 13, k = 3
	{"iris", false, false, false},         // 150 x 4, k = 3
	{"cars", false, false, false},         // 392 x 7, k = 3; raw columns span 3..5140
	{"digits", true, true, true},          // 1797 x 64, k = 10
}

// Real returns the real data sets, each raw and standardized (name suffix
// "-std"), in a fixed order, and digits-300, the first 300 images of
// digits, raw (not long) and standardized (long).
func Real() ([]Entry, error) {
	var out []Entry
	for _, s := range realSets {
		ds, err := Load(s.name)
		if err != nil {
			return nil, err
		}
		out = append(out,
			Entry{Name: s.name, Data: ds, Long: s.long, Separable: s.separable},
			Entry{Name: s.name + "-std", Data: ds.Standardized(), Long: s.long, Separable: s.stdOK})
		if s.name == "digits" {
			first, err := head(ds, 300)
			if err != nil {
				return nil, err
			}
			out = append(out,
				Entry{Name: "digits-300", Data: first, Separable: true},
				// Long: its opinf and op1 solves take 4 s each, and make
				// test's corpus budget is about 30 s.
				Entry{Name: "digits-300-std", Data: first.Standardized(), Long: true, Separable: true})
		}
	}
	return out, nil
}

// head returns the first n samples of ds as a data set of its own (every
// class must still have a sample).
func head(ds *dataset.Dataset, n int) (*dataset.Dataset, error) {
	_, d := ds.X.Dims()
	x := mat.DenseCopyOf(ds.X.Slice(0, n, 0, d))
	return dataset.New(fmt.Sprintf("%s[:%d]", ds.Name, n), x, append([]int(nil), ds.Y[:n]...))
}

// Generated returns the generated entries (dataset's hard generators) at a
// small size, run by make test, and at the paper's size (n = 500, d = 25,
// k = 10 or the like), marked Long:
//
//   - badly-scaled: Gaussian clusters with columns scaled by 10^-6..10^6;
//   - near-duplicates: axis clusters plus pairs of points of different
//     classes at distance 1e-6 (Bound: the derived (eps/2) N*(...));
//   - collinear: Gaussian clusters plus exact linear combinations of their
//     columns;
//   - tiny-margin: two classes whose gamma_N is 1e-8 of the data's scale,
//     known exactly (Gamma), at scale 1 and at scale 1e3.
//
// The Gaussian clusters (sigma 0.1, k centres from N(0, I_d) in d >= k
// dimensions) are separable at these seeds (checked by the corpus tests
// with HiGHS); the other entries by construction.
func Generated() []Entry {
	const eps = 1e-6
	tiny := func(seed uint64, d, per int, scale float64, long bool) Entry {
		delta := 1e-8 * scale
		return Entry{
			Name:      fmt.Sprintf("tiny-margin-%dx%d-scale%g", 2*per, d, scale),
			Data:      dataset.TinyMargin(seed, d, per, delta, scale),
			Long:      long,
			Separable: true,
			Gamma:     func(n string) (float64, bool) { return dataset.TinyMarginGamma(n, delta) },
		}
	}
	near := func(seed uint64, k, d, per, pairs int, long bool) Entry {
		return Entry{
			Name:      fmt.Sprintf("near-duplicates-%dx%dx%d", k*per+pairs, d+pairs, k),
			Data:      dataset.NearDuplicates(seed, k, d, per, pairs, 0.1, eps),
			Long:      long,
			Separable: true,
			Bound:     func(n string) (float64, bool) { return dataset.NearDuplicatesBound(n, eps) },
		}
	}
	return []Entry{
		{Name: "badly-scaled-60x8x3", Data: dataset.BadlyScaled(1301, 3, 8, 20, 0.1, 6), Separable: true},
		{Name: "badly-scaled-500x25x10", Data: dataset.BadlyScaled(1302, 10, 25, 50, 0.1, 6), Long: true, Separable: true},
		near(1303, 3, 6, 20, 5, false),
		near(1304, 10, 25, 50, 20, true),
		{Name: "collinear-60x10x3", Data: dataset.Collinear(1305, 3, 6, 20, 4, 0.1), Separable: true},
		{Name: "collinear-500x35x10", Data: dataset.Collinear(1306, 10, 25, 50, 10, 0.1), Long: true, Separable: true},
		tiny(1307, 10, 30, 1, false),
		tiny(1308, 10, 30, 1e3, false),
		tiny(1309, 50, 500, 1, true),
	}
}

// Entries returns the whole corpus: Real's entries, then Generated's.
func Entries() ([]Entry, error) {
	real, err := Real()
	if err != nil {
		return nil, err
	}
	return append(real, Generated()...), nil
}

// Load reads the data set data/NAME.csv.
func Load(name string) (*dataset.Dataset, error) {
	f, err := files.Open("data/" + name + ".csv")
	if err != nil {
		return nil, fmt.Errorf("corpus: no data set %q: %w", name, err)
	}
	defer f.Close()
	return dataset.ReadCSV(f, name+".csv")
}
