package trainer

import (
	"math"
	"runtime"

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

// parallelWork is the size n·d·k from which a step is split between two
// goroutines. Below it the hand-offs (a few µs each, more on a loaded
// machine) cost more than they save.
const parallelWork = 1 << 20

// Phases of a step, run by eval on the first half of the samples (or
// columns) and by the worker on the second.
const (
	phaseLogits  = iota // logits of the samples [lo, hi)
	phaseWeights        // logits and relative weights of [lo, hi)
	phaseScale          // final weights of [lo, hi)
	phaseGrad           // columns [j0, j1) of G
)

// half is one worker's share of a step: the samples [lo, hi) for the
// per-sample phases and the columns [j0, j1) of G for the product R^T X,
// and the largest log-factor of its samples.
type half struct {
	lo, hi, j0, j1 int
	scale          float64
}

// evaluator computes the loss gradient, and on request the loss, the proxy
// and the margin, of a k×d classifier on a fixed data set, into buffers
// allocated once.
//
// With n·d·k >= parallelWork and GOMAXPROCS >= 2, a step is split between
// the calling goroutine and a worker goroutine started by newEvaluator (stop
// it with close): the per-sample phases by samples, the product R^T X by
// columns of G. Every number is computed by the same operations in the same
// order as without the split (each logit, weight and entry of G by one
// goroutine, and the statistics, sums over all samples, by one), so the
// result is bit for bit the same with or without the split, whatever
// GOMAXPROCS or the timing.
type evaluator struct {
	x       blas64.General // n×d samples
	y       []int
	n, d, k int
	loss    Loss
	mode    GradientMode
	scores  blas64.General // n×k: logits, then u_c = s_c - s_y, then the weights R
	kp      int            // k rounded up to whole kernel chunks (padClasses)
	wt      []float64      // d×kp: W^T, for the logits
	gt      []float64      // 4 ceil(d/4) × kp: G^T before the factor 1/n
	xp      []float64      // the samples packed for gradient (packX)
	factor  []float64      // per-sample log-factor f_i of the weights
	lt      []float64      // per-sample log t
	tmp     []float64      // per-sample scratch
	grad    *mat.Dense     // k×d: G
	halves  []half         // one, or two with a worker

	// The step in progress, read by the worker after a send on start.
	w     blas64.General
	scale float64
	start chan int // phases for the worker
	done  chan struct{}
}

func newEvaluator(ds *dataset.Dataset, loss Loss, mode GradientMode) *evaluator {
	n, d, k := ds.Dims()
	kp := padClasses(k)
	x := ds.X.RawMatrix()
	if x.Stride != d { // logits and gradient need contiguous rows
		x = mat.DenseCopyOf(ds.X).RawMatrix()
	}
	e := &evaluator{
		x: x, y: ds.Y, n: n, d: d, k: k, loss: loss, mode: mode,
		// The gradient's kernels read a whole chunk past the last row of
		// the weights R: kp extra numbers (see gradient).
		scores: blas64.General{Rows: n, Cols: k, Stride: k, Data: make([]float64, n*k+kp)},
		kp:     kp,
		wt:     make([]float64, d*kp),
		gt:     make([]float64, (d+3)/4*4*kp),
		xp:     packX(x.Data, n, d),
		factor: make([]float64, n),
		lt:     make([]float64, n),
		tmp:    make([]float64, n),
		grad:   mat.NewDense(k, d, nil),
		halves: []half{{lo: 0, hi: n, j0: 0, j1: d}},
	}
	if n*d*k >= parallelWork && n >= 8 && d >= 8 && runtime.GOMAXPROCS(0) >= 2 {
		n2, d2 := n/2&^3, d/2&^3
		e.halves = []half{{lo: 0, hi: n2, j0: 0, j1: d2}, {lo: n2, hi: n, j0: d2, j1: d}}
		e.start, e.done = make(chan int), make(chan struct{})
		go e.worker()
	}
	return e
}

// worker runs the phases sent on start on the second half.
func (e *evaluator) worker() {
	for phase := range e.start {
		e.run(phase, &e.halves[1])
		e.done <- struct{}{}
	}
}

// close stops the worker goroutine, if any. The evaluator must not be used
// afterwards.
func (e *evaluator) close() {
	if e.start != nil {
		close(e.start)
		e.start = nil
	}
}

// parallel runs phase on every half, the second on the worker.
func (e *evaluator) parallel(phase int) {
	if len(e.halves) == 1 {
		e.run(phase, &e.halves[0])
		return
	}
	e.start <- phase
	e.run(phase, &e.halves[0])
	<-e.done
}

// run runs phase on the half h.
func (e *evaluator) run(phase int, h *half) {
	d, k := e.d, e.k
	switch phase {
	case phaseLogits, phaseWeights:
		// S = X W^T on rows lo..hi-1: each logit is the same dot product
		// as in one product over all rows.
		logits(e.scores.Data[h.lo*k:h.hi*k], e.x.Data[h.lo*d:h.hi*d], h.hi-h.lo, d, e.wt, e.kp, k)
		if phase == phaseWeights {
			h.scale = e.weights(h.lo, h.hi, nil)
		}
	case phaseScale:
		e.scaleWeights(h.lo, h.hi, e.scale)
	case phaseGrad:
		// G = (1/n) R^T X on columns j0..j1-1: each entry is the same sum
		// over the samples, in the same order, as in one product.
		gradient(e.grad.RawMatrix().Data, e.gt, e.scores.Data, e.xp, e.n, d, k, e.kp, h.j0, h.j1, 1/float64(e.n))
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
	e.w = w.RawMatrix()
	transposeW(e.wt, e.kp, e.w.Data, e.w.Stride, e.k, e.d)
	if st == nil {
		e.parallel(phaseWeights)
		e.scale = e.halves[0].scale
		for _, h := range e.halves[1:] {
			e.scale = max(e.scale, h.scale)
		}
	} else {
		// The statistics are sums over all samples in order: one
		// goroutine.
		e.parallel(phaseLogits)
		e.scale = e.weights(0, e.n, st)
	}
	if e.mode == Textbook {
		e.scale = 0
	} else {
		e.parallel(phaseScale)
	}
	e.parallel(phaseGrad)
	g.G, g.LogScale = e.grad, e.scale
}

// weights turns the logits of the samples lo..hi-1 into their gradient
// weights relative to a per-sample log-factor, computes the statistics of
// all samples into st when st is not nil, and returns the largest
// log-factor. For cross-entropy and the exponential loss the row holds
// e^{u_c - umax} and factor[i] the log-factor f_i; for PairLog the row holds
// the log-weights and the return value is their maximum; in Textbook mode
// the row holds the final weights.
func (e *evaluator) weights(lo, hi int, st *stats) float64 {
	if e.loss != PairLog && e.mode == Exact {
		return e.productWeights(lo, hi, st)
	}
	sums := newStatSums()
	scale := math.Inf(-1)
	k := e.k
	// The u_c stay in the row while they are needed: for PairLog (its
	// weights and loss are not of product form) and for Textbook mode.
	keepU := e.loss == PairLog || e.mode == Textbook
	for i := lo; i < hi; i++ {
		y := e.y[i]
		row := e.scores.Data[i*k : i*k+k]
		umax := shiftLogits(row, y)
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
			var li, lli float64
			if e.loss == PairLog {
				s := newLogSum()
				for c, u := range row {
					if c != y {
						li += softplus(u)
						s.add(logSoftplus(u))
					}
				}
				lli = s.value()
			} else {
				li, lli = productLoss(e.loss, lt, lse)
			}
			sums.add(umax, lt, lse, li, lli)
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
	if st != nil {
		*st = sums.stats(hi - lo)
	}
	return scale
}

// productWeights is weights for cross-entropy and the exponential loss in
// Exact mode, with the exponentials e^{u_c - umax} of all the samples taken
// at once by expInPlace (the same numbers as one math.Exp at a time).
func (e *evaluator) productWeights(lo, hi int, st *stats) float64 {
	k := e.k
	umaxs := e.factor[lo:hi] // umax_i until f_i replaces it
	shiftRows(e.scores.Data[lo*k:hi*k], k, e.y[lo:hi], umaxs)
	expInPlace(e.scores.Data[lo*k : hi*k])

	// lt = log t = umax + log sum_{c!=y} e^{u_c - umax}, and the
	// exponential of softplus(lt) = log(1 + e^lt), e^{-|lt|}, for all the
	// samples at once.
	lts, ex := e.lt[lo:hi], e.tmp[lo:hi]
	rowSums(lts, e.scores.Data[lo*k:hi*k], k) // + 0 at c = y
	logInPlace(lts)
	for i, l := range lts {
		lt := umaxs[i] + l
		lts[i], ex[i] = lt, -math.Abs(lt)
	}
	expInPlace(ex)

	sums := newStatSums()
	for i := lo; i < hi; i++ {
		umax, lt := umaxs[i-lo], lts[i-lo]
		// lse = log(1 + t) = softplus(lt), the cross-entropy loss of the
		// sample.
		lse := math.Log1p(ex[i-lo])
		if lt > 0 {
			lse = lt + lse
		}
		if st != nil {
			li, lli := productLoss(e.loss, lt, lse)
			sums.add(umax, lt, lse, li, lli)
		}
		f := umax // Exponential
		if e.loss == CrossEntropy {
			f = umax - lse
		}
		e.factor[i] = f
	}
	if st != nil {
		*st = sums.stats(hi - lo)
	}
	return maxOf(e.factor[lo:hi])
}

// shiftRows applies shiftRow to the rows of s (len(y) rows of k logits),
// storing their umax in umax: with AVX2 by shiftRowsAVX, for k <= chunk,
// up to the rows with a NaN or a zero maximum, the same numbers.
func shiftRows(s []float64, k int, y []int, umax []float64) {
	m := len(y)
	s, umax = s[:m*k], umax[:m]
	for i := 0; i < m; i++ {
		if hasAVX2 && k <= chunk {
			i += shiftRowsAVX(&s[i*k], k, &y[i], m-i, &umax[i], (*[chunk]int64)(laneMask[chunk-k:]))
			if i == m {
				break
			}
		}
		umax[i] = shiftRow(s[i*k:i*k+k], y[i])
	}
}

// shiftRow replaces the logits s_c of a sample of class y by u_c - umax =
// (s_c - s_y) - umax for c != y, and s_y by -Inf (e^{-Inf} = +0 stands in
// the true class's place until scaleWeights: it adds nothing to the sums
// over c != y), and returns umax = max_{c!=y} (s_c - s_y) = (max_{c!=y}
// s_c) - s_y, the same number: rounding is monotone, so the largest
// rounded difference is the rounded difference of the largest.
// shiftRowsAVX does the same to many rows.
func shiftRow(row []float64, y int) (umax float64) {
	sy := row[y]
	row[y] = math.Inf(-1)
	umax = maxOf(row) - sy
	for c, s := range row {
		row[c] = (s - sy) - umax
	}
	row[y] = math.Inf(-1)
	return umax
}

// rowSums stores in sum[i] the sum of row i of s (len(sum) rows of k),
// taken in increasing column from 0, four rows at a time: four independent
// chains of additions instead of one.
func rowSums(sum, s []float64, k int) {
	m := len(sum)
	s = s[:m*k]
	i := 0
	for ; i+4 <= m; i += 4 {
		r0 := s[i*k : i*k+k]
		r1 := s[(i+1)*k : (i+1)*k+k][:len(r0)]
		r2 := s[(i+2)*k : (i+2)*k+k][:len(r0)]
		r3 := s[(i+3)*k : (i+3)*k+k][:len(r0)]
		var s0, s1, s2, s3 float64
		for c, v := range r0 {
			s0 += v
			s1 += r1[c]
			s2 += r2[c]
			s3 += r3[c]
		}
		sum[i], sum[i+1], sum[i+2], sum[i+3] = s0, s1, s2, s3
	}
	for ; i < m; i++ {
		var s0 float64
		for _, v := range s[i*k : i*k+k] {
			s0 += v
		}
		sum[i] = s0
	}
}

// maxOf returns the largest of v (-Inf if v is empty), as the builtin max
// gives it (NaN if any is NaN, +0 over -0) whatever the order: four running
// maxima quarter the chain of dependent operations.
func maxOf(v []float64) float64 {
	m0, m1, m2, m3 := math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)
	i := 0
	for ; i+3 < len(v); i += 4 {
		m0 = max(m0, v[i])
		m1 = max(m1, v[i+1])
		m2 = max(m2, v[i+2])
		m3 = max(m3, v[i+3])
	}
	for ; i < len(v); i++ {
		m0 = max(m0, v[i])
	}
	return max(max(m0, m1), max(m2, m3))
}

// shiftLogits replaces the logits s_c of a sample of class y by u_c = s_c -
// s_y and returns umax = max_{c!=y} u_c (minus the sample's margin).
func shiftLogits(row []float64, y int) (umax float64) {
	sy := row[y]
	umax = math.Inf(-1)
	for c := range row {
		row[c] -= sy
		if c != y {
			umax = max(umax, row[c])
		}
	}
	return umax
}

// productLoss returns the loss of a sample and its logarithm, for
// cross-entropy (log(1 + t)) or the exponential loss (t), from lt = log t
// and lse = log(1 + t).
func productLoss(loss Loss, lt, lse float64) (li, lli float64) {
	if loss == CrossEntropy {
		return lse, logSoftplus(lt)
	}
	return math.Exp(lt), lt
}

// statSums accumulates the statistics of a checkpoint over the samples, in
// order.
type statSums struct {
	sumLoss, sumProxy float64
	logLoss, logProxy logSum
	margin            float64
}

func newStatSums() statSums {
	return statSums{logLoss: newLogSum(), logProxy: newLogSum(), margin: math.Inf(1)}
}

// add adds a sample with largest u_c umax (its margin is -umax), lt = log t,
// lse = log(1 + t), loss li and log-loss lli.
func (s *statSums) add(umax, lt, lse, li, lli float64) {
	s.margin = min(s.margin, -umax)
	// log(1 - S_y) = log(t / (1 + t)): the proxy, never 1 - S_y.
	lp := lt - lse
	s.sumProxy += math.Exp(lp)
	s.logProxy.add(lp)
	s.sumLoss += li
	s.logLoss.add(lli)
}

// stats returns the means over the m samples added.
func (s *statSums) stats(m int) stats {
	logM := math.Log(float64(m))
	return stats{
		loss: s.sumLoss / float64(m), logLoss: s.logLoss.value() - logM,
		proxy: s.sumProxy / float64(m), logProxy: s.logProxy.value() - logM,
		margin: s.margin,
	}
}

// scaleWeights turns the relative weights of the samples lo..hi-1 (see
// weights) into R e^{-scale}, the true class getting minus the sum of the
// others.
func (e *evaluator) scaleWeights(lo, hi int, scale float64) {
	k := e.k
	f := e.tmp[lo:hi] // e^{f_i - scale}
	if e.loss != PairLog {
		for i := range f {
			f[i] = e.factor[lo+i] - scale
		}
		expInPlace(f)
	}
	for i := lo; i < hi; i++ {
		y := e.y[i]
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
			// productWeights left +0 at c = y: it stays +0 (or NaN with f)
			// and adds nothing.
			f := f[i-lo]
			for c := range row {
				row[c] *= f
				sum += row[c]
			}
		}
		row[y] = -sum
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
