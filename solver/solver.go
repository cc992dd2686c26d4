package solver

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/convex"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/lpsolve"
	"maxmargin/solver/internal/run"
)

// ErrUnsupportedNorm is returned by MaxMargin and Bounds for a norm they
// have no method for: one that is neither polyhedral (norm.Polyhedral:
// max, sum, opinf, op1, solved as a linear programme) nor fro, spectral,
// nuclear or an entry-wise l<p> norm, 1 < p < inf (the convex path).
var ErrUnsupportedNorm = convex.ErrUnsupportedNorm

// ErrBadDual is returned by Certify for dual weights that are not a valid
// certificate: a negative or non-finite weight, a pair that is not (sample,
// wrong class), or all weights zero.
var ErrBadDual = certify.ErrBadDual

// StatusError reports that lp_solve ended with a status other than OPTIMAL
// (SUBOPTIMAL after a time-out, INFEASIBLE, NUMFAILURE, ...), or TIMEOUT
// when the working-set loop or an interior-point method ran out of time.
// Its Status is lp_solve's status name, TIMEOUT, CANCELLED, or
// "NUMERICAL FAILURE: ..." for a convex method that broke down; its Method
// names the method that stopped when it is not lp_solve (empty):
// "interior-point method" for the LP norms' interior-point method; for the
// convex norms the method and the norm, "QP interior-point method (fro)",
// "SDP interior-point method (spectral)" or "(nuclear)", "primal-dual
// barrier method (N)" or "barrier method (N)" (internal/convex's
// convexMethod). Its Error returns "solver: lp_solve status STATUS", or
// with the method's name in place of lp_solve.
type StatusError = run.StatusError

// Progress is one report of a running solve, passed to Settings.Progress:
// Method names the method that is running, e.g. "interior-point (max)" or
// "lp_solve working set"; Iteration counts the method's iterations (or
// working-set rounds); Lower and Upper are the best certified interval for
// gamma_N found so far, on the caller's data, both NaN while none is known;
// Elapsed is the time since the solve started.
type Progress = run.Progress

// newBudget returns the budget of a solve started at start with settings
// set under ctx (nil means context.Background()).
func newBudget(ctx context.Context, set Settings, start time.Time) *run.Budget {
	return run.NewBudget(ctx, set.Timeout, set.Progress, set.Trace, start)
}

// badShape is the panic value for inconsistent dimensions (certify.BadShape).
const badShape = certify.BadShape

// DefaultTolerance is the certified relative width of the polyhedral norms
// used when Settings.Tolerance is 0 (U - L <= 1e-9 max(L, 2^-10 sigma_N),
// see Result.Certified).
const DefaultTolerance = 1e-9

// DefaultConvexTolerance is the certified relative width used for the
// non-polyhedral norms (fro, spectral, nuclear, l<p>) when
// Settings.Tolerance is 0: U - L <= 1e-7 max(1, |gamma|), the width the
// convex references are required to reach. An interior-point method in
// float64 reaches it with a wide margin; the LP norms' 1e-9 is also
// reached on well-conditioned data but is not promised.
const DefaultConvexTolerance = convex.DefaultTolerance

// Settings controls MaxMargin. The zero value (or a nil *Settings) means no
// time limit and DefaultTolerance.
type Settings struct {
	// Timeout bounds the whole solve; 0 means none. lp_solve counts whole
	// seconds, so a solve may overrun by up to a second.
	Timeout time.Duration
	// Progress, when not nil, is called from the solving goroutine between
	// iterations with the method, the iteration and the best certified
	// interval so far. It must return quickly.
	Progress func(Progress)
	// Tolerance is the certified relative width (see Result.Certified). 0
	// means DefaultTolerance for the polyhedral norms and
	// DefaultConvexTolerance for the others.
	Tolerance float64
	// Trace, when not nil, is called from the solving goroutine with one
	// line, without a newline, per step of the interior-point methods of
	// the LP norms (iterations, reduced systems, purification, working-set
	// rounds): for debugging a solve. The lines' format is not stable.
	Trace func(string)

	// ipm, when not nil, replaces ipm.DefaultOptions as the tuning of the
	// interior-point method of the LP norms: for tests.
	ipm *ipm.Options
}

