"""SignGD in NumPy for maxmargin's command protocol (verify.CommandSource):
W_{t+1} = W_t - eta_t sign(grad L(W_t)), eta_t = lr (t+1)^-decay, from
W_0 = 0, on the mean cross-entropy. The gradient is the textbook one,
(1/n) sum_i (S_i - e_{y_i}) x_i^T, fine while the margins stay below about 37.
Used by TestCommandSourceSignGD; needs numpy."""
import json
import os

import numpy as np

data = np.loadtxt(os.environ["MAXMARGIN_DATA"], delimiter=",", ndmin=2)
x, y = data[:, :-1], data[:, -1].astype(int)
n, k = len(y), int(os.environ["MAXMARGIN_K"])
steps = int(os.environ["MAXMARGIN_STEPS"])
want = {int(t) for t in os.environ["MAXMARGIN_CHECKPOINTS"].split(",")}
lr, decay = float(os.environ["MAXMARGIN_LR"]), float(os.environ["MAXMARGIN_DECAY"])
onehot = np.eye(k)[y]
w = np.zeros((k, x.shape[1]))
for t in range(steps + 1):
    if t in want:
        print(json.dumps({"t": t, "W": w.tolist()}))
    if t == steps:
        break
    s = x @ w.T
    s -= s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    g = (p - onehot).T @ x / n
    w -= lr * (t + 1) ** -decay * np.sign(g)
