// Package trainer runs the paper's optimizers on multiclass linear
// classifiers and records their trajectories (MATH.md sections 4 to 6).
//
// A classifier W in R^{k×d} is trained on a data set (x_i, y_i), i = 1..n,
// by full-batch updates
//
//	W_{t+1} = W_t - eta_t D_t,   eta_t = eta_0 (t+1)^{-a},   t = 0, 1, ...,
//
// where D_t is the direction of an Optimizer: GD (the gradient), NSD (the
// steepest direction of the gradient w.r.t. a norm: SignGD for max, NGD for
// fro, coordinate descent for sum, Spectral-GD for spectral), NMD (the
// steepest direction of a momentum average: Signum, NMD-GD, Muon) and Adam (as
// analysed, without bias correction and eps = 0, or as torch.optim.Adam). The
// losses are the mean over samples of cross-entropy log(1 + sum_{c!=y}
// e^{-z_c}), the exponential loss sum_{c!=y} e^{-z_c} and PairLogLoss
// sum_{c!=y} log(1 + e^{-z_c}), with z_c = (w_y - w_c).x.
//
// # Numerics
//
// The implicit-bias theorems are about t -> infinity, when the loss and its
// gradient are far below float64's resolution relative to 1, and below its
// range. The textbook cross-entropy gradient (1/n) sum_i (S_i - e_{y_i}) x_i^T
// loses the true-class term once every margin exceeds about 37 (S_y rounds to
// 1, S_y - 1 to 0) while the wrong-class terms, about 1e-17, survive: SignGD
// then walks away from the max-margin direction. Later the gradient
// underflows altogether and the iterate freezes. The trainer therefore works
// in the log domain: per sample, u_c = -z_c, log t = logsumexp_{c!=y} u_c,
// the loss log(1 + t) by softplus, 1 - S_y = t/(1 + t) from logarithms (never
// as 1 - S_y), the weights S_c = e^{u_c - log(1+t)}, and the gradient as
// exp(LogScale) G with LogScale the largest log-weight, subtracted before
// exponentiating. NSD uses G alone (it is scale-invariant); Adam and NMD keep
// their moments on a moving reference scale s (M e^{-s}, V e^{-2s}, eps
// e^{-s}), which leaves the direction unchanged; GD multiplies by
// exp(LogScale). Losses and proxies are recorded with their logarithms, exact
// where the values underflow. Runs of 10^6 to 10^7 steps stay exact: SignGD
// keeps closing its max-norm gap where the textbook gradient reverses
// (Gradient: Textbook reproduces that failure).
//
// # Recording
//
// At log-spaced checkpoints (Checkpoints: about 10 per decade, plus 0 and the
// last step) Train records L(W), the proxy G(W) = (1/n) sum_i (1 - S_{y_i})
// (paper eq. 8), log N*(grad L(W)) and the normalized margin m(W)/N(W) for
// every norm of package norm. These are the quantities of MATH.md section 6:
// the gap gamma_N - m(W_t)/N(W_t) and the exact inequalities gamma_N G(W) <=
// N*(grad L(W)) <= 2 B G(W) and G(W) <= L(W).
// Record measures any W the same way, bit for bit: the hook by which
// iterates made elsewhere (another program, a file) are checked like the
// trainer's own.
//
// # Cost
//
// A step costs two products of n·d·k multiply-adds (the logits X W^T and the
// gradient (1/n) R^T X), one exponential per sample and class, and a
// logarithm, a log1p and two more exponentials per sample. Each entry of the
// two products is one sum in a fixed order, with one rounding per term (a
// fused multiply-add): in increasing feature for a logit, in increasing
// sample for G, then times 1/n. On amd64 with AVX2 and FMA, kernels in
// assembly (kernels_amd64.s) compute tiles of 4 samples × 12 classes of the
// logits and 4 features × 12 classes of G^T in 12 registers of 4 lanes, and
// the exponentials four at a time; with AVX-512, tiles of 8 samples × 16
// classes and 8 features × 16 classes in registers of 8 lanes, and eight
// exponentials or logarithms at a time; elsewhere, and for the edges of the
// tiles, plain Go computes the same sums with math.FMA, so every path gives
// the same bits (TestProducts; math.FMA is emulated in software, and slow, on
// amd64 CPUs without FMA). These are not the bits of gonum's Dgemm, which
// rounds each product before adding it; the two agree to within the usual
// bound of a sum of products (TestProducts). The exponentials and logarithms
// are math.Exp's and math.Log's bit for bit (TestExpInPlace, TestLogInPlace).
// From n·d·k = 2^20 on, with GOMAXPROCS >= 2, a worker goroutine started once
// per Train takes half of each step (half the samples for the logits and
// weights, half the columns of G), bit for bit the serial result
// (TestParallelStepIsSerial). A step allocates nothing; memory is O(n k + k
// d), a copy of the samples packed for the kernel of G (n·d, the features
// rounded up to a multiple of 4) and the O(log T) checkpoints. Runs are
// deterministic: the same input gives the same output on any GOMAXPROCS.
//
// # Speed
//
// A step allocates nothing. Its time against the same loop in torch 1.13
// (float64, CPU: logits, cross_entropy, backward, update) is measured by
// make bench-trainer (BenchmarkStep*, testdata/torch_bench.py; the tables
// from testdata/bench_ratio.py) and recorded, dated, in docs/PERFORMANCE.md.
package trainer
