package trainer_test

import (
	"context"
	"fmt"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/trainer"
)

// SignGD with eta_t = 0.1 (t+1)^{-1/2} on 60 Gaussian-cluster points: the
// normalized max-norm margin m(W_t)/max|W_t| grows towards gamma_max, and
// the loss is recorded by its logarithm, exact however small the loss.
func ExampleTrain() {
	ds := dataset.GaussianClusters(1, 3, 4, 20, 0.1)
	s := trainer.Settings{
		Optimizer: trainer.NSD(norm.Max),
		LR:        0.1,
		Decay:     0.5,
		Steps:     10000,
		PerDecade: 1,
		Norms:     []norm.Norm{norm.Max},
	}
	tr, err := trainer.Train(context.Background(), ds, s, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range tr.Checkpoints {
		fmt.Printf("t=%5d  log L=%9.3f  m/max=%.4f\n", c.T, c.LogLoss, c.Margins["max"])
	}
	// Output:
	// t=    0  log L=    0.094  m/max=0.0000
	// t=    1  log L=   -0.104  m/max=0.8206
	// t=   10  log L=   -0.975  m/max=0.8206
	// t=  100  log L=   -3.879  m/max=1.4379
	// t= 1000  log L=  -11.861  m/max=1.5348
	// t=10000  log L=  -34.169  m/max=1.5519
}

func ExampleCheckpoints() {
	fmt.Println(trainer.Checkpoints(1000, 1))
	fmt.Println(trainer.Checkpoints(20, 5))
	// Output:
	// [0 1 10 100 1000]
	// [0 1 2 3 4 6 10 16 20]
}

func ExampleByName() {
	for _, name := range []string{"signgd", "nmd-gd", "adam"} {
		opt, err := trainer.ByName(name, "", 0.9, 0.99, 0, false)
		fmt.Println(opt.Name(), err)
	}
	_, err := trainer.ByName("nsd", "", 0.9, 0.99, 0, false)
	fmt.Println(err)
	// Output:
	// signgd <nil>
	// nmd-gd <nil>
	// adam <nil>
	// trainer: bad norm for optimizer: optimizer "nsd" needs a norm
}
