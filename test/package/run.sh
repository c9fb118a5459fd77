#!/usr/bin/env bash
# shellcheck disable=SC2016 # check's conditions are strings, evaluated when checked
# make package-test: the rpm and deb packages as a node admin meets them.
#  - make dist and make package twice: identical SHA256SUMS (reproducible);
#  - lintian and rpmlint clean (overrides justified in packaging/); payloads
#    gzip; which Go built which binaries; -V agrees with the package version;
#  - the sudoers file: valid as shipped (all commented out) and enabled;
#  - the .deb on this machine: dpkg -i, capabilities, the plugins as user
#    nagios without sudo (the host's /proc, and a fake node whose files only
#    root may read, in a chroot), the NRPE example as shipped, Icinga 2
#    loading the CheckCommands from plugins-contrib; upgrade keeps the
#    capabilities and an edited sudoers file; remove keeps the state, purge
#    removes everything;
#  - the .rpm in scratch roots (rpm --root): scriptlets, capabilities,
#    rpm -V, upgrade with .rpmnew, erase; the warnings where setcap is
#    missing or the kernel too old; the EL6 build;
#  - make install with DESTDIR.
# Needs root (it installs packages and the .deb); refuses to run where vzmon
# is installed. Every mount lives in a private mount namespace.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
# shellcheck source=test/lib.sh
. test/lib.sh

[ "$(id -u)" = 0 ] || { echo "package tests need root (dpkg -i, setcap, chroot)"; exit 1; }
PLUGINS=(check_ubc check_ubc_failcnt check_vz_container)
DEB_DIR=/usr/lib/nagios/plugins
RPM_DIR=/usr/lib64/nagios/plugins
CAPS=cap_dac_override,cap_dac_read_search=ep
for f in "${PLUGINS[@]/#/$DEB_DIR/}" /etc/sudoers.d/vzmon /var/lib/check_ubc /usr/share/icinga2/include/plugins-contrib.d/vzmon.conf; do
	[ ! -e "$f" ] || { echo "$f exists: vzmon is installed here (or left over); the package tests install and purge it, so they stop"; exit 1; }
done
dpkg-query -W vzmon >/dev/null 2>&1 && { echo "the vzmon package is known to dpkg here; the package tests stop"; exit 1; }

