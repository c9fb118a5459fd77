#!/usr/bin/env bash
# make integration: the plugins and contrib/ through the real software, on
# 127.0.0.1, with throwaway config and state: Icinga 2 (config check, then a
# running daemon executing each CheckCommand, results read from its REST
# API), NRPE (plugins as user nagios; contrib/nrpe/vzmon-sudo.cfg through contrib/sudoers.d
# as root), Nagios 4 (config check of contrib/nagios), and
# Monitoring::Plugin::Performance on every golden output. Needs root (it
# installs missing Debian packages and, for the sudo test, the plugins under
# /usr/lib/nagios/plugins, removed again at the end). Every wait is bounded;
# every daemon started is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
T=$(mktemp -d /tmp/vzmon-integration.XXXXXX)
PIDS=()
INSTALLED=()
# shellcheck source=test/lib.sh
. test/lib.sh

cleanup() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	done
	for f in "${INSTALLED[@]}"; do rm -rf "$f"; done
	rm -rf "$T"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "integration tests need root (packages, nagios user, sudo)"; exit 1; }

# --- packages ---------------------------------------------------------------
apt_need icinga2 nagios-nrpe-server nagios-nrpe-plugin nagios4-core libmonitoring-plugin-perl sudo curl jq openssl
id nagios >/dev/null 2>&1 || { echo "user nagios missing after installing the packages"; exit 1; }
NAGIOS4=$(command -v nagios4 || echo /usr/sbin/nagios4)

# --- plugins and fake nodes, readable by nagios -------------------------------
log "building the plugins"
chmod 755 "$T"
mkdir -p "$T/plugins"
for p in check_ubc check_ubc_failcnt check_vz_container; do
	CGO_ENABLED=0 go build -trimpath -o "$T/plugins/$p" "./cmd/$p"
done
cp -r testdata/nodes "$T/nodes"
chmod -R a+rX "$T/plugins" "$T/nodes"
mkdir -p "$T/state" "$T/state-nrpe"
chown nagios: "$T/state" "$T/state-nrpe"
chmod 700 "$T/state" "$T/state-nrpe"

