package trainer

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// DefaultPerDecade is the number of log-spaced checkpoints per decade when
// Settings.PerDecade is 0.
const DefaultPerDecade = 10

// progressEvery is the number of steps between calls of Settings.Progress.
const progressEvery = 1024

// Settings configures a training run.
type Settings struct {
	// Optimizer computes the update direction. Train calls its Reset.
	Optimizer Optimizer
	// Loss is the training loss; the zero value is CrossEntropy.
	Loss Loss
	// LR is eta_0 > 0 and Decay is a >= 0 in eta_t = eta_0 (t+1)^{-a} for
	// update t = 0, 1, ...; a = 0 is a constant step.
	LR, Decay float64
	// Steps is the number of updates T >= 0.
	Steps int
	// PerDecade is the number of log-spaced checkpoints per decade (0:
	// DefaultPerDecade); see Checkpoints.
	PerDecade int
	// Norms are the norms whose margins are recorded (nil: norm.All()).
	Norms []norm.Norm
	// Gradient selects the exact (default) or the textbook gradient.
	Gradient GradientMode
	// W0 is the initial k×d classifier (nil: zero). It is not modified.
	W0 *mat.Dense
	// Progress, if not nil, is called with the number of updates done every
	// 1024 updates, from the training goroutine.
	Progress func(step int)
}

// Checkpoint records the state of a run after T updates, at W_T.
type Checkpoint struct {
	// T is the number of updates done.
	T int
	// Loss is L(W_T) and LogLoss is log L(W_T), exact also where L(W_T)
	// underflows to 0.
	Loss, LogLoss float64
	// Proxy is G(W_T) = (1/n) sum_i (1 - S_{y_i}(W_T x_i)) (MATH.md
	// section 4, paper eq. 8, whatever the loss) and LogProxy its
	// logarithm, exact where G underflows.
	Proxy, LogProxy float64
	// Margin is the unnormalized margin m(W_T) = min_{i,c!=y_i} (w_{y_i} -
	// w_c).x_i.
	Margin float64
	// Norms holds N(W_T) for each recorded norm, by name.
	Norms map[string]float64
	// Margins holds the normalized margin m(W_T)/N(W_T) for each recorded
	// norm, by name; 0 when W_T = 0.
	Margins map[string]float64
	// LogGradDual holds log N*(grad L(W_T)) for each recorded norm, by name,
	// computed as LogScale + log N*(G) (-Inf when the gradient is 0).
	LogGradDual map[string]float64
	// W is a copy of W_T, for measures of direction such as the correlation
	// <W_T, V>/(||W_T||_F ||V||_F) with a max-margin classifier V.
	W *mat.Dense
}

// Trajectory is the result of a run.
type Trajectory struct {
	// Checkpoints are the recorded states, in increasing T.
	Checkpoints []Checkpoint
	// W is the final classifier W_Steps.
	W *mat.Dense
	// Steps is the number of updates done: Settings.Steps unless the run
	// was cancelled or diverged.
	Steps int
}

// Checkpoints returns the checkpoint schedule of a run of steps updates: 0,
// the distinct values of round(10^{j/perDecade}) for j = 0, 1, ... up to
// steps, and steps itself, in increasing order. perDecade <= 0 means
// DefaultPerDecade. The schedule has O(perDecade log10(steps)) entries.
func Checkpoints(steps, perDecade int) []int {
	if perDecade <= 0 {
		perDecade = DefaultPerDecade
	}
	ts := []int{0}
	for j := 0; ; j++ {
		t := int(math.Round(math.Pow(10, float64(j)/float64(perDecade))))
		if t > steps {
			break
		}
		if t != ts[len(ts)-1] {
			ts = append(ts, t)
		}
	}
	if ts[len(ts)-1] != steps {
		ts = append(ts, steps)
	}
	return ts
}

// Train runs s.Optimizer on the data set for s.Steps full-batch updates
//
//	W_{t+1} = W_t - eta_t D_t,   eta_t = s.LR (t+1)^{-s.Decay},
//
// from W_0 = s.W0 (zero if nil), and records a Checkpoint at each T of
// Checkpoints(s.Steps, s.PerDecade). observe, if not nil, receives each
// checkpoint as it is made. Memory does not grow with the number of steps
// beyond the checkpoints, and a step allocates nothing.
//
// When ctx is cancelled, Train records a checkpoint at the current iterate
// and returns the trajectory so far with ctx.Err(). If the iterate or its
// gradient stops being finite (a diverging GD, say), it returns the
// trajectory so far with an error wrapping ErrNotFinite. Invalid settings
// give an error wrapping ErrBadSettings.
func Train(ctx context.Context, ds *dataset.Dataset, s Settings, observe func(Checkpoint)) (*Trajectory, error) {
	if err := s.validate(ds); err != nil {
		return nil, err
	}
	norms := s.Norms
	if norms == nil {
		norms = norm.All()
	}
	r := newRun(ds, s)
	defer r.ev.close()
	w := r.w
	schedule := Checkpoints(s.Steps, s.PerDecade)
	traj := &Trajectory{Checkpoints: make([]Checkpoint, 0, len(schedule)+1), W: w}

	done := ctx.Done()
	var (
		st  stats
		err error
	)
	next := 0
	for t := 0; ; t++ {
		select {
		case <-done:
			err = ctx.Err()
		default:
		}
		last := t == s.Steps || err != nil
		if next < len(schedule) && schedule[next] == t || last {
			r.ev.eval(w, &r.g, &st)
			for next < len(schedule) && schedule[next] <= t {
				next++
			}
			c := newCheckpoint(t, w, &r.g, &st, norms)
			traj.Checkpoints = append(traj.Checkpoints, c)
			if observe != nil {
				observe(c)
			}
		} else {
			r.ev.eval(w, &r.g, nil)
		}
		if last {
			traj.Steps = t
			return traj, err
		}
		if math.IsNaN(r.g.LogScale) || math.IsInf(r.g.LogScale, 1) {
			traj.Steps = t
			return traj, fmt.Errorf("%w: gradient at step %d has log-scale %v", ErrNotFinite, t, r.g.LogScale)
		}
		r.update(t)
		if !finite(w.RawMatrix().Data) {
			traj.Steps = t + 1
			return traj, fmt.Errorf("%w: W after step %d (step size %v)", ErrNotFinite, t+1, s.LR*math.Pow(float64(t+1), -s.Decay))
		}
		if s.Progress != nil && (t+1)%progressEvery == 0 {
			s.Progress(t + 1)
		}
	}
}