T=$(mktemp -d /tmp/vzmon-package.XXXXXX)
chmod 755 "$T"
CREATED_USER=
cleanup() {
	dpkg-query -W vzmon >/dev/null 2>&1 && dpkg --purge vzmon >/dev/null 2>&1
	[ -z "$CREATED_USER" ] || userdel "$CREATED_USER"
	rm -rf "$T"
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------
# rpm (rpm --root), rpmlint (python3-magic lets it see the ELF files), lintian,
# setcap/getcap, visudo, Icinga 2 for its config check.
apt_need rpm rpmlint python3-magic lintian libcap2-bin sudo icinga2 cpio
if ! id nagios >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nagios
	CREATED_USER=nagios
fi
NAGIOS_UID=$(id -u nagios)

# expect DESC WANT_EXIT WANT_TEXT CMD...: run CMD, check its exit code and output.
expect() {
	local desc=$1 want=$2 text=$3 out rc=0
	shift 3
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$text" <<<"$out"; then
		ok "$desc: exit $rc, \"$text\""
	else
		fail "$desc: want exit $want with \"$text\", got exit $rc: ${out:0:400}"
	fi
}
# check DESC CONDITION [DETAIL]: ok when the shell condition (a string,
# evaluated here) holds; DETAIL goes with a failure.
check() {
	if eval "$2"; then ok "$1"; else fail "$1${3:+ ($3)}"; fi
}
as_nagios() { setpriv --reuid=nagios --regid=nagios --init-groups env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@"; }
# addcmd ROOT CMD...: these commands, with their libraries, in ROOT.
addcmd() {
	local r=$1 c p l
	shift
	for c in "$@"; do
		p=$(command -v "$c")
		cp "$p" "$r/usr/bin/"
		for l in $(ldd "$p" 2>/dev/null | grep -o '/[^ ]*'); do
			mkdir -p "$r$(dirname "$l")"
			cp -L "$l" "$r$l"
		done
	done
}
existing() { # existing PATH...: those that exist
	local p
	for p in "$@"; do
		[ ! -e "$p" ] || printf '%s ' "$p"
	done
}
caps_ok() { # caps_ok FILE...: every file has exactly the plugins' capabilities
	local f
	for f in "$@"; do
		[ "$(getcap "$f" | sed 's/.* //')" = "$CAPS" ] || { echo "getcap $f: $(getcap "$f")"; return 1; }
	done
}

# --- build: reproducible, and an upgrade --------------------------------------
VERSION=$(make -s --no-print-directory version)
V=${VERSION#v}
V2=$V-upgrade
log "building the upgrade ($V2) from a changed copy of packaging/"
cp -R packaging "$T/packaging"
sed -i '1a ## (changed by make package-test, to see how upgrades treat an edited copy)' "$T/packaging/sudoers.in"
PACKAGING=$T/packaging VERSION=v$V2 make -s --no-print-directory package >"$T/build.log" 2>&1 || { cat "$T/build.log"; exit 1; }
mkdir -p "$T/v2"
mv dist/vzmon*.rpm dist/vzmon*.deb "$T/v2/"
log "make dist and make package of $V, twice"
for run in 1 2; do
	make -s --no-print-directory dist package >"$T/build.log" 2>&1 || { cat "$T/build.log"; exit 1; }
	cp dist/SHA256SUMS "$T/sums$run"
done
if cmp -s "$T/sums1" "$T/sums2"; then
	ok "two make dist + make package runs give identical SHA256SUMS ($(wc -l < "$T/sums1") files)"
else
	diff "$T/sums1" "$T/sums2" || true
	fail "make dist / make package are not reproducible"
fi
RPMV=$(tr - . <<<"$V")
DEB=dist/vzmon_${V}-1_amd64.deb
RPM=dist/vzmon-${RPMV}-1.x86_64.rpm
RPM6=dist/vzmon-${RPMV}-1.el6.x86_64.rpm
DEB2=$T/v2/vzmon_${V2}-1_amd64.deb
RPM2=$T/v2/vzmon-$(tr - . <<<"$V2")-1.x86_64.rpm
for f in "$DEB" "$RPM" "$RPM6" "$DEB2" "$RPM2"; do
	[ -f "$f" ] || { echo "missing $f; dist/ has: $(ls dist)"; exit 1; }
done
for f in "$DEB" "$RPM" "$RPM6"; do
	grep -q " ${f#dist/}\$" "$T/sums1" || fail "SHA256SUMS does not list ${f#dist/}"
done

# --- lint ---------------------------------------------------------------------------
# Unprivileged, and rpmlint's cpio kept in its directory: nfpm writes absolute
# payload paths (goreleaser/nfpm#1122), which GNU cpio -id would write to /.
mkdir -p "$T/lint/bin"
printf '#!/bin/sh\nexec /usr/bin/cpio --no-absolute-filenames "$@"\n' > "$T/lint/bin/cpio"
chmod 755 "$T/lint/bin/cpio"
chown nagios "$T/lint"
lint() { (cd "$T/lint" && setpriv --reuid=nagios --regid=nagios --init-groups env -i PATH="$T/lint/bin:/usr/bin:/bin" HOME="$T/lint" TMPDIR="$T/lint" "$@"); }
cp "$DEB" "$RPM" "$RPM6" packaging/rpmlint.toml "$T/lint/"
if out=$(lint lintian --fail-on error,warning --pedantic "$(basename "$DEB")" 2>&1); then
	ok "lintian --pedantic: no errors or warnings (overrides: packaging/lintian-overrides)"
else
	fail "lintian: $out"
fi
if out=$(lint rpmlint --strict -c rpmlint.toml "$(basename "$RPM")" "$(basename "$RPM6")" 2>&1); then
	ok "rpmlint --strict: $(tail -1 <<<"$out" | sed 's/^ *//')"
else
	fail "rpmlint: $out"
fi

# --- what the packages hold -----------------------------------------------------------
for f in "$RPM" "$RPM6"; do
	check "$(basename "$f"): gzip payload" '[ "$(rpm -qp --qf %{PAYLOADCOMPRESSOR} "$f" 2>/dev/null)" = gzip ]'
	check "$(basename "$f"): requires libcap (setcap)" 'rpm -qp --requires "$f" 2>/dev/null | grep -qx libcap'
	check "$(basename "$f"): /etc/sudoers.d/vzmon is %config(noreplace), 0440" \
		'rpm -qp --qf "[%{FILEFLAGS:fflags} %{FILEMODES:octal} %{FILENAMES}\n]" "$f" 2>/dev/null | grep -qx "cn 100440 /etc/sudoers.d/vzmon"'
done
check "$(basename "$DEB"): gzip members, no zstd" '[ "$(ar t "$DEB" | tr "\n" " ")" = "debian-binary control.tar.gz data.tar.gz " ]'
check "$(basename "$DEB"): depends on libcap2-bin (setcap)" '[ "$(dpkg-deb -f "$DEB" Depends)" = libcap2-bin ]'
check "$(basename "$DEB"): /etc/sudoers.d/vzmon is a conffile" 'dpkg-deb -I "$DEB" conffiles | grep -qx /etc/sudoers.d/vzmon'
# unpack FILE DIR: the package's files below DIR.
unpack() {
	mkdir -p "$2"
	case $1 in
	*.deb) dpkg-deb -x "$1" "$2" ;;
	# rpm2archive writes ./ paths (rpm2cpio would give nfpm's absolute ones).
	*.rpm) rpm2archive -n < "$1" | tar -x -C "$2" ;;
	esac
}
# built PKG DIR GO: its plugins in DIR were built by GO and say version $V.
built() {
	local pkg=$1 dir=$2 want=$3 p got
	unpack "$pkg" "$T/unpack/${pkg##*/}"
	for p in "${PLUGINS[@]}"; do
		got=$(go version "$T/unpack/${pkg##*/}$dir/$p" | awk '{print $2}')
		[ "$got" = "$want" ] || { fail "$pkg: $p built by $got, want $want"; return; }
		got=$("$T/unpack/${pkg##*/}$dir/$p" -V || true)
		[ "$got" = "$p $V" ] || { fail "$pkg: $p -V says '$got', want '$p $V'"; return; }
	done
	ok "$(basename "$pkg"): plugins in $dir, built by $want, -V says $V"
}
built "$DEB" $DEB_DIR "$(go env GOVERSION)"
built "$RPM" $RPM_DIR "$(go env GOVERSION)"
built "$RPM6" $RPM_DIR go1.23.12

# --- sudoers --------------------------------------------------------------------------
for f in "$T/unpack/${DEB##*/}/etc/sudoers.d/vzmon" "$T/unpack/${RPM##*/}/etc/sudoers.d/vzmon"; do
	name=${f#"$T"/unpack/}
	check "$name: only comments as shipped" '! grep -qv "^#" "$f"'
	check "$name: visudo accepts it" 'visudo -c -q -f "$f"'
	sed 's/^# //' "$f" > "$T/sudoers-enabled"
	check "$name: visudo accepts it with the rules enabled (sed 's/^# //')" 'visudo -c -q -f "$T/sudoers-enabled"'
done
# enabled FILE: the rule lines of a shipped sudoers file, enabled.
enabled() { sed -n 's/^# \([^#]\)/\1/p' "$1"; }
check "deb sudoers: user nagios, $DEB_DIR" '[ "$(enabled "$T/unpack/${DEB##*/}/etc/sudoers.d/vzmon")" = "Cmnd_Alias VZMON_PLUGINS = $DEB_DIR/check_ubc, $DEB_DIR/check_ubc_failcnt, $DEB_DIR/check_vz_container
Defaults!VZMON_PLUGINS !requiretty
nagios ALL=(root) NOPASSWD: VZMON_PLUGINS" ]'
check "rpm sudoers: users nrpe, nagios, icinga, $RPM_DIR" '[ "$(enabled "$T/unpack/${RPM##*/}/etc/sudoers.d/vzmon")" = "Cmnd_Alias VZMON_PLUGINS = $RPM_DIR/check_ubc, $RPM_DIR/check_ubc_failcnt, $RPM_DIR/check_vz_container
Defaults!VZMON_PLUGINS !requiretty
nrpe ALL=(root) NOPASSWD: VZMON_PLUGINS
nagios ALL=(root) NOPASSWD: VZMON_PLUGINS
icinga ALL=(root) NOPASSWD: VZMON_PLUGINS" ]'

# --- make install -------------------------------------------------------------------------
make -s --no-print-directory install DESTDIR="$T/destdir" PREFIX=$DEB_DIR >/dev/null
check "make install DESTDIR=...: the plugins and vzmon-cron, 0755" \
	'[ "$(cd "$T/destdir$DEB_DIR" && stat -c "%a %n" * | tr "\n" " ")" = "755 check_ubc 755 check_ubc_failcnt 755 check_vz_container 755 vzmon-cron " ]'

# --- the .deb on this machine -------------------------------------------------------------
log "dpkg -i $(basename "$DEB")"
expect "dpkg -i" 0 "Setting up vzmon" dpkg -i "$DEB"
check "getcap after install: $CAPS on all three" 'caps_ok "${PLUGINS[@]/#/$DEB_DIR/}"'
check "/var/lib/check_ubc: root:root 0755" '[ "$(stat -c "%U:%G %a" /var/lib/check_ubc)" = "root:root 755" ]'
check "/etc/sudoers.d/vzmon: root:root 0440" '[ "$(stat -c "%U:%G %a" /etc/sudoers.d/vzmon)" = "root:root 440" ]'
# The host's own /proc: read with the capabilities, as far as a host without
# OpenVZ allows; --root is refused, which also shows the capabilities work.
expect "as nagios, check_ubc on this host" 3 "not an OpenVZ/Virtuozzo host" as_nagios $DEB_DIR/check_ubc
expect "as nagios, check_ubc --root is refused (file capabilities)" 3 "refusing --root" as_nagios $DEB_DIR/check_ubc --root "$REPO/testdata/nodes/incident-204"
# The NRPE example as shipped: every command line, as NRPE runs it.
sed -n 's/^command\[\([^]]*\)\]=\(.*\)/\1 \2/p' /usr/share/doc/vzmon/examples/nrpe/vzmon.cfg > "$T/nrpe-commands"
check "the NRPE example has the node checks, no sudo" '[ "$(cut -d" " -f1 "$T/nrpe-commands" | tr "\n" " ")" = "check_ubc check_ubc_failcnt check_ubc_config check_ubc_memory check_vz_containers " ] && ! grep -q sudo "$T/nrpe-commands"'
while read -r name cmd; do
	expect "as nagios, NRPE example $name on this host" 3 "not an OpenVZ/Virtuozzo host" as_nagios sh -c "$cmd"
done < "$T/nrpe-commands"

# A fake node whose files only root may read (as the kernel's), as / of a
# chroot: the installed plugins (bind-mounted: the same files, with their
# capabilities), the real state directory, and /proc/self from a real proc
# (the plugins read their capabilities there).
log "the plugins as nagios in a chroot whose /proc is a root-only fake node"
NODE=$T/node
go run ./tools/gennode -preset incident-204 -out "$NODE" >/dev/null
mkdir -p "$NODE$DEB_DIR" "$NODE/var/lib/check_ubc" "$NODE/proc/.host" "$NODE/usr/bin" "$NODE/tmp"
addcmd "$NODE" sh sed # for the shipped container script
cp /usr/share/doc/vzmon/examples/nrpe/vzmon-containers.sh "$NODE/tmp/"
ln -s .host/self "$NODE/proc/self"
cp "$DEB_DIR/check_ubc" "$NODE/check_ubc_nocaps" # cp drops the capabilities
chown -R root:root "$NODE"
find "$NODE/proc" "$NODE/etc" -type f -exec chmod 0400 {} +
find "$NODE/proc" "$NODE/etc" -type d -exec chmod 0500 {} +
chmod 0755 "$NODE" "$NODE/proc"
# in_node USER CMD...: CMD as USER in the chroot (which has no passwd).
in_node() {
	local uid gid
	uid=$(id -u "$1") gid=$(id -g "$1")
	shift
	unshare --mount --propagation private sh -c '
		node=$1 dir=$2 uid=$3 gid=$4
		shift 4
		mount --bind "$dir" "$node$dir" && mount -o remount,bind,ro "$node$dir" &&
			mount --bind /var/lib/check_ubc "$node/var/lib/check_ubc" &&
			mount -t proc proc "$node/proc/.host" &&
			exec chroot --userspec="$uid:$gid" --groups="$gid" "$node" "$@"' sh "$NODE" "$DEB_DIR" "$uid" "$gid" "$@"
}
expect "as nagios in the chroot, without capabilities: permission denied" 3 "permission denied reading /proc/" in_node nagios /check_ubc_nocaps
expect "as nagios in the chroot: check_ubc reads the 0400 beancounters" 2 "CT 204 (web1) tcpsndbuf 157% of barrier" in_node nagios $DEB_DIR/check_ubc
expect "as nagios in the chroot: check_vz_container --ctid 204" 2 "148 runnable/blocked tasks" in_node nagios $DEB_DIR/check_vz_container --ctid 204
expect "as nagios in the chroot: check_ubc_failcnt with the default state" 0 "baseline recorded" in_node nagios $DEB_DIR/check_ubc_failcnt
check "the state is in /var/lib/check_ubc/$NAGIOS_UID/, nagios's, 0700" \
	'[ "$(stat -c "%U %a" "/var/lib/check_ubc/$NAGIOS_UID")" = "nagios 700" ] && ls /var/lib/check_ubc/"$NAGIOS_UID"/failcnt-*.json >/dev/null'
while read -r name cmd; do
	case $name in
	check_ubc) want=2 text="CT 204 (web1) tcpsndbuf 157% of barrier" ;;
	check_ubc_failcnt) want=0 text="UBC FAILCNT OK" ;;
	check_ubc_config) want=0 text="UBC OK - 7 containers consistent" ;;
	check_ubc_memory) want=0 text="UBC OK - memory of 6 containers within thresholds" ;;
	check_vz_containers) want=2 text="CT 204 (web1) 148 runnable/blocked threads now, CT 207 (legacy-shop) not running" ;;
	*) want=2 text="148 runnable/blocked tasks" ;;
	esac
	# shellcheck disable=SC2086 # the command line, as NRPE splits it
	expect "as nagios in the chroot, NRPE example $name" $want "$text" in_node nagios $cmd
