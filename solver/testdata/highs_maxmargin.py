"""Independent check of the max-margin LP (MATH.md section 3) with HiGHS.

usage: /usr/bin/python3 highs_maxmargin.py DATA.csv NORM
DATA.csv: one sample per row, the features then the integer label, no header.
NORM: max, sum, opinf or op1. Prints gamma_N as a Python float repr.

maximize gamma s.t. (w_{y_i} - w_c) . x_i >= gamma for all i, c != y_i and
N(W) <= 1: max as bounds -1 <= W <= 1; sum, opinf, op1 as W = P - Q with
P, Q >= 0 and one row sum_{group}(P + Q) <= 1 per group.
"""
import sys

import numpy as np
from scipy.optimize import linprog

data = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
name = sys.argv[2]
X, y = data[:, :-1], data[:, -1].astype(int)
n, d = X.shape
k = int(y.max()) + 1
kd = k * d
split = name != "max"
nv = (2 * kd if split else kd) + 1

rows = []
for i in range(n):
    for c in range(k):
        if c == y[i]:
            continue
        r = np.zeros(nv)  # gamma - (w_y - w_c) . x_i <= 0
        r[y[i] * d:(y[i] + 1) * d] -= X[i]
        r[c * d:(c + 1) * d] += X[i]
        if split:
            r[kd + y[i] * d:kd + (y[i] + 1) * d] += X[i]
            r[kd + c * d:kd + (c + 1) * d] -= X[i]
        r[-1] = 1
        rows.append(r)
b = [0.0] * len(rows)
if split:
    group = {
        "sum": lambda a, l: 0,
        "opinf": lambda a, l: a,
        "op1": lambda a, l: l,
    }[name]
    count = {"sum": 1, "opinf": k, "op1": d}[name]
    g = np.zeros((count, nv))
    for a in range(k):
        for l in range(d):
            g[group(a, l), a * d + l] = 1
            g[group(a, l), kd + a * d + l] = 1
    rows.extend(g)
    b.extend([1.0] * count)
    bounds = [(0, None)] * (2 * kd) + [(None, None)]
else:
    bounds = [(-1, 1)] * kd + [(None, None)]
c = np.zeros(nv)
c[-1] = -1
res = linprog(c, A_ub=np.array(rows), b_ub=b, bounds=bounds, method="highs")
if res.status != 0:
    sys.exit("highs: " + res.message)
print(repr(-res.fun))
