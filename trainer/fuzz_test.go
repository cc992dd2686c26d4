package trainer

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// FuzzTrain runs every optimizer family on tiny random data sets (n in 2..7,
// d in 1..3, k = 2 or 3, features up to 2^±40 in size) for a few steps: no
// panic; either a trajectory with a finite W, finite margins and a non-NaN
// log-loss at every checkpoint, or an error wrapping ErrNotFinite.
func FuzzTrain(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 100, 0, 200, 1})
	f.Add([]byte{3, 1, 1, 5, 10, 20, 0, 30, 40, 1, 50, 60, 2, 70, 80, 0, 90, 100, 1})
	f.Add([]byte{1, 2, 0, 9, 255, 255, 255, 0, 0, 0, 0, 1, 128, 128, 128, 0})
	opts := []func() Optimizer{
		GD, func() Optimizer { return NSD(norm.Max) }, func() Optimizer { return NSD(norm.Sum) },
		func() Optimizer { return NSD(norm.Fro) }, func() Optimizer { return NMD(norm.Max, 0.9) },
		func() Optimizer { return Adam(AdamSettings{Beta1: 0.9, Beta2: 0.99}) },
		func() Optimizer { return Adam(AdamSettings{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, BiasCorrection: true}) },
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 {
			return
		}
		n, d, k := 2+int(b[0])%6, 1+int(b[1])%3, 2+int(b[2])%2
		scale := math.Ldexp(1, int(b[3]%81)-40)
		b = b[4:]
		if len(b) < n*(d+1) || n < k {
			return
		}
		x := mat.NewDense(n, d, nil)
		y := make([]int, n)
		for i := range n {
			for j := range d {
				x.Set(i, j, (float64(b[i*(d+1)+j])-128)*scale)
			}
			y[i] = int(b[i*(d+1)+d]) % k
		}
		ds, err := dataset.New("fuzz", x, y)
		if err != nil {
			return
		}
		for i, mk := range opts {
			loss := Loss(i % 3)
			traj, err := Train(context.Background(), ds, Settings{Optimizer: mk(), Loss: loss, LR: 0.1, Decay: 0.5, Steps: 20}, nil)
			if err != nil {
				if !errors.Is(err, ErrNotFinite) {
					t.Fatalf("%s: error %v", mk().Name(), err)
				}
				continue
			}
			for _, c := range traj.Checkpoints {
				if math.IsNaN(c.LogLoss) || math.IsNaN(c.Margin) || math.IsInf(c.Margin, 0) {
					t.Fatalf("%s: checkpoint %+v", mk().Name(), c)
				}
			}
			if !traj.W.IsEmpty() {
				for _, v := range traj.W.RawMatrix().Data {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s: W has %v", mk().Name(), v)
					}
				}
			}
		}
	})
}