done < "$T/nrpe-commands"
# The shipped script writes one NRPE command per container (the README's
# step, as root); each runs as nagios and judges its container.
in_node root sh /tmp/vzmon-containers.sh | sed -n 's/^command\[\([^]]*\)\]=\(.*\)/\1 \2/p' > "$T/nrpe-containers"
got=
while read -r name cmd; do
	rc=0
	# shellcheck disable=SC2086 # the command line, as NRPE splits it
	in_node nagios $cmd > "$T/out" 2>&1 || rc=$?
	grep -q '^VZ CONTAINER ' "$T/out" || rc="$rc($(head -c 200 "$T/out"))"
	got="$got ${name#check_vz_container_}:$rc"
done < "$T/nrpe-containers"
check "vzmon-containers.sh: a command per container, each judging it as nagios" \
	'[ "$got" = " 201:1 202:0 203:0 204:2 205:0 206:0 207:2" ]' "got:$got"
expect "root in the chroot, after nagios: check_ubc_failcnt" 0 "baseline recorded" in_node root $DEB_DIR/check_ubc_failcnt
check "root's state is in /var/lib/check_ubc/0/, nagios's untouched" \
	'[ "$(stat -c "%U %a" /var/lib/check_ubc/0)" = "root 700" ] && [ "$(stat -c %U /var/lib/check_ubc/"$NAGIOS_UID"/failcnt-*.json)" = nagios ]'

