"""Adam with torch 1.13 in float64, for the trainer's torch comparison.

Reads a JSON list of runs on stdin, each {"path", "mode", "lr", "decay",
"beta1", "beta2", "eps", "steps"}, and prints a JSON list of the final k x d
classifiers (one torch import for all runs).
mode "torch": torch.optim.Adam (bias correction, eps) with the step
eta_t = lr (t+1)^(-decay) applied through LambdaLR.
mode "analysed": the paper's Adam (no bias correction, eps = 0, 0/0 = 0)
written with torch tensors, on the same autograd gradient.
The loss is torch.nn.functional.cross_entropy (mean over samples), W_0 = 0.
"""
import json
import sys

import numpy as np
import torch


def run(path, mode, lr, decay, beta1, beta2, eps, steps):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    X = torch.tensor(data[:, :-1], dtype=torch.float64)
    y = torch.tensor(data[:, -1].astype(np.int64))
    k, d = int(y.max()) + 1, X.shape[1]
    W = torch.zeros(k, d, dtype=torch.float64, requires_grad=True)

    def grad():
        if W.grad is not None:
            W.grad.zero_()
        torch.nn.functional.cross_entropy(X @ W.T, y).backward()
        return W.grad

    if mode == "torch":
        opt = torch.optim.Adam([W], lr=lr, betas=(beta1, beta2), eps=eps)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: (t + 1) ** (-decay))
        for t in range(steps):
            opt.zero_grad()
            grad()
            opt.step()
            sched.step()
    else:
        m = torch.zeros(k, d, dtype=torch.float64)
        v = torch.zeros(k, d, dtype=torch.float64)
        for t in range(steps):
            g = grad()
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            D = torch.where(v > 0, m / v.sqrt(), torch.zeros_like(m))
            with torch.no_grad():
                W -= lr * (t + 1) ** (-decay) * D
    return W.detach().tolist()


print(json.dumps([run(**r) for r in json.load(sys.stdin)]))
