# yichuang (一窗): kioskd, the hall's terminals and queue.
#   make run    run the hall: simulated devices, SQLite under ./data, UI on http://127.0.0.1:8080
#   make test   install what the tests need, then vet, format check, lint and every test under -race
#   make lint   staticcheck (Go) and ESLint (ui/web)
#   make bench  benchmarks

GO      ?= go
# The Go toolchain the project is built and tested with (go.mod names it too):
# the go command on the PATH fetches it from the module proxy once.
export GOTOOLCHAIN := go1.27.3
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

# Debian packages. To run: a C compiler for the cgo parts (MuPDF through
# go-fitz), espeak-ng, and a Chinese TrueType font for the A4 receipts (PDF).
# To test, also: SANE's scanimage with its test backend, headless Chromium
# and CJK fonts for the UI tests, and promtool (package prometheus) to lint /metrics.
RUN_PKGS := gcc libc6-dev espeak-ng fonts-arphic-gbsn00lp
APT_PKGS := $(RUN_PKGS) sane-utils libsane1 chromium chromium-driver fonts-noto-cjk umockdev prometheus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build run test check deps deps-run bench fmt vet lint lint-go lint-js clean dist deb deploy-test

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/kioskd ./cmd/kioskd

# deps installs the Debian packages the tests need, when one is missing,
# and ESLint (npm) when package-lock.json changed.
deps: node_modules/.package-lock.json
	@scripts/apt-install.sh $(APT_PKGS)

deps-run:
	@scripts/apt-install.sh $(RUN_PKGS)

run: deps-run
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/kioskd serve

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# lint: staticcheck at a pinned version (go run fetches it from the module
# proxy once) and ESLint pinned in package-lock.json (npm ci installs it
# from the npm registry when the lock file changes).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: lint-go lint-js

lint-go:
	$(GO) run $(STATICCHECK) ./...

lint-js: node_modules/.package-lock.json
	npx --no-install eslint

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

test: deps vet lint
	$(GO) test -race -count=1 -timeout 25m ./...
	GO=$(GO) scripts/deploy_test.sh

check: test

# bench: Go benchmarks of the hot paths, then cmd/loadgen against a real
# kioskd (about a minute; rewrites BENCHMARKS.md). LOADGEN_FLAGS adds flags.
LOADGEN_FLAGS ?=
bench: deps-run build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/loadgen -kioskd bin/kioskd $(LOADGEN_FLAGS)

# dist: release archives in dist/ (arm64 with cgo needs gcc-aarch64-linux-gnu
# and libc6-dev-arm64-cross); deb: the archives plus one .deb per arch (nfpm).
dist:
	VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) scripts/dist.sh
deb:
	VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) scripts/dist.sh --deb
deploy-test:
	GO=$(GO) scripts/deploy_test.sh

clean:
	rm -rf bin dist