# Icinga 2 finds the CheckCommands through include <plugins-contrib>, with
# the shipped example services.
log "icinga2 daemon -C with <plugins-contrib> and the example services"
IC=$T/icinga2
mkdir -p "$IC/etc" "$IC/lib" "$IC/log" "$IC/cache" "$IC/spool" "$IC/run"
cat > "$IC/etc/icinga2.conf" <<EOF
const NodeName = "node1.example.com"
const ZoneName = NodeName
const PluginDir = "$DEB_DIR"
const PluginContribDir = "$DEB_DIR"
const ManubulonPluginDir = "$DEB_DIR"
const TicketSalt = ""
include <itl>
include <plugins>
include <plugins-contrib>
object Endpoint NodeName {}
object Zone ZoneName { endpoints = [ NodeName ] }
// As in Icinga 2's default conf.d/templates.conf (with a check that needs no network).
template Host "generic-host" { check_command = "dummy" }
template Service "generic-service" { max_check_attempts = 5; check_interval = 1m; retry_interval = 30s }
include "/usr/share/doc/vzmon/examples/icinga2/templates.conf"
include "/usr/share/doc/vzmon/examples/icinga2/services.conf"
include "$IC/etc/vzmon-node.conf"
EOF
# The README's host object, its containers from check_ubc --list (the
# README's commands, check_ubc run in the fake node's chroot).
ids=$(in_node nagios $DEB_DIR/check_ubc --list | sed -n 's/^ *"id": \("[^"]*"\),$/\1/p' | paste -sd, -)
printf 'object Host "openvz-node" {\n  import "generic-host"\n  address = "127.0.0.1"\n  vars.openvz_node = true\n  vars.openvz_containers = [ %s ]\n}\n' "$ids" \
	> "$IC/etc/vzmon-node.conf"
