package verify

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Summary is what a verification run produced: one Report per case and
// claim. A case that could not be checked at all (bad data, not separable,
// uncertified reference) has reports carrying the error.
//
// Its JSON form (encoding/json) holds everything WriteReport draws on, with
// every float64 exact (non-finite values as strings, see Report.MarshalJSON),
// so that Merge can rebuild a run's report from its shards' outputs.
type Summary struct {
	// Version is FormatVersion: the layout of this JSON.
	Version string `json:"version"`
	// Build identifies the program that ran the jobs (the CLI sets the
	// SHA-256 of its executable); Merge refuses to mix builds.
	Build string `json:"build,omitempty"`
	// Plan identifies the whole run the reports belong to.
	Plan *Plan `json:"plan,omitempty"`
	// Shard is the slice of the plan's jobs this summary holds; nil for
	// the whole run.
	Shard *ShardID `json:"shard,omitempty"`
	// Reports has one report per job, in job order.
	Reports []*Report `json:"reports"`
	Partial bool      `json:"partial,omitempty"`
	Pass    bool      `json:"pass"`
}

// FormatVersion names the layout of Summary's JSON. Version 2 added the
// version, build, plan and shard and writes non-finite figures as strings
// ("NaN", "Infinity", "-Infinity") where version 1 wrote null. Version 3
// writes a skipped check with "pass": false (version 2 wrote true) and
// hashes an external optimizer's files into the plan.
const FormatVersion = "maxmargin-verify/3"

// Table returns the summary as a fixed-width text table: claim, case, slope
// against the predicted slope, final gap and verdict.
func (s *Summary) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %-28s %8s %8s %11s  %s\n", "claim", "case", "slope", "rate", "final gap", "verdict")
	for _, r := range s.Reports {
		fmt.Fprintf(&b, "%-16s %-28s %8.3f %8.3f %11.3e  %s\n", r.Claim.Name, r.Case, r.Slope, r.RateSlope, r.FinalGap, r.Verdict())
	}
	return b.String()
}

// Verdict returns the report's verdict as the summary table prints it:
// "PASS" or "FAIL" followed by the failed checks (or the error), and the
// skipped checks, if any, after "skipped:", so that a pass resting on
// fewer checks says so.
func (r *Report) Verdict() string {
	var failed, skipped []string
	for _, c := range r.Checks {
		switch {
		case c.Skipped:
			skipped = append(skipped, c.Name)
		case !c.Pass:
			failed = append(failed, c.Name)
		}
	}
	if r.Partial {
		failed = append(failed, "partial")
	}
	v := "PASS"
	if !r.Pass {
		v = "FAIL"
		switch {
		case r.Error != "":
			v += " " + r.Error
		case len(failed) > 0:
			v += " " + strings.Join(failed, ",")
		}
	}
	if len(skipped) > 0 {
		v += " (skipped: " + strings.Join(skipped, ",") + ")"
	}
	return v
}

// WriteReport writes dir/report.md with the summary table, every check's
// figure and threshold, and one log-log plot (PNG and SVG) per case and claim
// of the gap under each reference norm with the claim's rate as a guide.
// Every file is written atomically.
func WriteReport(dir string, s *Summary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# maxmargin verification report\n\n")
	fmt.Fprintf(&b, "Generated %s.", time.Now().UTC().Format(time.RFC3339))
	if s.Partial {
		fmt.Fprintf(&b, " **Partial: the run was interrupted; unfinished claims fail.**")
	}
	verdict := "all claims pass"
	if !s.Pass {
		verdict = "some claims FAIL"
	}
	fmt.Fprintf(&b, " Verdict: %s.\n\n```\n%s```\n\n", verdict, s.Table())
	for _, r := range s.Reports {
		fmt.Fprintf(&b, "## %s on %s\n\n", r.Claim.Name, r.Case)
		predicted := "no predicted rate"
		if r.Claim.Rate.Kind != "" {
			predicted = fmt.Sprintf("predicted gap O(%s)", r.Claim.Rate)
		}
		fmt.Fprintf(&b, "%s (%s). Optimizer %s, norm %s, loss %s, eta_t = %g (t+1)^-%.4g, %d steps; %s.\n\n",
			r.Claim.Source, r.Claim.Status, r.Claim.Optimizer, r.Claim.Norm, r.Claim.Loss, r.Claim.LR, r.Claim.Decay, r.Steps, predicted)
		if r.Error != "" {
			fmt.Fprintf(&b, "Error: %s\n\n", r.Error)
		}
		fmt.Fprintf(&b, "| check | figure | threshold | verdict | detail |\n|---|---|---|---|---|\n")
		for _, c := range r.Checks {
			v := c.Verdict()
			if c.Failed() {
				v = "**FAIL**"
			}
			fmt.Fprintf(&b, "| %s | %.4g | %.4g | %s | %s |\n", c.Name, c.Figure, c.Threshold, v, strings.ReplaceAll(c.Detail, "|", "/"))
		}
		if len(r.Series) > 0 {
			base := fileName(r.Case + "-" + r.Claim.Name)
			if err := plotReport(filepath.Join(dir, base), r); err != nil {
				return err
			}
			fmt.Fprintf(&b, "\n![%s](%s.png) ([SVG](%s.svg))\n", base, base, base)
			if err := plotCorrelation(filepath.Join(dir, base+"-corr"), r); err != nil {
				return err
			}
			fmt.Fprintf(&b, "\n![%s correlation](%s-corr.png) ([SVG](%s-corr.svg))\n", base, base, base)
		}
		fmt.Fprintln(&b)
	}
	return writeAtomic(filepath.Join(dir, "report.md"), b.Bytes())
}