// Pair is a dual weight lambda_ic >= 0 on the margin constraint of sample I
// against the wrong class C: a struct of the fields I, C int and Weight
// float64 (lambda_ic).
type Pair = certify.Pair

// Result is a certified max-margin solution.
type Result struct {
	// Norm is the name of the norm N.
	Norm string
	// Margin is the normalized margin m(W)/N(W) of the returned W, exact
	// and rounded down: it equals Lower.
	Margin float64
	// Lower is the certified lower bound max(0, m(W)/N(W)) <= gamma_N,
	// evaluated exactly and rounded down to a float64.
	Lower float64
	// Upper is the certified upper bound N*(A(lambda)) >= gamma_N for the
	// dual weights Lambda, evaluated exactly and rounded up.
	Upper float64
	// Certified reports that the interval is narrow, compared exactly
	// before rounding (WithinTolerance). For the polyhedral norms the test
	// does not depend on the data's units:
	//
	//	Upper - Lower <= Tolerance max(Lower, 2^-10 sigma_N),
	//
	// sigma_N the data's margin scale (MarginScale, the largest margin one
	// pair allows, so 0 <= gamma_N <= sigma_N): relative to gamma_N for
	// margins above 2^-10 sigma_N; below, and for non-separable data
	// (Upper <= Tolerance 2^-10 sigma_N), absolute in units of sigma_N.
	// Scaling the data by any factor scales the interval and keeps the
	// verdict. For the convex norms: Upper - Lower <= Tolerance max(1,
	// |Margin|).
	Certified bool
	// Separable reports Lower > 0 exactly: W separates the data. When it is
	// false the data are "not linearly separable" to the certified
	// accuracy: 0 <= gamma_N <= Upper.
	Separable bool
	// W is the K×d classifier scaled to N(W) = 1 (up to rounding), or the
	// zero matrix when the data are not separable.
	W *mat.Dense
	// Lambda holds the nonzero dual weights, summing to 1 up to rounding
	// (Upper is computed with their exact sum).
	Lambda []Pair
	// Rows is the number of margin rows in the final working set, out of
	// n(k-1); Rounds is the number of LP solves.
	Rows, Rounds int
	// Seconds is the wall-clock time of the solve.
	Seconds float64
	// Tolerance is the relative width that Certified was judged against.
	Tolerance float64
}

// MaxMargin computes gamma_N = max_{N(W) <= 1} m(W), an optimal classifier
// and a certificate [Lower, Upper] for gamma_N (MATH.md section 3) for a
// polyhedral norm n (max, sum, opinf, op1) or one of fro, spectral,
// nuclear and the entry-wise l<p> norms.
//
// For a polyhedral norm the LP "maximize gamma s.t. (w_{y_i} - w_c) . x_i >= gamma, N(W) <= 1" is
// solved with lp_solve over a working set of margin rows (constraint
// generation): start with each sample's worst pair under the class-mean
// classifier, solve, add each sample's most violated pair outside the set,
// and repeat until no pair's margin is below the restricted optimum by more
// than a quarter of the tolerance. The restricted optimum is an upper bound
// on gamma_N, so at that point W is optimal to the tolerance, and the row
// duals of the last LP are a dual certificate for the full problem. Lower
// and Upper are then evaluated exactly by Certify.
//
// For fro, spectral, nuclear and the entry-wise lp norms MaxMargin uses the
// convex path (internal/convex's Solve: interior-point methods with rigorous bounds,
// default tolerance DefaultConvexTolerance).
//
// The LP path is scale-free: gamma_N(cX) = c gamma_N(X), and data whose
// largest feature is far from 1 (say 1e300 or 1e-300, where lp_solve's
// absolute tolerances break down) are solved scaled by an exact power of two
// 2^-e and the interval scaled back by 2^e. When the scaling is not exact
// (features so different in size that some underflow), the returned W and
// dual weights are certified again on the original data.
//
// A result that is not certified to the tolerance is returned with
// Certified = false and its interval. Data that are not linearly separable
// give Separable = false, Margin 0 and W = 0, not an error. An lp_solve
// status other than OPTIMAL (SUBOPTIMAL after a time-out) is a *StatusError;
// other norms wrap ErrUnsupportedNorm. MaxMargin panics if the data set's
// shapes disagree. The result is deterministic.
func MaxMargin(ds *dataset.Dataset, n norm.Norm, s *Settings) (*Result, error) {
	return MaxMarginContext(context.Background(), ds, n, s)
}

