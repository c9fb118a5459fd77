#!/bin/sh
# vzmon post-remove: rpm %postun ($1: 0 erase, 1 upgrade) and deb postrm
# (remove, purge, upgrade, ...). Erase (rpm) and purge (deb) remove the
# state directory; a plain dpkg --remove keeps it, as Debian keeps data
# until purge.
set -e
case "${1:-}" in
0 | purge) rm -rf /var/lib/check_ubc ;;
esac
exit 0