chown -R nagios: "$IC"
if timeout 120 icinga2 daemon -C -c "$IC/etc/icinga2.conf" -DDataDir="$IC/lib" -DLogDir="$IC/log" -DCacheDir="$IC/cache" \
	-DSpoolDir="$IC/spool" -DInitRunDir="$IC/run" > "$IC/check.log" 2>&1 && grep -q 'Instantiated 12 Services' "$IC/check.log"; then
	ok "icinga2 daemon -C: the CheckCommands from plugins-contrib.d/vzmon.conf, the shipped services (one per node, one per container of the 7 from --list)"
else
	grep -E 'critical|rror|Services' "$IC/check.log" | head -20
	fail "icinga2 daemon -C with the installed CheckCommands"
fi

# Upgrade, with the sudoers file edited (the rules enabled).
sed -i 's/^# //' /etc/sudoers.d/vzmon
cp /etc/sudoers.d/vzmon "$T/sudoers-edited"
expect "with the rules enabled, nagios may sudo the plugins" 3 "not an OpenVZ/Virtuozzo host" as_nagios sudo -n $DEB_DIR/check_ubc
# The recipe before per-user state directories made /var/lib/check_ubc the
# monitoring user's, 0700: the upgrade makes it root's, 0755, again.
chown nagios: /var/lib/check_ubc
chmod 0700 /var/lib/check_ubc
log "dpkg -i $(basename "$DEB2") (upgrade, keeping the edited sudoers file)"
expect "dpkg -i (upgrade)" 0 "Unpacking vzmon ($V2-1) over ($V-1)" dpkg -i --force-confold "$DEB2"
check "getcap after upgrade: $CAPS on all three" 'caps_ok "${PLUGINS[@]/#/$DEB_DIR/}"'
check "the upgrade replaced the plugins (-V: $V2)" '[ "$($DEB_DIR/check_ubc -V)" = "check_ubc $V2" ]'
check "the edited sudoers file is kept, the package's new one beside it (.dpkg-dist)" \
	'cmp -s /etc/sudoers.d/vzmon "$T/sudoers-edited" && grep -q "changed by make package-test" /etc/sudoers.d/vzmon.dpkg-dist'
