# Build, check and deploy the Function Compute function.
# The go1 runtime runs the Linux binary named by `handler` in s.yaml (main) from `code` (./build).

GO ?= go

.PHONY: build demo local test lint deploy clean

build:
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -tags fconly -trimpath -ldflags "-s -w" -o build/main .

# The same program built for this machine: without FC_RUNTIME_API it is the CLI.
build/local/main: FORCE
	$(GO) build -trimpath -o build/local/main .

# Runs the whole pipeline locally (no cloud, no Docker): see README "Quick start".
demo: build/local/main
	./build/local/main demo

# A local cloud with the function, kept running until Ctrl-C.
local: build/local/main
	./build/local/main local

test:
	$(GO) test -race -count=1 ./...

lint:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt would change these files:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) vet ./...

# The soak test of issue 4 at full size: make soak IMAGES=1000 [SEED=1]. Exits 1 on a broken promise.
IMAGES ?= 1000
SEED ?= 1
.PHONY: soak
soak:
	$(GO) run ./internal/cmd/soak --images $(IMAGES) --seed $(SEED)

# Performance (issue 5): the Go benchmarks of the hot paths, then the bench command, which builds
# the binary like `make build` and measures it under the FC emulator (and the Node.js/ali-oss
# baseline side by side, once `make bench-node-deps` has installed it). See README "Performance".
BENCH_PKGS = ./handler ./internal/recognition ./internal/objectstore
.PHONY: bench bench-node-deps
bench:
	$(GO) test -p 1 -run '^$$' -bench . -benchmem $(BENCH_PKGS)
	$(GO) run ./internal/cmd/bench

bench-node-deps:
	cd internal/bench/node && npm ci --no-audit --no-fund

# Needs the Serverless Devs CLI (npm install -g @serverless-devs/s), a configured access, and
# OCR_ENDPOINT plus OCR_APPCODE (or OCR_APP_KEY and OCR_APP_SECRET) exported.
deploy: build
	s deploy -y

clean:
	rm -rf build

FORCE:
