package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/trainer"
)

const trainSynopsis = "train --opt NAME [--norm N] [--loss ce|exp|pairlog] --lr ETA0 [--decay A] --steps T [--beta1 B1] [--beta2 B2] [--eps E] [--bias-correction] [--per-decade P] [--json] FILE.csv"

// trainFlags are the train command's options.
type trainFlags struct {
	opt, norm, loss string
	lr, decay       float64
	steps           int
	beta1, beta2    float64
	eps             float64
	biasCorrection  bool
	perDecade       int
	json            bool
	set             map[string]bool // flags given on the command line
}

// runTrain runs the train command; SIGINT and SIGTERM stop the run, and the
// trajectory so far is printed.
func runTrain(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signalContext()
	defer stop()
	return train(ctx, args, stdout, stderr)
}

// train parses args, trains, and prints the trajectory as a table or JSON.
func train(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	var f trainFlags
	fs.StringVar(&f.opt, "opt", "", "optimizer: "+strings.Join(trainer.OptimizerNames(), ", ")+" (required)")
	fs.StringVar(&f.norm, "norm", "", "norm of nsd and nmd: "+strings.Join(norm.Names(), ", "))
	fs.StringVar(&f.loss, "loss", "ce", "loss: ce, exp or pairlog")
	fs.Float64Var(&f.lr, "lr", 0, "initial step eta_0 > 0 (required)")
	fs.Float64Var(&f.decay, "decay", 0.5, "step decay a >= 0: eta_t = eta_0 (t+1)^(-a)")
	fs.IntVar(&f.steps, "steps", -1, "number of updates T >= 0 (required)")
	fs.Float64Var(&f.beta1, "beta1", 0.9, "momentum of signum, nmd-gd, muon, nmd and adam, in [0, 1)")
	fs.Float64Var(&f.beta2, "beta2", 0.999, "adam's second-moment decay, in [0, 1)")
	fs.Float64Var(&f.eps, "eps", 0, "adam's eps >= 0 (the analysed Adam has 0)")
	fs.BoolVar(&f.biasCorrection, "bias-correction", false, "adam with bias correction, as torch.optim.Adam")
	fs.IntVar(&f.perDecade, "per-decade", trainer.DefaultPerDecade, "checkpoints per decade of steps")
	fs.BoolVar(&f.json, "json", false, "print one JSON object instead of a table")
	pos, err := parseFlags(fs, args, stderr, trainSynopsis)
	if err != nil {
		return err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if len(pos) != 1 {
		return fmt.Errorf("need exactly one data file, got %d arguments (usage: maxmargin %s)", len(pos), trainSynopsis)
	}
	s, err := f.settings()
	if err != nil {
		return err
	}
	for _, w := range f.warnings() {
		fmt.Fprintf(stderr, "maxmargin train: warning: %s\n", w)
	}
	ds, err := dataset.LoadCSV(pos[0])
	if err != nil {
		return err
	}
	if isTerminal(stderr) {
		p := newProgress(stderr, s.Steps, time.Now)
		s.Progress = p.report
		defer p.done()
	}
	traj, trainErr := trainer.Train(ctx, ds, s, nil)
	if traj == nil {
		return trainErr
	}
	if f.json {
		err = writeTrainJSON(stdout, ds, &f, s, traj)
	} else {
		err = writeTrainTable(stdout, ds, s, traj)
	}
	switch {
	case trainErr != nil && ctx.Err() != nil:
		return fmt.Errorf("interrupted after %d of %d steps (trajectory so far printed)", traj.Steps, s.Steps)
	case trainErr != nil:
		return trainErr
	}
	return err
}

// settings checks the flag values and builds the trainer's settings.
func (f *trainFlags) settings() (trainer.Settings, error) {
	var s trainer.Settings
	switch {
	case !f.set["opt"]:
		return s, errors.New("--opt NAME is required (one of " + strings.Join(trainer.OptimizerNames(), ", ") + ")")
	case !f.set["lr"]:
		return s, errors.New("--lr ETA0 is required")
	case !f.set["steps"]:
		return s, errors.New("--steps T is required")
	case !(f.lr > 0) || math.IsInf(f.lr, 1):
		return s, fmt.Errorf("--lr %v: must be positive and finite", f.lr)
	case !(f.decay >= 0) || math.IsInf(f.decay, 1):
		return s, fmt.Errorf("--decay %v: must be finite and >= 0", f.decay)
	case f.steps < 0:
		return s, fmt.Errorf("--steps %d: must be >= 0", f.steps)
	case !(f.beta1 >= 0 && f.beta1 < 1):
		return s, fmt.Errorf("--beta1 %v: must be in [0, 1)", f.beta1)
	case !(f.beta2 >= 0 && f.beta2 < 1):
		return s, fmt.Errorf("--beta2 %v: must be in [0, 1)", f.beta2)
	case !(f.eps >= 0) || math.IsInf(f.eps, 1):
		return s, fmt.Errorf("--eps %v: must be finite and >= 0", f.eps)
	case f.perDecade < 1:
		return s, fmt.Errorf("--per-decade %d: must be >= 1", f.perDecade)
	}
	loss, err := trainer.ParseLoss(f.loss)
	if err != nil {
		return s, err
	}
	opt, err := trainer.ByName(f.opt, f.norm, f.beta1, f.beta2, f.eps, f.biasCorrection)
	if err != nil {
		return s, err
	}
	return trainer.Settings{Optimizer: opt, Loss: loss, LR: f.lr, Decay: f.decay, Steps: f.steps, PerDecade: f.perDecade}, nil
}

// warnings lists settings that run but lie outside a theorem's assumptions
// (MATH.md sections 5 and 6), or flags the optimizer ignores.
func (f *trainFlags) warnings() []string {
	var ws []string
	momentum := map[string]bool{"signum": true, "nmd-gd": true, "muon": true, "nmd": true}
	if f.opt == "adam" {
		if !f.biasCorrection {
			if f.beta1 > f.beta2 {
				ws = append(ws, fmt.Sprintf("beta1 = %v > beta2 = %v: the analysed Adam assumes beta1 <= beta2", f.beta1, f.beta2))
			}
			if f.beta1 == 0 || f.beta2 == 0 {
				ws = append(ws, "the analysed Adam assumes 0 < beta1 <= beta2 < 1")
			}
			if f.eps > 0 {
				ws = append(ws, fmt.Sprintf("eps = %v without --bias-correction: the analysed Adam has eps = 0", f.eps))
			}
		}
	} else {
		for _, name := range []string{"beta2", "eps", "bias-correction"} {
			if f.set[name] {
				ws = append(ws, fmt.Sprintf("--%s is ignored by %s", name, f.opt))
			}
		}
		if f.set["beta1"] && !momentum[f.opt] {
			ws = append(ws, fmt.Sprintf("--beta1 is ignored by %s", f.opt))
		}
	}
	if f.decay > 1 {
		ws = append(ws, fmt.Sprintf("decay a = %v > 1: the steps are summable and the theorems (a in [0, 1]) do not apply", f.decay))
	}
	return ws
}

// writeTrainTable prints the trajectory as a table: t, loss, proxy, margin
// and the normalized margin per norm.
func writeTrainTable(w io.Writer, ds *dataset.Dataset, s trainer.Settings, traj *trainer.Trajectory) error {
	n, d, k := ds.Dims()
	fmt.Fprintf(w, "# %s (n=%d, d=%d, k=%d), %s, loss %s, eta_t = %g (t+1)^-%g, %d steps\n",
		ds.Name, n, d, k, s.Optimizer.Name(), s.Loss, s.LR, s.Decay, traj.Steps)
	names := norm.Names()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "t\tloss\tproxy G\tmargin\t")
	for _, name := range names {
		fmt.Fprintf(tw, "m/%s\t", name)
	}
	fmt.Fprintln(tw)
	for _, c := range traj.Checkpoints {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.6g\t", c.T, formatLog(c.Loss, c.LogLoss), formatLog(c.Proxy, c.LogProxy), c.Margin)
		for _, name := range names {
			fmt.Fprintf(tw, "%.6g\t", c.Margins[name])
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// formatLog formats a positive value v with natural logarithm lv, using lv
// where v underflows (1.234e-400).
func formatLog(v, lv float64) string {
	if v > 0 && !math.IsInf(v, 0) || math.IsInf(lv, 0) || math.IsNaN(lv) {
		return fmt.Sprintf("%.4g", v)
	}
	e := lv / math.Ln10
	exp := math.Floor(e)
	if math.Abs(exp) > 1e9 {
		// Beyond any decimal exponent worth printing (features of 1e300
		// give log losses of -1e301): show the logarithm itself.
		return fmt.Sprintf("exp(%.4g)", lv)
	}
	return fmt.Sprintf("%.4ge%+d", math.Pow(10, e-exp), int(exp))
}

// jsonFloat is a float64 that encodes NaN and infinities as null.
type jsonFloat float64

func (x jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(x)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

type jsonCheckpoint struct {
	T           int                  `json:"t"`
	Loss        jsonFloat            `json:"loss"`
	LogLoss     jsonFloat            `json:"log_loss"`
	Proxy       jsonFloat            `json:"proxy"`
	LogProxy    jsonFloat            `json:"log_proxy"`
	Margin      jsonFloat            `json:"margin"`
	Norms       map[string]jsonFloat `json:"norms"`
	Margins     map[string]jsonFloat `json:"margins"`
	LogGradDual map[string]jsonFloat `json:"log_grad_dual"`
}

type jsonTrajectory struct {
	Data           string           `json:"data"`
	N              int              `json:"n"`
	D              int              `json:"d"`
	K              int              `json:"k"`
	Optimizer      string           `json:"optimizer"`
	Norm           string           `json:"norm,omitempty"`
	Loss           string           `json:"loss"`
	LR             float64          `json:"lr"`
	Decay          float64          `json:"decay"`
	Beta1          *float64         `json:"beta1,omitempty"`
	Beta2          *float64         `json:"beta2,omitempty"`
	Eps            *float64         `json:"eps,omitempty"`
	BiasCorrection *bool            `json:"bias_correction,omitempty"`
	Steps          int              `json:"steps"`
	Weights        [][]float64      `json:"weights"`
	Checkpoints    []jsonCheckpoint `json:"checkpoints"`
}

func jsonMap(m map[string]float64) map[string]jsonFloat {
	out := make(map[string]jsonFloat, len(m))
	for k, v := range m {
		out[k] = jsonFloat(v)
	}
	return out
}

// writeTrainJSON prints the trajectory as one JSON object.
func writeTrainJSON(w io.Writer, ds *dataset.Dataset, f *trainFlags, s trainer.Settings, traj *trainer.Trajectory) error {
	n, d, k := ds.Dims()
	out := jsonTrajectory{
		Data: ds.Name, N: n, D: d, K: k,
		Optimizer: s.Optimizer.Name(), Norm: f.norm, Loss: s.Loss.String(), LR: s.LR, Decay: s.Decay,
		Steps: traj.Steps, Weights: rows(traj.W),
	}
	if f.opt == "adam" {
		out.Beta1, out.Beta2, out.Eps, out.BiasCorrection = &f.beta1, &f.beta2, &f.eps, &f.biasCorrection
	} else if f.opt == "signum" || f.opt == "nmd-gd" || f.opt == "muon" || f.opt == "nmd" {
		out.Beta1 = &f.beta1
	}
	for _, c := range traj.Checkpoints {
		out.Checkpoints = append(out.Checkpoints, jsonCheckpoint{
			T: c.T, Loss: jsonFloat(c.Loss), LogLoss: jsonFloat(c.LogLoss),
			Proxy: jsonFloat(c.Proxy), LogProxy: jsonFloat(c.LogProxy), Margin: jsonFloat(c.Margin),
			Norms: jsonMap(c.Norms), Margins: jsonMap(c.Margins), LogGradDual: jsonMap(c.LogGradDual),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// rows returns the rows of m as slices.
func rows(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = append([]float64(nil), m.RawRowView(i)...)
	}
	return out
}

// progress shows a run's progress on one terminal line, rewritten in place:
// steps done of the total, steps per second since the start, and the time
// left at that rate (ETA). Nothing is shown during the first progressDelay,
// so short runs print nothing.
type progress struct {
	w     io.Writer
	now   func() time.Time
	steps int
	start time.Time
	due   time.Time // earliest time of the next update
	shown bool
}

// newProgress returns a progress line on w for a run of steps updates,
// starting now; now is the clock (time.Now outside tests).
func newProgress(w io.Writer, steps int, now func() time.Time) *progress {
	start := now()
	return &progress{w: w, now: now, steps: steps, start: start, due: start.Add(progressDelay)}
}

// report shows that step updates are done, unless the last update was
// less than progressEvery ago or the run is younger than progressDelay.
func (p *progress) report(step int) {
	t := p.now()
	if t.Before(p.due) {
		return
	}
	p.due = t.Add(progressEvery)
	p.shown = true
	elapsed := t.Sub(p.start).Seconds()
	rate := float64(step) / elapsed
	eta := "?"
	if rate > 0 {
		eta = formatDuration(float64(p.steps-step) / rate)
	}
	fmt.Fprintf(p.w, "\rstep %d/%d (%.0f%%), %s steps/s, ETA %s\033[K", step, p.steps, 100*float64(step)/float64(max(p.steps, 1)), formatRate(rate), eta)
}

// done clears the progress line, if one was shown.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// formatRate formats a rate in whole units from 100 up (62900), with three
// significant digits below (4.17).
func formatRate(r float64) string {
	if r >= 100 {
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.3g", r)
}

// formatDuration formats sec seconds as h:mm:ss, or m:ss under an hour,
// and as ">99999:59:59" beyond.
func formatDuration(sec float64) string {
	const most = 99999*3600 + 3599
	if !(sec <= most) {
		return ">99999:59:59"
	}
	s := int64(math.Ceil(max(sec, 0)))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
