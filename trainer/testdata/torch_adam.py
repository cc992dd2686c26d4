"""Adam with torch 1.13 in float64, for the trainer's torch comparison.

usage: torch_adam.py FILE.csv MODE LR DECAY BETA1 BETA2 EPS STEPS
MODE "torch": torch.optim.Adam (bias correction, eps) with the step
eta_t = LR (t+1)^(-DECAY) applied through LambdaLR.
MODE "analysed": the paper's Adam (no bias correction, eps = 0, 0/0 = 0)
written with torch tensors, on the same autograd gradient.
The loss is torch.nn.functional.cross_entropy (mean over samples), W_0 = 0.
Prints the final k x d classifier as JSON.
"""
import json
import sys

import numpy as np
import torch

path, mode = sys.argv[1], sys.argv[2]
lr, decay, b1, b2, eps = map(float, sys.argv[3:8])
steps = int(sys.argv[8])
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
    opt = torch.optim.Adam([W], lr=lr, betas=(b1, b2), eps=eps)
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
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        D = torch.where(v > 0, m / v.sqrt(), torch.zeros_like(m))
        with torch.no_grad():
            W -= lr * (t + 1) ** (-decay) * D
print(json.dumps(W.detach().tolist()))
