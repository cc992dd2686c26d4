"""Time HiGHS on the max-margin LP of MATH.md section 3 (the LP that
highs_maxmargin.py writes), for side-by-side benchmarks with the Go solver.

usage: /usr/bin/python3 highs_bench.py DATA.csv NORM [TIME_LIMIT_SECONDS]
DATA.csv: one sample per row, the features then the integer label, no header.
NORM: max, sum, opinf or op1.

maximize gamma s.t. (w_{y_i} - w_c) . x_i >= gamma for all i, c != y_i, and
N(W) <= 1 (max: bounds -1 <= W <= 1; sum, opinf, op1: W = P - Q,
P, Q >= 0, one row sum_{group}(P + Q) <= 1 per group: all entries, each
class row of W, each feature column of W), solved by scipy's linprog(method="highs") with its
defaults. Only the linprog call is timed (the matrix is built beforehand, as
a sparse matrix). Prints one line:

    highs_seconds=S gamma=G status=STATUS

STATUS is "optimal", or "timeout" when the time limit (default none) ran
out, in which case S is the time spent and G is "nan".
"""
import sys
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

data = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
name = sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else None
X, y = data[:, :-1], data[:, -1].astype(int)
n, d = X.shape
k = int(y.max()) + 1
kd = k * d
split = name != "max"
if name not in ("max", "sum", "opinf", "op1"):
    sys.exit("highs_bench: norm must be max, sum, opinf or op1")
nv = (2 * kd if split else kd) + 1

rows, cols, vals = [], [], []
r = 0
for i in range(n):
    for c in range(k):
        if c == y[i]:
            continue
        # gamma - (w_y - w_c) . x_i <= 0
        idx = np.arange(d)
        blocks = [(y[i] * d, -X[i]), (c * d, X[i])]
        if split:
            blocks += [(kd + y[i] * d, X[i]), (kd + c * d, -X[i])]
        for off, v in blocks:
            rows.append(np.full(d, r))
            cols.append(off + idx)
            vals.append(v)
        rows.append(np.array([r]))
        cols.append(np.array([nv - 1]))
        vals.append(np.array([1.0]))
        r += 1
b = [0.0] * r
if split:
    # group of entry (a, l), W laid out row-major (a*d + l)
    ent = np.arange(kd)
    group = {"sum": np.zeros(kd, dtype=int), "opinf": ent // d, "op1": ent % d}[name]
    for g in range(group.max() + 1):
        members = ent[group == g]
        rows.append(np.full(2 * len(members), r))
        cols.append(np.concatenate([members, kd + members]))
        vals.append(np.ones(2 * len(members)))
        b.append(1.0)
        r += 1
    bounds = [(0, None)] * (2 * kd) + [(None, None)]
else:
    bounds = [(-1, 1)] * kd + [(None, None)]
A = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, nv)).tocsr()
c = np.zeros(nv)
c[-1] = -1
options = {} if limit is None else {"time_limit": limit}
start = time.perf_counter()
res = linprog(c, A_ub=A, b_ub=b, bounds=bounds, method="highs", options=options)
seconds = time.perf_counter() - start
if res.status == 0:
    print("highs_seconds=%.6f gamma=%r status=optimal" % (seconds, -res.fun))
elif res.status == 1:
    print("highs_seconds=%.6f gamma=nan status=timeout" % seconds)
else:
    sys.exit("highs_bench: " + res.message)
