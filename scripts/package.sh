#!/bin/sh
# Builds the packages in dist/ with nfpm ($NFPM, pinned by the Makefile):
#   vzmon-<version>-1.x86_64.rpm      EL7, EL8, EL9 (machine's Go: Linux >= 3.2)
#   vzmon-<version>-1.el6.x86_64.rpm  EL6 / OpenVZ 6 (Go 1.23.12: Linux 2.6.32)
#   vzmon_<version>-1_amd64.deb       Debian (machine's Go)
# rpm's version has dots for git describe's dashes (0.1.0-3-gabc1234 ->
# 0.1.0.3.gabc1234), which rpm cannot take; dpkg takes the version as is.
# Both order the same: a tag < commits after it < the next tag.
# Reproducible: every timestamp is the commit's (SOURCE_DATE_EPOCH), the
# build host a fixed name, the binaries reproducible (build.sh); gzip
# payloads, which EL6's rpm 4.8 and old dpkg read (never zstd).
set -eu
cd "$(dirname "$0")/.."
version=${VERSION:?VERSION is set by make package}
v=${version#v}
nfpm=${NFPM:?NFPM is set by make package}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export SOURCE_DATE_EPOCH
# The packages' own files (package-test builds an upgrade from a changed copy).
pkgsrc=${PACKAGING:-packaging}
maintainer="The vzmon authors <vzmon@users.noreply.github.com>"
mkdir -p dist
rm -f dist/vzmon*.rpm dist/vzmon*.deb
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# fill FILE: a file of packaging/ with this package's values: @PLUGINDIR@,
# @MIN_KERNEL@, and a line with @USER@ once per user.
fill() {
	awk -v users="$users" '/@USER@/ { n = split(users, u, " "); for (i = 1; i <= n; i++) { l = $0; gsub(/@USER@/, u[i], l); print l }; next } { print }' "$pkgsrc/$1" |
		sed -e "s|@PLUGINDIR@|$plugindir|g" -e "s|@MIN_KERNEL@|$minkernel|g"
}

# copyright: Debian's machine-readable copyright file, with LICENSE's text.
copyright() {
	cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vzmon
Source: https://github.com/vzmon/vzmon

Files: *
Copyright: $(sed -n 's/^Copyright (c) //p' LICENSE)
License: Expat
EOF
	sed -n '/^Permission/,$p' LICENSE | sed 's/^$/./; s/^/ /'
}

# pkg FORMAT RELEASE BINDIR PLUGINDIR MIN_KERNEL USERS: one package.
pkg() {
	format=$1 release=$2 bin=$3 plugindir=$4 minkernel=$5 users=$6
	s="$stage/$format-$release"
	doc=/usr/share/doc/vzmon
	mkdir -p "$s/examples/nrpe" "$s/examples/cron"
	for f in postinstall.sh preremove.sh postremove.sh sudoers.in; do
		fill "$f" > "$s/${f%.in}"
	done
	for f in nrpe/vzmon.cfg nrpe/vzmon-sudo.cfg nrpe/vzmon-containers.sh cron/vzmon.cron; do
		sed "s|/usr/lib/nagios/plugins|$plugindir|g" "contrib/$f" > "$s/examples/$f"
	done
	# rpm marks documentation (%doc); dpkg has no such mark.
	pkgversion=$v depends=libcap2-bin doctype=
	if [ "$format" = rpm ]; then
		pkgversion=$(echo "$v" | tr - .) depends=libcap doctype=doc
	fi
	# The packaging's own changelog entry (rpm %changelog, Debian's
	# changelog.Debian.gz); the suite's changes are in CHANGELOG.md.
	cat > "$s/changelog.yml" <<EOF
- semver: "$pkgversion-$release"
  date: $(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
  packager: "$maintainer"
  deb:
    urgency: medium
    distributions: [unstable]
  changes:
    - commit: "$(git rev-parse HEAD 2>/dev/null || echo unknown)"
      note: "Built with nfpm; the suite's changes are in its CHANGELOG.md."
EOF
	{
		cat <<EOF
name: vzmon
arch: amd64
platform: linux
version: "$pkgversion"
version_schema: none
release: "$release"
section: net
priority: optional
maintainer: "$maintainer"
vendor: vzmon
homepage: https://github.com/vzmon/vzmon
license: MIT
changelog: $s/changelog.yml
depends: [$depends]
description: |-
  Nagios and Icinga plugins for OpenVZ/Virtuozzo hardware nodes
  check_ubc (beancounter usage of every container), check_ubc_failcnt
  (failcnt growth since the previous run) and check_vz_container (one
  container's health seen from the host) watch an OpenVZ or Virtuozzo
  hardware node's containers from the host, even when a container is too
  sick for monitoring inside it. Static binaries; file capabilities let the
  monitoring user read the beancounters. Icinga 2 CheckCommands come with
  the ITL's plugins-contrib; NRPE, Nagios and cron examples are in
  $doc/examples.
rpm:
  summary: Nagios and Icinga plugins for OpenVZ/Virtuozzo hardware nodes
  group: Applications/System
  compression: gzip
  buildhost: vzmon
deb:
  compression: gzip
scripts:
  postinstall: $s/postinstall.sh
  preremove: $s/preremove.sh
  postremove: $s/postremove.sh
contents:
EOF
		for p in check_ubc check_ubc_failcnt check_vz_container; do
			entry "$bin/$p" "$plugindir/$p" 0755
		done
		entry contrib/cron/vzmon-cron "$plugindir/vzmon-cron" 0755
		entry "$s/sudoers" /etc/sudoers.d/vzmon 0440 "config|noreplace"
		entry contrib/icinga2/commands.conf /usr/share/icinga2/include/plugins-contrib.d/vzmon.conf 0644
		owndirs /var/lib/check_ubc
		entry README.md "$doc/README.md" 0644 "$doctype"
		entry docs/formats.md "$doc/formats.md" 0644 "$doctype"
		for f in icinga2/templates.conf icinga2/services.conf icinga2/services-agent.conf icinga2/commands.md icinga2/director-basket.json nagios/commands.cfg nagios/services.cfg; do
			entry "contrib/$f" "$doc/examples/$f" 0644 "$doctype"
		done
		for f in nrpe/vzmon.cfg nrpe/vzmon-sudo.cfg cron/vzmon.cron; do
			entry "$s/examples/$f" "$doc/examples/$f" 0644 "$doctype"
		done
		entry "$s/examples/nrpe/vzmon-containers.sh" "$doc/examples/nrpe/vzmon-containers.sh" 0644 "$doctype"
		if [ "$format" = rpm ]; then
			# rpm removes on erase only the directories a package owns;
			# these may be shared with nagios-plugins and icinga2 (dpkg
			# counts directories itself).
			owndirs "${plugindir%/plugins}" "$plugindir" /usr/share/icinga2 /usr/share/icinga2/include \
				/usr/share/icinga2/include/plugins-contrib.d "$doc" "$doc/examples" "$doc/examples/icinga2" \
				"$doc/examples/nagios" "$doc/examples/nrpe" "$doc/examples/cron" /usr/share/licenses/vzmon
			entry CHANGELOG.md "$doc/CHANGELOG.md" 0644 doc
			entry LICENSE /usr/share/licenses/vzmon/LICENSE 0644 license
		else
			# Debian: the upstream changelog as changelog.gz, the licence in
			# copyright (nfpm writes changelog.Debian.gz).
			gzip -9n < CHANGELOG.md > "$s/changelog.gz"
			copyright > "$s/copyright"
			entry "$s/changelog.gz" "$doc/changelog.gz" 0644
			entry "$s/copyright" "$doc/copyright" 0644
			entry "$pkgsrc/lintian-overrides" /usr/share/lintian/overrides/vzmon 0644
		fi
	} > "$s/nfpm.yaml"
	"$nfpm" package --config "$s/nfpm.yaml" --packager "$format" --target dist/
}

# owndirs DIR...: directories the package owns, root 0755.
owndirs() {
	for d in "$@"; do
		echo "  - dst: $d"
		echo "    type: dir"
		echo "    file_info: {mode: 0755}"
	done
}

# entry SRC DST MODE [TYPE]: one file of the package.
entry() {
	echo "  - src: $1"
	echo "    dst: $2"
	[ -z "${4:-}" ] || echo "    type: $4"
	echo "    file_info: {mode: $3}"
}

bins="$stage/bin"
./scripts/build.sh "$bins/current" amd64 local
./scripts/build.sh "$bins/legacy" amd64 "${LEGACY_GO:-go1.23.12}"
pkg deb 1 "$bins/current" /usr/lib/nagios/plugins 3.2 "nagios"
pkg rpm 1 "$bins/current" /usr/lib64/nagios/plugins 3.2 "nrpe nagios icinga"
pkg rpm 1.el6 "$bins/legacy" /usr/lib64/nagios/plugins "" "nrpe nagios icinga"