check "the state survives the upgrade" 'ls /var/lib/check_ubc/"$NAGIOS_UID"/failcnt-*.json >/dev/null'
check "/var/lib/check_ubc of the old recipe (nagios, 0700) is root:root 0755 again" '[ "$(stat -c "%U:%G %a" /var/lib/check_ubc)" = "root:root 755" ]'
expect "dpkg --remove" 0 "Removing vzmon" dpkg --remove vzmon
check "after remove: no plugins, no CheckCommands; the state and the sudoers file stay until purge" \
	'[ ! -e $DEB_DIR/check_ubc ] && [ ! -e /usr/share/icinga2/include/plugins-contrib.d/vzmon.conf ] && [ -d /var/lib/check_ubc/"$NAGIOS_UID" ] && [ -e /etc/sudoers.d/vzmon ]'
expect "dpkg --purge" 0 "Purging configuration files for vzmon" dpkg --purge vzmon
left=$(existing /var/lib/check_ubc /etc/sudoers.d/vzmon /etc/sudoers.d/vzmon.dpkg-dist /usr/share/doc/vzmon \
	/usr/share/icinga2/include/plugins-contrib.d/vzmon.conf "${PLUGINS[@]/#/$DEB_DIR/}" $DEB_DIR/vzmon-cron)
