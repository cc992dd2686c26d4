package trainer

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"maxmargin/norm"
)

// Optimizer is a full-batch first-order method (MATH.md section 5). The
// trainer applies
//
//	W_{t+1} = W_t - eta_t D_t,   eta_t = eta_0 (t+1)^{-a},
//
// with the direction D_t that the optimizer computes from the gradient at
// W_t. Implementations keep their state (momentum, second moments) on a
// moving scale so that they are exact however small the gradient becomes.
type Optimizer interface {
	// Name returns the optimizer's name as the CLI spells it, with its
	// norm where the name does not imply one.
	Name() string
	// Reset prepares the state for a k×d problem and forgets any history.
	Reset(k, d int)
	// Direction stores in dst the direction D_t for update t (0-based) given
	// the gradient at W_t. dst is k×d and does not alias g.G. Direction does
	// not allocate.
	Direction(dst *mat.Dense, t int, g *Gradient)
}

// gd is plain gradient descent.
type gd struct{}

// GD returns gradient descent: D_t = grad L(W_t) = exp(LogScale) G. It needs
// the true gradient, so it is not scale-invariant: once the gradient
// underflows float64 (below about 1e-308), GD stops moving, as it would in
// exact arithmetic to that precision.
func GD() Optimizer { return gd{} }

func (gd) Name() string   { return "gd" }
func (gd) Reset(k, d int) {}

func (gd) Direction(dst *mat.Dense, t int, g *Gradient) {
	scaleInto(dst, math.Exp(g.LogScale), g.G)
}

// nsd is normalized steepest descent.
type nsd struct{ n norm.Norm }

// NSD returns normalized steepest descent with respect to the norm n: D_t is
// the steepest direction argmax_{n(D) <= 1} <grad L(W_t), D> (MATH.md section
// 2). It is scale-invariant, so it uses G and ignores LogScale. NSD(norm.Max)
// is SignGD (D = sign(grad)), NSD(norm.Fro) is normalized GD, NSD(norm.Sum)
// is greedy coordinate descent.
func NSD(n norm.Norm) Optimizer { return nsd{n} }

// nsdNames and nmdNames are the CLI's names of NSD and NMD for norms that have
// one.
var (
	nsdNames = map[string]string{"max": "signgd", "fro": "ngd", "sum": "cd", "spectral": "spectral-gd"}
	nmdNames = map[string]string{"max": "signum", "fro": "nmd-gd", "spectral": "muon"}
)

func (o nsd) Name() string {
	if name, ok := nsdNames[o.n.Name()]; ok {
		return name
	}
	return "nsd(" + o.n.Name() + ")"
}

func (nsd) Reset(k, d int) {}

func (o nsd) Direction(dst *mat.Dense, t int, g *Gradient) {
	o.n.SteepestDirection(dst, g.G)
}

// rescaleGap is how far, in natural-log units, the log-scale of a new
// gradient may move from an optimizer's reference scale before the stored
// state is rescaled to it. Between rescalings the state is updated with the
// factor e^{LogScale - s} on the gradient; e^{±32}, squared e^{±64}, is far
// from float64's limits (e^{±709}).
const rescaleGap = 32

// movingScale is the reference scale s of state kept as X' = X e^{-p s}
// (p = 1 for momentum, p = 2 for second moments).
type movingScale struct {
	s     float64
	valid bool
}

// next returns the reference scale for a gradient with log-scale l, and the
// factor r = e^{s_old - s_new} by which state of power 1 must be multiplied (0
// when there is no previous state). The scale moves only when l leaves
// [s - rescaleGap, s + rescaleGap]: up to l, or down by at most -log(rho)
// per step, rho being the state's slowest decay factor per step (b1 for
// momentum, sqrt(b2) for second moments), so that rho r <= 1 and the stored
// state never grows by rescaling.
func (m *movingScale) next(l, rho float64) (r float64) {
	if !m.valid {
		m.s, m.valid = l, true
		return 0
	}
	if math.Abs(l-m.s) <= rescaleGap {
		return 1
	}
	target := l
	if l < m.s {
		target = max(l, m.s+math.Log(rho)) // log 0 = -Inf: target = l
	}
	r = math.Exp(m.s - target)
	m.s = target
	return r
}

// nmd is normalized momentum descent.
type nmd struct {
	n     norm.Norm
	beta1 float64
	m     *mat.Dense // M e^{-s}
	scale movingScale
}

// NMD returns normalized momentum descent with respect to the norm n:
//
//	M_t = beta1 M_{t-1} + (1 - beta1) grad L(W_t),   M_{-1} = 0,
//
// and D_t the steepest direction of M_t. NMD(norm.Max, b) is Signum,
// NMD(norm.Fro, b) is NMD-GD, and NMD w.r.t. the spectral norm is Muon.
// beta1 = 0 gives NSD exactly, step for step. M is kept as M e^{-s} for a
// reference scale s that follows the gradient's LogScale, which leaves the
// steepest direction unchanged. NMD panics if beta1 is outside [0, 1).
func NMD(n norm.Norm, beta1 float64) Optimizer {
	if !(beta1 >= 0 && beta1 < 1) {
		panic("trainer: NMD beta1 outside [0, 1)")
	}
	return &nmd{n: n, beta1: beta1}
}

