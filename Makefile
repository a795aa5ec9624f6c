# Build, check and deploy the Function Compute function.
#
#   build/fc/main          the function as FC runs it (linux/amd64); s.yaml deploys build/fc
#   build/local/function   the same function built for this machine, run by the local cloud
#   build/local/vlicense   the operator's CLI (cmd/vlicense)

GO ?= go

.PHONY: build demo local test lint deploy clean soak bench bench-node-deps FORCE

# The go1 runtime runs the binary named by `handler` in s.yaml (main) from `code` (./build/fc):
# that directory holds nothing else, so the deployed package is the function alone.
build:
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o build/fc/main .

build/local/function: FORCE
	$(GO) build -trimpath -o build/local/function .

build/local/vlicense: FORCE
	$(GO) build -trimpath -o build/local/vlicense ./cmd/vlicense

# The whole pipeline on this machine (no cloud, no Docker): see README "See it work in 30 seconds".
demo: build/local/function build/local/vlicense
	./build/local/vlicense demo --function build/local/function

# A local cloud with the function, kept running until Ctrl-C.
local: build/local/function build/local/vlicense
	./build/local/vlicense local --function build/local/function

test:
	$(GO) test -race -count=1 ./...

lint:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt would change these files:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) vet ./...

# The soak test at full size on the binary `make build` makes: make soak IMAGES=1000 [SEED=1].
# Exits 1 on a broken promise.
IMAGES ?= 1000
SEED ?= 1
soak: build
	$(GO) run ./tools/cmd/soak --binary build/fc/main --images $(IMAGES) --seed $(SEED)

# The Go benchmarks of the hot paths, then the bench command on the binary `make build` makes,
# under the FC emulator (and the Node.js/ali-oss baseline side by side, once
# `make bench-node-deps` has installed it). See docs/performance.md.
BENCH_PKGS = ./handler ./internal/recognition ./internal/objectstore
bench: build
	$(GO) test -p 1 -run '^$$' -bench . -benchmem $(BENCH_PKGS)
	$(GO) run ./tools/cmd/bench -function build/fc/main

bench-node-deps:
	cd tools/bench/node && npm ci --no-audit --no-fund

# The backfill's pacing (--qps) and peak memory, measured on the CLI run as an operator runs it,
# against a local OSS server and recognition stand-in; prints a table and exits 1 when a goal is
# not met (docs/performance.md). About half an hour at the goal's sizes; a quick look:
# make bench-backfill ARGS='-images 2000 -keys 100000'.
.PHONY: bench-backfill
bench-backfill:
	$(GO) run ./tools/cmd/backfillbench $(ARGS)

# Checks first (vlicense preflight: your bucket in s.yaml, OCR_ENDPOINT and credentials exported,
# the Serverless Devs CLI, the role), then deploys; s.yaml's pre-deploy action runs make build.
# Serverless Devs asks before it overwrites what differs in the cloud: YES=1 answers yes for it.
deploy:
	$(GO) run ./cmd/vlicense preflight
	s deploy $(if $(YES),-y)

clean:
	rm -rf build

FORCE:
