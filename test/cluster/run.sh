#!/usr/bin/env bash
# make integration, distributed part: the README's "Distributed monitoring"
# setup for real, on 127.0.0.1. A master and Icinga 2 agents, each with its
# own config, zones, data, log and run directories and API port, with
# certificates from "icinga2 pki"; contrib/icinga2's commands.conf and
# templates.conf in a global zone, services-agent.conf and the hosts in the
# master's zones.d/master, services.conf loaded beside it. It checks:
#   - the global zone reaches the agent (its synced commands.conf is
#     contrib's), and every agent service runs there (command_endpoint,
#     check_source), not on the master, whose plugin directory is empty;
#   - state, output and perfdata as the master's API reports them equal
#     the same command line run by hand; check_ubc_failcnt keeps its state
#     on the agent between runs;
#   - the failure modes give the UNKNOWN texts that the README's
#     troubleshooting table names: an agent without accept_commands, one
#     without accept_config, one without the plugins; an agent that is
#     down makes its services UNREACHABLE through the vzmon-agent
#     dependency, not UNKNOWN;
#   - services.conf and services-agent.conf load together;
#   - contrib/icinga2/vzmon-discover writes the container template that
#     the node's host imports, and after a reload new containers have
#     their services.
# The agents read the fake nodes: their PluginContribDir holds wrappers that
# add --root (a test-only mechanism; the shipped commands have no --root).
# Needs root (packages, the nagios user Icinga drops to). Every wait is
# bounded; every daemon is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=test/lib.sh
. test/lib.sh
T=$(mktemp -d /tmp/vzmon-cluster.XXXXXX)
PIDS=()
FAILS=0
START=$(date +%s)

log() { printf '[%3ds] cluster: %s\n' "$(($(date +%s) - START))" "$*"; }
fail() { printf 'FAIL: cluster: %s\n' "$*"; FAILS=$((FAILS + 1)); }
ok() { printf 'ok: cluster: %s\n' "$*"; }