func (o *nmd) Name() string {
	if name, ok := nmdNames[o.n.Name()]; ok {
		return name
	}
	return "nmd(" + o.n.Name() + ")"
}

func (o *nmd) Reset(k, d int) {
	o.m = mat.NewDense(k, d, nil)
	o.scale = movingScale{}
}

func (o *nmd) Direction(dst *mat.Dense, t int, g *Gradient) {
	if o.beta1 == 0 {
		// M_t = grad L(W_t): use G itself, so that NMD is NSD bit for bit.
		o.m.Copy(g.G)
		o.n.SteepestDirection(dst, o.m)
		return
	}
	r := o.scale.next(g.LogScale, o.beta1)
	cm := 0.0
	if o.beta1 != 0 {
		cm = o.beta1 * r
	}
	cg := (1 - o.beta1) * math.Exp(g.LogScale-o.scale.s)
	m, gr := o.m.RawMatrix().Data, g.G.RawMatrix().Data
	for i, v := range gr {
		m[i] = cm*m[i] + cg*v
	}
	o.n.SteepestDirection(dst, o.m)
}

// AdamSettings are Adam's parameters. The zero value of Eps and
// BiasCorrection gives Adam as analysed in the paper.
type AdamSettings struct {
	// Beta1 and Beta2 are the decay rates of the first and second moment
	// estimates, in [0, 1). The paper's analysis needs Beta1 <= Beta2.
	Beta1, Beta2 float64
	// Eps is added to sqrt(V); the analysis needs Eps = 0.
	Eps float64
	// BiasCorrection divides M by 1 - Beta1^{t+1} and V by 1 - Beta2^{t+1},
	// as torch.optim.Adam does.
	BiasCorrection bool
}

// adam is Adam with state on a moving scale.
type adam struct {
	AdamSettings
	m, v  *mat.Dense // M e^{-s}, V e^{-2s}
	scale movingScale
}

// Adam returns Adam (MATH.md section 5):
//
//	M_{t+1} = b1 M_t + (1 - b1) g_t,   V_{t+1} = b2 V_t + (1 - b2) g_t^2,
//	D_t = M_{t+1} / sqrt(V_{t+1})                          (analysed; 0/0 = 0)
//	D_t = Mhat / (sqrt(Vhat) + eps),  Mhat = M_{t+1}/(1 - b1^{t+1}),
//	      Vhat = V_{t+1}/(1 - b2^{t+1})                    (BiasCorrection, torch)
//
// with M_0 = V_0 = 0 and g_t = grad L(W_t). M and V are kept as M e^{-s} and
// V e^{-2s} for a reference scale s that follows the gradient's LogScale, and
// eps is applied as eps e^{-s}, so the direction is that of exact arithmetic
// however small the gradient is: with eps = 0 exactly scale-invariant. Without
// BiasCorrection and with Eps > 0, D_t = M/(sqrt(V) + eps). Adam panics if a
// beta is outside [0, 1) or Eps is negative or not finite.
func Adam(s AdamSettings) Optimizer {
	if !(s.Beta1 >= 0 && s.Beta1 < 1 && s.Beta2 >= 0 && s.Beta2 < 1) {
		panic("trainer: Adam beta outside [0, 1)")
	}
	if !(s.Eps >= 0 && !math.IsInf(s.Eps, 1)) {
		panic("trainer: Adam eps negative or not finite")
	}
	return &adam{AdamSettings: s}
}

func (o *adam) Name() string { return "adam" }

func (o *adam) Reset(k, d int) {
	o.m = mat.NewDense(k, d, nil)
	o.v = mat.NewDense(k, d, nil)
	o.scale = movingScale{}
}

