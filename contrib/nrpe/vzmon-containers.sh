#!/bin/sh
# vzmon-containers.sh [PREFIX]: prints one NRPE command per container of
# this node (from check_ubc --list), for a file in nrpe.d:
#   sh vzmon-containers.sh > /etc/nrpe.d/vzmon-containers.cfg
# Run it as root, and again when containers come and go. PREFIX goes in
# front of each command line: "/usr/bin/sudo -n" with vzmon-sudo.cfg.
set -e
dir=/usr/lib/nagios/plugins
ids=$("$dir/check_ubc" --list | sed -n 's/^ *"id": "\([^"]*\)",$/\1/p')
for ct in $ids; do
	echo "command[check_vz_container_$ct]=${1:+$1 }$dir/check_vz_container --ctid $ct --max-output 1023"
done