# stop PID: TERM, then KILL after 10 s; icinga2's umbrella process takes
# its worker down with it.
stop() {
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$1" 2>/dev/null || true
}
# leftovers: the PIDs of processes still running from $T (named in their
# command line, or working in it: a daemon's worker or plugin-spawning
# helper, say), none of them this script.
leftovers() {
	local d pid cwd
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" != $$ ] && [ "$pid" != "$BASHPID" ] || continue
		cwd=$(readlink "$d/cwd" 2>/dev/null) || cwd=
		if [[ "$cwd/" == "$T/"* ]] || tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF "$T/"; then
			echo "$pid"
		fi
	done
	return 0
}
stop_all() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do stop "$pid"; done
	PIDS=()
	# A daemon's worker and helpers may end a moment after it.
	wait_for 15 none_left && return
	for pid in $(leftovers); do
		fail "process $pid still runs 15 s after its daemon stopped: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | cut -c1-120)"
		kill -9 "$pid" 2>/dev/null || true
	done
}
none_left() { [ -z "$(leftovers)" ]; }
cleanup() {
	stop_all
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T" || { echo "cluster: could not remove $T:"; ls -lR "$T" | head -20; }; fi
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "the cluster test needs root (packages, the nagios user)"; exit 1; }
missing=()
for p in icinga2 curl jq openssl; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$T/apt.log" 2>&1 ||
		{ timeout 300 apt-get update -qq >>"$T/apt.log" 2>&1 && timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$T/apt.log" 2>&1; } ||
		{ cat "$T/apt.log"; exit 1; }
fi
ICINGA=$(command -v icinga2 || echo /usr/sbin/icinga2)
U=nagios # the user Debian's icinga2 drops to
id "$U" >/dev/null

# --- plugins, fake nodes, the agents' wrappers --------------------------------
log "building the plugins"
chmod 755 "$T"
mkdir -p "$T/bin" "$T/empty"
for p in check_ubc check_ubc_failcnt check_vz_container; do
	CGO_ENABLED=0 go build -trimpath -o "$T/bin/$p" "./cmd/$p"
done
cp -r testdata/nodes "$T/nodes"
chmod -R a+rX "$T/bin" "$T/nodes"
NODE=$T/nodes/incident-204
# wrappers DIR ROOT: a plugin directory whose plugins read the fake node ROOT.
wrappers() {
	mkdir -p "$1"
	for p in check_ubc check_ubc_failcnt check_vz_container; do
		printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$T/bin/$p" "$2" >"$1/$p"
		chmod 755 "$1/$p"
	done
}

# --- instances ----------------------------------------------------------------
# defs NAME: the -D options that give instance NAME its own directories.
defs() {
	local d=$T/$1
	DEFS=(-DConfigDir="$d/etc" -DZonesDir="$d/zones.d" -DDataDir="$d/lib" -DLogDir="$d/log"
		-DCacheDir="$d/cache" -DSpoolDir="$d/spool" -DInitRunDir="$d/run")
}
AGENTS=(node-ok node-nocmd node-nocfg node-noplug)
API_PASS=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
declare -A PORT
for n in master "${AGENTS[@]}"; do
	mkdir -p "$T/$n"/{etc,zones.d,lib/certs,log,cache,spool,run}
	PORT[$n]=$(free_port)
done

log "certificates (icinga2 pki)"
chown -R "$U:" "$T"/master "${AGENTS[@]/#/$T/}"
timeout 60 "$ICINGA" pki new-ca -DDataDir="$T/master/lib" >"$T/master/log/pki.log" 2>&1 ||
	{ cat "$T/master/log/pki.log"; exit 1; }
declare -A KEYGEN
for n in master "${AGENTS[@]}"; do # in parallel: an RSA 4096 key takes seconds
	c=$T/$n/lib/certs
	(timeout 120 "$ICINGA" pki new-cert --cn "$n" --key "$c/$n.key" --csr "$c/$n.csr" &&
		timeout 60 "$ICINGA" pki sign-csr --csr "$c/$n.csr" --cert "$c/$n.crt" -DDataDir="$T/master/lib" &&
		cp "$T/master/lib/ca/ca.crt" "$c/ca.crt") >"$T/$n/log/pki.log" 2>&1 &
	KEYGEN[$n]=$!
done
for n in "${!KEYGEN[@]}"; do
	wait "${KEYGEN[$n]}" || { cat "$T/$n/log/pki.log"; exit 1; }
done

# header NAME PLUGINDIR: what every instance's icinga2.conf starts with.
header() {
	cat <<EOF
const NodeName = "$1"
const ZoneName = "$1"
const PluginDir = "$T/empty"
const PluginContribDir = "$2"
const ManubulonPluginDir = "$T/empty"
const TicketSalt = ""
include <itl>
include <plugins>
object FileLogger "log" { path = LogDir + "/icinga2.log"; severity = "notice" }
object ApiUser "test" { password = "$API_PASS"; permissions = [ "*" ] }
EOF
}

# The master: no plugins; the hosts and services-agent.conf in
# zones.d/master, the commands and templates in the global zone,
# services.conf (and a node it monitors itself) beside them.
M=$T/master
{
	header master "$T/empty"
	cat <<EOF
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = ${PORT[master]}; accept_config = false; accept_commands = false }
object CheckerComponent "checker" {}
// Forced checks only: the test decides what runs when (the first
// ubc-failcnt run is the baseline). Dependencies are judged all the same.
object IcingaApplication "app" { enable_service_checks = false }
include "zones.conf"
include "conf.d/*.conf"
EOF
} >"$M/etc/icinga2.conf"
{
	echo 'object Endpoint "master" {}'
	echo 'object Zone "master" { endpoints = [ "master" ] }'
	for n in "${AGENTS[@]}" node-down; do
		echo "object Endpoint \"$n\" {}"
		echo "object Zone \"$n\" { endpoints = [ \"$n\" ]; parent = \"master\" }"
	done
	echo 'object Zone "global-templates" { global = true }'
} >"$M/etc/zones.conf"
mkdir -p "$M/zones.d/master" "$M/zones.d/global-templates" "$M/etc/conf.d"
cp contrib/icinga2/commands.conf contrib/icinga2/templates.conf "$M/zones.d/global-templates/"
cp contrib/icinga2/services-agent.conf "$M/zones.d/master/"
cp contrib/icinga2/services.conf "$M/etc/conf.d/"
cat >"$M/etc/conf.d/direct.conf" <<'EOF'
// A node this instance monitors itself (services.conf), beside the agents.
object Host "node-direct" { check_command = "dummy"; vars.openvz_node = true; vars.openvz_containers = [ "101", "102" ] }
EOF
{
	echo "object Host \"node-ok\" { check_command = \"dummy\"; import \"vzmon-containers-node-ok\"; vars.openvz_node = true; vars.agent_endpoint = \"node-ok\"; vars.ubc_failcnt_state_dir = \"$T/node-ok/state\" }"
	for n in node-nocmd node-nocfg node-noplug node-down; do
		echo "object Host \"$n\" { check_command = \"dummy\"; vars.openvz_node = true; vars.agent_endpoint = \"$n\"; vars.openvz_containers = [ \"204\" ] }"
	done
} >"$M/zones.d/master/hosts.conf"

