"""Print the trainer's Go-vs-torch speed-ups and the step-time scaling fit.

Reads Go benchmark output (go test ./trainer -bench Step) and the output of
torch_bench.py (the same format), from the files named on the command line
or from stdin, and prints, per size and optimizer, the median time per step
of each, and the speed-up torch time / Go time for every torch thread count
found (the targets of docs/PERFORMANCE.md: >= 3 at 500x25x10, >= 1 at 2000x500x10, against
torch's default thread count).

Go's Adam (as analysed) is compared with the same loop written with torch
tensors ("Adam"), and also with torch.optim.Adam ("TorchAdam"; bias
correction, eps = 1e-8, the same cost per step up to a few element-wise
operations).

If BenchmarkStepScaling results are present, it also fits
log t = c + a log n + b log d + g log k by least squares over the ladder
(numpy) and prints the exponents with the data.

Usage: /usr/bin/python3 bench_ratio.py go.txt torch.txt
"""
import collections
import fileinput
import re
import statistics
import sys

LINE = re.compile(r"^(Benchmark\S+?)(?:-(\d+))?\s+\d+\s+([\d.e+]+) ns/op")
STEP = re.compile(r"^Benchmark(Torch)?Step(SignGD|Adam|TorchAdam)(\d+)x(\d+)x(\d+)$")
SCALING = re.compile(r"^BenchmarkStepScaling/n=(\d+),d=(\d+),k=(\d+)$")
TARGETS = {(500, 25, 10): 3.0, (2000, 500, 10): 1.0}


def main():
    runs = collections.defaultdict(list)  # (name, procs) -> [ns/op]
    header = []
    for line in fileinput.input(sys.argv[1:]):
        if line.startswith("# torch") and line.strip("# \n") not in header:
            header.append(line.strip("# \n"))
        m = LINE.match(line)
        if m:
            runs[(m.group(1), int(m.group(2) or 1))].append(float(m.group(3)))
    med = {key: statistics.median(v) for key, v in runs.items()}
    count = {key: len(v) for key, v in runs.items()}

    go, torch = {}, collections.defaultdict(dict)  # (opt, size) -> ns; threads -> ...
    gomax = set()
    scaling = []
    for (name, procs), ns in med.items():
        m = STEP.match(name)
        if m:
            opt, size = m.group(2), tuple(int(g) for g in m.group(3, 4, 5))
            if m.group(1):
                torch[procs][(opt, size)] = ns
            else:
                go[(opt, size)] = ns
                gomax.add(procs)
        m = SCALING.match(name)
        if m:
            scaling.append((tuple(int(g) for g in m.groups()), ns))

    if go and torch:
        threads = sorted(torch)
        runs_go = max(count.values())
        print(f"trainer step, Go (GOMAXPROCS {','.join(map(str, sorted(gomax)))}) vs "
              f"{'; '.join(header) or 'torch'}")
        print(f"median ns/op of up to {runs_go} runs; speed-up = torch time / Go time")
        cols = "".join(f" | torch {t} thr µs | speed-up {t} thr" for t in threads)
        print(f"| size (n,d,k) | optimizer | Go µs/step | Go steps/s{cols} |")
        print("|---|---|---:|---:|" + "---:|---:|" * len(threads))
        rows = [(o, s) for (o, s) in sorted(go, key=lambda k: (k[1], k[0]))]
        for opt, size in rows:
            for ref in ([opt, "TorchAdam"] if opt == "Adam" else [opt]):
                g = go[(opt, size)]
                label = opt if ref == opt else "Adam vs torch.optim.Adam"
                cells = ""
                for t in threads:
                    tt = torch[t].get((ref, size))
                    cells += f" | {tt / 1e3:.0f} | {tt / g:.2f}" if tt else " | - | -"
                print(f"| {size[0]},{size[1]},{size[2]} | {label} | {g / 1e3:.1f} | {1e9 / g:,.0f}{cells} |")
        default = threads[0] if len(threads) == 1 else None
        for line in header:
            m = re.search(r"default threads (\d+)", line)
            if m:
                default = int(m.group(1))
        if default in torch:
            print(f"targets (torch default threads = {default}):")
            for (opt, size), g in sorted(go.items(), key=lambda k: (k[0][1], k[0][0])):
                if size in TARGETS and (opt, size) in torch[default]:
                    r = torch[default][(opt, size)] / g
                    ok = "ok" if r >= TARGETS[size] else "MISSED"
                    print(f"  {opt} {size}: speed-up {r:.2f} >= {TARGETS[size]:g}: {ok}")

    if len(scaling) >= 4:
        import numpy as np
        scaling.sort()
        A = np.array([[1, np.log(n), np.log(d), np.log(k)] for (n, d, k), _ in scaling])
        y = np.log([ns for _, ns in scaling])
        coef, res, _, _ = np.linalg.lstsq(A, y, rcond=None)
        fit = A @ coef
        print("step time (SignGD) on the ladder around (500, 25, 10):")
        print("| n | d | k | µs/step | fit µs |")
        print("|---:|---:|---:|---:|---:|")
        for ((n, d, k), ns), f in zip(scaling, fit):
            print(f"| {n} | {d} | {k} | {ns / 1e3:.1f} | {np.exp(f) / 1e3:.1f} |")
        print(f"log-log fit: t ∝ n^{coef[1]:.2f} d^{coef[2]:.2f} k^{coef[3]:.2f} "
              f"(max residual {np.abs(y - fit).max():.3f} in log units)")


if __name__ == "__main__":
    main()
