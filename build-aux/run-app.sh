#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-app.sh: install what is missing, build, and launch Offerdesk from the build tree on its
# embedded default (a local signing key and a local history in the data dir).
#
#   bash build-aux/run-app.sh [offerdesk arguments…]
#
# BUILD_DIR (default _build) picks the build dir; OFFERDESK_DATA_DIR, when set, the data dir.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-_build}

bash build-aux/install-deps.sh

if [ -f "$build/meson-private/coredata.dat" ]; then
  meson setup --reconfigure "$build" >/dev/null
else
  meson setup "$build"
fi
meson compile -C "$build"

# The settings schema is compiled into the build dir, not installed.
export GSETTINGS_SCHEMA_DIR="$root/$build/data"
exec "$root/$build/src/app/offerdesk" "$@"
