package verify

import (
	"errors"
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