func (o *adam) Direction(dst *mat.Dense, t int, g *Gradient) {
	r := o.scale.next(g.LogScale, max(o.Beta1, math.Sqrt(o.Beta2)))
	var cm, cv float64
	if o.Beta1 != 0 {
		cm = o.Beta1 * r
	}
	if o.Beta2 != 0 {
		cv = o.Beta2 * r * r
	}
	e := math.Exp(g.LogScale - o.scale.s)
	cg, cg2 := (1-o.Beta1)*e, (1-o.Beta2)*e*e
	bc1, bc2 := 1.0, 1.0
	if o.BiasCorrection {
		bc1 = 1 - math.Pow(o.Beta1, float64(t+1))
		bc2 = 1 - math.Pow(o.Beta2, float64(t+1))
	}
	var eps float64 // eps in scaled units, eps e^{-s} (0 e^{-s} is 0, not NaN)
	if o.Eps != 0 {
		eps = o.Eps * math.Exp(-o.scale.s)
	}
	m, v := o.m.RawMatrix().Data, o.v.RawMatrix().Data
	gr := g.G.RawMatrix().Data
	dr := dst.RawMatrix()
	if dr.Stride != dr.Cols {
		panic("trainer: Adam direction must be contiguous")
	}
	dd := dr.Data
	for i, x := range gr {
		m[i] = cm*m[i] + cg*x
		v[i] = cv*v[i] + cg2*x*x
		den := math.Sqrt(v[i]/bc2) + eps
		if den == 0 {
			dd[i] = 0 // 0/0 = 0: M = 0 wherever V = 0
			continue
		}
		dd[i] = m[i] / bc1 / den
	}
}

// scaleInto stores f*g in dst.
func scaleInto(dst *mat.Dense, f float64, g *mat.Dense) {
	r, c := g.Dims()
	for i := range r {
		gr := g.RawRowView(i)
		dr := dst.RawRowView(i)
		for j := range c {
			dr[j] = f * gr[j]
		}
	}
}

// ByName returns the optimizer the CLI calls name:
//
//	gd                     GD
//	signgd, ngd, cd        NSD w.r.t. max, fro, sum
//	spectral-gd            NSD w.r.t. spectral
//	nsd                    NSD w.r.t. normName
//	signum, nmd-gd, muon   NMD w.r.t. max, fro, spectral, momentum beta1
//	nmd                    NMD w.r.t. normName
//	adam                   Adam{beta1, beta2, eps, biasCorrection}
//
// Norms are looked up with norm.ByName, so every norm the project has works.
// normName must be empty or agree with a name that implies a norm. Errors wrap
// ErrUnknownOptimizer, ErrNorm, or ErrBadSettings (a beta outside [0, 1), eps
// negative or not finite).
func ByName(name, normName string, beta1, beta2, eps float64, biasCorrection bool) (Optimizer, error) {
	lookup := func(implied string) (norm.Norm, error) {
		switch {
		case implied == "" && normName == "":
			return nil, fmt.Errorf("%w: optimizer %q needs a norm", ErrNorm, name)
		case implied == "":
			implied = normName
		case normName != "" && normName != implied:
			return nil, fmt.Errorf("%w: optimizer %q is steepest descent w.r.t. %q, not %q (use nsd or nmd with a norm)", ErrNorm, name, implied, normName)
		}
		n, err := norm.ByName(implied)
		if err != nil {
			return nil, fmt.Errorf("%w: optimizer %q: %v", ErrNorm, name, err)
		}
		return n, nil
	}
	checkBeta := func(label string, b float64) error {
		if !(b >= 0 && b < 1) {
			return fmt.Errorf("%w: %s = %v outside [0, 1)", ErrBadSettings, label, b)
		}
		return nil
	}
	implied := map[string]string{"signgd": "max", "ngd": "fro", "cd": "sum", "spectral-gd": "spectral", "nsd": "",
		"signum": "max", "nmd-gd": "fro", "muon": "spectral", "nmd": ""}
	switch name {
	case "gd":
		if normName != "" {
			return nil, fmt.Errorf("%w: gd takes no norm", ErrNorm)
		}
		return GD(), nil
	case "signgd", "ngd", "cd", "spectral-gd", "nsd":
		n, err := lookup(implied[name])
		if err != nil {
			return nil, err
		}
		return NSD(n), nil
	case "signum", "nmd-gd", "muon", "nmd":
		n, err := lookup(implied[name])
		if err != nil {
			return nil, err
		}
		if err := checkBeta("beta1", beta1); err != nil {
			return nil, err
		}
		return NMD(n, beta1), nil
	case "adam":
		if normName != "" {
			return nil, fmt.Errorf("%w: adam takes no norm", ErrNorm)
		}
		if err := checkBeta("beta1", beta1); err != nil {
			return nil, err
		}
		if err := checkBeta("beta2", beta2); err != nil {
			return nil, err
		}
		if !(eps >= 0 && !math.IsInf(eps, 1)) {
			return nil, fmt.Errorf("%w: eps = %v must be finite and >= 0", ErrBadSettings, eps)
		}
		return Adam(AdamSettings{Beta1: beta1, Beta2: beta2, Eps: eps, BiasCorrection: biasCorrection}), nil
	}
	return nil, fmt.Errorf("%w %q (known: %v)", ErrUnknownOptimizer, name, OptimizerNames())
}

// OptimizerNames returns the names ByName accepts.
func OptimizerNames() []string {
	return []string{"gd", "signgd", "ngd", "cd", "spectral-gd", "nsd", "signum", "nmd-gd", "muon", "nmd", "adam"}
}