// MaxMarginContext is MaxMargin under a context: a cancelled context (or
// one past its deadline) stops the solve between two iterations of its
// method as Settings.Timeout does, with a *StatusError of status CANCELLED
// (or TIMEOUT). For the convex norms a stopped solve, or one whose methods
// broke down numerically (status "NUMERICAL FAILURE: ...", naming the
// method), returns the best certified interval found so far (Certified
// false unless it met the tolerance) together with the error; the Result
// is nil only when no interval was certified.
func MaxMarginContext(ctx context.Context, ds *dataset.Dataset, n norm.Norm, s *Settings) (*Result, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	b := newBudget(ctx, set, time.Now())
	pn, ok := n.(norm.Polyhedral)
	if err := checkSize(ds, ok); err != nil {
		return nil, err
	}
	if !ok {
		if set.Tolerance == 0 {
			set.Tolerance = DefaultConvexTolerance
		}
		res, err := convex.Solve(ds, n, set.Tolerance, b)
		if res != nil {
			res.Tolerance = set.Tolerance
		}
		return (*Result)(res), err
	}
	if set.Tolerance == 0 {
		set.Tolerance = DefaultTolerance
	}
	res, err := maxMarginScaled(ds, pn, set, b)
	if res != nil {
		res.Tolerance = set.Tolerance
	}
	return (*Result)(res), err
}

// unitRange is how far, in binary orders of magnitude, the largest feature
// may be from 1 before MaxMargin rescales the data. (lp_solve sees every
// column scaled to order one, dense.ColumnScales, but measured: without the
// overall rescale opinf at 2^40 ended with lp_solve's ACCURACYERROR.)
const unitRange = 8

// maxMarginScaled solves the LP on data of moderate scale, rescaling by an
// exact power of two when needed. The certified-width test is invariant
// under that scaling (certify.WithinPolyhedral), so an exactly scaled result keeps
// its verdict.
func maxMarginScaled(ds *dataset.Dataset, pn norm.Polyhedral, set Settings, b *run.Budget) (*certify.Result, error) {
	e := dense.UnitExponent(ds.X)
	if e >= -unitRange && e <= unitRange {
		return maxMarginLP(ds, pn, set, b)
	}
	work, exact := scaledDataset(ds, -e)
	res, err := maxMarginLP(work, pn, set, b)
	if res == nil {
		return nil, err
	}
	if exact {
		res.Lower = math.Ldexp(res.Lower, e)
		res.Upper = math.Ldexp(res.Upper, e)
		res.Margin = res.Lower
		return res, err
	}
	out, rerr := certify.Recertify(ds, pn, res, set.Tolerance)
	if err != nil {
		return out, err
	}
	return out, rerr
}

