package convex

import (
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/run"
)

// A method is one engine of Solve. Each cone lists its engines in the
// order Solve tries them (cone.methods); Solve runs them until one ends
// the solve (a time-out or a cancellation) or the best result so far is
// certified.
type method interface {
	// run runs the engine on the solve s, passing keep the results it
	// certifies (at least its narrowest one; keep ignores nil), and
	// returns the number of its stages or iterations (Result.Rounds adds
	// them up), the number of pairs of its problem (Result.Rows is the
	// last engine's) and its error: a time-out or a cancellation ends the
	// solve, a numerical failure does not.
	run(s *solveState, keep func(*certify.Result)) (stages, rows int, err error)
}

// solveState is what the engines of one Solve share: its data, norm,
// tolerance, budget, the sink of its anytime results, and the barrier
// problem on the sample span, built by the first engine that needs it.
type solveState struct {
	ds   *dataset.Dataset
	cn   convexNorm
	tol  float64
	b    *run.Budget
	sink *anytimeBest
	// bp and full are nil until barrier builds them.
	bp   *barrierProblem
	full func(*mat.Dense) *mat.Dense
}

// barrier returns the solve's barrier problem and the map full from its Z
// to the k×d classifier W, building them on the first call: the data T
// are X, or for a unitarily invariant norm the coordinates X Q of the
// sample span (sampleSpan, W = Z Q^T), scaled by a power of two
// (scaledToUnit), with the cone's ball barrier for k×D matrices, D the
// columns of T.
func (s *solveState) barrier() (*barrierProblem, func(*mat.Dense) *mat.Dense) {
	if s.bp != nil {
		return s.bp, s.full
	}
	ds, cn := s.ds, s.cn
	_, _, k := ds.Dims()
	t, q := ds.X, (*mat.Dense)(nil)
	if cn.unitaryInvariant() {
		t, q = sampleSpan(ds.X)
	}
	t, unit := scaledToUnit(t)
	_, dd := t.Dims()
	s.bp = &barrierProblem{pairSpace: newPairSpace(t, ds.Y, k), ball: cn.barrier(k, dd), unit: unit, b: s.b, anytime: s.sink}
	s.full = func(z *mat.Dense) *mat.Dense {
		if q == nil {
			return mat.DenseCopyOf(z)
		}
		var w mat.Dense
		w.Mul(z, q.T())
		return &w
	}
	return s.bp, s.full
}

// qpMethod is the multiclass SVM QP with the minimum-norm-point polish
// (maxMarginFro): gamma_fro, certified with the solve's norm. Its rows
// are the support of its result (0 when it certified nothing).
type qpMethod struct{}

func (qpMethod) run(s *solveState, keep func(*certify.Result)) (int, int, error) {
	res, iters, err := maxMarginFro(s.ds, s.cn, s.tol, s.b, s.sink)
	keep(res)
	rows := 0
	if res != nil {
		rows = len(res.Lambda)
	}
	return iters, rows, err
}

// pdMethod is the primal-dual barrier method on every pair (solvePD),
// with the l<p> polishes of its stages.
type pdMethod struct{}

func (pdMethod) run(s *solveState, keep func(*certify.Result)) (int, int, error) {
	bp, full := s.barrier()
	res, iters, err := bp.solvePD(s.ds, s.cn, full, s.tol, s.b)
	keep(res)
	return iters, bp.pairs(), err
}

// sdpMethod is the SDP interior-point method of the cone c on every pair
// (solveSDP, the runs of c.sdpRuns), or the primal-dual barrier method
// (pdMethod) when c.sdpRuns is nil: the problem on the sample span is too
// large for the SDP. (The choice waits for the sample span, whose SVD a
// solve that the QP certifies does not need.)
type sdpMethod struct{ c sdpCone }

func (m sdpMethod) run(s *solveState, keep func(*certify.Result)) (int, int, error) {
	bp, full := s.barrier()
	runs := m.c.sdpRuns(bp.k, bp.d)
	if runs == nil {
		return pdMethod{}.run(s, keep)
	}
	res, iters, err := bp.solveSDP(s.ds, s.cn, m.c, runs, full, s.tol, s.b)
	keep(res)
	return iters, bp.pairs(), err
}

// workingSetMethod is the primal barrier method on a working set of pairs
// (solveWorkingSet), with the l<p> polishes of its stages: the last
// engine of every cone. Its rows are the final working set.
type workingSetMethod struct{}

func (workingSetMethod) run(s *solveState, keep func(*certify.Result)) (int, int, error) {
	bp, full := s.barrier()
	iters, err := bp.solveWorkingSet(s.ds, s.cn, full, s.tol, s.b, keep)
	rows := 0
	for _, in := range bp.in {
		if in {
			rows++
		}
	}
	return iters, rows, err
}

// methods returns the SVM QP (whose problem is the Frobenius ball's), then
// the primal-dual barrier method and the working set: the QP certifies
// almost always, the barrier methods are the fallback when its normal
// equations lose the precision the certificate needs and the polish fails.
func (froCone) methods(k int) []method {
	return []method{qpMethod{}, pdMethod{}, workingSetMethod{}}
}

// methods returns, for two classes, the SVM QP first (gamma_spectral =
// gamma_fro, see Solve), then the spectral SDP and the working set.
func (c spectralCone) methods(k int) []method {
	return withQP(k, []method{sdpMethod{c}, workingSetMethod{}})
}

// methods returns, for two classes, the SVM QP first (gamma_nuclear =
// gamma_fro, see Solve), then the nuclear SDPs, or the primal-dual barrier
// method when the column form has more than nuclearSDPMaxVars variables
// (sdpMethod, nuclearCone.sdpRuns), and the working set.
func (c nuclearCone) methods(k int) []method {
	return withQP(k, []method{sdpMethod{c}, workingSetMethod{}})
}

// methods returns the primal-dual barrier method, then the working set;
// the stages of both are polished (polished). The SVM QP does not apply
// (the norm is not unitarily invariant, so k = 2 is not fro's problem).
func (pnormCone) methods(k int) []method {
	return []method{pdMethod{}, workingSetMethod{}}
}

// withQP returns ms with the SVM QP in front for k = 2, where a unitarily
// invariant norm's problem is fro's (Solve, "Two classes").
func withQP(k int, ms []method) []method {
	if k == 2 {
		return append([]method{qpMethod{}}, ms...)
	}
	return ms
}
