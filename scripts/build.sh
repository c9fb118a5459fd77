#!/bin/sh
# build.sh OUTDIR [GOARCH [TOOLCHAIN]]: the three plugins, static and
# reproducible (no cgo, -trimpath, empty build ID, no VCS stamp), with
# VERSION (v0.x.y or git describe's form) in -V without its v. TOOLCHAIN is
# a GOTOOLCHAIN value: "local" (the machine's Go: Linux >= 3.2, EL7 and
# later, Debian) or go1.23.12 (the -legacy builds for OpenVZ 6's 2.6.32).
# make build, make dist and make package all build through here.
set -eu
cd "$(dirname "$0")/.."
out=${1:?usage: build.sh OUTDIR [GOARCH [TOOLCHAIN]]}
arch=${2:-$(go env GOARCH)}
toolchain=${3:-local}
version=${VERSION:?VERSION is set by make}
ldflags="-s -w -buildid= -X github.com/vzmon/vzmon/internal/version.version=${version#v}"
mkdir -p "$out"
for p in check_ubc check_ubc_failcnt check_vz_container; do
	CGO_ENABLED=0 GOOS=linux GOARCH="$arch" GOTOOLCHAIN="$toolchain" GOFLAGS=-buildvcs=false \
		go build -trimpath -ldflags "$ldflags" -o "$out/$p" "./cmd/$p"
done