// fileName makes a report name safe as a file name.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, s)
}

// plotReport draws the gap per norm against t on log-log axes, with the
// claim's rate scaled to meet the own-norm gap at the burn-in step.
func plotReport(base string, r *Report) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s on %s", r.Claim.Name, r.Case)
	p.X.Label.Text = "t"
	p.Y.Label.Text = "gap_N(t) = gamma_N - m(W)/N(W)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top = false
	p.Legend.Left = true

	lo := math.Inf(1)
	err := addNormLines(p, r, func(name string) plotter.XYs {
		pts := positivePoints(r.Series[name])
		for _, pt := range pts {
			lo = min(lo, pt.Y)
		}
		return pts
	})
	if err != nil {
		return err
	}
	if own, ok := r.Series[r.Claim.Norm]; ok {
		if guide := rateGuide(own, r); len(guide) > 0 {
			l, err := plotter.NewLine(guide)
			if err != nil {
				return err
			}
			l.Color = color.Gray{Y: 100}
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
			p.Legend.Add("rate "+r.Claim.Rate.String(), l)
		}
	}
	if !math.IsInf(lo, 1) {
		p.Y.Min = max(p.Y.Min, lo/2)
	}
	logRange(&p.X)
	logRange(&p.Y)
	return savePlot(p, base)
}

// savePlot writes p as base.png and base.svg, atomically.
func savePlot(p *plot.Plot, base string) error {
	for _, ext := range []string{".png", ".svg"} {
		w, err := p.WriterTo(7*vg.Inch, 4.5*vg.Inch, ext[1:])
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if _, err := w.WriteTo(&buf); err != nil {
			return err
		}
		if err := writeAtomic(base+ext, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// plotCorrelation draws, per reference norm N, the correlation of W_t with
// N's max-margin classifier against t (log x axis), as in the paper's
// Figure 2.
func plotCorrelation(base string, r *Report) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s on %s: correlation with each norm's max-margin classifier", r.Claim.Name, r.Case)
	p.X.Label.Text = "t"
	p.Y.Label.Text = "<W_t, V_N> / (|W_t|_F |V_N|_F)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = false
	p.Legend.Left = true
	err := addNormLines(p, r, func(name string) plotter.XYs {
		var pts plotter.XYs
		for j, c := range r.Correlation[name] {
			if t := r.Series[name].T[j]; t >= 1 && !math.IsNaN(c) {
				pts = append(pts, plotter.XY{X: t, Y: c})
			}
		}
		return pts
	})
	if err != nil {
		return err
	}
	logRange(&p.X)
	return savePlot(p, base)
}

// logRange gives a log-scaled axis that no data made positive (no line
// had a positive point) the range [1, 10], so that an empty plot is drawn
// rather than the log ticks failing.
func logRange(a *plot.Axis) {
	if !(a.Min > 0) || !(a.Max > 0) {
		a.Min, a.Max = 1, 10
	}
}

// addNormLines adds one line per reference norm of r, in name order, with
// the points that points returns for it; the claim's own norm is drawn
// thicker.
func addNormLines(p *plot.Plot, r *Report, points func(name string) plotter.XYs) error {
	names := make([]string, 0, len(r.Series))
	for name := range r.Series {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		pts := points(name)
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1.5)
		if name == r.Claim.Norm {
			l.Width = vg.Points(3)
		}
		p.Add(l)
		p.Legend.Add(name, l)
	}
	return nil
}

// positivePoints returns the points of s with a positive gap (log axes).
func positivePoints(s Series) plotter.XYs {
	var pts plotter.XYs
	for i := range s.T {
		if s.Gap[i] > 0 && s.T[i] >= 1 {
			pts = append(pts, plotter.XY{X: s.T[i], Y: s.Gap[i]})
		}
	}
	return pts
}

// rateGuide returns C rate(t) over the run's steps, with C chosen so that the
// guide meets the own-norm gap at the first checkpoint at or after the
// burn-in.
func rateGuide(own Series, r *Report) plotter.XYs {
	if r.Claim.Rate.Kind == "" {
		return nil // a claim may predict no rate
	}
	rate := func(t float64) float64 { return r.Claim.Rate.At(t, r.N, r.D) }
	i := sort.SearchFloat64s(own.T, math.Max(2, float64(r.Claim.BurnIn)))
	if i >= len(own.T) || own.Gap[i] <= 0 {
		return nil
	}
	c := own.Gap[i] / rate(own.T[i])
	var pts plotter.XYs
	for _, t := range own.T[i:] {
		pts = append(pts, plotter.XY{X: t, Y: c * rate(t)})
	}
	return pts
}
