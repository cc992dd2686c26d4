package verify

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// FuzzParseCase checks that ParseCase never panics and that it either returns
// a case that validates (one data source, known claims) or a one-line error
// wrapping ErrCase and naming the file. The seed corpus is in
// testdata/fuzz/FuzzParseCase.
func FuzzParseCase(f *testing.F) {
	for _, seed := range []string{
		`{"data": {"csv": "x.csv"}, "claims": [{"claim": "signgd"}]}`,
		`{"data": {"generator": "gaussian", "seed": 1, "k": 3, "d": 2, "per_class": 4, "sigma": 0.1}, "claims": [{"claim": "adam", "steps": 10}]}`,
		`{"data": {"rows": [[1, 0], [2, 1]]}, "claims": [{"claim": "signgd", "skip": ["slope"], "why": "x"}], "pins": {"gamma": {"max": 1}}}`,
		`{"data": {"generator": "random-labels", "n": 4, "d": 5, "k": 2}, "claims": [{"claim": "nsd-op1"}]}`,
		`{"data": {}, "claims": []}`,
		`[1, 2]`,
		`{"data": {"csv": "x.csv"}, "claims": [{"claim": "signgd"}]} {}`,
		`{"data": {"csv": "x.csv"}, "claims": [{"claim": "mine", "steps": 30, "define": {"command": ["./opt"], "norm": "max", "rate": {"kind": "nsd"}, "burn_in": 3}}]}`,
		`{"data": {"csv": "x.csv"}, "claims": [{"claim": "mine", "define": {"optimizer": "adam", "norm": "max", "loss": "ce", "lr": 0.1, "steps": 9}}]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCase([]byte(in), "cases/fuzz.json")
		if err != nil {
			if !errors.Is(err, ErrCase) {
				t.Fatalf("error %v does not wrap ErrCase", err)
			}
			if !strings.HasPrefix(err.Error(), "cases/fuzz.json") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := c.validate(); err != nil {
			t.Fatalf("parsed case does not validate: %v", err)
		}
		if len(c.Claims) == 0 || c.Name != "fuzz" {
			t.Fatalf("bad case %+v", c)
		}
		if c.Data.Rows != nil {
			// Inline rows are turned into a data set without panicking.
			_, _ = c.Dataset()
		}
	})
}

// FuzzReadTrajectory checks that ReadTrajectory never panics and either
// returns iterates that keep its promises (strictly increasing t >= 0, 2×3
// finite W) or an error wrapping ErrTrajectory that names the input.
func FuzzReadTrajectory(f *testing.F) {
	for _, seed := range []string{
		`{"t": 0, "W": [[0, 0, 0], [0, 0, 0]]}` + "\n" + `{"t": 1e1, "W": [[1, 2, 3], [4, 5, 6]], "x": null}`,
		`{"t": 2, "W": [[1, NaN, 3], [4, 5, 6]]}`,
		`{"t": 2.5, "W": []}`,
		`{"t": 1, "W": [[1, 2, 3], [4, 5, 6]]}` + "\n" + `{"t": 1, "W": [[1, 2, 3], [4, 5, 6]]}`,
		`{"W": [[1e400, 2, 3], [4, 5, 6]], "t": 3}`,
		"\n\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		its, err := ReadTrajectory(strings.NewReader(in), "fuzz.jsonl", 2, 3)
		if err != nil {
			if !errors.Is(err, ErrTrajectory) {
				t.Fatalf("error %v does not wrap ErrTrajectory", err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.jsonl") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		for i, it := range its {
			if it.T < 0 || (i > 0 && it.T <= its[i-1].T) {
				t.Fatalf("steps not strictly increasing: %d after %d", it.T, its[max(i-1, 0)].T)
			}
			if r, c := it.W.Dims(); r != 2 || c != 3 {
				t.Fatalf("W is %d×%d", r, c)
			}
			for _, v := range it.W.RawMatrix().Data {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("W holds %v", v)
				}
			}
		}
	})
}
