# vzmon: Nagios/Icinga plugins for OpenVZ/Virtuozzo hardware nodes.
#
## Targets (make help lists them):

PLUGINS     := check_ubc check_ubc_failcnt check_vz_container
# Versions are the git tags v0.x.y; between tags (or with none yet) git
# describe's form v0.0.0-<commits>-g<hash>, which rpm, dpkg and semver order.
VERSION     ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || \
                 echo "v0.0.0-$$(git rev-list --count HEAD 2>/dev/null || echo 0)-g$$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)$$(git diff --quiet HEAD 2>/dev/null || echo -dirty)")
# Builds use the machine's Go (security fixes; Linux >= 3.2: EL7 and later,
# Debian). Go 1.24 and later need Linux 3.2, so the builds for OpenVZ 6's
# 2.6.32 kernels (the EL6 rpm, the -legacy tarballs, or make build
# BUILD_GO=go1.23.12) use the last Go 1.23, fetched through the module proxy.
BUILD_GO    ?= local
LEGACY_GO   := go1.23.12
# The distribution's plugin directory: EL's Nagios, NRPE and Icinga 2 look
# in /usr/lib64/nagios/plugins (64-bit), Debian's in /usr/lib/nagios/plugins.
PREFIX      ?= $(shell if [ -d /usr/lib64/nagios/plugins ] || { [ -e /etc/redhat-release ] && [ -d /usr/lib64 ]; }; \
                 then echo /usr/lib64/nagios/plugins; else echo /usr/lib/nagios/plugins; fi)
DESTDIR     ?=
FUZZTIME    ?= 10s
# Tools pinned and built once per machine (go-tool below).
GOBIN_DIR   := $(shell go env GOPATH)/bin
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(GOBIN_DIR)/golangci-lint-$(GOLANGCI_LINT_VERSION)
NFPM_VERSION := v2.45.2
NFPM        := $(GOBIN_DIR)/nfpm-$(NFPM_VERSION)
export VERSION LEGACY_GO
# dist/SHA256SUMS covers the tarballs and packages there, whichever of make
# dist and make package ran last.
SUMS        := cd dist && sha256sum $$(ls vzmon-*.tar.gz vzmon*.rpm vzmon*.deb 2>/dev/null) > SHA256SUMS && echo dist/SHA256SUMS

.PHONY: help build test demo bench fuzz lint install clean contrib integration reliability dist package package-test version

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## build: static, reproducible plugin binaries in bin/ (BUILD_GO=go1.23.12 for 2.6.32 kernels)
build:
	@echo "build bin/ ($(VERSION), Go $(BUILD_GO))"
	@./scripts/build.sh bin "$$(go env GOARCH)" $(BUILD_GO)

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

## integration: the plugins and contrib/ through real Icinga 2, NRPE, Nagios 4 and sudo, then package-test (root; installs missing packages)
integration:
	@bash test/integration/run.sh
	@$(MAKE) --no-print-directory package-test

## bench: the benchmarks of the hot paths
bench:
	go test -run '^$$' -bench . -benchmem ./...

## fuzz: run every fuzz target for FUZZTIME (default 10s) each
fuzz:
	@./scripts/fuzz.sh $(FUZZTIME)

## lint: golangci-lint (.golangci.yml: staticcheck, revive, errorlint, gocritic, misspell, unconvert, govet, goimports)
lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

# go-tool PACKAGE,VERSION: golangci-lint and nfpm are pinned and built once
# per machine from the module proxy with the machine's Go (they need a newer
# Go than the module's 1.23), kept under their version's name beside Go's
# other binaries; they are never dependencies of the plugins.
define go-tool
	@echo "installing $(notdir $(1)) $(2) (once per machine)"
	@tmp=$$(mktemp -d) && GOBIN=$$tmp GOFLAGS= go install $(1)@$(2) && \
		mkdir -p $(GOBIN_DIR) && mv $$tmp/$(notdir $(1)) $@ && rmdir $$tmp
endef

$(GOLANGCI_LINT):
	$(call go-tool,github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

$(NFPM):
	$(call go-tool,github.com/goreleaser/nfpm/v2/cmd/nfpm,$(NFPM_VERSION))

## contrib: regenerate contrib/icinga2/commands.conf from the plugins' flags
contrib:
	@./scripts/gen-contrib.sh

## install: copy the plugins and vzmon-cron to $(DESTDIR)$(PREFIX) (default: the distribution's plugin directory)
install: build
	install -d $(DESTDIR)$(PREFIX)
	@for p in $(PLUGINS); do echo "install $(DESTDIR)$(PREFIX)/$$p"; install -m 0755 bin/$$p $(DESTDIR)$(PREFIX)/$$p || exit 1; done
	install -m 0755 contrib/cron/vzmon-cron $(DESTDIR)$(PREFIX)/vzmon-cron

## dist: release tarballs per architecture (and -legacy for 2.6.32 kernels) with SHA256SUMS in dist/, reproducible
dist:
	@./scripts/dist.sh
	@$(SUMS)

## package: rpm (EL7+, and .el6 built with Go 1.23.12) and deb (amd64) in dist/ with nfpm, reproducible
package: $(NFPM)
	@NFPM=$(NFPM) ./scripts/package.sh
	@$(SUMS)

## package-test: lint, install, upgrade and remove the packages (dpkg on this machine, rpm --root), reproducibility (root; installs rpm, rpmlint, lintian)
package-test:
	@bash test/package/run.sh

## version: print the version make builds (VERSION)
version:
	@echo $(VERSION)

## clean: remove build output
clean:
	rm -rf bin dist
