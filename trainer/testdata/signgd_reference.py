"""Independent reference for the trainer's long-run SignGD test.

SignGD, eta_t = 0.1 (t+1)^(-1/2), W_0 = 0, cross-entropy, on
gaussian-k5-d8-n150.csv (dataset.GaussianClusters(1, 5, 8, 30, 0.1)), written
with numpy and scipy.special.logsumexp, independently of the Go code: the
gradient's sign is taken from the softmax weights computed in the log domain,
with the largest log-weight subtracted before exponentiating. Prints the
max-norm normalized margin m(W_t)/max|W_t| at t = 10^3, 10^4, 10^5.

Run with Debian's interpreter: /usr/bin/python3 signgd_reference.py
"""
import sys
import numpy as np
from scipy.special import logsumexp

data = np.loadtxt(sys.argv[1] if len(sys.argv) > 1 else "gaussian-k5-d8-n150.csv", delimiter=",", skiprows=1)
X, y = data[:, :-1], data[:, -1].astype(int)
n, d = X.shape
k = y.max() + 1
onehot = np.zeros((n, k), dtype=bool)
onehot[np.arange(n), y] = True
W = np.zeros((k, d))
for t in range(100001):
    if t in (1000, 10000, 100000):
        s = X @ W.T
        z = s[onehot][:, None] - s
        z[onehot] = np.inf
        print(t, repr(z.min() / np.abs(W).max()))
    if t == 100000:
        break
    s = X @ W.T
    u = s - s[onehot][:, None]          # u_c = s_c - s_y, u_y = 0
    logS = u - logsumexp(u, axis=1, keepdims=True)   # log softmax
    logS[onehot] = -np.inf
    scale = logS.max()
    R = np.exp(logS - scale)            # S_c e^{-scale}, c != y
    R[onehot] = -R.sum(axis=1)          # -(1 - S_y) e^{-scale}
    G = R.T @ X
    W -= 0.1 / np.sqrt(t + 1) * np.sign(G)
