package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// Case is one regression case: a data set, the claims to check on it, and
// pinned values. It is read from a JSON file in cases/ (see README.md).
type Case struct {
	// Name is the file's base name without ".json"; it is not stored.
	Name string `json:"-"`
	// Path is the file the case was read from; it is not stored.
	Path string `json:"-"`
	// Description says what the case is for.
	Description string `json:"description"`
	// Data is where the samples come from.
	Data Data `json:"data"`
	// References lists the norms whose certified max-margin references are
	// solved (DefaultReferenceNorms when empty). Every claim's own norm must
	// be among them; the others serve the preference check and the plots.
	References []string `json:"references,omitempty"`
	// Claims are the claims to check, with their step budgets.
	Claims []CaseClaim `json:"claims"`
	// Pins are the pinned regression values.
	Pins *Pins `json:"pins,omitempty"`
}

// Data says where a case's samples come from: exactly one of CSV (a path
// relative to the case file), Rows (inline: features then label) or
// Generator ("gaussian" or "random-labels" with its sizes and seed).
type Data struct {
	CSV       string      `json:"csv,omitempty"`
	Rows      [][]float64 `json:"rows,omitempty"`
	Generator string      `json:"generator,omitempty"`
	Seed      uint64      `json:"seed,omitempty"`
	N         int         `json:"n,omitempty"`
	D         int         `json:"d,omitempty"`
	K         int         `json:"k,omitempty"`
	PerClass  int         `json:"per_class,omitempty"`
	Sigma     float64     `json:"sigma,omitempty"`
	// Standardize scales every feature to mean 0 and variance 1 first
	// (dataset.Standardized): features of very different scales make the
	// theorems' constants, which grow like e^{2 B eta}, astronomically
	// large.
	Standardize bool `json:"standardize,omitempty"`
}

// CaseClaim selects a built-in claim for a case, or defines one.
type CaseClaim struct {
	// Claim is the built-in claim's name, or the name of the claim Define
	// defines.
	Claim string `json:"claim"`
	// Define, when set, defines the claim in full (Claim.Validate says
	// what a definition needs); its name must not be a built-in claim's.
	Define *Claim `json:"define,omitempty"`
	// Steps overrides the claim's step budget when positive.
	Steps int `json:"steps,omitempty"`
	// Skip lists checks not to run on this case, each with a reason in
	// Why (for example "preference" on data whose max-margin solutions
	// coincide across norms).
	Skip []string `json:"skip,omitempty"`
	Why  string   `json:"why,omitempty"`
	// dir is the case file's folder: an external optimizer's command runs
	// there.
	dir string
}

// Pins are regression values: the certified gamma per norm and normalized
// margins at chosen checkpoints per claim, reproduced to Tolerance relative.
type Pins struct {
	// Tolerance is the relative tolerance; 0 means 1e-9. Runs are
	// deterministic, so the tolerance only absorbs a change of BLAS or
	// compiler, not a change of algorithm.
	Tolerance float64 `json:"tolerance,omitempty"`
	// Gamma maps a norm name to its certified max-margin value.
	Gamma map[string]float64 `json:"gamma,omitempty"`
	// Margins maps a claim name to pinned checkpoints.
	Margins map[string][]PinnedMargins `json:"margins,omitempty"`
}

// PinnedMargins are the normalized margins m(W_t)/N(W_t) at step T.
type PinnedMargins struct {
	T       int                `json:"t"`
	Margins map[string]float64 `json:"margins"`
}

// ErrCase is wrapped by every error about a case file.
var ErrCase = errors.New("verify: bad case")

// LoadCase reads and validates a case file. Errors name the file and, for
// JSON problems, the line.
func LoadCase(path string) (*Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := ParseCase(b, path)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ParseCase parses and validates the JSON case in b; path names it in errors
// and anchors a relative CSV path.
func ParseCase(b []byte, path string) (*Case, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Case
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s:%d: %w: %v", path, jsonLine(b, err), ErrCase, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: %w: more than one JSON value", path, ErrCase)
	}
	c.Path = path
	c.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	for i := range c.Claims {
		c.Claims[i].dir = filepath.Dir(path)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrCase, err)
	}
	return &c, nil
}

// jsonLine returns the 1-based line of a JSON decoding error, or 0.
func jsonLine(b []byte, err error) int {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return 0
	}
	off = min(max(off, 0), int64(len(b)))
	return 1 + bytes.Count(b[:off], []byte("\n"))
}

