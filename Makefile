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
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s $$pkg; \
	  done; \
	done

# End-to-end: a real trackerd with real BitTorrent clients on loopback.
e2e:
	TRACKERD_E2E=1 $(GO) test -count=1 -run E2E -v ./cmd/trackerd/

# Go micro-benchmarks with allocations, in a form benchstat reads.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

clean:
	rm -rf bin
