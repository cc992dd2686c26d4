package dataset

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Dataset is a labelled multiclass data set. X is n×d with sample x_i in row i,
// Y holds the labels y_i in {0, ..., K-1}, and every class has at least one
// sample.
type Dataset struct {
	// Name identifies the data set in reports (a file path or a generator
	// description).
	Name string
	// X holds the samples, one per row.
	X *mat.Dense
	// Y holds the class labels, one per row of X.
	Y []int
	// K is the number of classes.
	K int
}

// Dims returns the number of samples n, the number of features d and the
// number of classes k.
func (ds *Dataset) Dims() (n, d, k int) {
	n, d = ds.X.Dims()
	return n, d, ds.K
}

// Bound returns B = max_i ||x_i||_1, the paper's data bound (MATH.md
// section 1).
func (ds *Dataset) Bound() float64 {
	n, _ := ds.X.Dims()
	var b float64
	for i := range n {
		b = max(b, floats.Norm(ds.X.RawRowView(i), 1))
	}
	return b
}

// ClassCounts returns the number of samples of each class.
func (ds *Dataset) ClassCounts() []int {
	counts := make([]int, ds.K)
	for _, y := range ds.Y {
		counts[y]++
	}
	return counts
}

// New returns a Dataset after checking that x and y agree in length, that
// every label lies in {0, ..., k-1} with k = max label + 1 >= 2, that every
// class has a sample, and that every feature is finite. The error, if any,
// names the problem but no file; use ReadCSV for file input.
func New(name string, x *mat.Dense, y []int) (*Dataset, error) {
	n, _ := x.Dims()
	if n != len(y) {
		return nil, fmt.Errorf("dataset: %d samples but %d labels", n, len(y))
	}
	ds := &Dataset{Name: name, X: x, Y: y}
	k, err := classCount(y)
	if err != nil {
		return nil, err
	}
	ds.K = k
	for i := range n {
		for j, v := range x.RawRowView(i) {
			if !isFinite(v) {
				return nil, fmt.Errorf("dataset: sample %d feature %d is %v", i, j, v)
			}
		}
	}
	return ds, nil
}

// classCount returns k = max label + 1 after checking the labels.
func classCount(y []int) (int, error) {
	if len(y) == 0 {
		return 0, ErrEmpty
	}
	k := 0
	for i, c := range y {
		if c < 0 {
			return 0, fmt.Errorf("%w: sample %d has negative label %d", ErrBadLabel, i+1, c)
		}
		// A label at or above n leaves some class below it without a
		// sample; say so before allocating by label value.
		if c >= len(y) {
			return 0, fmt.Errorf("%w: label %d on sample %d, but only %d samples, so some class below it has no sample", ErrLabelGap, c, i+1, len(y))
		}
		k = max(k, c+1)
	}
	seen := make([]bool, k)
	for _, c := range y {
		seen[c] = true
	}
	for c, ok := range seen {
		if !ok {
			return 0, fmt.Errorf("%w: class %d has no sample (labels must be 0..%d with every class present)", ErrLabelGap, c, k-1)
		}
	}
	if k < 2 {
		return 0, fmt.Errorf("%w: only class 0 is present", ErrFewClasses)
	}
	return k, nil
}

// Standardized returns a copy of the data set with every feature shifted and
// scaled to mean 0 and standard deviation 1 (population standard deviation,
// gonum's stat.PopMeanStdDev); a constant feature becomes 0. Linear
// separability is unchanged only up to the bias the centring removes: the
// suite's classifiers have no bias term, so standardizing can change gamma.
func (ds *Dataset) Standardized() *Dataset {
	n, d := ds.X.Dims()
	x := mat.DenseCopyOf(ds.X)
	col := make([]float64, n)
	for j := range d {
		mat.Col(col, j, x)
		mean, std := stat.PopMeanStdDev(col, nil)
		for i := range n {
			v := col[i] - mean
			if std > 0 {
				v /= std
			} else {
				v = 0
			}
			x.Set(i, j, v)
		}
	}
	return &Dataset{Name: ds.Name + " (standardized)", X: x, Y: append([]int(nil), ds.Y...), K: ds.K}
}
