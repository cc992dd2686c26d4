"""Shared input of the independent-check scripts in this folder.

load(path) reads DATA.csv (one sample per row, the features then the integer
label, no header) and returns X (n x d), y, k and V, the n(k-1) x kd matrix
whose row for the pair (i, c != y_i), row-major over i with y_i skipped, is
vec((e_{y_i} - e_c) x_i^T) with W flattened row-major, so that V @ vec(W)
lists the margins (w_{y_i} - w_c) . x_i.
"""
import numpy as np


def load(path):
    data = np.loadtxt(path, delimiter=",", ndmin=2)
    X, y = data[:, :-1], data[:, -1].astype(int)
    n, d = X.shape
    k = int(y.max()) + 1
    rows = []
    for i in range(n):
        for c in range(k):
            if c == y[i]:
                continue
            r = np.zeros(k * d)
            r[y[i] * d:(y[i] + 1) * d] += X[i]
            r[c * d:(c + 1) * d] -= X[i]
            rows.append(r)
    return X, y, k, np.array(rows)