// MarginScale returns sigma_N = max_{i, c != y_i} N*((e_{y_i} - e_c) x_i^T)
// for a polyhedral norm: the largest margin that one pair alone allows
// under N(W) <= 1, so that 0 <= gamma_N <= sigma_N. It is 2 max_i ||x_i||_1
// for max, max_i ||x_i||_inf for sum, 2 max_i ||x_i||_inf for opinf and
// max_i ||x_i||_1 for op1 (the dual norm of a matrix with the two rows x_i
// and -x_i), computed as sigma = m 2^e with m the value on the data scaled
// by 2^-e (dense.UnitExponent), so that it neither overflows nor underflows. It
// scales with the data: sigma_N(2^p X) = 2^p sigma_N(X) exactly.
func MarginScale(ds *dataset.Dataset, n norm.Polyhedral) (m float64, e int) {
	return certify.MarginScale(ds, n)
}

// WithinTolerance reports, exactly, whether the interval [lower, upper] of
// gamma_N is narrow enough for Result.Certified at the tolerance tol: for
// the polyhedral norms upper - lower <= tol max(lower, 2^-10 sigma_N)
// (MarginScale), a test that does not depend on the data's units; for the
// convex norms upper - lower <= tol max(1, lower). It is the test MaxMargin
// applies, for callers that re-check a stored Result (Bounds).
func WithinTolerance(ds *dataset.Dataset, n norm.Norm, lower, upper *big.Rat, tol float64) bool {
	if pn, ok := n.(norm.Polyhedral); ok {
		return certify.WithinPolyhedral(ds, pn, lower, upper, tol)
	}
	return convex.WithinTolerance(lower, upper, tol)
}

// ErrTooLarge is returned by MaxMargin, before any work, for a problem whose
// estimated memory exceeds MemoryBudget.
var ErrTooLarge = errors.New("solver: problem too large")

// MemoryBudget is the memory MaxMargin may plan to use, in bytes: 8 GiB, a
// third of the suite's 24 GiB machines.
const MemoryBudget = 8 << 30

// checkSize refuses problems whose estimated memory exceeds MemoryBudget:
// the LP stores up to n(k-1) margin rows of 2d+1 nonzeros (about 32 n k d
// bytes with lp_solve's bookkeeping); the convex paths may factor dense
// systems over all P = n(k-1) pairs (8 P^2 bytes).
func checkSize(ds *dataset.Dataset, polyhedral bool) error {
	n, d, k := ds.Dims()
	return checkSizeDims(n, d, k, polyhedral)
}

func checkSizeDims(n, d, k int, polyhedral bool) error {
	pairs := float64(n) * float64(k-1)
	need := 32 * float64(n) * float64(k) * float64(d)
	if !polyhedral {
		need = max(need, 8*pairs*pairs)
	}
	if need > MemoryBudget {
		return fmt.Errorf("%w: n = %d, d = %d, k = %d needs about %.1f GiB, more than the budget of %d GiB", ErrTooLarge, n, d, k, need/(1<<30), MemoryBudget>>30)
	}
	return nil
}

// scaledDataset returns ds with every feature multiplied by 2^p, and whether
// that was exact (no feature underflowed).
func scaledDataset(ds *dataset.Dataset, p int) (*dataset.Dataset, bool) {
	x := mat.DenseCopyOf(ds.X)
	exact := true
	raw := x.RawMatrix().Data
	for i, v := range raw {
		raw[i] = math.Ldexp(v, p)
		exact = exact && math.Ldexp(raw[i], -p) == v
	}
	return &dataset.Dataset{Name: ds.Name, X: x, Y: ds.Y, K: ds.K}, exact
}

