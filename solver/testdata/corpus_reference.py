"""Reference value and solve time of gamma_N for the corpus test
(solver/corpus_test.go): HiGHS for the LP norms, cvxopt for the others.

usage: /usr/bin/python3 corpus_reference.py DATA.csv NORM [TIME_LIMIT_SECONDS]
DATA.csv: one sample per row, the features then the integer label, no header.
NORM: max, sum, opinf, op1 (HiGHS); fro, spectral, nuclear (cvxopt's QP and
SDP, cvxopt_maxmargin.py); l<p> with 1 < p < inf (cvxopt's convex solver,
pnorm_check.py).

LP norms: maximize gamma s.t. (w_{y_i} - w_c) . x_i >= gamma for all i,
c != y_i and N(W) <= 1 (max: bounds -1 <= W <= 1; sum, opinf, op1:
W = P - Q, P, Q >= 0, one row sum_{group}(P + Q) <= 1 per group: one group
for sum, one per row of W (class) for opinf, one per column (feature) for
op1), built as a sparse matrix and solved by scipy's
linprog(method="highs") with its defaults; only the linprog call is timed.
The time limit (default none) is passed to HiGHS.

Convex norms: the scripts named above run unchanged (runpy), with cvxopt's
solvers.qp, solvers.sdp and solvers.cp wrapped so that only their calls are
timed (a script may call them up to three times, at decreasing accuracy;
every call counts). The time limit is not enforced there (the caller kills
the process).

Prints one line:

    seconds=S gamma=G status=STATUS

STATUS is "optimal"; "timeout" (HiGHS hit the limit; G is nan); or
"failed" with the solver's message after it (G is nan).
"""
import io
import os
import runpy
import sys
import time
from contextlib import redirect_stdout

import numpy as np

path, name = sys.argv[1], sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else None
here = os.path.dirname(os.path.abspath(__file__))


def lp():
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    data = np.loadtxt(path, delimiter=",", ndmin=2)
    X, y = data[:, :-1], data[:, -1].astype(int)
    n, d = X.shape
    k = int(y.max()) + 1
    kd = k * d
    split = name != "max"
    nv = (2 * kd if split else kd) + 1
    rows, cols, vals = [], [], []
    r = 0
    idx = np.arange(d)
    for i in range(n):
        for c in range(k):
            if c == y[i]:
                continue
            # gamma - (w_y - w_c) . x_i <= 0
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
        ab = np.arange(kd)
        group = {"sum": np.zeros(kd, dtype=int), "opinf": ab // d, "op1": ab % d}[name]
        for g in range(int(group.max()) + 1):
            members = ab[group == g]
            rows.append(np.full(2 * len(members), r))
            cols.append(np.concatenate([members, kd + members]))
            vals.append(np.ones(2 * len(members)))
            b.append(1.0)
            r += 1
        bounds = [(0, None)] * (2 * kd) + [(None, None)]
    else:
        bounds = [(-1, 1)] * kd + [(None, None)]
    A = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, nv)).tocsr()
    cost = np.zeros(nv)
    cost[-1] = -1
    options = {} if limit is None else {"time_limit": limit}
    start = time.perf_counter()
    res = linprog(cost, A_ub=A, b_ub=b, bounds=bounds, method="highs", options=options)
    seconds = time.perf_counter() - start
    if res.status == 0:
        return seconds, -res.fun, "optimal"
    if res.status == 1:
        return seconds, float("nan"), "timeout"
    return seconds, float("nan"), "failed " + res.message.replace("\n", " ")


def convex():
    from cvxopt import solvers

    spent = [0.0]

    def timed(f):
        def call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start
        return call

    solvers.qp, solvers.sdp, solvers.cp = timed(solvers.qp), timed(solvers.sdp), timed(solvers.cp)
    if name in ("fro", "spectral", "nuclear"):
        script, args = "cvxopt_maxmargin.py", [path, name]
    else:
        script, args = "pnorm_check.py", [path, name[1:]]
    sys.argv = [script] + args
    sys.path.insert(0, here)
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            runpy.run_path(os.path.join(here, script), run_name="__main__")
    except SystemExit as err:
        if err.code not in (None, 0):
            return spent[0], float("nan"), "failed " + str(err.code).replace("\n", " ")
    except Exception as err:  # cvxopt's ValueError, ArithmeticError, ...
        return spent[0], float("nan"), "failed %s: %s" % (type(err).__name__, err)
    return spent[0], float(out.getvalue().strip()), "optimal"


if name in ("max", "sum", "opinf", "op1"):
    seconds, gamma, status = lp()
elif name in ("fro", "spectral", "nuclear") or name.startswith("l"):
    seconds, gamma, status = convex()
else:
    sys.exit("corpus_reference: unknown norm " + name)
print("seconds=%.6f gamma=%r status=%s" % (seconds, gamma, status))
