# shellcheck shell=bash
# Shared by the root test scripts (test/integration/run.sh,
# test/package/run.sh): progress lines with the elapsed time, and the
# failure count the script's exit status reports.
START=$(date +%s)
FAILS=0

log() { printf '[%3ds] %s\n' "$(( $(date +%s) - START ))" "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; FAILS=$((FAILS + 1)); }
ok() { printf 'ok: %s\n' "$*"; }

# apt_need PACKAGE...: install the Debian packages not installed yet; the
# maintainer scripts may not start services (policy-rc.d, removed after).
apt_need() {
	local missing=() p log
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	log "installing ${missing[*]}"
	log=$(mktemp)
	local policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	local rc=0
	timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1 ||
		{ timeout 300 apt-get update -qq >>"$log" 2>&1 && timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; } ||
		rc=$?
	[ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
	[ "$rc" = 0 ] || cat "$log"
	rm -f "$log"
	return "$rc"
}

# wait_for SECONDS CMD...: run CMD until it succeeds, at most SECONDS.
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# free_port: a TCP port on 127.0.0.1 nothing listens on.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}
