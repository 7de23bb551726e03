#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# screenshots.sh: the AppStream / issue screenshots, in data/screenshots/, light and dark:
#   offer-form-{light,dark}.png        the New Offer page, filled in
#   history-{light,dark}.png           the History page with ~15 offers and requests
#   recurring-result-{light,dark}.png  a recurring offer (every 4 weeks, 13 payments) from History
#   recurring-summary-{light,dark}.png the same, scrolled down to the recurrence in words
#   customer-display-{light,dark}.png  the customer display (F11) of that offer
#
#   bash build-aux/screenshots.sh
#
# Builds BUILD_DIR (default _build) if needed, fills a throw-away data dir through offerdesk-cli,
# and drives the real app on its own 1280x800 Xvfb with a private D-Bus session, by AT-SPI and
# xdotool key presses (tests/e2e/make-screenshots.py).  Each PNG is cropped to its window.
# OUT_DIR (default data/screenshots) picks the output dir.  Needs xvfb-run, dbus-run-session,
# xdotool, ImageMagick's import, python3-pyatspi (build-aux/install-deps.sh installs them).

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-_build}
out=${OUT_DIR:-$root/data/screenshots}

if [ -f "$build/meson-private/coredata.dat" ]; then
  meson setup --reconfigure "$build" >/dev/null
else
  meson setup "$build" >/dev/null
fi
meson compile -C "$build" >/dev/null

for tool in xvfb-run dbus-run-session xdotool import; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing" >&2; exit 1; }
done
/usr/bin/python3 -c 'import pyatspi' 2>/dev/null \
  || { echo "screenshots: /usr/bin/python3 cannot import pyatspi (python3-pyatspi)" >&2; exit 1; }

mkdir -p "$out"
# No GTK_A11Y=none: the driver needs AT-SPI.  Debian's python3, not a pyenv one.
xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
  /usr/bin/python3 "$root/tests/e2e/make-screenshots.py" \
    "$root/$build/src/app/offerdesk" "$root/$build/src/cli/offerdesk-cli" \
    "$root/$build/data" "$out" \
  2> >(grep -v -e 'Screen coordinates not supported' -e '^$' -e 'dbus-daemon' \
         -e 'SpiRegistry daemon' >&2)
ls -l "$out"/*.png
