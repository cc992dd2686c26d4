package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/trainer"
)

// Source produces the checkpoints a claim is checked on. Whatever the source
// (the built-in trainer, an optimizer written in Go, an external command, a
// file), the checks are the same: CheckClaim measures every source's
// iterates with trainer.Record or trainer.Train, which record the same
// quantities with the same code.
type Source interface {
	// Checkpoints returns the recorded checkpoints of the run spec asks
	// for, in strictly increasing T. When ctx is cancelled it returns the
	// checkpoints so far with ctx's error.
	Checkpoints(ctx context.Context, spec RunSpec) ([]trainer.Checkpoint, error)
}

// RunSpec is what a Source is asked to produce.
type RunSpec struct {
	// Data is the data set, exactly as the references were solved on.
	Data *dataset.Dataset
	// Claim is the claim being checked, with its optimizer, schedule and
	// loss.
	Claim Claim
	// Loss is the loss the checkpoints are measured with: the claim's, or
	// cross-entropy when the claim names none (its loss-dependent checks
	// are then skipped).
	Loss trainer.Loss
	// Steps is the run's number of updates T.
	Steps int
	// Norms are the norms recorded at each checkpoint (nil: norm.All()).
	Norms []norm.Norm
	// Dir is the working folder of external commands (the case file's
	// folder; "" is the current one).
	Dir string
}

// TrainerSource runs an optimizer with the built-in trainer, on the claim's
// loss and schedule eta_t = LR (t+1)^{-Decay} from W_0 = 0, recording at
// trainer.Checkpoints(Steps, 0).
type TrainerSource struct {
	// Optimizer is any trainer.Optimizer: a built-in one or the caller's.
	Optimizer trainer.Optimizer
	// Gradient is the trainer's gradient mode (Exact unless a test asks
	// for the textbook one).
	Gradient trainer.GradientMode
}

// Checkpoints trains and returns the trajectory's checkpoints.
func (s TrainerSource) Checkpoints(ctx context.Context, spec RunSpec) ([]trainer.Checkpoint, error) {
	if s.Optimizer == nil {
		return nil, errors.New("verify: TrainerSource without an optimizer")
	}
	traj, err := trainer.Train(ctx, spec.Data, trainer.Settings{
		Optimizer: s.Optimizer, Loss: spec.Loss, LR: spec.Claim.LR, Decay: spec.Claim.Decay, Steps: spec.Steps,
		Norms: spec.Norms, Gradient: s.Gradient,
	}, nil)
	if traj == nil {
		return nil, err
	}
	return traj.Checkpoints, err
}

// Iterates is a Source of iterates made elsewhere (read from a file, or
// computed by the caller): each is measured with trainer.Record. Steps must
// be strictly increasing and every W k×d and finite.
type Iterates []Iterate

// Checkpoints measures the iterates.
func (its Iterates) Checkpoints(ctx context.Context, spec RunSpec) ([]trainer.Checkpoint, error) {
	if len(its) == 0 {
		return nil, fmt.Errorf("%w: no checkpoints", ErrTrajectory)
	}
	cps := make([]trainer.Checkpoint, 0, len(its))
	for i, it := range its {
		if i > 0 && it.T <= its[i-1].T {
			return nil, fmt.Errorf("%w: checkpoint %d: t = %d after t = %d: checkpoints must come in strictly increasing t", ErrTrajectory, i, it.T, its[i-1].T)
		}
		if it.W == nil {
			return nil, fmt.Errorf("%w: checkpoint %d (t = %d) has no W", ErrTrajectory, i, it.T)
		}
		cp, err := trainer.Record(spec.Data, spec.Loss, spec.Norms, it.T, it.W)
		if err != nil {
			return nil, fmt.Errorf("%w: checkpoint %d (t = %d): %v", ErrTrajectory, i, it.T, err)
		}
		cps = append(cps, cp)
		if err := ctx.Err(); err != nil {
			return cps, err
		}
	}
	return cps, nil
}

// FileSource reads a trajectory file (LoadTrajectory: .jsonl, .npz, or .npy
// on the schedule of RunSpec.Steps) and measures its iterates.
type FileSource struct {
	Path string
}

// Checkpoints reads and measures the file's iterates.
func (s FileSource) Checkpoints(ctx context.Context, spec RunSpec) ([]trainer.Checkpoint, error) {
	_, d, k := spec.Data.Dims()
	its, err := LoadTrajectory(s.Path, k, d, spec.Steps)
	if err != nil {
		return nil, err
	}
	return Iterates(its).Checkpoints(ctx, spec)
}

// ErrCommand is wrapped by the errors of an external optimizer's command: it
// could not start, failed, or ended its trajectory early.
var ErrCommand = errors.New("verify: external optimizer failed")