check "after purge nothing is left" '[ -z "$left" ]' "left: $left"
check "dpkg no longer knows vzmon" '! dpkg-query -W -f="\${Status}\n" vzmon 2>/dev/null | grep -q " installed"'

# --- the .rpm in scratch roots ---------------------------------------------------------------
# mkroot DIR CMD...: a root with these commands for the scriptlets,
# /dev/null, root in passwd, and an rpm database.
mkroot() {
	local r=$1
	shift
	mkdir -p "$r/usr/bin" "$r/usr/lib" "$r/usr/lib64" "$r/etc" "$r/var/tmp" "$r/tmp" "$r/dev"
	ln -s usr/bin "$r/bin"
	ln -s usr/bin "$r/sbin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	addcmd "$r" "$@"
	mknod -m 666 "$r/dev/null" c 1 3
	echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
	echo 'root:x:0:' > "$r/etc/group"
	rpm --root "$r" --initdb
}
# rpmr ROOT ARGS...: rpm in ROOT, without Debian's warning about using rpm.
# No libcap package exists in the scratch roots: --nodeps (the dependency
# itself is checked above).
rpmr() { local r=$1; shift; rpm --root "$r" --nodeps "$@" 2>&1 | grep -v '^rpm: ' || true; }
SCRIPT_CMDS=(sh setcap stat chown chmod uname find rm)
R=$T/rpmroot
mkroot "$R" "${SCRIPT_CMDS[@]}"
log "rpm --root: $(basename "$RPM")"
rpmr "$R" -ivh "$RPM" > "$T/rpm.log"
check "rpm -ivh: installed, scriptlets quiet" \
	'[ "$(rpm --root "$R" -q vzmon 2>/dev/null)" = "vzmon-$RPMV-1.x86_64" ] && ! grep -qv -e ^Verifying -e ^Preparing -e ^Updating -e ^vzmon- "$T/rpm.log"'
check "rpm: plugins in $RPM_DIR, $CAPS on all three" 'caps_ok "${PLUGINS[@]/#/$R$RPM_DIR/}"'
check "rpm: /var/lib/check_ubc root 0755, sudoers 0440" '[ "$(stat -c %a "$R/var/lib/check_ubc") $(stat -c %a "$R/etc/sudoers.d/vzmon")" = "755 440" ]'
check "rpm: the CheckCommands in plugins-contrib.d" '[ -f "$R/usr/share/icinga2/include/plugins-contrib.d/vzmon.conf" ]'
rpmr "$R" -V vzmon > "$T/rpmV"
check "rpm -V reports only the capabilities (P) of the three plugins, as the README says" \
	'[ "$(tr "\n" " " < "$T/rpmV")" = "........P    $RPM_DIR/check_ubc ........P    $RPM_DIR/check_ubc_failcnt ........P    $RPM_DIR/check_vz_container " ]'
