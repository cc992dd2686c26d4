"""Independent check of the Frobenius max margin with scipy's SLSQP.

usage: /usr/bin/python3 svm_fro.py DATA.csv
DATA.csv: one sample per row, the features then the integer label, no header.
Prints gamma_fro = 1/||W*||_F as a Python float repr, where W* solves the
multiclass hard-margin SVM

    minimize ||W||_F^2  s.t.  (w_{y_i} - w_c) . x_i >= 1  for all i, c != y_i,

by sequential least squares programming with analytic gradients and the
constraint Jacobian, started from the scaled class-mean classifier.
Exits nonzero when SLSQP fails or ends infeasible.
"""
import sys

import numpy as np
from scipy.optimize import minimize

from maxmargin_pairs import load

X, y, k, V = load(sys.argv[1])
n, d = X.shape
means = np.array([X[y == c].mean(axis=0) for c in range(k)]).ravel()
m0 = (V @ means).min()
w0 = means / m0 if m0 > 0 else means
res = minimize(
    lambda w: w @ w,
    w0,
    jac=lambda w: 2 * w,
    constraints=[{"type": "ineq", "fun": lambda w: V @ w - 1, "jac": lambda w: V}],
    method="SLSQP",
    options={"ftol": 1e-15, "maxiter": 2000},
)
# Status 8 ("positive directional derivative for linesearch") is SLSQP
# stopping at the limit of float64 progress; accept it when W is feasible.
if not res.success and not (res.status == 8 and (V @ res.x).min() >= 1 - 1e-9):
    sys.exit("slsqp: " + res.message)
print(repr(1 / np.sqrt(res.x @ res.x)))