// maxMarginLP is MaxMargin for a polyhedral norm on data of moderate scale.
//
// Routing (measured; see the package documentation): the interior-point
// method first when useIPM says so, lp_solve over a working set otherwise
// and as the fallback when the interior-point method does not certify; when
// lp_solve fails (a status other than OPTIMAL) and the interior-point
// method has not run, it runs. A *StatusError of the budget (TIMEOUT,
// CANCELLED) comes with the best certified Result so far, nil when none.
func maxMarginLP(ds *dataset.Dataset, pn norm.Polyhedral, set Settings, b *run.Budget) (*certify.Result, error) {
	start := time.Now()
	certify.CheckShape(ds)
	opt := ipm.DefaultOptions()
	if set.ipm != nil {
		opt = *set.ipm
	}
	ipmRan := false
	if useIPM(ds, pn, opt) {
		ipmRan = true
		res, err := ipmRun(ds, pn, set.Tolerance, opt, b, start)
		if err != nil || (res != nil && res.Certified) {
			return res, err
		}
	}
	res, err := lpsolve.WorkingSet(ds, pn, set.Tolerance, b, start)
	if err == nil || budgetError(err) || ipmRan {
		return res, err
	}
	// lp_solve failed (status other than OPTIMAL): the interior points.
	ires, ierr := ipmRun(ds, pn, set.Tolerance, opt, b, start)
	if ierr != nil || ires != nil {
		return ires, ierr
	}
	return nil, err
}

// useIPM reports whether maxMarginLP tries the interior-point method
// before lp_solve: for the max and sum norms when n(k-1)d >= opt.MinSize,
// for opinf and op1 (the group form) when the weights are at least half
// the pairs, 2kd >= n(k-1), or n(k-1)d >= opt.MinSize, where the group
// form solves in weight space (ipm's groupWSystem). Measured: see
// docs/PERFORMANCE.md, sections "Solver design measurements" and
// "Robustness corpus" (digits opinf went from 43 s with lp_solve to 1 s).
func useIPM(ds *dataset.Dataset, pn norm.Polyhedral, opt ipm.Options) bool {
	nn, d, k := ds.Dims()
	if g := pn.Grouping(); g == norm.Entries || g == norm.Whole {
		return nn*(k-1)*d >= opt.MinSize
	}
	return 2*k*d >= nn*(k-1) || nn*(k-1)*d >= opt.MinSize
}

// ipmRun runs ipm.MaxMargin with the tuning opt and stamps the result's time.
func ipmRun(ds *dataset.Dataset, pn norm.Polyhedral, tol float64, opt ipm.Options, b *run.Budget, start time.Time) (*certify.Result, error) {
	res, _, err := ipm.MaxMargin(ds, pn, tol, opt, b)
	if res != nil {
		res.Seconds = time.Since(start).Seconds()
	}
	return res, err
}

// budgetError reports whether err is the budget's: TIMEOUT or CANCELLED.
func budgetError(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Status == "TIMEOUT" || se.Status == "CANCELLED")
}

// Certify evaluates the certificate of MATH.md section 3 for the classifier W
// and the dual weights lambda exactly, in rational arithmetic: every float64
// of X, W and lambda is taken as the dyadic rational it represents. It returns
//
//	lower = max(0, m(W) / N(W)),   m(W) = min_{i, c != y_i} (w_{y_i} - w_c) . x_i,
//	upper = N*(A(lambda)) / sum lambda,   A(lambda) = sum lambda_ic (e_{y_i} - e_c) x_i^T,
//
// so that lower <= gamma_N <= upper whatever produced W and lambda: W/N(W) is
// feasible for gamma_N = max_{N(W) <= 1} m(W) (and W = 0 gives 0), and weak
// duality gives m(V) <= <V, A(lambda)> / sum lambda <= N*(A(lambda)) / sum
// lambda for every V with N(V) <= 1. lower is 0 when W = 0.
//
// The weights need not sum to 1 (they are rescaled exactly); a pair may
// appear more than once (its weights add). Certify returns an error wrapping
// ErrBadDual when a weight is negative or not finite, a pair is out of range
// or has C = Y[I], or every weight is 0. It panics if W is not K×d.
//
// Only the pairs whose floating-point margin, widened by a rigorous bound on
// its rounding error, could be the minimum are evaluated exactly, so the cost
// is one matrix product plus exact dot products for the near-active pairs and
// for the nonzero weights.
func Certify(ds *dataset.Dataset, n norm.Polyhedral, w *mat.Dense, lambda []Pair) (lower, upper *big.Rat, err error) {
	return certify.Certify(ds, n, w, lambda)
}
