"""External optimizers in PyTorch for maxmargin's command protocol.

maxmargin runs `python3 train.py OPTIMIZER` with the data and the run in the
environment (verify.CommandSource): MAXMARGIN_DATA (a CSV, features then the
label 0..k-1), MAXMARGIN_STEPS, MAXMARGIN_CHECKPOINTS, MAXMARGIN_LR,
MAXMARGIN_DECAY, MAXMARGIN_BETA1, MAXMARGIN_BETA2. This script trains a k x d
linear classifier W from W_0 = 0 on the mean cross-entropy with
eta_t = lr (t+1)^-decay for updates t = 0, ..., T-1, and writes one line
{"t": t, "W": [[...], ...]} on stdout at each requested checkpoint.

OPTIMIZER is one of
  adam           torch.optim.Adam with eps = 0 (bias-corrected, as torch has it)
  signum         Signum written by hand: M = b1 M + (1 - b1) g, W -= eta sign(M),
                 g from autograd (torch's textbook cross-entropy gradient)
  signum-exact   the same Signum on an exact gradient: the true class's weight
                 S_y - 1 summed as -sum_{c != y} S_c, which does not cancel
  signum-nosched Signum that forgets scheduler.step(): a constant step eta_0,
                 the deliberate bug the suite must catch
  muon-ns        Muon as commonly written: momentum, then five Newton-Schulz
                 iterations on M / (|M|_F + 1e-7) instead of the exact polar
                 factor (see README.md: not a steepest direction)

Everything is float64 on one CPU thread, so runs are deterministic.
"""
import csv
import json
import os
import sys

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def env_float(name):
    return float(os.environ[name])


def load(path):
    xs, ys = [], []
    with open(path) as f:
        for row in csv.reader(f):
            xs.append([float(v) for v in row[:-1]])
            ys.append(int(row[-1]))
    return torch.tensor(xs), torch.tensor(ys)


def newton_schulz(m, steps=5):
    """Keller Jordan's quintic Newton-Schulz iteration towards the polar
    factor of m (coefficients 3.4445, -4.7750, 2.0315). Its singular values
    land in about [0.7, 1.2], not at 1."""
    a, b, c = 3.4445, -4.7750, 2.0315
    x = m / (m.norm() + 1e-7)
    transposed = x.shape[0] > x.shape[1]
    if transposed:
        x = x.T
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x.T if transposed else x


def exact_gradient(x, y, w):
    """The mean cross-entropy gradient (1/n) R^T X with R = S - e_y, where
    the true class's entry S_y - 1 = -sum_{c != y} S_c is summed from the
    other classes' probabilities. Autograd's S_y - 1 rounds to 0 once every
    margin exceeds about 37 (S_y rounds to 1), while the other entries, about
    e^-37, survive; this form keeps them in balance."""
    s = x @ w.T
    p = torch.softmax(s, dim=1)
    r = p.clone()
    rows = torch.arange(len(y))
    p_other = p.clone()
    p_other[rows, y] = 0
    r[rows, y] = -p_other.sum(dim=1)
    return r.T @ x / len(y)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: train.py adam|signum|signum-exact|signum-nosched|muon-ns")
    name = sys.argv[1]
    x, y = load(os.environ["MAXMARGIN_DATA"])
    k = int(os.environ["MAXMARGIN_K"])
    steps = int(os.environ["MAXMARGIN_STEPS"])
    want = {int(t) for t in os.environ["MAXMARGIN_CHECKPOINTS"].split(",")}
    lr, decay = env_float("MAXMARGIN_LR"), env_float("MAXMARGIN_DECAY")
    b1, b2 = env_float("MAXMARGIN_BETA1"), env_float("MAXMARGIN_BETA2")
    eta = lambda t: lr * (t + 1) ** -decay

    w = torch.zeros(k, x.shape[1], requires_grad=True)
    if name == "adam":
        opt = torch.optim.Adam([w], lr=lr, betas=(b1, b2), eps=0)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: (t + 1) ** -decay)
    elif name in ("signum", "signum-exact", "signum-nosched", "muon-ns"):
        m = torch.zeros_like(w)
    else:
        sys.exit("unknown optimizer " + name)

    out = sys.stdout
    for t in range(steps + 1):
        if t in want:
            out.write(json.dumps({"t": t, "W": w.detach().tolist()}) + "\n")
        if t == steps:
            break
        if name == "signum-exact":
            with torch.no_grad():
                g = exact_gradient(x, y, w)
        else:
            loss = torch.nn.functional.cross_entropy(x @ w.T, y)
            w.grad = None
            loss.backward()
            g = w.grad
        if name == "adam":
            opt.step()
            sched.step()
            continue
        with torch.no_grad():
            m.mul_(b1).add_(g, alpha=1 - b1)
            if name == "muon-ns":
                w.sub_(eta(t) * newton_schulz(m))
            elif name == "signum-nosched":
                w.sub_(lr * torch.sign(m))
            else:
                w.sub_(eta(t) * torch.sign(m))
    out.flush()


if __name__ == "__main__":
    main()
