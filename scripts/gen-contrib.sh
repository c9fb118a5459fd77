#!/bin/sh
# Regenerates the files of contrib/icinga2 that come from the plugins' own
# flags: commands.conf (each plugin's --dump-icinga2-config), commands.md,
# templates.conf and director-basket.json. cmd/contrib_test.go fails when
# one is stale.
set -eu
cd "$(dirname "$0")/.."
go run ./tools/gencontrib
