package verify

import (
	"encoding/json"
	"fmt"
	"math"
)

// number is a float64 whose JSON form is lossless for every value: finite
// values are JSON numbers (Go's shortest representation, which parses back
// to the same bits), and NaN and the infinities, which JSON numbers cannot
// hold, are the strings "NaN", "Infinity" and "-Infinity" (the mapping of
// proto3's JSON encoding). null reads as NaN (the form of maxmargin-verify/1
// outputs).
type number float64

// MarshalJSON writes x as a number, or as "NaN", "Infinity", "-Infinity".
func (x number) MarshalJSON() ([]byte, error) {
	v := float64(x)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads what MarshalJSON writes, and null as NaN.
func (x *number) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null", `"NaN"`:
		*x = number(math.NaN())
		return nil
	case `"Infinity"`:
		*x = number(math.Inf(1))
		return nil
	case `"-Infinity"`:
		*x = number(math.Inf(-1))
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("verify: %s is not a number, \"NaN\", \"Infinity\" or \"-Infinity\"", b)
	}
	*x = number(v)
	return nil
}

// numbers converts a slice to its lossless JSON form.
func numbers(xs []float64) []number {
	if xs == nil {
		return nil
	}
	out := make([]number, len(xs))
	for i, x := range xs {
		out[i] = number(x)
	}
	return out
}

// fromNumbers converts back from numbers.
func fromNumbers(xs []number) []float64 {
	if xs == nil {
		return nil
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

// checkJSON is the JSON form of a Check.
type checkJSON struct {
	Name      string `json:"name"`
	Figure    number `json:"figure"`
	Threshold number `json:"threshold"`
	Pass      bool   `json:"pass"`
	Skipped   bool   `json:"skipped,omitempty"`
	Detail    string `json:"detail"`
}

// MarshalJSON writes the check with non-finite figures as strings (number).
func (c Check) MarshalJSON() ([]byte, error) {
	return json.Marshal(checkJSON{c.Name, number(c.Figure), number(c.Threshold), c.Pass, c.Skipped, c.Detail})
}

// UnmarshalJSON reads what MarshalJSON writes. A check marked skipped is
// read with Pass false whatever its "pass" says: a skipped check is never
// evidence of passing.
func (c *Check) UnmarshalJSON(b []byte) error {
	var j checkJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Check{Name: j.Name, Figure: float64(j.Figure), Threshold: float64(j.Threshold), Pass: j.Pass && !j.Skipped, Skipped: j.Skipped, Detail: j.Detail}
	return nil
}

// seriesJSON is the JSON form of a Series.
type seriesJSON struct {
	T   []float64 `json:"t"`
	Gap []number  `json:"gap"`
}

// plainReport is Report without its JSON methods.
type plainReport Report

// reportJSON is the JSON form of a Report: the fields that may hold
// non-finite values shadow Report's own.
type reportJSON struct {
	*plainReport
	Correlation map[string][]number   `json:"correlation"`
	FinalGap    number                `json:"final_gap"`
	Slope       number                `json:"slope"`
	RateSlope   number                `json:"rate_slope"`
	Final       map[string]number     `json:"final_margins"`
	Series      map[string]seriesJSON `json:"series"`
}

// MarshalJSON writes the report with non-finite figures as strings
// (number), so that UnmarshalJSON gives back the same values bit for bit:
// a merged report is rebuilt from its shards' JSON.
func (r *Report) MarshalJSON() ([]byte, error) {
	final := map[string]number{}
	for k, v := range r.Final {
		final[k] = number(v)
	}
	series := map[string]seriesJSON{}
	for k, s := range r.Series {
		series[k] = seriesJSON{s.T, numbers(s.Gap)}
	}
	corr := map[string][]number{}
	for k, c := range r.Correlation {
		corr[k] = numbers(c)
	}
	return json.Marshal(reportJSON{(*plainReport)(r), corr, number(r.FinalGap), number(r.Slope), number(r.RateSlope), final, series})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Report) UnmarshalJSON(b []byte) error {
	j := reportJSON{plainReport: (*plainReport)(r)}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	r.FinalGap, r.Slope, r.RateSlope = float64(j.FinalGap), float64(j.Slope), float64(j.RateSlope)
	r.Final = map[string]float64{}
	for k, v := range j.Final {
		r.Final[k] = float64(v)
	}
	r.Series = map[string]Series{}
	for k, s := range j.Series {
		r.Series[k] = Series{T: s.T, Gap: fromNumbers(s.Gap)}
	}
	r.Correlation = map[string][]float64{}
	for k, c := range j.Correlation {
		r.Correlation[k] = fromNumbers(c)
	}
	return nil
}