# Discovery: node-ok's container list, from its (fake) node.
printf '#!/bin/sh\nshift\nexec "$@"\n' >"$T/local"
chmod 755 "$T/local"
discover() { # discover NODEDIR: vzmon-discover for node-ok, run "there" with NODEDIR
	VZMON_REMOTE=$T/local VZMON_LIST="$T/bin/check_ubc --root $1 --list" \
		contrib/icinga2/vzmon-discover "$M/zones.d/master" node-ok
}
TEMPLATE=$M/zones.d/master/vzmon-containers-node-ok.conf
out=$(discover "$NODE") && [ "$out" = "$TEMPLATE" ] && grep -qF 'vars.openvz_containers = [ "201", "202", "203", "204", "205", "206", "207" ]' "$TEMPLATE" &&
	ok "vzmon-discover wrote node-ok's container template" || fail "vzmon-discover: '$out': $(cat "$TEMPLATE" 2>&1)"
before=$(cat "$TEMPLATE")
rc=0
out=$(VZMON_REMOTE=$T/local VZMON_LIST="$T/bin/check_ubc --root $T/nowhere --list" contrib/icinga2/vzmon-discover "$M/zones.d/master" node-ok 2>"$T/discover.err") || rc=$?
[ "$rc" = 1 ] && [ -z "$out" ] && [ "$(cat "$TEMPLATE")" = "$before" ] && grep -q "listing failed" "$T/discover.err" &&
	ok "vzmon-discover keeps the template when the node cannot be listed (exit 1)" || fail "vzmon-discover on a failing node: exit $rc, '$out', $(cat "$T/discover.err")"
out=$(discover "$NODE") && [ -z "$out" ] && ok "vzmon-discover reports nothing when nothing changed" || fail "vzmon-discover, unchanged: '$out'"

# Agents. node-ok: as the README says. node-nocmd: accept_commands = false.
# node-nocfg: accept_config = false. node-noplug: PluginContribDir missing.
for n in "${AGENTS[@]}"; do
	A=$T/$n
	plugins=$A/plugins
	[ "$n" = node-noplug ] || wrappers "$plugins" "$NODE"
	cmds=true cfg=true
	[ "$n" = node-nocmd ] && cmds=false
	[ "$n" = node-nocfg ] && cfg=false
	{
		header "$n" "$plugins"
		cat <<EOF
object Endpoint "master" { host = "127.0.0.1"; port = ${PORT[master]} }
object Zone "master" { endpoints = [ "master" ] }
object Endpoint NodeName {}
object Zone ZoneName { endpoints = [ NodeName ]; parent = "master" }
object Zone "global-templates" { global = true }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = ${PORT[$n]}; accept_config = $cfg; accept_commands = $cmds }
EOF
	} >"$A/etc/icinga2.conf"
	mkdir -p "$A/state"
	chmod 700 "$A/state"
done
chown -R "$U:" "$T"/master "${AGENTS[@]/#/$T/}"