# --- Monitoring::Plugin::Performance on every golden output -----------------
if perl test/integration/perfcheck.pl golden testdata/golden/*/*.txt; then
	ok "golden outputs parse identically with Monitoring::Plugin::Performance"
else
	fail "Monitoring::Plugin::Performance parses some golden perfdata differently"
fi

# --- Nagios 4: contrib/nagios verifies ----------------------------------------
mkdir -p "$T/nagios"
cat > "$T/nagios/nagios.cfg" <<EOF
log_file=$T/nagios/nagios.log
cfg_file=$T/nagios/objects.cfg
cfg_file=$REPO/contrib/nagios/commands.cfg
cfg_file=$REPO/contrib/nagios/services.cfg
resource_file=$T/nagios/resource.cfg
status_file=$T/nagios/status.dat
temp_file=$T/nagios/nagios.tmp
lock_file=$T/nagios/nagios.lock
check_result_path=$T/nagios
nagios_user=nagios
nagios_group=nagios
illegal_macro_output_chars=\`~\$&|'"<>
EOF
chown -R nagios: "$T/nagios"
echo "\$USER1\$=$T/plugins" > "$T/nagios/resource.cfg"
cat > "$T/nagios/objects.cfg" <<'EOF'
define timeperiod {
  timeperiod_name 24x7
  alias 24x7
  sunday 00:00-24:00
  monday 00:00-24:00
  tuesday 00:00-24:00
  wednesday 00:00-24:00
  thursday 00:00-24:00
  friday 00:00-24:00
  saturday 00:00-24:00
}
define command {
  command_name notify-none
  command_line /bin/true
}
define command {
  command_name check-host-alive
  command_line /bin/true
}
define contact {
  contact_name ops
  host_notifications_enabled 0
  service_notifications_enabled 0
  host_notification_period 24x7
  service_notification_period 24x7
  host_notification_options n
  service_notification_options n
  host_notification_commands notify-none
  service_notification_commands notify-none
}
define contactgroup {
  contactgroup_name admins
  members ops
}
define service {
  name generic-service
  register 0
  max_check_attempts 3
  check_interval 5
  retry_interval 2
  check_period 24x7
  notification_interval 60
  notification_period 24x7
  contact_groups admins
}
define host {
  host_name openvz-node1
  address 127.0.0.1
  max_check_attempts 3
  check_command check-host-alive
  check_period 24x7
  notification_interval 60
  notification_period 24x7
  contact_groups admins
}
EOF
if timeout 60 "$NAGIOS4" -v "$T/nagios/nagios.cfg" > "$T/nagios/verify.log" 2>&1; then
	ok "nagios4 -v accepts contrib/nagios ($(grep -o 'Checked [0-9]* services' "$T/nagios/verify.log"))"
else
	cat "$T/nagios/verify.log"
	fail "nagios4 -v rejects contrib/nagios"
fi

# --- Icinga 2: contrib/icinga2 validates -------------------------------------
ICINGA=$(command -v icinga2 || echo /usr/sbin/icinga2)
icinga_dirs() {
	local d=$1
	mkdir -p "$d/etc" "$d/lib/certs" "$d/log" "$d/cache" "$d/spool" "$d/run"
	chown -R nagios: "$d"
	DEFS=(-DDataDir="$d/lib" -DLogDir="$d/log" -DCacheDir="$d/cache" -DSpoolDir="$d/spool" -DInitRunDir="$d/run")
}
# icinga_header NODE ZONE: the constants and includes every config needs.
icinga_header() {
	cat <<EOF
const NodeName = "$1"
const ZoneName = "$2"
const PluginDir = "$T/plugins"
const PluginContribDir = "$T/plugins"
const ManubulonPluginDir = "/usr/lib/nagios/plugins"
const TicketSalt = ""
include <itl>
include <plugins>
EOF
}
icinga_dirs "$T/icv"
cat > "$T/icv/etc/icinga2.conf" <<EOF
$(icinga_header master.example.com master)
object Endpoint NodeName {}
object Zone ZoneName { endpoints = [ NodeName ] }
object Endpoint "node1.example.com" {}
object Zone "node1.example.com" { endpoints = [ "node1.example.com" ]; parent = ZoneName }
template Service "generic-service" { max_check_attempts = 5; check_interval = 1m; retry_interval = 30s }
object Host "openvz-node1" {
  check_command = "dummy"
  vars.openvz_node = true
  vars.openvz_containers = [ "201", "204", "web1" ]
}
object Host "openvz-node2" {
  check_command = "dummy"
  vars.openvz_node = true
  vars.agent_endpoint = "node1.example.com"
  vars.openvz_containers = [ "101" ]
}
include "$REPO/contrib/icinga2/commands.conf"
include "$REPO/contrib/icinga2/templates.conf"
include "$REPO/contrib/icinga2/services.conf"
EOF
# The agent variant defines the same service names: check it on its own,
# as operators deploy it: in the master's zones.d, where objects get a zone
# (command_endpoint needs one).
mkdir -p "$T/icv/zones.d/master"
cp contrib/icinga2/services-agent.conf "$T/icv/zones.d/master/"
sed -n '/^object Host/,/^}/p' "$T/icv/etc/icinga2.conf" > "$T/icv/zones.d/master/hosts.conf"
sed -e '/^object Host/,/^}/d' -e 's|^include ".*services.conf"$|include_zones "zones", "'"$T"'/icv/zones.d"|' \
	"$T/icv/etc/icinga2.conf" > "$T/icv/etc/icinga2-agent.conf"
chown -R nagios: "$T/icv"
for conf in icinga2.conf icinga2-agent.conf; do
	if timeout 120 "$ICINGA" daemon -C -c "$T/icv/etc/$conf" "${DEFS[@]}" > "$T/icv/log/$conf.check" 2>&1; then
		ok "icinga2 daemon -C accepts contrib/icinga2 with ${conf%.conf} ($(grep -o '[0-9]* Services' "$T/icv/log/$conf.check" | head -1))"
	else
		grep -E 'critical|Error|error' "$T/icv/log/$conf.check" | head -20
		fail "icinga2 daemon -C rejects contrib/icinga2 ($conf)"
	fi
done

# --- Icinga 2: a running daemon executes each CheckCommand ------------------
log "starting icinga2"
icinga_dirs "$T/ic"
timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj '/CN=vzmon-test' \
	-keyout "$T/ic/lib/certs/vzmon-test.key" -out "$T/ic/lib/certs/vzmon-test.crt" </dev/null >/dev/null 2>&1
cp "$T/ic/lib/certs/vzmon-test.crt" "$T/ic/lib/certs/ca.crt"
chown -R nagios: "$T/ic/lib/certs"
API_PASS=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
API_PORT=$(free_port)
SINK_PORT=$(free_port)
N=$T/nodes
cat > "$T/ic/etc/icinga2.conf" <<EOF
$(icinga_header vzmon-test vzmon-test)
include "$REPO/contrib/icinga2/commands.conf"
// Test-only: the shipped commands leave --root out; these add it, to read
// the fake nodes.
object CheckCommand "ubc-root" { import "ubc"; arguments += { "--root" = "\$ubc_root\$" } }
object CheckCommand "ubc_failcnt-root" { import "ubc_failcnt"; arguments += { "--root" = "\$ubc_failcnt_root\$" } }
object CheckCommand "vz_container-root" { import "vz_container"; arguments += { "--root" = "\$vz_container_root\$" } }
object Endpoint NodeName {}
object Zone ZoneName { endpoints = [ NodeName ] }
object FileLogger "log" { path = LogDir + "/icinga2.log"; severity = "debug" }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = $API_PORT; accept_config = false; accept_commands = false }
object ApiUser "test" { password = "$API_PASS"; permissions = [ "*" ] }
object CheckerComponent "checker" {}
// Parses perfdata as the metric writers do and logs what it rejects; the
// port is closed and with this flush setting it never sends.
object InfluxdbWriter "perfdata-parse" { host = "127.0.0.1"; port = $SINK_PORT; database = "x"; flush_interval = 1h; flush_threshold = 1000000 }
object Host "node" { check_command = "dummy"; enable_active_checks = false }
template Service "t" { host_name = "node"; enable_active_checks = false; max_check_attempts = 1; check_interval = 1d; retry_interval = 1d }
object Service "ubc-incident" { import "t"; check_command = "ubc-root"; vars.ubc_root = "$N/incident-204" }
object Service "ubc-healthy" { import "t"; check_command = "ubc-root"; vars.ubc_root = "$N/rhel6-vswap" }
object Service "ubc-one-ct" { import "t"; check_command = "ubc-root"; vars.ubc_root = "$N/incident-204"; vars.ubc_ctid = [ "web1" ]; vars.ubc_maxheld = true }
object Service "failcnt" { import "t"; check_command = "ubc_failcnt-root"; vars.ubc_failcnt_root = "$N/incident-204"; vars.ubc_failcnt_state_dir = "$T/state" }
object Service "ct-204" { import "t"; check_command = "vz_container-root"; vars.vz_container_root = "$N/incident-204"; vars.vz_container_ctid = "204"; vars.vz_container_process = [ "apache2:2", "slapd" ] }
object Service "ct-dns1" { import "t"; check_command = "vz_container-root"; vars.vz_container_root = "$N/incident-204"; vars.vz_container_ctid = "dns1" }
object Service "ct-uuid" { import "t"; check_command = "vz_container-root"; vars.vz_container_root = "$N/vz7-uuid"; vars.vz_container_ctid = "app1" }
EOF
chown nagios: "$T/ic/etc/icinga2.conf"
API="https://127.0.0.1:$API_PORT"
api() {
	local args=(-sS -k --max-time 20 -u "test:$API_PASS" -H 'Accept: application/json' -X "$1")
	[ -n "${3:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}" "$API$2"
}
(cd "$T/ic" && exec "$ICINGA" daemon -c "$T/ic/etc/icinga2.conf" "${DEFS[@]}" -x warning </dev/null >"$T/ic/log/stdout.log" 2>&1) &
PIDS+=($!)
api_up() { [ "$(curl -sk --max-time 3 -o /dev/null -w '%{http_code}' -u "test:$API_PASS" "$API/v1/objects/hosts/node")" = 200 ]; }
if ! wait_for 90 api_up; then
	cat "$T/ic/log/stdout.log"
	fail "icinga2 did not start"
else
	T0=$(date +%s)
	api POST /v1/actions/reschedule-check '{"type":"Service","filter":"host.name==\"node\"","force":true}' >/dev/null
	all_done() {
		api GET "/v1/objects/services?attrs=last_check_result" > "$T/ic/results.json" || return 1
		jq -e --argjson t0 "$T0" '[.results[].attrs.last_check_result | select(. != null and .execution_end >= ($t0 - 1))] | length == 7' "$T/ic/results.json" >/dev/null
	}
	if ! wait_for 90 all_done; then
		fail "icinga2 did not record all 7 check results"
	else
		# Icinga's own parse of each perfdata item (as its metric writers do).
		script='var out = []
for (s in get_objects(Service)) {
  var items = []
  for (p in s.last_check_result.performance_data) { items.add(parse_performance_data(p)) }
  out.add({ name = s.name, state = s.last_check_result.state, output = s.last_check_result.output, raw = s.last_check_result.output + "|" + s.last_check_result.performance_data.join(" "), perfdata = items })
}
out'
		api POST /v1/console/execute-script "$(jq -nc --arg c "$script" '{command: $c, session: "vzmon"}')" |
			jq '{services: .results[0].result}' > "$T/ic/parsed.json"
		expect() { # expect SERVICE STATE TEXT
			local got
			got=$(jq -r --arg s "$1" '.services[] | select(.name == $s) | "\(.state)\t\(.output)"' "$T/ic/parsed.json")
			if [ "${got%%$'\t'*}" = "$2" ] && grep -qF -- "$3" <<<"$got"; then
				ok "icinga2 ran $1: state $2, output has \"$3\""
			else
				fail "icinga2 ran $1: want state $2 with \"$3\", got: ${got:0:300}"
			fi
		}
		expect ubc-incident 2 "CT 204 (web1) tcpsndbuf 157% of barrier"
		expect ubc-healthy 0 "within thresholds"
		expect ubc-one-ct 2 "numtcpsock maxheld 100% of barrier"
		expect failcnt 0 "baseline recorded for 6 containers"
		expect ct-204 2 "148 runnable/blocked tasks"
		expect ct-dns1 0 "running, all checks OK"
		expect ct-uuid 1 "numproc 92.5% of barrier"
		perfvalue() { # perfvalue SERVICE LABEL FIELD WANT
			local got
			got=$(jq -r --arg s "$1" --arg l "$2" --arg f "$3" '.services[] | select(.name == $s) | .perfdata[] | select(.label == $l) | .[$f]' "$T/ic/parsed.json")
			[ "$got" = "$4" ] && ok "icinga2 parsed $1 $2 $3 = $4" || fail "icinga2 parsed $1 $2 $3 = '$got', want $4"
		}
		perfvalue ubc-incident ct204_tcpsndbuf value 2701184
		perfvalue ubc-incident ct204_tcpsndbuf unit bytes
		perfvalue ubc-incident ct204_tcpsndbuf crit 1634304
		perfvalue ct-204 load value 148
		perfvalue ct-204 ct204_tcpsndbuf_failcnt value 1861284
		if perl test/integration/perfcheck.pl icinga "$T/ic/parsed.json"; then
			ok "every perfdata item of every service, as Icinga 2 parsed it, matches the raw text"
		else
			fail "Icinga 2 parsed some perfdata differently from the raw text"
		fi
		sleep 1 # let the writer log what it rejects
		if grep -E 'Ignoring invalid perfdata|Invalid performance data' "$T/ic/log/icinga2.log"; then
			fail "icinga2 logged invalid perfdata"
		else
			ok "no invalid perfdata in icinga2.log"
		fi
	fi
fi

# --- NRPE: the plugins as user nagios on the fake nodes ----------------------
log "starting nrpe"
NRPE_PORT=$(free_port)
mkdir -p "$T/nrpe"
cat > "$T/nrpe/nrpe.cfg" <<EOF
server_address=127.0.0.1
server_port=$NRPE_PORT
allowed_hosts=127.0.0.1
nrpe_user=nagios
nrpe_group=nagios
dont_blame_nrpe=0
command_timeout=60
command[ubc_incident]=$T/plugins/check_ubc --root $N/incident-204
command[ubc_healthy]=$T/plugins/check_ubc --root $N/rhel6-vswap
command[failcnt]=$T/plugins/check_ubc_failcnt --root $N/incident-204 --state-dir $T/state-nrpe
command[ct_204]=$T/plugins/check_vz_container --root $N/incident-204 --ctid 204 --max-output 1023
include=$REPO/contrib/nrpe/vzmon-sudo.cfg
EOF
NRPE=$(command -v nrpe || echo /usr/sbin/nrpe)
CHECK_NRPE=/usr/lib/nagios/plugins/check_nrpe
"$NRPE" -c "$T/nrpe/nrpe.cfg" -f </dev/null >"$T/nrpe/out.log" 2>&1 &
PIDS+=($!)
nrpe_up() { "$CHECK_NRPE" -H 127.0.0.1 -p "$NRPE_PORT" -t 5 >/dev/null 2>&1; }
if ! wait_for 30 nrpe_up; then
	cat "$T/nrpe/out.log"
	fail "nrpe did not start"
else
	nrpe_expect() { # nrpe_expect PACKETS COMMAND EXIT TEXT
		local out rc=0 args=()
		[ "$1" = v2 ] && args=(-2)
		out=$("$CHECK_NRPE" "${args[@]}" -H 127.0.0.1 -p "$NRPE_PORT" -t 60 -c "$2") || rc=$?
		if [ "$rc" = "$3" ] && grep -qF -- "$4" <<<"$out" && grep -q '|' <<<"$out"; then
			ok "nrpe ($1) $2: exit $rc, ${#out} bytes, \"$4\""
		else
			fail "nrpe ($1) $2: want exit $3 with \"$4\", got exit $rc: ${out:0:300}"
		fi
		if [ "$1" = v2 ] && [ "${#out}" -gt 1023 ]; then fail "nrpe v2 $2: ${#out} bytes, over 1023"; fi
	}
	nrpe_expect v3 ubc_incident 2 "CT 204 (web1) tcpsndbuf 157% of barrier"
	nrpe_expect v2 ubc_incident 2 "'resources_critical'=1"
	nrpe_expect v2 ubc_healthy 0 "within thresholds"
	nrpe_expect v2 failcnt 0 "baseline recorded"
	nrpe_expect v2 ct_204 2 "148 runnable/blocked tasks"

	# --- contrib/sudoers.d + contrib/nrpe/vzmon-sudo.cfg, as root on this (non-OpenVZ) host --
	log "installing the plugins and the sudo rule"
	# check_ubc_failcnt through sudo keeps root's state in /var/lib/check_ubc/0.
	[ -e /var/lib/check_ubc ] || INSTALLED+=(/var/lib/check_ubc)
	for p in check_ubc check_ubc_failcnt check_vz_container; do
		if [ -e "/usr/lib/nagios/plugins/$p" ]; then
			fail "/usr/lib/nagios/plugins/$p exists already; not overwriting it"
			continue
		fi
		install -m 0755 -o root -g root "$T/plugins/$p" "/usr/lib/nagios/plugins/$p"
		INSTALLED+=("/usr/lib/nagios/plugins/$p")
	done
	install -m 0440 contrib/sudoers.d/vzmon /etc/sudoers.d/vzmon-integration
	INSTALLED+=(/etc/sudoers.d/vzmon-integration)
	if visudo -c -f /etc/sudoers.d/vzmon-integration >/dev/null; then ok "visudo accepts contrib/sudoers.d/vzmon"; else fail "visudo rejects contrib/sudoers.d/vzmon"; fi
	as_nagios() { su -s /bin/sh nagios -c "$1"; }
	rc=0
	out=$(as_nagios "sudo -n /usr/lib/nagios/plugins/check_ubc") || rc=$?
	[ "$rc" = 3 ] && grep -q "not an OpenVZ/Virtuozzo host" <<<"$out" &&
		ok "as nagios, sudo -n check_ubc runs as root: $(head -1 <<<"$out" | cut -c1-80)" ||
		fail "as nagios, sudo -n check_ubc: exit $rc: $out"
	rc=0
	out=$(as_nagios "sudo -n /usr/lib/nagios/plugins/check_ubc --root /tmp/x") || rc=$?
	[ "$rc" = 3 ] && grep -q "refusing --root" <<<"$out" &&
		ok "as nagios, sudo -n check_ubc --root /tmp/x is refused" ||
		fail "as nagios, sudo -n check_ubc --root /tmp/x: exit $rc: $out"
	rc=0
	out=$(as_nagios "sudo -n /usr/lib/nagios/plugins/check_ubc_failcnt --state-file /etc/shadow") || rc=$?
	[ "$rc" = 3 ] && grep -q "refusing --state-file" <<<"$out" &&
		ok "as nagios, sudo -n check_ubc_failcnt --state-file /etc/shadow is refused" ||
		fail "as nagios, sudo -n check_ubc_failcnt --state-file /etc/shadow: exit $rc: $out"
	rc=0
	out=$(/usr/lib/nagios/plugins/check_ubc --root "$N/incident-204") || rc=$?
	[ "$rc" = 2 ] && ok "root running --root directly works" || fail "root running --root directly: exit $rc: $out"
	rc=0
	out=$(as_nagios "sudo -n /bin/cat /etc/shadow" 2>&1) || rc=$?
	[ "$rc" != 0 ] && ok "the sudo rule allows nothing else (cat /etc/shadow refused)" || fail "the sudo rule let nagios read /etc/shadow"
	nrpe_expect v2 check_ubc 3 "not an OpenVZ/Virtuozzo host"
	nrpe_expect v2 check_ubc_failcnt 3 "not an OpenVZ/Virtuozzo host"
	nrpe_expect v2 check_vz_container_204 3 "not an OpenVZ/Virtuozzo host"
fi

bash test/cluster/run.sh || fail "the distributed setup (test/cluster/run.sh)"
log "done: $FAILS failure(s)"
[ "$FAILS" = 0 ]
