#!/bin/sh
# Builds the release tarballs in dist/: one per architecture with the
# machine's Go (EL7 and later, Debian: Linux >= 3.2), and -legacy ones with
# Go 1.23.12 for OpenVZ 6's 2.6.32 kernels (Go >= 1.24 needs Linux 3.2).
# Reproducible: every timestamp is the commit's (SOURCE_DATE_EPOCH), owners
# are 0, entries sorted, gzip without a name or time; two runs of one
# commit give identical files. make dist then writes SHA256SUMS.
set -eu
cd "$(dirname "$0")/.."
version=${VERSION:?VERSION is set by make dist}
v=${version#v}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
mkdir -p dist
rm -f dist/vzmon-*.tar.gz
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# pack NAME GOARCH TOOLCHAIN: one tarball.
pack() {
	name=$1 arch=$2 toolchain=$3
	dir="$stage/$name"
	./scripts/build.sh "$dir" "$arch" "$toolchain"
	cp -R contrib "$dir/contrib"
	mkdir -p "$dir/docs"
	cp README.md LICENSE CHANGELOG.md "$dir/"
	cp docs/formats.md "$dir/docs/"
	find "$dir" -type d -exec chmod 0755 {} +
	find "$dir" -type f -exec chmod 0644 {} +
	find "$dir" -type f \( -name 'check_*' -o -name '*.sh' -o -name 'vzmon-cron' \) -exec chmod 0755 {} +
	tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-C "$stage" -cf - "$name" | gzip -9n > "dist/$name.tar.gz"
	echo "dist/$name.tar.gz"
}

for arch in amd64 386 arm64; do
	pack "vzmon-$v-linux-$arch" "$arch" local
done
for arch in amd64 386; do
	pack "vzmon-$v-linux-$arch-legacy" "$arch" "${LEGACY_GO:-go1.23.12}"
done
