package verify

import (
	"encoding/json"
	"math"
)

// finite returns &x, or nil for NaN and infinities, which JSON cannot hold:
// a figure that could not be measured is written as null.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// MarshalJSON writes the check with non-finite figures as null.
func (c Check) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name      string   `json:"name"`
		Figure    *float64 `json:"figure"`
		Threshold *float64 `json:"threshold"`
		Pass      bool     `json:"pass"`
		Skipped   bool     `json:"skipped,omitempty"`
		Detail    string   `json:"detail"`
	}{c.Name, finite(c.Figure), finite(c.Threshold), c.Pass, c.Skipped, c.Detail})
}

// MarshalJSON writes the report with non-finite figures as null.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report // without the method
	final := map[string]*float64{}
	for k, v := range r.Final {
		final[k] = finite(v)
	}
	series := map[string]any{}
	for k, s := range r.Series {
		gaps := make([]*float64, len(s.Gap))
		for i, g := range s.Gap {
			gaps[i] = finite(g)
		}
		series[k] = struct {
			T   []float64  `json:"t"`
			Gap []*float64 `json:"gap"`
		}{s.T, gaps}
	}
	corr := map[string][]*float64{}
	for k, c := range r.Correlation {
		vs := make([]*float64, len(c))
		for i, v := range c {
			vs[i] = finite(v)
		}
		corr[k] = vs
	}
	return json.Marshal(struct {
		*plain
		Correlation map[string][]*float64 `json:"correlation"`
		FinalGap    *float64              `json:"final_gap"`
		Slope       *float64              `json:"slope"`
		RateSlope   *float64              `json:"rate_slope"`
		Final       map[string]*float64   `json:"final_margins"`
		Series      map[string]any        `json:"series"`
	}{(*plain)(r), corr, finite(r.FinalGap), finite(r.Slope), finite(r.RateSlope), final, series})
}
