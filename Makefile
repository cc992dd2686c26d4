# maxmargin: `make run` runs the main job, `make test` the tests. Both install
# what they need first (.ci/deps: apt-get for liblpsolve55-dev and
# libopenblas-dev when missing).

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
export PATH := $(PATH):/usr/local/go/bin
# No CGO flags: solver/internal/lpsolve/link.go carries lp_solve's linker flags and
# .ci/deps makes its header reachable (README.md, Building), so plain go
# build, go vet and go test work as make does.
export CGO_ENABLED := 1

GO ?= go
BIN := bin/maxmargin

.PHONY: all deps build test run bench bench-solver bench-trainer vet clean

all: build

deps:
	@./.ci/deps

build: deps
	$(GO) build -o $(BIN) ./cmd/maxmargin

vet: deps
	$(GO) vet ./...
	$(GO) vet -tags purego ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }

test: vet
	@TEST=1 ./.ci/deps
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags purego ./trainer

# The main job: every claim of every case in cases/, with a Markdown report
# and plots in report/.
run: build
	./$(BIN) verify --cases cases --report report

# Speed against the anchors of docs/PERFORMANCE.md ("Targets"), on this machine: the trainer against
# torch 1.13 (float64, CPU, the same loop) and the certified LP solver against
# HiGHS (scipy's linprog(method="highs")) on the same LP. Go results are in
# benchstat's format under bench/; the ratio tables go to stdout. The solver
# half takes long (HiGHS needs minutes on random labels at (200,500,10)):
# BENCH_CASES narrows it, e.g. make bench BENCH_CASES=n=100, .
BENCH_CASES ?= n=
BENCH_LIMIT ?= 600
bench: bench-trainer bench-solver

bench-trainer: deps
	@BENCH=1 ./.ci/deps
	@mkdir -p bench
	$(GO) test ./trainer -run '^$$' -bench '^BenchmarkStep' -count 5 | tee bench/trainer-go.txt
	/usr/bin/python3 trainer/testdata/torch_bench.py -count 5 | tee bench/trainer-torch.txt
	/usr/bin/python3 trainer/testdata/bench_ratio.py bench/trainer-go.txt bench/trainer-torch.txt

bench-solver: deps
	@BENCH=1 ./.ci/deps
	@mkdir -p bench
	$(GO) test ./solver -run '^$$' -bench BenchmarkMaxMargin -benchtime 1x -timeout 180m | tee bench/solver-go.txt
	MAXMARGIN_HIGHS_BENCH=1 MAXMARGIN_HIGHS_LIMIT=$(BENCH_LIMIT) MAXMARGIN_HIGHS_CASES='$(BENCH_CASES)' \
		$(GO) test ./solver -count=1 -run TestHiGHSRatios -v -timeout 240m | grep '^ratio ' | tee bench/solver-ratios.txt

clean:
	rm -rf bin report bench
