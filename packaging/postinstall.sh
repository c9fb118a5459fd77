#!/bin/sh
# vzmon post-install: rpm %post ($1: 1 install, 2 upgrade) and deb postinst
# (configure, abort-*). scripts/package.sh fills in @PLUGINDIR@ and
# @MIN_KERNEL@.
#
# The plugins read /proc/user_beancounters and /proc/bc, which only root
# may read, as the monitoring user (nrpe, icinga, nagios) through file
# capabilities. They are set here, on every install and upgrade: a
# replaced file loses its extended attributes. Where setcap cannot work
# (no setcap, a filesystem without security.capability) this warns and
# goes on: the sudo rule in /etc/sudoers.d/vzmon is the alternative.
set -e
plugindir=@PLUGINDIR@
statedir=/var/lib/check_ubc
caps=cap_dac_override,cap_dac_read_search+ep

failed=
for p in check_ubc check_ubc_failcnt check_vz_container; do
	if ! command -v setcap >/dev/null 2>&1; then
		failed="$failed $p"
	elif ! err=$(setcap "$caps" "$plugindir/$p" 2>&1); then
		echo "vzmon: setcap $caps $plugindir/$p: $err" >&2
		failed="$failed $p"
	fi
done
if [ -n "$failed" ]; then
	echo "vzmon: WARNING: could not set file capabilities on:$failed" >&2
	echo "vzmon: without them only root can run the plugins on an OpenVZ node. Run" >&2
	echo "vzmon:   setcap $caps $plugindir/<plugin>" >&2
	echo "vzmon: on a filesystem that stores security.capability, or enable the sudo" >&2
	echo "vzmon: rule in /etc/sudoers.d/vzmon (see /usr/share/doc/vzmon/README.md)." >&2
fi

# Each user's state is in its own directory below this one, which must be
# root's and writable by root alone; before the per-user directories the
# README made it the monitoring user's.
if [ -d "$statedir" ] && [ ! -L "$statedir" ] && [ "$(stat -c %u "$statedir")" != 0 ]; then
	chown root:root "$statedir" && chmod 0755 "$statedir"
fi

# A build with a Go newer than 1.23 needs Linux 3.2 (EL7 and later).
min=@MIN_KERNEL@
if [ -n "$min" ]; then
	release=$(uname -r)
	major=${release%%.*}
	minor=${release#*.}
	minor=${minor%%[!0-9]*}
	if [ "$major" -lt "${min%%.*}" ] || { [ "$major" -eq "${min%%.*}" ] && [ "${minor:-0}" -lt "${min#*.}" ]; }; then
		echo "vzmon: WARNING: this build needs Linux $min or later; this kernel is $release." >&2
		echo "vzmon: On OpenVZ 6 (EL6, 2.6.32) install the .el6 package instead." >&2
	fi
fi
exit 0
