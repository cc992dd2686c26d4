"""Writes the NumPy trajectory fixtures of TestLoadTrajectory (run with
/usr/bin/python3 gen.py in this folder; numpy 1.24). Every W entry is
W[t][r][c] = 100 t + 10 r + c, k = 2 classes, d = 3 features."""
import numpy as np

def traj(ts):
    return np.array([[[100 * t + 10 * r + c for c in range(3)] for r in range(2)] for t in ts], dtype=np.float64)

ts = [0, 1, 2, 5, 10]
np.savez("good.npz", t=np.array(ts, dtype=np.int64), W=traj(ts))
np.savez("fortran-f4.npz", t=np.array(ts, dtype=np.float64), W=np.asfortranarray(traj(ts).astype(np.float32)))
np.savez("no-t.npz", W=traj(ts))
np.savez("unsorted.npz", t=np.array([0, 2, 1, 5, 10]), W=traj(ts))
bad = traj(ts)
bad[3, 1, 2] = np.nan
np.savez("nan.npz", t=np.array(ts), W=bad)
# trainer.Checkpoints(10, 0) = 0 1 2 3 4 5 6 8 10
sched = [0, 1, 2, 3, 4, 5, 6, 8, 10]
np.save("schedule10.npy", traj(sched))
np.save("shape.npy", traj(sched)[:, :, :2])