mkdir -m 0700 "$R/var/lib/check_ubc/0"
echo '{}' > "$R/var/lib/check_ubc/0/failcnt-0.json"
sed -i 's/^# //' "$R/etc/sudoers.d/vzmon"
cp "$R/etc/sudoers.d/vzmon" "$T/rpm-sudoers-edited"
log "rpm --root -Uvh $(basename "$RPM2")"
rpmr "$R" -Uvh "$RPM2" > "$T/rpm.log"
check "rpm -Uvh: upgraded to $V2" '[ "$("$R$RPM_DIR/check_ubc" -V)" = "check_ubc $V2" ]'
check "rpm -Uvh: $CAPS on all three again" 'caps_ok "${PLUGINS[@]/#/$R$RPM_DIR/}"'
check "rpm -Uvh: the edited sudoers file is kept, the new one is .rpmnew" \
	'cmp -s "$R/etc/sudoers.d/vzmon" "$T/rpm-sudoers-edited" && grep -q "changed by make package-test" "$R/etc/sudoers.d/vzmon.rpmnew"'
check "rpm -Uvh: the state survives" '[ -f "$R/var/lib/check_ubc/0/failcnt-0.json" ]'
log "rpm --root -e vzmon"
rpmr "$R" -e vzmon > "$T/rpm.log"
left=$(cd "$R" && find . -path ./usr/bin -prune -o -path ./usr/lib -prune -o -path ./usr/lib64 -prune -o -path ./root -prune -o -path ./dev -prune -o ! -type d -print | sort | tr '\n' ' ')
check "rpm -e: state, plugins, CheckCommands and docs gone; the edited sudoers kept as .rpmsave, the upgrade's .rpmnew left (rpm's rules)" \
	'[ "$left" = "./bin ./etc/group ./etc/passwd ./etc/sudoers.d/vzmon.rpmnew ./etc/sudoers.d/vzmon.rpmsave ./lib ./lib64 ./sbin " ]' "left: $left"
left=$(existing "$R"/usr/lib64/nagios "$R"/usr/share/icinga2 "$R"/usr/share/doc/vzmon "$R"/usr/share/licenses/vzmon "$R"/var/lib/check_ubc)
check "rpm -e: no directories of the package's left" '[ -z "$left" ]' "left: $left"

# Where setcap is missing, and on a 2.6.32 kernel: warnings, never a failure.
R6=$T/rpmroot-el6
mkroot "$R6" sh stat chown chmod find rm
printf '#!/bin/sh\necho 2.6.32-042stab145.3\n' > "$R6/usr/bin/uname"
chmod 755 "$R6/usr/bin/uname"
rpmr "$R6" -ivh "$RPM" > "$T/rpm.log"
check "rpm -ivh without setcap, on 2.6.32: installed, with both warnings" \
	'[ "$(rpm --root "$R6" -q vzmon 2>/dev/null)" = "vzmon-$RPMV-1.x86_64" ] &&
		grep -q "WARNING: could not set file capabilities on: check_ubc check_ubc_failcnt check_vz_container" "$T/rpm.log" &&
		grep -q "this build needs Linux 3.2 or later; this kernel is 2.6.32-042stab145.3" "$T/rpm.log"'
rpmr "$R6" -e vzmon >/dev/null
addcmd "$R6" setcap
rpmr "$R6" -ivh "$RPM6" > "$T/rpm.log"
check "rpm -ivh of the EL6 build on 2.6.32: no kernel warning, $CAPS on all three" \
	'caps_ok "${PLUGINS[@]/#/$R6$RPM_DIR/}" && ! grep -q WARNING "$T/rpm.log"'

log "done: $FAILS failure(s)"
[ "$FAILS" = 0 ]
