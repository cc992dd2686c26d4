package trainer

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// Record returns the checkpoint of the k×d classifier w after t updates on
// the data set: the loss L(W), the proxy G(W), the margin m(W), and for every
// norm of norms (nil: norm.All()) N(W), m(W)/N(W) and log N*(grad L(W)),
// computed by the code Train records its checkpoints with, so that Record of
// a checkpoint's W gives that checkpoint bit for bit. It is how iterates made
// elsewhere (another program, a file, an optimizer outside this package) are
// measured like the trainer's own. w is copied. The error wraps ErrBadSettings
// for a negative t or a w of the wrong shape, and ErrNotFinite for a w with a
// NaN or infinite entry.
func Record(ds *dataset.Dataset, loss Loss, norms []norm.Norm, t int, w *mat.Dense) (Checkpoint, error) {
	_, d, k := ds.Dims()
	switch r, c := w.Dims(); {
	case t < 0:
		return Checkpoint{}, fmt.Errorf("%w: checkpoint at negative step %d", ErrBadSettings, t)
	case r != k || c != d:
		return Checkpoint{}, fmt.Errorf("%w: W is %d×%d, the data need %d×%d", ErrBadSettings, r, c, k, d)
	case loss < CrossEntropy || loss > PairLog:
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrUnknownLoss, loss)
	}
	wc := mat.DenseCopyOf(w)
	if !finite(wc.RawMatrix().Data) {
		return Checkpoint{}, fmt.Errorf("%w: W at step %d", ErrNotFinite, t)
	}
	if norms == nil {
		norms = norm.All()
	}
	ev := newEvaluator(ds, loss, Exact)
	defer ev.close()
	var (
		g  Gradient
		st stats
	)
	ev.eval(wc, &g, &st)
	return newCheckpoint(t, wc, &g, &st, norms), nil
}
