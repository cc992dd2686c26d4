"""Prints what Muon's Newton-Schulz iteration (train.py's newton_schulz) does
to the step as the gradient shrinks: at each of a few steps t, the loss, the
momentum's Frobenius norm |M|_F and the singular values of the direction
(the exact polar factor's are 1, 1, ..., 0). Runs the muon-ns update of
train.py (lr 0.05, a = 1/2, beta1 = 0.9) on MAXMARGIN_DATA (a CSV, features
then label), for argv[1] steps (default 50000):

  MAXMARGIN_DATA=data.csv /usr/bin/python3 newton_schulz_probe.py 50000
"""
import os
import sys

import torch

sys.dont_write_bytecode = True  # no __pycache__ next to train.py
import train  # noqa: E402

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

x, y = train.load(os.environ["MAXMARGIN_DATA"])
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
k = int(y.max()) + 1
w = torch.zeros(k, x.shape[1], requires_grad=True)
m = torch.zeros_like(w)
show = {0, 10, 100, 1000, 3000, 10000, 20000, 50000, 100000}
for t in range(steps + 1):
    loss = torch.nn.functional.cross_entropy(x @ w.T, y)
    w.grad = None
    loss.backward()
    with torch.no_grad():
        m.mul_(0.9).add_(w.grad, alpha=0.1)
        d = train.newton_schulz(m)
        if t in show or t == steps:
            sv = ", ".join("%.3g" % v for v in torch.linalg.svdvals(d).tolist())
            print("t = %d: loss %.3g, |M|_F %.3g, singular values of the step direction: %s" % (t, loss.item(), m.norm().item(), sv), flush=True)
        if t == steps:
            break
        w.sub_(0.05 * (t + 1) ** -0.5 * d)
