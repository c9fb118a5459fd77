# vzmon: Nagios/Icinga plugins for OpenVZ/Virtuozzo hardware nodes.
#
## Targets (make help lists them):

MODULE      := $(shell go list -m)
PLUGINS     := check_ubc check_ubc_failcnt check_vz_container
# Versions are the git tags v0.x.y; between tags (or with none yet) git
# describe's form v0.0.0-<commits>-g<hash>, which rpm, dpkg and semver order.
VERSION     ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || \
                 echo "v0.0.0-$$(git rev-list --count HEAD 2>/dev/null || echo 0)-g$$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)$$(git diff --quiet HEAD 2>/dev/null || echo -dirty)")
# Release binaries must run on OpenVZ 6 nodes (RHEL6, Linux 2.6.32); Go 1.24+
# needs Linux 3.2, so builds use the last Go 1.23 (fetched through the module
# proxy). Tests use the machine's Go.
BUILD_GO    ?= go1.23.12
PREFIX      ?= /usr/lib/nagios/plugins
DESTDIR     ?=
FUZZTIME    ?= 10s
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(shell go env GOPATH)/bin/golangci-lint-$(GOLANGCI_LINT_VERSION)
# -V, the tarballs and the packages all say the version without the tag's v.
VERSION_NUM  = $(patsubst v%,%,$(VERSION))
LDFLAGS     := -s -w -buildid= -X $(MODULE)/internal/version.version=$(VERSION_NUM)
BUILD       := CGO_ENABLED=0 GOTOOLCHAIN=$(BUILD_GO) GOFLAGS=-buildvcs=false go build -trimpath -ldflags "$(LDFLAGS)"

.PHONY: help build test demo bench fuzz lint install clean contrib integration reliability dist

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## build: static, reproducible plugin binaries in bin/ (Go 1.23 for 2.6.32 kernels)
build:
	@mkdir -p bin
	@for p in $(PLUGINS); do echo "build bin/$$p ($(VERSION))"; $(BUILD) -o bin/$$p ./cmd/$$p || exit 1; done

## test: lint, then every test with the race detector (the fast parts of the long ones)
test: lint
	go test -race -short -count=1 ./...

## reliability: the long fault tests (64x20 concurrent runs, 500 SIGKILLs, 10,000 containers) and every fuzz target for FUZZTIME
reliability:
	VZMON_LONG=1 go test -race -count=1 -timeout 60m ./internal/checkfailcnt/ ./test/faults/
	@./scripts/fuzz.sh $(FUZZTIME)

## demo: run the plugins on the bundled sample nodes
demo: build
	@./scripts/demo.sh

## integration: the plugins and contrib/ through real Icinga 2, NRPE, Nagios 4 and sudo (root; installs missing packages)
integration:
	@bash test/integration/run.sh

## bench: the benchmarks of the hot paths
bench:
	go test -run '^$$' -bench . -benchmem ./...

## fuzz: run every fuzz target for FUZZTIME (default 10s) each
fuzz:
	@./scripts/fuzz.sh $(FUZZTIME)

## lint: golangci-lint (.golangci.yml: staticcheck, revive, errorlint, gocritic, misspell, unconvert, govet, goimports)
lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

# golangci-lint is pinned and built once per machine from the module proxy
# with the machine's Go (it needs a newer Go than the module's 1.23), kept
# under its version's name beside Go's other binaries; it is never a
# dependency of the plugins.
$(GOLANGCI_LINT):
	@echo "installing golangci-lint $(GOLANGCI_LINT_VERSION) (once per machine)"
	@tmp=$$(mktemp -d) && GOBIN=$$tmp GOFLAGS= go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) && \
		mkdir -p $(dir $(GOLANGCI_LINT)) && mv $$tmp/golangci-lint $(GOLANGCI_LINT) && rmdir $$tmp

## contrib: regenerate contrib/icinga2/commands.conf from the plugins' flags
contrib:
	@./scripts/gen-contrib.sh

## install: copy the plugins to $(DESTDIR)$(PREFIX) (default /usr/lib/nagios/plugins)
install: build
	install -d $(DESTDIR)$(PREFIX)
	@for p in $(PLUGINS); do install -m 0755 bin/$$p $(DESTDIR)$(PREFIX)/$$p; done

## dist: release tarballs per architecture (and -legacy for 2.6.32 kernels) with SHA256SUMS in dist/, reproducible
dist:
	@VERSION=$(VERSION) ./scripts/dist.sh

## clean: remove build output
clean:
	rm -rf bin dist