api() { # api NAME METHOD PATH [BODY]
	local args=(-sS -k --max-time 20 -u "test:$API_PASS" -H 'Accept: application/json' -X "$2")
	[ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
	curl "${args[@]}" "https://127.0.0.1:${PORT[$1]}$3"
}
up() { [ "$(curl -sk --max-time 3 -o /dev/null -w '%{http_code}' -u "test:$API_PASS" "https://127.0.0.1:${PORT[$1]}$2")" = 200 ]; }
start() { # start NAME
	defs "$1"
	(cd "$T/$1" && exec "$ICINGA" daemon -c "$T/$1/etc/icinga2.conf" "${DEFS[@]}" </dev/null >"$T/$1/log/stdout.log" 2>&1) &
	PIDS+=($!)
}

log "starting the master and ${#AGENTS[@]} agents"
defs master
if ! timeout 120 "$ICINGA" daemon -C -c "$M/etc/icinga2.conf" "${DEFS[@]}" >"$M/log/check.log" 2>&1; then
	grep -E 'critical|Error' "$M/log/check.log" | head -20
	fail "icinga2 daemon -C rejects the master's config"
	exit 1
fi
start master
MASTER_PID=${PIDS[-1]}
wait_for 60 up master /v1/objects/hosts/node-ok || { cat "$M/log/stdout.log"; fail "the master did not start"; exit 1; }
for n in "${AGENTS[@]}"; do start "$n"; done

# services.conf and services-agent.conf together: each node has its
# services once, the agents' with command_endpoint, the direct one's without.
api master GET '/v1/objects/services?attrs=host_name&attrs=name&attrs=command_endpoint&attrs=check_command' >"$T/services.json"
svc_list() { jq -r --arg h "$1" '[.results[].attrs | select(.host_name == $h) | "\(.name)@\(.command_endpoint)"] | sort | join(" ")' "$T/services.json"; }
want="containers@ ct-101@ ct-102@ ubc-config@ ubc-failcnt@ ubc-memory@ ubc@"
[ "$(svc_list node-direct)" = "$want" ] && ok "services.conf gives the direct node its services, without command_endpoint" ||
	fail "node-direct's services: $(svc_list node-direct), want $want"
want="containers@node-ok"
for ct in 201 202 203 204 205 206 207; do want+=" ct-$ct@node-ok"; done
want+=" ubc-config@node-ok ubc-failcnt@node-ok ubc-memory@node-ok ubc@node-ok vzmon-agent@"
[ "$(svc_list node-ok)" = "$want" ] && ok "services-agent.conf gives node-ok its services (ct- from the discovered template), each with command_endpoint, and the agent health check" ||
	fail "node-ok's services: $(svc_list node-ok), want $want"
deps=$(api master GET '/v1/objects/dependencies?attrs=child_host_name&attrs=child_service_name&attrs=parent_service_name&attrs=disable_checks' |
	jq -r '[.results[].attrs | select(.child_host_name == "node-ok" and .parent_service_name == "vzmon-agent" and .disable_checks) | .child_service_name] | sort | join(" ")')
[ "$deps" = "containers ct-201 ct-202 ct-203 ct-204 ct-205 ct-206 ct-207 ubc ubc-config ubc-failcnt ubc-memory" ] &&
	ok "every vzmon service of node-ok depends on vzmon-agent (disable_checks)" || fail "node-ok's dependencies on vzmon-agent: $deps"

# The agents that accept config get the global zone, and load it.
log "waiting for the config sync"
for n in node-ok node-nocmd node-noplug; do
	wait_for 60 up "$n" /v1/objects/checkcommands/ubc || fail "$n did not load the synced commands"
done
synced=$T/node-ok/lib/api/zones/global-templates/_etc
cmp -s "$synced/commands.conf" contrib/icinga2/commands.conf && cmp -s "$synced/templates.conf" contrib/icinga2/templates.conf &&
	ok "the global zone reached node-ok: its commands.conf and templates.conf are contrib's" ||
	fail "node-ok's synced global zone differs from contrib: $(ls -l "$synced" 2>&1)"
[ ! -e "$T/node-nocfg/lib/api/zones/global-templates" ] && ok "node-nocfg (accept_config = false) received no config" || fail "node-nocfg received config"
connected() { [ "$(api master GET "/v1/objects/endpoints/$1?attrs=connected" | jq -r '.results[0].attrs.connected')" = true ]; }
for n in "${AGENTS[@]}"; do
	wait_for 60 connected "$n" || fail "$n is not connected to the master"
done
[ -z "$(ls -A "$T/empty")" ] && ok "the master's plugin directories are empty" || fail "the master has plugins: $(ls "$T/empty")"

# check HOST SERVICE...: force the checks, wait for their results (newer
# than now), and put them in $T/results.json.
check() {
	local host=$1 n=$(($# - 1)) t0 filter
	shift
	t0=$(date +%s)
	filter=$(printf 'service.name == "%s" || ' "$@")
	filter="host.name == \"$host\" && (${filter% || })"
	api master POST /v1/actions/reschedule-check "$(jq -nc --arg f "$filter" '{type: "Service", filter: $f, force: true}')" >/dev/null
	results() {
		api master GET "/v1/objects/services?attrs=name&attrs=last_check_result&attrs=state&attrs=last_reachable&filter=$(jq -rn --arg f "$filter" '$f|@uri')" >"$T/results.json" &&
			jq -e --argjson t0 "$t0" --argjson n "$n" '[.results[].attrs.last_check_result | select(. != null and .execution_end >= ($t0 - 1))] | length == $n' "$T/results.json" >/dev/null
	}
	wait_for 60 results
}

expect() { # expect SERVICE STATE TEXT WHAT: the result in $T/results.json
	local got
	got=$(jq -r --arg s "$1" '.results[] | select(.attrs.name == $s) | "\(.attrs.last_check_result.state | floor)\t\(.attrs.last_check_result.output)"' "$T/results.json")
	if [ "${got%%$'\t'*}" = "$2" ] && grep -qF -- "$3" <<<"$got"; then
		ok "$4: state $2: $(head -1 <<<"${got#*$'\t'}" | cut -c1-160)"
	else
		fail "$4: want state $2 with \"$3\", got: ${got:0:400}"
	fi
}

log "checks on node-ok, through its agent"
svcs=(ubc ubc-failcnt ubc-config ubc-memory containers)
for ct in 201 202 203 204 205 206 207; do svcs+=("ct-$ct"); done
if ! check node-ok "${svcs[@]}"; then
	fail "the master got no result from node-ok for every service: $(jq -c '[.results[] | {name: .attrs.name, out: .attrs.last_check_result.output}]' "$T/results.json")"
else
	cp "$T/results.json" "$T/first.json"
	mkdir -p "$T/byhand"
	chown "$U:" "$T/byhand"
	chmod 700 "$T/byhand"
	# As Icinga splits it: the text without the perfdata; the perfdata
	# with labels unquoted (Icinga drops the quotes it does not need) and
	# without the plugin's own run time (it differs between two runs).
	clean='def clean: map(sub("^'"'"'(?<l>[^'"'"']*)'"'"'="; "\(.l)=") | select(startswith("time=") | not)) | join(" ");'
	split=$clean'
		(split("\n") | map(if (index("|") != null and (.[index("|"):] | test("="))) then [.[:index("|")], .[index("|") + 1:]] else [., ""] end)) as $l
		| {text: ($l | map(.[0] | sub("\\s+$"; "")) | join("\n") | sub("\\s+$"; "")),
		   perf: ($l | map(.[1] | split(" ") | map(select(. != ""))) | add | clean)}'
	same=0
	for s in "${svcs[@]}"; do
		r=$(jq -c --arg s "$s" '.results[] | select(.attrs.name == $s) | .attrs.last_check_result' "$T/first.json")
		src=$(jq -r .check_source <<<"$r")
		mapfile -t cmd < <(jq -r '.command[]' <<<"$r")
		[ "$src" = node-ok ] || fail "$s ran on '$src', not on the agent"
		[[ "${cmd[0]}" == "$T/node-ok/plugins/"* ]] || fail "$s ran ${cmd[0]}, not the agent's PluginContribDir"
		printf '%s\n' "${cmd[@]}" | grep -qx -- --root && fail "$s: the command line has --root: ${cmd[*]}"
		printf '%s\n' "${cmd[@]}" | grep -A1 -x -- --max-output | tail -1 | grep -qx 65504 || fail "$s: no --max-output 65504 in ${cmd[*]}"
		# By hand: the same command line, as the same user; failcnt keeps
		# its state apart.
		for i in "${!cmd[@]}"; do [ "${cmd[$i]}" = "$T/node-ok/state" ] && cmd[i]=$T/byhand; done
		rc=0
		raw=$(runuser -u "$U" -- "${cmd[@]}") || rc=$?
		raw=${raw//$T\/byhand/$T\/node-ok\/state}
		hand=$(jq -Rsc "$split" <<<"$raw")
		icinga=$(jq -c "$clean"' {text: (.output | split("\n") | map(sub("\\s+$"; "")) | join("\n") | sub("\\s+$"; "")), perf: (.performance_data | clean)}' <<<"$r")
		state=$(jq -r '"\(.state | floor) \(.exit_status)"' <<<"$r")
		if [ "$hand" = "$icinga" ] && [ "$state" = "$rc $rc" ] && [ "$(jq -r .perf <<<"$hand")" != "" ]; then
			same=$((same + 1))
		else
			fail "$s: the master's result (state/exit $state) differs from the command run by hand (exit $rc):
  master:  ${icinga:0:400}
  by hand: ${hand:0:400}"
		fi
	done
	[ "$same" = "${#svcs[@]}" ] && ok "all $same services ran on node-ok; state, output and perfdata as the master reports them equal the command run by hand"
	cp "$T/first.json" "$T/results.json"
	expect ubc 2 "CT 204 (web1) tcpsndbuf 157% of barrier" "node-ok ubc"
	expect ct-204 2 "148 runnable/blocked threads now" "node-ok ct-204"
	expect ubc-failcnt 0 "baseline recorded for 6 containers" "node-ok ubc-failcnt, first run"
	check node-ok ubc-failcnt || fail "no second ubc-failcnt result"
	expect ubc-failcnt 0 "no failcnt grew in the last 15m (6 containers)" "node-ok ubc-failcnt, second run (the state kept on the agent)"
fi

# The failure modes, with the texts the README's troubleshooting table names.
log "failure modes"
readme() { grep -qF -- "$1" README.md || fail "README.md does not name \"$1\""; }
check node-nocmd ubc || true
expect ubc 3 "Endpoint 'node-nocmd' does not accept commands" "an agent without accept_commands"
readme "does not accept commands"
check node-nocfg ubc || true
expect ubc 3 "Check command 'ubc' does not exist" "an agent without accept_config"
readme "Check command 'ubc' does not exist"
check node-noplug ubc || true
expect ubc 3 "execvpe($T/node-noplug/plugins/check_ubc) failed: No such file or directory" "an agent without the plugins"
readme "failed: No such file or directory"

# node-down never runs: its health check goes CRITICAL, and its services
# are UNREACHABLE: their checks are skipped, a result does not alert.
down=0
for _ in 1 2 3; do check node-down vzmon-agent || true; done
expect vzmon-agent 2 "Zone 'node-down' is not connected" "the health check of an agent that is down"
readme "is not connected"
hard() { [ "$(api master GET '/v1/objects/services/node-down!vzmon-agent?attrs=state_type' | jq -r '.results[0].attrs.state_type')" = 1 ]; }
wait_for 10 hard || fail "node-down's vzmon-agent did not reach a HARD state"
t0=$(date +%s)
api master POST /v1/actions/reschedule-check '{"type":"Service","filter":"host.name==\"node-down\" && service.name==\"ubc\"","next_check":'"$t0"'}' >/dev/null
skipped() { grep -q "Skipping check for object 'node-down!ubc': Dependency failed." "$M/log/icinga2.log"; }
if wait_for 15 skipped; then
	down=$((down + 1))
else
	fail "the master did not skip node-down's ubc for its failed dependency"
fi
# Icinga refuses a result for an object that its dependencies make
# unreachable, and says so.
said=$(api master POST /v1/actions/process-check-result '{"type":"Service","filter":"host.name==\"node-down\" && service.name==\"ubc\"","exit_status":3,"plugin_output":"test"}' | jq -r '.results[0].status')
if [ "$said" = "Ignoring passive check result for unreachable object 'node-down!ubc'." ] &&
	[ "$(api master GET '/v1/objects/services/node-down!ubc?attrs=last_check_result' | jq -r '.results[0].attrs.last_check_result')" = null ]; then
	down=$((down + 1))
else
	fail "node-down's ubc is not UNREACHABLE: Icinga said '$said'"
fi
[ "$down" = 2 ] && ok "an agent that is down: its services are skipped (dependency on vzmon-agent) and UNREACHABLE"

# Nothing went wrong that the checks above did not look for.
if grep -E '^\[[^]]*\] critical/' "$T"/*/log/icinga2.log; then
	fail "critical lines in the logs"
fi

# New containers get their services: vzmon-discover rewrites the template
# (this node has other containers), the master reloads.
log "discovery and reload"
out=$(discover "$T/nodes/rhel6-vswap") || fail "vzmon-discover on the second node"
wantct=$(jq -r '[.[].id | "ct-\(.)"] | sort | join(" ")' < <(runuser -u "$U" -- "$T/bin/check_ubc" --root "$T/nodes/rhel6-vswap" --list))
chown "$U:" "$TEMPLATE"
kill -HUP "$MASTER_PID"
cts() { [ "$(api master GET '/v1/objects/services?attrs=name&filter=host.name==%22node-ok%22' | jq -r '[.results[].attrs.name | select(startswith("ct-"))] | sort | join(" ")')" = "$wantct" ]; }
if [ "$out" = "$TEMPLATE" ] && wait_for 60 cts; then
	ok "after vzmon-discover and a reload, node-ok's ct- services are its new containers ($wantct)"
else
	fail "node-ok's ct- services after the reload: want $wantct; vzmon-discover said '$out'"
fi

log "stopping"
stop_all
log "done: $FAILS failure(s)"
[ "$FAILS" = 0 ]
