package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver"
)

// refCacheFormat names the layout of a cache entry and of its key. Change it
// when either changes: entries of another format are never read.
const refCacheFormat = "maxmargin-refcache/1"

// ReferenceCache stores certified max-margin references on disk, so that the
// shards of a run and later runs do not solve them again.
//
// An entry is keyed by the SHA-256 of the exact data set (n, d, k, the
// float64 bits of X and the labels, after standardization), the norm's name,
// the certified tolerance, Build and the entry format. It stores the
// Result's classifier W, dual weights, interval and verdicts.
//
// A cached entry never weakens a verdict: on load the certificate is
// evaluated again on the data (solver.Bounds: exact rational arithmetic for
// the polyhedral norms, the rigorous bounds of the convex path for fro,
// spectral, nuclear and l<p>), and the entry is used only when the fresh
// bounds prove its interval (fresh lower >= stored Lower, fresh upper <=
// stored Upper) and that interval is certified to the tolerance, compared
// exactly. Otherwise it is ignored and the reference solved again. A valid
// entry gives back the stored Result bit for bit, so reports do not depend
// on whether the cache was warm.
//
// Entries are written atomically (a temporary file in Dir, then a rename),
// so concurrent processes sharing Dir (the shards of an array job) never
// read a half-written entry; two processes that miss the same entry both
// solve it and write the same bytes. Unreadable or malformed entries count
// as misses. The cache never deletes anything: remove Dir to empty it.
type ReferenceCache struct {
	// Dir is the folder holding the entries; it is created when needed.
	Dir string
	// Build identifies the solver build (the CLI uses the SHA-256 of its
	// executable): entries written by another build are not used, so a
	// changed solver never serves its predecessor's references.
	Build string

	hits, solved atomic.Int64
	storeErr     atomic.Pointer[error] // the first failed write
}

// Counts returns the number of references loaded from the cache and solved
// (and stored) so far.
func (c *ReferenceCache) Counts() (hits, solved int) {
	return int(c.hits.Load()), int(c.solved.Load())
}

// StoreError returns the first error met writing an entry (a read-only or
// full folder), or nil: such an entry is solved again next time.
func (c *ReferenceCache) StoreError() error {
	if p := c.storeErr.Load(); p != nil {
		return *p
	}
	return nil
}

// SolveReferences is SolveReferences with the cache: each norm's reference
// is loaded when a valid entry exists and solved and stored otherwise. A
// nil cache solves everything. An entry that cannot be written is not an
// error (the reference is still used; see StoreError): the cache is an
// optimisation only.
func (c *ReferenceCache) SolveReferences(ds *dataset.Dataset, names ...string) (References, error) {
	if c == nil {
		return SolveReferences(ds, names...)
	}
	if len(names) == 0 {
		names = DefaultReferenceNorms()
	}
	data := DataHash(ds)
	refs := References{}
	for _, name := range names {
		n, err := norm.ByName(name)
		if err != nil {
			return nil, err
		}
		if r := c.load(ds, n, data); r != nil {
			c.hits.Add(1)
			refs[name] = r
			continue
		}
		solved, err := SolveReferences(ds, name)
		if err != nil {
			return nil, err
		}
		r := solved[name]
		c.solved.Add(1)
		if err := c.store(n, data, r); err != nil {
			c.storeErr.CompareAndSwap(nil, &err)
		}
		refs[name] = r
	}
	return refs, nil
}

// DataHash returns the hex SHA-256 of a data set's exact contents: n, d, k,
// the float64 bits of X in row order and the labels, each as 8 bytes little
// endian. The name is not part of it.
func DataHash(ds *dataset.Dataset) string {
	n, d, k := ds.Dims()
	h := sha256.New()
	var b [8]byte
	put := func(u uint64) {
		binary.LittleEndian.PutUint64(b[:], u)
		h.Write(b[:])
	}
	put(uint64(n))
	put(uint64(d))
	put(uint64(k))
	for i := range n {
		for _, v := range ds.X.RawRowView(i)[:d] {
			put(math.Float64bits(v))
		}
	}
	for _, y := range ds.Y {
		put(uint64(y))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// referenceTolerance is the tolerance SolveReferences certifies a norm's
// reference to (solver.MaxMargin's default for it).
func referenceTolerance(n norm.Norm) float64 {
	if _, ok := n.(norm.Polyhedral); ok {
		return solver.DefaultTolerance
	}
	return solver.DefaultConvexTolerance
}

// cacheEntry is the stored form of a certified reference.
type cacheEntry struct {
	Format    string        `json:"format"`
	Data      string        `json:"data"`
	Norm      string        `json:"norm"`
	Tolerance float64       `json:"tolerance"`
	Build     string        `json:"build"`
	Lower     float64       `json:"lower"`
	Upper     float64       `json:"upper"`
	Margin    float64       `json:"margin"`
	Certified bool          `json:"certified"`
	Separable bool          `json:"separable"`
	W         [][]float64   `json:"w"`
	Lambda    []solver.Pair `json:"lambda"`
	Rows      int           `json:"rows"`
	Rounds    int           `json:"rounds"`
}

// path returns the entry's file: the SHA-256 of its key.
func (c *ReferenceCache) path(n norm.Norm, data string) string {
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%x\x00%s", refCacheFormat, data, n.Name(), math.Float64bits(referenceTolerance(n)), c.Build)
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:])+".json")
}

