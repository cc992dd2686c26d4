package trainer

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
)

// Gradient is the loss gradient known up to a positive factor:
//
//	grad L(W) = exp(LogScale) * G,
//
// with the entries of G of order max_ij |x_ij| (times at most k). LogScale is
// the largest log-weight log |dL/ds_ic| over the samples i and wrong classes
// c, so that G neither underflows nor overflows however small the true
// gradient is. Scale-invariant directions (NSD, NMD, Adam with eps = 0) use
// G alone and stay exact over 10^6-10^7 steps; GD multiplies by
// exp(LogScale).
type Gradient struct {
	G        *mat.Dense
	LogScale float64
}

// GradientMode selects how the trainer computes the gradient.
type GradientMode int

const (
	// Exact computes the gradient from log-domain quantities with the common
	// factor exp(LogScale) pulled out (MATH.md section 4). It is the default.
	Exact GradientMode = iota
	// Textbook computes the gradient the naive way, (1/n) sum_i (S_i -
	// e_{y_i}) x_i^T with the softmax S in float64 and LogScale = 0, so that
	// S_y - 1 cancels to 0 once the margins pass about 37. It exists to
	// demonstrate that failure; never use it for results.
	Textbook
)

// stats are the quantities recorded at a checkpoint besides the norms.
type stats struct {
	loss, logLoss   float64
	proxy, logProxy float64
	margin          float64
}

// evaluator computes the loss gradient, and on request the loss, the proxy
// and the margin, of a k×d classifier on a fixed data set, into buffers
// allocated once.
type evaluator struct {
	x       blas64.General // n×d samples
	y       []int
	n, d, k int
	loss    Loss
	mode    GradientMode
	scores  blas64.General // n×k: logits, then u_c = s_c - s_y, then the weights R
	factor  []float64      // per-sample log-factor f_i of the weights
	grad    *mat.Dense     // k×d: G
}

func newEvaluator(ds *dataset.Dataset, loss Loss, mode GradientMode) *evaluator {
	n, d, k := ds.Dims()
	x := ds.X.RawMatrix()
	return &evaluator{
		x: x, y: ds.Y, n: n, d: d, k: k, loss: loss, mode: mode,
		scores: blas64.General{Rows: n, Cols: k, Stride: k, Data: make([]float64, n*k)},
		factor: make([]float64, n),
		grad:   mat.NewDense(k, d, nil),
	}
}

