"""Independent check of the fro, spectral and nuclear max margins with cvxopt.

usage: /usr/bin/python3 cvxopt_maxmargin.py DATA.csv NORM
DATA.csv: one sample per row, the features then the integer label, no header.
NORM: fro, spectral or nuclear. Prints gamma_N as a Python float repr.

With v_j = (e_{y_i} - e_c) x_i^T the matrix of pair j = (i, c != y_i):

fro       the multiclass hard-margin SVM, a QP (solvers.qp):
              minimize (1/2) ||W||_F^2  s.t.  <v_j, W> >= 1,
          gamma_fro = 1/||W*||_F.
spectral  an SDP (solvers.sdp) in (W, gamma):
              maximize gamma  s.t.  <v_j, W> >= gamma,  [[I_k, W], [W^T, I_d]] >= 0,
          the block matrix being positive semidefinite exactly when sigma_1(W) <= 1.
nuclear   an SDP in (W, P, Q, gamma), P (k x k) and Q (d x d) symmetric:
              maximize gamma  s.t.  <v_j, W> >= gamma,  [[P, W], [W^T, Q]] >= 0,
                                    tr P + tr Q <= 2,
          since ||W||_* <= 1 exactly when such P and Q exist (Fazel, Hindi
          and Boyd 2001, lemma 1).

The tolerances are tightened to 1e-10 so that gamma is accurate to about
1e-8 relative; when cvxopt breaks down at that accuracy (a zero divisor
in its Nesterov-Todd scaling, or status "unknown" from stalled progress),
it is run again with 1e-9, then 1e-8. A result whose status is "unknown"
is accepted when its relative gap and both infeasibilities are below
1e-8. Exits nonzero when no tolerance gives such a result.
"""
import sys

import numpy as np
from cvxopt import matrix, solvers

from maxmargin_pairs import load

X, y, k, V = load(sys.argv[1])
n, d = X.shape
name = sys.argv[2]
m = V.shape[0]


def solve(run):
    """Calls run() (a cvxopt solver call) with decreasing accuracy until it
    gives an acceptable result, and returns it."""
    failures = []
    for tol in (1e-10, 1e-9, 1e-8):
        solvers.options.update(show_progress=False, abstol=tol, reltol=tol, feastol=tol, maxiters=200)
        try:
            res = run()
        except ArithmeticError as err:
            failures.append("%g: %s" % (tol, err))
            continue
        if res["status"] == "optimal":
            return res
        gap = res["relative gap"]
        if gap is not None and gap < 1e-8 and res["primal infeasibility"] < 1e-8 and res["dual infeasibility"] < 1e-8:
            return res
        failures.append("%g: status %s" % (tol, res["status"]))
    sys.exit("cvxopt: " + "; ".join(failures))



def sym_column(size, entries):
    """The column-major vectorisation of the symmetric size x size matrix with
    the given (row, col, value) entries mirrored."""
    a = np.zeros((size, size))
    for r, c, v in entries:
        a[r, c] += v
        if r != c:
            a[c, r] += v
    return a.ravel(order="F")


if name == "fro":
    res = solve(lambda: solvers.qp(matrix(np.eye(k * d)), matrix(np.zeros(k * d)), matrix(-V), matrix(-np.ones(m))))
    w = np.array(res["x"]).ravel()
    print(repr(1 / np.sqrt(w @ w)))
elif name in ("spectral", "nuclear"):
    size = k + d
    cols = []  # one column of Gs per variable, for Gs x + s = hs
    for a in range(k):
        for b in range(d):
            cols.append(-sym_column(size, [(a, k + b, 1.0)]))
    nw = k * d
    if name == "nuclear":
        for i in range(size):  # P then Q, upper triangles
            for j in range(i, size):
                if (i < k) == (j < k):
                    cols.append(-sym_column(size, [(i, j, 1.0)]))
    nvar = len(cols) + 1  # the last variable is gamma
    cols.append(np.zeros(size * size))
    Gs = [matrix(np.array(cols).T)]
    hs = [matrix(np.eye(size) if name == "spectral" else np.zeros((size, size)))]
    # <v_j, W> >= gamma  as  -<v_j, W> + gamma <= 0.
    Gl = np.zeros((m, nvar))
    Gl[:, :nw] = -V
    Gl[:, -1] = 1
    hl = np.zeros(m)
    if name == "nuclear":  # tr P + tr Q <= 2
        row = np.zeros(nvar)
        q = nw
        for i in range(size):
            for j in range(i, size):
                if (i < k) == (j < k):
                    if i == j:
                        row[q] = 1
                    q += 1
        Gl = np.vstack([Gl, row])
        hl = np.append(hl, 2)
    cost = np.zeros(nvar)
    cost[-1] = -1
    res = solve(lambda: solvers.sdp(matrix(cost), Gl=matrix(Gl), hl=matrix(hl), Gs=Gs, hs=hs))
    print(repr(float(res["x"][nvar - 1])))
else:
    sys.exit("unknown norm " + name)