// CommandSource runs an external optimizer: a command that trains on the
// case's data and writes its trajectory on stdout in JSON Lines
// (ReadTrajectory). The protocol:
//
// argv is run as given, in Dir (the case file's folder, so that a script
// next to the case is found by a relative path), with stdin empty and the
// environment of maxmargin plus
//
//	MAXMARGIN_DATA         a CSV of the data exactly as the references see
//	                       them (standardized when the case says so, generated
//	                       data written out): one row per sample, the d
//	                       features then the label 0..k-1, no header
//	MAXMARGIN_N, _D, _K    the numbers of samples, features and classes
//	MAXMARGIN_STEPS        T, the number of updates
//	MAXMARGIN_CHECKPOINTS  the steps to write W at, comma-separated:
//	                       trainer.Checkpoints(T, 0), that is 0, about 10 per
//	                       decade, and T
//	MAXMARGIN_LR, _DECAY   eta_0 and a of eta_t = eta_0 (t+1)^{-a} for updates
//	                       t = 0, ..., T-1 (empty when the claim gives no
//	                       schedule)
//	MAXMARGIN_LOSS         ce, exp or pairlog (empty when the claim names none)
//	MAXMARGIN_BETA1, _BETA2, _EPS   the claim's optimizer settings
//
// with numbers written so that they parse back to the same float64. The
// command starts from W_0 = 0 and writes one line {"t": t, "W": [[...],
// ...]} per checkpoint, t strictly increasing, ending at t = T; it may write
// other checkpoints too. Anything else goes to stderr. It exits with status
// 0. A non-zero status is an error (wrapping ErrCommand) quoting the status
// and the last line of stderr; a malformed line stops the command and is an
// error (wrapping ErrTrajectory) naming the line; a trajectory that stops
// before T is an error. Cancelling the context (SIGINT, a time-out) kills
// the command's process group.
type CommandSource struct {
	Argv []string
	// Dir overrides RunSpec.Dir when not empty.
	Dir string
}

// Checkpoints runs the command and measures the iterates it writes.
func (s CommandSource) Checkpoints(ctx context.Context, spec RunSpec) ([]trainer.Checkpoint, error) {
	if len(s.Argv) == 0 || s.Argv[0] == "" {
		return nil, fmt.Errorf("%w: empty command", ErrCommand)
	}
	label := fmt.Sprintf("command %q", s.Argv)
	data, err := os.CreateTemp("", "maxmargin-data-*.csv")
	if err != nil {
		return nil, err
	}
	defer os.Remove(data.Name())
	if err := dataset.WriteCSV(data, spec.Data); err != nil {
		data.Close()
		return nil, err
	}
	if err := data.Close(); err != nil {
		return nil, err
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(cctx, s.Argv[0], s.Argv[1:]...)
	cmd.Dir = spec.Dir
	if s.Dir != "" {
		cmd.Dir = s.Dir
	}
	cmd.Env = append(os.Environ(), commandEnv(spec, data.Name())...)
	cmd.WaitDelay = 2 * time.Second
	killGroupOnCancel(cmd)
	stderr := &tailBuffer{max: 64 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCommand, label, err)
	}
	_, d, k := spec.Data.Dims()
	its, rerr := ReadTrajectory(stdout, "stdout of "+label, k, d)
	if rerr != nil && !errors.Is(rerr, errNoCheckpoints) {
		cancel() // stop a command whose output is unusable
	}
	werr := cmd.Wait()
	if ctx.Err() != nil {
		var cps []trainer.Checkpoint
		if rerr == nil {
			cps, _ = Iterates(its).Checkpoints(context.Background(), spec)
		}
		return cps, ctx.Err()
	}
	// A malformed line is the error even though the command was then
	// killed; an empty output from a failed command is the failure's.
	if rerr != nil && (werr == nil || !errors.Is(rerr, errNoCheckpoints)) {
		return nil, rerr
	}
	if werr != nil {
		msg := werr.Error()
		var ee *exec.ExitError
		if errors.As(werr, &ee) && ee.Exited() {
			msg = fmt.Sprintf("exited with status %d", ee.ExitCode())
		}
		if last := stderr.lastLine(); last != "" {
			msg += ": " + last
		}
		return nil, fmt.Errorf("%w: %s %s", ErrCommand, label, msg)
	}
	if last := its[len(its)-1].T; last != spec.Steps {
		return nil, fmt.Errorf("%w: %s: the trajectory ends at t = %d, the run has %d steps", ErrCommand, label, last, spec.Steps)
	}
	return Iterates(its).Checkpoints(ctx, spec)
}

// commandEnv returns the MAXMARGIN_* variables of the command protocol.
func commandEnv(spec RunSpec, dataPath string) []string {
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	n, d, k := spec.Data.Dims()
	schedule := trainer.Checkpoints(spec.Steps, 0)
	ts := make([]string, len(schedule))
	for i, t := range schedule {
		ts[i] = strconv.Itoa(t)
	}
	c := spec.Claim
	lr, decay := "", ""
	if c.LR > 0 {
		lr, decay = num(c.LR), num(c.Decay)
	}
	return []string{
		"MAXMARGIN_DATA=" + dataPath,
		"MAXMARGIN_N=" + strconv.Itoa(n),
		"MAXMARGIN_D=" + strconv.Itoa(d),
		"MAXMARGIN_K=" + strconv.Itoa(k),
		"MAXMARGIN_STEPS=" + strconv.Itoa(spec.Steps),
		"MAXMARGIN_CHECKPOINTS=" + strings.Join(ts, ","),
		"MAXMARGIN_LR=" + lr,
		"MAXMARGIN_DECAY=" + decay,
		"MAXMARGIN_LOSS=" + c.Loss,
		"MAXMARGIN_BETA1=" + num(c.Beta1),
		"MAXMARGIN_BETA2=" + num(c.Beta2),
		"MAXMARGIN_EPS=" + num(c.Eps),
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

// lastLine returns the last non-blank line written, trimmed.
func (t *tailBuffer) lastLine() string {
	lines := bytes.Split(bytes.TrimSpace(t.b), []byte("\n"))
	return strings.TrimSpace(string(lines[len(lines)-1]))
}