func (c *Case) validate() error {
	sources := 0
	if c.Data.CSV != "" {
		sources++
	}
	if len(c.Data.Rows) > 0 {
		sources++
	}
	if c.Data.Generator != "" {
		sources++
	}
	if sources != 1 {
		return errors.New(`data needs exactly one of "csv", "rows", "generator"`)
	}
	switch c.Data.Generator {
	case "":
	case "gaussian":
		if c.Data.K < 2 || c.Data.D < 1 || c.Data.PerClass < 1 || !(c.Data.Sigma >= 0) {
			return errors.New("gaussian generator needs k >= 2, d >= 1, per_class >= 1, sigma >= 0")
		}
	case "random-labels":
		if c.Data.K < 2 || c.Data.D < 1 || c.Data.N < c.Data.K {
			return errors.New("random-labels generator needs k >= 2, d >= 1, n >= k")
		}
	default:
		return fmt.Errorf("unknown generator %q (gaussian, random-labels)", c.Data.Generator)
	}
	if len(c.Claims) == 0 {
		return errors.New("no claims")
	}
	refs := map[string]bool{}
	for _, name := range c.References {
		if _, err := norm.ByName(name); err != nil {
			return err
		}
		refs[name] = true
	}
	seen := map[string]bool{}
	for _, cc := range c.Claims {
		claim, err := cc.Resolve()
		if err != nil {
			return err
		}
		if len(refs) > 0 && !refs[claim.Norm] {
			return fmt.Errorf("claim %q needs a %s reference, not in references %v", cc.Claim, claim.Norm, c.References)
		}
		if len(refs) == 0 && !slices.Contains(DefaultReferenceNorms(), claim.Norm) {
			return fmt.Errorf("claim %q needs a %s reference: list it in references (the default is %v)", cc.Claim, claim.Norm, DefaultReferenceNorms())
		}
		if seen[cc.Claim] {
			return fmt.Errorf("claim %q listed twice", cc.Claim)
		}
		seen[cc.Claim] = true
		if cc.Steps < 0 {
			return fmt.Errorf("claim %q: negative steps", cc.Claim)
		}
		for _, s := range cc.Skip {
			if !skippable[s] {
				return fmt.Errorf("claim %q: check %q cannot be skipped (only envelope, slope, shrink, preference)", cc.Claim, s)
			}
		}
		if len(cc.Skip) > 0 && cc.Why == "" {
			return fmt.Errorf("claim %q: skipping checks needs a reason in \"why\"", cc.Claim)
		}
	}
	if c.Pins != nil && c.Pins.Tolerance < 0 {
		return errors.New("negative pin tolerance")
	}
	return nil
}

// skippable lists the checks a case may skip: the rate and preference checks,
// which are claims about generic data. The exact inequalities, the bound and
// the pins are never skipped.
var skippable = map[string]bool{"envelope": true, "slope": true, "shrink": true, "preference": true}

// Dataset builds the case's data set.
func (c *Case) Dataset() (*dataset.Dataset, error) {
	ds, err := c.rawDataset()
	if err != nil || !c.Data.Standardize {
		return ds, err
	}
	return ds.Standardized(), nil
}

func (c *Case) rawDataset() (*dataset.Dataset, error) {
	switch {
	case c.Data.CSV != "":
		p := c.Data.CSV
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(c.Path), p)
		}
		return dataset.LoadCSV(p)
	case c.Data.Generator == "gaussian":
		return dataset.GaussianClusters(c.Data.Seed, c.Data.K, c.Data.D, c.Data.PerClass, c.Data.Sigma), nil
	case c.Data.Generator == "random-labels":
		return dataset.RandomLabels(c.Data.Seed, c.Data.N, c.Data.D, c.Data.K), nil
	}
	d := len(c.Data.Rows[0]) - 1
	if d < 1 {
		return nil, fmt.Errorf("%s: %w: inline rows need features and a label", c.Path, ErrCase)
	}
	x := mat.NewDense(len(c.Data.Rows), d, nil)
	y := make([]int, len(c.Data.Rows))
	for i, row := range c.Data.Rows {
		if len(row) != d+1 {
			return nil, fmt.Errorf("%s: %w: inline row %d has %d values, expected %d", c.Path, ErrCase, i+1, len(row), d+1)
		}
		x.SetRow(i, row[:d])
		label := row[d]
		if label < 0 || label != math.Trunc(label) || label >= float64(len(c.Data.Rows)) {
			return nil, fmt.Errorf("%s: %w: inline row %d: label %v is not an integer in 0..n-1", c.Path, ErrCase, i+1, label)
		}
		y[i] = int(label)
	}
	ds, err := dataset.New(c.Name, x, y)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Path, err)
	}
	return ds, nil
}

// Save writes the case back to its file (used to rewrite pins), atomically:
// a temporary file in the same folder, then a rename.
func (c *Case) Save() error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(c.Path, append(b, '\n'))
}

// writeAtomic writes b to path through a temporary file and a rename, so that
// a reader never sees a half-written file.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

// LoadCases reads every *.json case file in dir, sorted by name.
func LoadCases(dir string) ([]*Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no case files (*.json)", dir)
	}
	sort.Strings(paths)
	var cases []*Case
	for _, p := range paths {
		c, err := LoadCase(p)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}