// run is the state of a training run: the iterate, the direction, the
// evaluator with its buffers, and the optimizer.
type run struct {
	s      *Settings
	w, dir *mat.Dense
	ev     *evaluator
	g      Gradient
}

// newRun allocates the buffers of a run and resets the optimizer.
func newRun(ds *dataset.Dataset, s Settings) *run {
	_, d, k := ds.Dims()
	r := &run{s: &s, w: mat.NewDense(k, d, nil), dir: mat.NewDense(k, d, nil), ev: newEvaluator(ds, s.Loss, s.Gradient)}
	if s.W0 != nil {
		r.w.Copy(s.W0)
	}
	s.Optimizer.Reset(k, d)
	return r
}

// update applies update t, W_{t+1} = W_t - eta_t D_t, with the gradient at
// W_t in r.g. It does not allocate.
func (r *run) update(t int) {
	r.s.Optimizer.Direction(r.dir, t, &r.g)
	eta := r.s.LR * math.Pow(float64(t+1), -r.s.Decay)
	floats.AddScaled(r.w.RawMatrix().Data, -eta, r.dir.RawMatrix().Data)
}

// step evaluates the gradient at W_t and applies update t: one full step
// without statistics, as Train does between checkpoints.
func (r *run) step(t int) {
	r.ev.eval(r.w, &r.g, nil)
	r.update(t)
}

// finite reports whether every v is finite.
func finite(v []float64) bool {
	for _, x := range v {
		if x-x != 0 { // NaN for NaN and ±Inf
			return false
		}
	}
	return true
}

// validate checks the settings against the data set.
func (s *Settings) validate(ds *dataset.Dataset) error {
	_, d, k := ds.Dims()
	switch {
	case s.Optimizer == nil:
		return fmt.Errorf("%w: no optimizer", ErrBadSettings)
	case !(s.LR > 0) || math.IsInf(s.LR, 1):
		return fmt.Errorf("%w: learning rate %v must be positive and finite", ErrBadSettings, s.LR)
	case !(s.Decay >= 0) || math.IsInf(s.Decay, 1):
		return fmt.Errorf("%w: decay %v must be finite and >= 0", ErrBadSettings, s.Decay)
	case s.Steps < 0:
		return fmt.Errorf("%w: %d steps", ErrBadSettings, s.Steps)
	case s.Loss < CrossEntropy || s.Loss > PairLog:
		return fmt.Errorf("%w: %v", ErrUnknownLoss, s.Loss)
	case s.Gradient != Exact && s.Gradient != Textbook:
		return fmt.Errorf("%w: gradient mode %d", ErrBadSettings, s.Gradient)
	}
	if s.W0 != nil {
		if r, c := s.W0.Dims(); r != k || c != d {
			return fmt.Errorf("%w: W0 is %d×%d, the data need %d×%d", ErrBadSettings, r, c, k, d)
		}
		if !finite(mat.DenseCopyOf(s.W0).RawMatrix().Data) {
			return fmt.Errorf("%w: W0 is not finite", ErrBadSettings)
		}
	}
	return nil
}

// newCheckpoint assembles the checkpoint of W_t from the evaluator's
// statistics and gradient.
func newCheckpoint(t int, w *mat.Dense, g *Gradient, st *stats, norms []norm.Norm) Checkpoint {
	c := Checkpoint{
		T: t, Loss: st.loss, LogLoss: st.logLoss, Proxy: st.proxy, LogProxy: st.logProxy, Margin: st.margin,
		Norms:       make(map[string]float64, len(norms)),
		Margins:     make(map[string]float64, len(norms)),
		LogGradDual: make(map[string]float64, len(norms)),
		W:           mat.DenseCopyOf(w),
	}
	for _, nm := range norms {
		v := nm.Value(w)
		c.Norms[nm.Name()] = v
		if v > 0 {
			c.Margins[nm.Name()] = st.margin / v
		} else {
			c.Margins[nm.Name()] = 0
		}
		c.LogGradDual[nm.Name()] = g.LogScale + math.Log(nm.Dual(g.G))
	}
	return c
}
