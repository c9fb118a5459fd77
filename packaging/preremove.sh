#!/bin/sh
# vzmon pre-remove: rpm %preun ($1: 0 erase, 1 upgrade) and deb prerm.
# On erase the state goes (the users' directories below /var/lib/check_ubc),
# so that rpm can remove the directory it owns; deb keeps it until purge.
set -e
case "${1:-}" in
0) [ ! -d /var/lib/check_ubc ] || find /var/lib/check_ubc -mindepth 1 -delete ;;
esac
exit 0
