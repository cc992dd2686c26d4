"""Independent check of the entry-wise lp max margin (1 < p < inf) with cvxopt.

usage: /usr/bin/python3 pnorm_check.py DATA.csv P
DATA.csv: one sample per row, the features then the integer label, no header.
P: the exponent, 1 < P < inf. Prints gamma_p as a Python float repr.

With v_j = vec((e_{y_i} - e_c) x_i^T) the rows of V (maxmargin_pairs.load),

    gamma_p = max_{||W||_p <= 1} min_j <v_j, W> = 1 / min {||w||_p : V w >= 1}
            = 1 / max {1^T lam : lam >= 0, ||V^T lam||_q <= 1},   1/p + 1/q = 1,

the last by Lagrangian duality (the dual norm of lp is lq). cvxopt's convex
solver (solvers.cp) needs twice differentiable functions, and sum |u|^r is
so exactly when r >= 2, so the script solves

p >= 2    the primal  maximize g  s.t.  V w >= g,  sum |w_a|^p <= 1,
          gamma_p = g*;
p < 2     the dual    maximize 1^T lam  s.t.  sum |(V^T lam)_a|^q <= 1, lam >= 0,
          gamma_p = 1 / 1^T lam*.

(The primal "minimize sum |w|^p s.t. V w >= 1" ended with status unknown
at p = 3 and 10 on a 12-sample set: its objective spans many decades.)

Neither shares code or method with the Go solver (an interior-point method
on the margins with a power-cone barrier). The tolerances are 1e-10
(absolute and relative gap, feasibility); a result whose status is not
"optimal" is refused (exit status nonzero). Measured on the sets of
TestPNormAgainstCvxopt (p = 1.5, 3, 10): within 2e-11 relative of the Go
solver's certified interval. p = 20 on 12 samples ended "unknown" (primal
infeasibility 1e-6).
"""
import sys

import numpy as np
from cvxopt import matrix, solvers, spdiag

from maxmargin_pairs import load

X, y, k, V = load(sys.argv[1])
p = float(sys.argv[2])
if not 1 < p < float("inf"):
    sys.exit("pnorm_check: P must be in (1, inf), got %r" % sys.argv[2])
m, kd = V.shape
solvers.options.update(show_progress=False, abstol=1e-10, reltol=1e-10, feastol=1e-10, maxiters=200)


def power_sum(u, r):
    """sum |u|^r, its gradient and the diagonal of its Hessian (r >= 2)."""
    a = np.abs(u)
    return np.sum(a ** r), r * np.sign(u) * a ** (r - 1), r * (r - 1) * a ** (r - 2)


def check(res):
    """Exits unless cvxopt reports an optimal solution."""
    if res["status"] != "optimal":
        sys.exit("pnorm_check: cvxopt status %s, gap %s, infeasibility %s %s" % (
            res["status"], res["relative gap"], res["primal infeasibility"], res["dual infeasibility"]))


if p >= 2:
    # x = (w, g); w0 the least-norm solution of V w = 1 scaled to
    # sum |w0|^p = 1/2 (strictly inside the ball; cp does not need the
    # linear constraints to hold at the start).
    w0 = np.linalg.lstsq(V, np.ones(m), rcond=None)[0]
    w0 /= (2 * np.sum(np.abs(w0) ** p)) ** (1 / p)
    x0 = np.append(w0, 0.0)

    def F(x=None, z=None):
        if x is None:
            return 1, matrix(x0)
        f, g, h = power_sum(np.array(x).ravel()[:kd], p)
        fs = matrix([-float(x[kd]), f - 1])
        df = matrix(np.vstack([np.append(np.zeros(kd), -1.0), np.append(g, 0.0)]))
        if z is None:
            return fs, df
        return fs, df, z[1] * spdiag(matrix(np.append(h, 0.0)))

    G = np.hstack([-V, np.ones((m, 1))])
    res = solvers.cp(F, G=matrix(G), h=matrix(np.zeros(m)))
    check(res)
    print(repr(float(np.array(res["x"]).ravel()[kd])))
else:
    q = p / (p - 1)
    lam0 = np.full(m, 1.0 / m)
    lam0 /= 2 * np.sum(np.abs(V.T @ lam0) ** q) ** (1 / q)  # strictly feasible

    def F(x=None, z=None):
        if x is None:
            return 1, matrix(lam0)
        lam = np.array(x).ravel()
        f, g, h = power_sum(V.T @ lam, q)
        fs = matrix([-float(np.sum(lam)), f - 1])
        df = matrix(np.vstack([-np.ones(m), V @ g]))
        if z is None:
            return fs, df
        return fs, df, matrix(z[1] * (V * h) @ V.T)

    res = solvers.cp(F, G=matrix(-np.eye(m)), h=matrix(np.zeros(m)))
    check(res)
    print(repr(float(1 / np.sum(np.array(res["x"]).ravel()))))
