package verify

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"maxmargin/norm"
	"maxmargin/trainer"
)

// Validate checks a claim's definition: a name; a known norm (and step
// norm, if any); for the built-in trainer (no Command) an optimizer that
// trainer.ByName knows with valid settings, a loss and a schedule eta_0 > 0,
// a >= 0; for an external optimizer a non-empty command, and a loss and a
// schedule only if given; a rate that Rate.At knows with a burn-in >= 1, or
// no rate; at least one step. Claims from Claims() are valid.
func (c Claim) Validate() error { return c.validate(false) }

// validate is Validate; with sourced, the iterates come from elsewhere (a
// Source given by the caller), so the optimizer is only a label and the
// loss and schedule are optional, as for a command.
func (c Claim) validate(sourced bool) error {
	external := sourced || len(c.Command) > 0
	bad := func(format string, args ...any) error {
		return fmt.Errorf("claim %q: %s", c.Name, fmt.Sprintf(format, args...))
	}
	if c.Name == "" {
		return errors.New("claim without a name")
	}
	switch c.Status {
	case "", Proved, Derived:
	default:
		return bad("status %q (proved, derived)", c.Status)
	}
	if _, err := norm.ByName(c.Norm); err != nil {
		return bad("norm: %v", err)
	}
	if c.StepNorm != "" {
		if _, err := norm.ByName(c.StepNorm); err != nil {
			return bad("step_norm: %v", err)
		}
	}
	if c.Loss != "" || !external {
		if _, err := trainer.ParseLoss(c.Loss); err != nil {
			return bad("%v", err)
		}
	}
	validLR := c.LR > 0 && !math.IsInf(c.LR, 1)
	validDecay := c.Decay >= 0 && !math.IsInf(c.Decay, 1)
	switch {
	case !external && !validLR:
		return bad("lr = %v must be positive and finite", c.LR)
	case external && !(c.LR == 0 || validLR):
		return bad("lr = %v must be positive and finite (or 0: no schedule given)", c.LR)
	case !validDecay:
		return bad("decay = %v must be finite and >= 0", c.Decay)
	}
	if !external {
		if _, err := optimizerFor(c); err != nil {
			return bad("%v (or give a command for an external optimizer)", err)
		}
	} else if len(c.Command) > 0 && c.Command[0] == "" {
		return bad("empty command")
	}
	if c.Rate.Kind != "" {
		if err := c.Rate.validate(); err != nil {
			return bad("%v", err)
		}
		if c.BurnIn < 1 {
			return bad("burn_in = %d: the rate's constant is fitted on [burn_in, 10 burn_in], so burn_in must be >= 1", c.BurnIn)
		}
	}
	if c.Steps < 1 {
		return bad("steps = %d must be at least 1", c.Steps)
	}
	return nil
}

// Resolve returns the claim cc selects: its definition when it has one (with
// Name cc.Claim, Status Derived and a Source naming the case file unless
// given), else the built-in claim of that name.
func (cc CaseClaim) Resolve() (Claim, error) {
	if cc.Define == nil {
		return ClaimByName(cc.Claim)
	}
	c := *cc.Define
	c.Command = slices.Clone(c.Command)
	switch {
	case c.Name == "":
		c.Name = cc.Claim
	case c.Name != cc.Claim:
		return Claim{}, fmt.Errorf("claim %q defines a claim named %q", cc.Claim, c.Name)
	}
	if _, err := ClaimByName(c.Name); err == nil {
		return Claim{}, fmt.Errorf("claim %q: the name of a built-in claim; give the definition another name", c.Name)
	}
	if c.Status == "" {
		c.Status = Derived
	}
	if c.Source == "" {
		c.Source = "defined in a case file"
	}
	if c.Steps == 0 {
		c.Steps = cc.Steps
	}
	if err := c.Validate(); err != nil {
		return Claim{}, err
	}
	return c, nil
}

// stepNorm returns the norm in which every update of the claim's optimizer
// is at most eta_t long, or "" when the claim does not say.
func stepNorm(c Claim) string {
	if c.StepNorm != "" {
		return c.StepNorm
	}
	if len(c.Command) == 0 && isNormalized(c.Optimizer) {
		return c.Norm
	}
	return ""
}