// store writes r's entry atomically.
func (c *ReferenceCache) store(n norm.Norm, data string, r *solver.Result) error {
	e := cacheEntry{
		Format: refCacheFormat, Data: data, Norm: n.Name(), Tolerance: referenceTolerance(n), Build: c.Build,
		Lower: r.Lower, Upper: r.Upper, Margin: r.Margin, Certified: r.Certified, Separable: r.Separable,
		W: rowsOf(r.W), Lambda: r.Lambda, Rows: r.Rows, Rounds: r.Rounds,
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	return writeAtomic(c.path(n, data), b)
}

// errStale is why an entry is not used; it never leaves the package.
var errStale = errors.New("verify: cache entry does not prove its interval")

// load returns the entry for ds and n when it exists and its certificate,
// evaluated again on ds, proves the stored interval; nil otherwise.
func (c *ReferenceCache) load(ds *dataset.Dataset, n norm.Norm, data string) *solver.Result {
	b, err := os.ReadFile(c.path(n, data))
	if err != nil {
		return nil
	}
	r, err := c.decode(ds, n, data, b)
	if err != nil {
		return nil
	}
	return r
}

// decode parses an entry and re-checks it on ds (see ReferenceCache).
func (c *ReferenceCache) decode(ds *dataset.Dataset, n norm.Norm, data string, b []byte) (*solver.Result, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e cacheEntry
	if err := dec.Decode(&e); err != nil {
		return nil, err
	}
	tol := referenceTolerance(n)
	_, d, k := ds.Dims()
	switch {
	case e.Format != refCacheFormat || e.Data != data || e.Norm != n.Name() || e.Tolerance != tol || e.Build != c.Build:
		return nil, fmt.Errorf("%w: key mismatch", errStale)
	case !e.Certified || !e.Separable || len(e.W) != k || len(e.Lambda) == 0:
		return nil, fmt.Errorf("%w: not a certified separable reference", errStale)
	case !(e.Lower > 0) || !(e.Upper >= e.Lower) || math.IsInf(e.Upper, 0) || e.Margin != e.Lower:
		return nil, fmt.Errorf("%w: bad interval", errStale)
	}
	w := mat.NewDense(k, d, nil)
	for i, row := range e.W {
		if len(row) != d {
			return nil, fmt.Errorf("%w: W row %d has %d entries, want %d", errStale, i, len(row), d)
		}
		w.SetRow(i, row)
	}
	lower, upper, err := solver.Bounds(ds, n, w, e.Lambda)
	if err != nil {
		return nil, err
	}
	storedLower := new(big.Rat).SetFloat64(e.Lower)
	storedUpper := new(big.Rat).SetFloat64(e.Upper)
	if lower.Cmp(storedLower) < 0 || upper.Cmp(storedUpper) > 0 {
		return nil, fmt.Errorf("%w: fresh bounds [%g, %g] do not contain it", errStale, ratFloat(lower), ratFloat(upper))
	}
	// Certified: the solver's test (solver.WithinTolerance), exactly.
	if !solver.WithinTolerance(ds, n, storedLower, storedUpper, tol) {
		return nil, fmt.Errorf("%w: interval wider than the tolerance", errStale)
	}
	return &solver.Result{
		Norm: n.Name(), Margin: e.Lower, Lower: e.Lower, Upper: e.Upper, Certified: true, Separable: true,
		W: w, Lambda: e.Lambda, Rows: e.Rows, Rounds: e.Rounds, Tolerance: tol,
	}, nil
}

// ratFloat returns the float64 nearest to r, for messages.
func ratFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}

// rowsOf returns the rows of m as slices.
func rowsOf(m *mat.Dense) [][]float64 {
	r, c := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = append([]float64(nil), m.RawRowView(i)[:c]...)
	}
	return out
}
