package trainer

import (
	"fmt"
	"math"
)

// Loss selects the multiclass loss, averaged over the samples (MATH.md
// section 4). With z_c = (w_y - w_c).x for c != y:
//
//	CrossEntropy: log(1 + sum_{c!=y} e^{-z_c})
//	Exponential:  sum_{c!=y} e^{-z_c}
//	PairLog:      sum_{c!=y} log(1 + e^{-z_c})
type Loss int

const (
	// CrossEntropy is the softmax cross-entropy loss, the paper's loss.
	CrossEntropy Loss = iota
	// Exponential is the multiclass exponential loss.
	Exponential
	// PairLog is the pairwise logistic loss (PairLogLoss).
	PairLog
)

// String returns the loss's short name, as accepted by ParseLoss.
func (l Loss) String() string {
	switch l {
	case CrossEntropy:
		return "ce"
	case Exponential:
		return "exp"
	case PairLog:
		return "pairlog"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

// ParseLoss returns the loss named "ce", "exp" or "pairlog", or an error
// wrapping ErrUnknownLoss.
func ParseLoss(name string) (Loss, error) {
	for _, l := range []Loss{CrossEntropy, Exponential, PairLog} {
		if l.String() == name {
			return l, nil
		}
	}
	return 0, fmt.Errorf("%w %q (known: ce, exp, pairlog)", ErrUnknownLoss, name)
}

// softplus returns log(1 + e^x) without overflow or cancellation.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// logSoftplus returns log(log(1 + e^x)), exact also where log(1 + e^x)
// underflows: for x < -18, log(log1p(t)) = log t - t/2 + O(t^2) with t = e^x,
// and the O(t^2) term is below 1e-16 relative.
func logSoftplus(x float64) float64 {
	if x < -18 {
		return x - math.Exp(x)/2
	}
	return math.Log(softplus(x))
}

// logSum accumulates log(sum_j e^{v_j}) over a stream of v_j without
// overflow or underflow (a running-maximum log-sum-exp).
type logSum struct {
	max, acc float64 // sum = e^max * acc, acc in [1, count]
}

func newLogSum() logSum { return logSum{max: math.Inf(-1)} }

func (s *logSum) add(v float64) {
	switch {
	case math.IsInf(v, -1):
	case v > s.max:
		s.acc = s.acc*math.Exp(s.max-v) + 1
		s.max = v
	default:
		s.acc += math.Exp(v - s.max)
	}
}

// value returns log(sum_j e^{v_j}); -Inf for an empty sum.
func (s *logSum) value() float64 {
	if s.acc == 0 {
		return math.Inf(-1)
	}
	return s.max + math.Log(s.acc)
}
