# yichuang (一窗): kioskd, the hall's terminals and queue.
#   make run    run the hall: simulated devices, SQLite under ./data, UI on http://127.0.0.1:8080
#   make test   install what the tests need, then vet, format check, lint and every test under -race
#   make lint   staticcheck (Go) and ESLint (ui/web)
#   make bench  benchmarks
#   make deb    the release archive and .deb for this machine (ARCH=all: amd64 and arm64)
#   make lint-deb, make vuln (after make vulndb): lintian, govulncheck

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
# to build and check the .deb (readelf, objcopy, dpkg-shlibdeps, lintian, man)
DEB_PKGS := binutils dpkg-dev lintian man-db
APT_PKGS := $(RUN_PKGS) sane-utils libsane1 chromium chromium-driver fonts-noto-cjk umockdev prometheus $(DEB_PKGS)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build run test check deps deps-run bench fmt vet lint lint-go lint-js clean dist deb lint-deb vuln vulndb deploy-test

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

# node_modules gets a go.mod of its own, so ./... (vet, test, staticcheck)
# never walks into an npm package's Go sources
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	printf 'module yichuang/node_modules\n' > node_modules/go.mod

test: deps vet lint
	$(GO) test -race -count=1 -timeout 25m ./...
	GO=$(GO) scripts/deploy_test.sh
	@if [ -f "$(VULNDB)/index/db.json" ]; then $(MAKE) --no-print-directory vuln; \
	else echo "skip  make vuln: no vulnerability database at $(VULNDB) (make vulndb makes it)"; fi

check: test

# bench: Go benchmarks of the hot paths, then cmd/loadgen against a real
# kioskd (about a minute; rewrites BENCHMARKS.md). LOADGEN_FLAGS adds flags.
LOADGEN_FLAGS ?=
bench: deps-run build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/loadgen -kioskd bin/kioskd $(LOADGEN_FLAGS)

# dist: the release archive in dist/ for this machine's arch, with SHA256SUMS
# (ARCH=amd64,arm64 or ARCH=all: both; arm64 with cgo needs
# gcc-aarch64-linux-gnu and libc6-dev-arm64-cross); deb: also the .deb and
# its -dbgsym (nfpm); lint-deb: the .deb through lintian, which must find no
# error and no warning that deploy/lintian-overrides does not explain.
ARCH ?=
DIST_FLAGS = $(if $(ARCH),--arch $(ARCH))
dist:
	VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) scripts/dist.sh $(DIST_FLAGS)
deb:
	VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) scripts/dist.sh --deb $(DIST_FLAGS)
lint-deb:
	@scripts/apt-install.sh $(DEB_PKGS)
	rm -rf dist/lint
	VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) scripts/dist.sh --deb --out dist/lint
	lintian --fail-on error,warning --tag-display-limit 0 dist/lint/*.deb

# vuln: govulncheck (pinned) against a local copy of the Go vulnerability
# database, made by `make vulndb` from the golang.org/x/vulndb module (its
# OSV reports, indexed by its own cmd/indexdb). Fails on a vulnerability
# that kioskd's code can reach; `make test` runs it when the database is there.
VULN_VERSION   := v1.10.0
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
VULNDB ?= $(HOME)/.cache/yichuang/vulndb-$(VULNDB_VERSION)
vuln:
	@[ -f "$(VULNDB)/index/db.json" ] || { echo "vuln: no vulnerability database at $(VULNDB): run make vulndb"; exit 2; }
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(VULN_VERSION) -db file://$(VULNDB) ./...
vulndb:
	@if [ -f "$(VULNDB)/index/db.json" ]; then echo "vulndb: $(VULNDB) is there"; else \
		set -e; \
		src=$$(cd / && GOFLAGS=-mod=mod $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
		[ -d "$$src/data/osv" ] || { echo "vulndb: golang.org/x/vulndb@$(VULNDB_VERSION) has no data/osv"; exit 1; }; \
		rm -rf "$(VULNDB).tmp"; mkdir -p "$$(dirname "$(VULNDB)")"; \
		$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out "$(VULNDB).tmp"; \
		mv "$(VULNDB).tmp" "$(VULNDB)"; echo "vulndb: $(VULNDB) ($$(ls "$$src/data/osv" | wc -l) reports)"; fi
deploy-test:
	GO=$(GO) scripts/deploy_test.sh

clean:
	rm -rf bin dist
