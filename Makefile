# trackerd: `make run` serves with built-in defaults, `make test` runs every test.
GO        ?= go
FUZZTIME  ?= 10s
BIN       := bin/trackerd

.PHONY: run build test deps vet test-race test-alloc fuzz-smoke e2e bench clean

run:
	$(GO) run ./cmd/trackerd

build:
	$(GO) build -o $(BIN) ./cmd/trackerd

# The whole suite, as CI runs it: installs the real BitTorrent clients the
# end-to-end tests use when they are missing (Debian packages, needs root).
test: deps vet test-race test-alloc fuzz-smoke e2e

deps:
	.ci/install-deps

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1; }
	$(GO) vet ./...

# Unit and integration tests with the race detector (end-to-end excluded:
# they run once, in e2e).
test-race:
	$(GO) test -race -shuffle=on -count=1 ./...

# Allocation assertions are exact only without -race.
test-alloc:
	$(GO) test -count=1 -run Allocs ./...

# Every fuzz target, briefly; go test -fuzz takes one target at a time.
fuzz-smoke:
	GO='$(GO)' FUZZTIME='$(FUZZTIME)' .ci/fuzz-smoke

# End-to-end: a real trackerd with real BitTorrent clients on loopback.
e2e:
	TRACKERD_E2E=1 $(GO) test -count=1 -run E2E -v ./cmd/trackerd/

# The yardstick (README "Reading make bench"): trackerd side by side with
# opentracker, bittorrent-tracker and do-nothing ceiling servers, each pinned
# to CPU 0 with the load generator on CPU 1, in interleaved rounds; memory
# per peer; and the Go micro-benchmarks with allocations (-benchtime=300ms
# keeps the whole under 10 minutes), kept where benchstat reads them.
# Installs the peers when missing (needs root). About 8 minutes;
# bench-quick about 1.5 (no micro-benchmarks). BENCHFLAGS passes flags to
# trackerbench run, e.g. BENCHFLAGS=-fill-peers=10000000.
BENCH_STAMP := $(shell date -u +%Y%m%d-%H%M%S)
BENCH_OUT ?= bench/results/run-$(BENCH_STAMP)
BENCHFLAGS ?=

bench: build
	bench/install-peers
	$(GO) build -o bin/trackerbench ./cmd/trackerbench
	@mkdir -p $(BENCH_OUT)
	@echo "micro-benchmarks (under a minute) -> $(BENCH_OUT)/micro.txt"
	@$(GO) test -run='^$$' -bench=. -benchmem -benchtime=300ms ./... > $(BENCH_OUT)/micro.txt 2>&1 || \
	  echo "micro-benchmarks: some packages failed to build or run; see $(BENCH_OUT)/micro.txt"
	bin/trackerbench run -trackerd $(BIN) -out $(BENCH_OUT) $(BENCHFLAGS)
	@echo "micro-benchmarks, raw go test output (benchstat reads it): $(BENCH_OUT)/micro.txt"

.PHONY: bench-quick
bench-quick: build
	bench/install-peers
	$(GO) build -o bin/trackerbench ./cmd/trackerbench
	bin/trackerbench run -quick -trackerd $(BIN) -out $(BENCH_OUT) $(BENCHFLAGS)

clean:
	rm -rf bin
