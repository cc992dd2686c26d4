# maxmargin: `make run` runs the main job, `make test` the tests. Both install
# what they need first (.ci/deps: apt-get for liblpsolve55-dev when missing).

export PATH := $(PATH):/usr/local/go/bin
# golp's own #cgo lines point at a bundled lp_solve that the module does not
# carry; these flags link Debian's static liblpsolve55 instead.
export CGO_ENABLED := 1
export CGO_CFLAGS := -I/usr/include/lpsolve
export CGO_LDFLAGS := -llpsolve55 -lcolamd -lm -ldl

GO ?= go
BIN := bin/maxmargin

.PHONY: all deps build test run bench vet clean

all: build

deps:
	@./.ci/deps

build: deps
	$(GO) build -o $(BIN) ./cmd/maxmargin

vet: deps
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }

test: vet
	@TEST=1 ./.ci/deps
	$(GO) test -count=1 ./...

# The main job: every claim of every case in cases/, with a Markdown report
# and plots in report/.
run: build
	./$(BIN) verify --cases cases --report report

clean:
	rm -rf bin report