// eval computes the gradient at w into g (g.G is the evaluator's buffer) and,
// when st is not nil, the statistics of a checkpoint. It does not allocate.
//
// Per sample, with u_c = s_c - s_y = -z_c for c != y and t = sum_{c!=y}
// e^{u_c}, the weight of class c != y in the gradient (dL_i/ds_c) is, in logs,
//
//	CrossEntropy: u_c - log(1 + t)        (log S_c; 1 - S_y is never formed)
//	Exponential:  u_c
//	PairLog:      u_c - log(1 + e^{u_c})  (log sigmoid(u_c))
//
// and the weight of the true class is minus their sum. The largest
// log-weight over all (i, c) becomes LogScale, the weights are exponentiated
// after subtracting it, and G = (1/n) R^T X. For cross-entropy and the
// exponential loss the weight is e^{u_c - umax_i} times a per-sample factor
// e^{f_i - LogScale} (f_i = umax_i - log(1 + t_i), resp. umax_i), so a step
// costs one exponential per (i, c) and one per sample.
func (e *evaluator) eval(w *mat.Dense, g *Gradient, st *stats) {
	// Logits s_i = W x_i for all i at once: S = X W^T.
	gemmSerial(blas.NoTrans, blas.Trans, 1, e.x, w.RawMatrix(), 0, e.scores)

	var sumLoss, sumProxy float64
	logLoss, logProxy := newLogSum(), newLogSum()
	margin := math.Inf(1)
	scale := math.Inf(-1)
	k := e.k
	// The u_c stay in the row while they are needed: for PairLog (its
	// weights and loss are not of product form) and for Textbook mode.
	keepU := e.loss == PairLog || e.mode == Textbook
	for i, y := range e.y {
		row := e.scores.Data[i*k : i*k+k]
		sy := row[y]
		umax := math.Inf(-1)
		for c := range row {
			row[c] -= sy
			if c != y {
				umax = max(umax, row[c])
			}
		}
		// lt = log t = umax + log sum_{c!=y} e^{u_c - umax}.
		var sum float64
		for c, u := range row {
			if c == y {
				continue
			}
			ec := math.Exp(u - umax)
			sum += ec
			if !keepU {
				row[c] = ec
			}
		}
		lt := umax + math.Log(sum)
		// lse = log(1 + t), the cross-entropy loss of the sample.
		lse := softplus(lt)
		if st != nil {
			margin = min(margin, -umax)
			// log(1 - S_y) = log(t / (1 + t)): the proxy, never 1 - S_y.
			lp := lt - lse
			sumProxy += math.Exp(lp)
			logProxy.add(lp)
			var li, lli float64
			switch e.loss {
			case CrossEntropy:
				li, lli = lse, logSoftplus(lt)
			case Exponential:
				li, lli = math.Exp(lt), lt
			case PairLog:
				s := newLogSum()
				for c, u := range row {
					if c != y {
						li += softplus(u)
						s.add(logSoftplus(u))
					}
				}
				lli = s.value()
			}
			sumLoss += li
			logLoss.add(lli)
		}
		switch {
		case e.mode == Textbook:
			textbookWeights(e.loss, row, y)
		case e.loss == PairLog:
			for c, u := range row {
				if c != y {
					row[c] = -softplus(-u)
					scale = max(scale, row[c])
				}
			}
		case e.loss == CrossEntropy:
			e.factor[i] = umax - lse
			scale = max(scale, e.factor[i])
		case e.loss == Exponential:
			e.factor[i] = umax
			scale = max(scale, e.factor[i])
		}
	}
	if e.mode == Textbook {
		scale = 0
	} else {
		for i, y := range e.y {
			row := e.scores.Data[i*k : i*k+k]
			var sum float64
			if e.loss == PairLog {
				for c, lw := range row {
					if c != y {
						row[c] = math.Exp(lw - scale)
						sum += row[c]
					}
				}
			} else {
				f := math.Exp(e.factor[i] - scale)
				for c := range row {
					if c != y {
						row[c] *= f
						sum += row[c]
					}
				}
			}
			row[y] = -sum
		}
	}
	// G = (1/n) R^T X.
	gemmSerial(blas.Trans, blas.NoTrans, 1/float64(e.n), e.scores, e.x, 0, e.grad.RawMatrix())
	g.G, g.LogScale = e.grad, scale

	if st != nil {
		logN := math.Log(float64(e.n))
		*st = stats{
			loss: sumLoss / float64(e.n), logLoss: logLoss.value() - logN,
			proxy: sumProxy / float64(e.n), logProxy: logProxy.value() - logN,
			margin: margin,
		}
	}
}

// textbookWeights overwrites the u_c = s_c - s_y of one sample (u_y = 0)
// with its gradient weights computed the naive way that Textbook mode
// demonstrates: the softmax in float64 and S_y - 1 for the true class (which
// cancels to 0 once S_y rounds to 1) for cross-entropy; e^{u_c} and the
// sigmoid of u_c, with minus their sum for the true class, for the
// exponential and PairLog losses.
func textbookWeights(loss Loss, row []float64, y int) {
	if loss == CrossEntropy {
		m := 0.0 // u_y
		for _, u := range row {
			m = max(m, u)
		}
		var z float64
		for c, u := range row {
			row[c] = math.Exp(u - m)
			z += row[c]
		}
		for c := range row {
			row[c] /= z
		}
		row[y] -= 1
		return
	}
	var sum float64
	for c, u := range row {
		if c == y {
			continue
		}
		if loss == Exponential {
			row[c] = math.Exp(u)
		} else {
			row[c] = 1 / (1 + math.Exp(-u))
		}
		sum += row[c]
	}
	row[y] = -sum
}
