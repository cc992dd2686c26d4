"""Time the trainer's step in torch 1.13, for the Go-vs-torch ratios.

One step is what trainer's BenchmarkStep* measures: the logits X W^T,
torch.nn.functional.cross_entropy (mean over samples), backward, and the
update W -= eta_t D_t with eta_t = 0.1 (t+1)^(-1/2), in float64 on the CPU,
on the paper's data (Gaussian clusters, sigma = 0.1, classes stored one after
another, generated here with numpy: timing does not depend on the draw).

Optimizers (the name after "Step"):
  SignGD       D = sign(grad), with torch tensors.
  Adam         Adam as analysed (b1 = 0.9, b2 = 0.99, no bias correction,
               eps = 0, 0/0 = 0) written with in-place torch tensor ops: the
               Go benchmark's optimizer.
  TorchAdam    torch.optim.Adam(betas=(0.9, 0.99), eps=1e-8) with the step
               set through param_groups (what a torch user would write).

Output is Go benchmark format, one line per run, so that benchstat reads it:

  BenchmarkTorchStepSignGD500x25x10-1   20000   61234 ns/op

The number after the dash is torch's thread count. Options:
  -count N      runs per benchmark (default 5)
  -threads L    comma-separated thread counts; 0 means torch's default;
                a count already run is skipped (default "0,1")
  -benchtime S  seconds per run (default 1)
  -run REGEXP   only benchmarks whose name matches (default all)

Run with Debian's interpreter: /usr/bin/python3 torch_bench.py
"""
import argparse
import re
import sys
import time

import numpy as np
import torch

SIZES = [(500, 25, 10), (2000, 500, 10)]
OPTIMIZERS = ["SignGD", "Adam", "TorchAdam"]


def gaussian_clusters(k, d, per_class, sigma=0.1, seed=1):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k, d))
    X = np.repeat(centres, per_class, axis=0) + sigma * rng.standard_normal((k * per_class, d))
    y = np.repeat(np.arange(k), per_class)
    return torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.int64)


def make_step(opt, X, y):
    """Return step(t) running one training step of opt on (X, y)."""
    k, d = int(y.max()) + 1, X.shape[1]
    W = torch.zeros(k, d, dtype=torch.float64, requires_grad=True)
    ce = torch.nn.functional.cross_entropy

    def grad():
        W.grad = None
        ce(X @ W.T, y).backward()
        return W.grad

    if opt == "SignGD":
        def step(t):
            g = grad()
            with torch.no_grad():
                W.sub_(torch.sign(g), alpha=0.1 * (t + 1) ** -0.5)
        return step
    if opt == "Adam":
        m = torch.zeros(k, d, dtype=torch.float64)
        v = torch.zeros(k, d, dtype=torch.float64)
        b1, b2 = 0.9, 0.99

        def step(t):
            g = grad()
            with torch.no_grad():
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                D = torch.nan_to_num(m / v.sqrt(), nan=0.0)  # 0/0 = 0
                W.sub_(D, alpha=0.1 * (t + 1) ** -0.5)
        return step
    if opt == "TorchAdam":
        o = torch.optim.Adam([W], lr=0.1, betas=(0.9, 0.99), eps=1e-8)

        def step(t):
            o.param_groups[0]["lr"] = 0.1 * (t + 1) ** -0.5
            o.zero_grad(set_to_none=True)
            ce(X @ W.T, y).backward()
            o.step()
        return step
    raise ValueError(opt)


def time_steps(step, benchtime):
    """Run step until benchtime seconds have passed, like testing.B: grow
    the count from a short trial, and return (count, ns per step)."""
    for t in range(20):  # warm up
        step(t)
    n = 1
    while True:
        t0 = time.perf_counter()
        for t in range(n):
            step(t)
        dt = time.perf_counter() - t0
        if dt >= benchtime or n >= 1e9:
            return n, dt / n * 1e9
        n = int(min(100 * n, max(2 * n, 1.2 * n * benchtime / max(dt, 1e-9))))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-count", type=int, default=5)
    p.add_argument("-threads", default="0,1")
    p.add_argument("-benchtime", type=float, default=1.0)
    p.add_argument("-run", default="")
    a = p.parse_args()
    default = torch.get_num_threads()
    print(f"# torch {torch.__version__}, default threads {default}, "
          f"{torch.__config__.parallel_info().splitlines()[-1].strip()}", flush=True)
    seen = set()
    for th in [int(s) for s in a.threads.split(",")]:
        th = th if th > 0 else default
        if th in seen:  # the default is often one of the others
            continue
        seen.add(th)
        torch.set_num_threads(th)
        for n, d, k in SIZES:
            X, y = gaussian_clusters(k, d, n // k)
            for opt in OPTIMIZERS:
                name = f"BenchmarkTorchStep{opt}{n}x{d}x{k}-{torch.get_num_threads()}"
                if not re.search(a.run, name):
                    continue
                for _ in range(a.count):
                    count, ns = time_steps(make_step(opt, X, y), a.benchtime)
                    print(f"{name}\t{count:8d}\t{ns:12.0f} ns/op", flush=True)


if __name__ == "__main__":
    main()
