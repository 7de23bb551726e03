#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# screenshots.sh: the AppStream screenshots in data/screenshots/, from the built app.
#
#   bash build-aux/screenshots.sh [BUILD_DIR]
#
# Runs `offerdesk` under its own Xvfb on a fresh data dir filled through offerdesk-cli, and
# drives it with the keyboard shortcuts a person would use (xdotool): the offer form, the
# history, a recurring offer opened from the history, and the customer display (F11), each in
# the light and the dark style (libadwaita's ADW_DEBUG_COLOR_SCHEME).  Xvfb has no window
# manager, so the customer display is shot at its own size rather than full screen.  Needs xvfb, xdotool and
# imagemagick (build-aux/install-deps.sh installs them).

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/_build}" && pwd)
out="$root/data/screenshots"
app="$build/src/app/offerdesk"
cli="$build/src/cli/offerdesk-cli"
mkdir -p "$out"

if [ -z "${OD_SCREENSHOTS_INNER:-}" ]; then
  exec env OD_SCREENSHOTS_INNER=1 xvfb-run -a -s '-screen 0 1280x800x24' \
    dbus-run-session -- bash "$0" "$build"
fi

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export OFFERDESK_DATA_DIR="$data"
export GSETTINGS_SCHEMA_DIR="$build/data"
export GSETTINGS_BACKEND=memory
export GTK_A11Y=none

od() { "$cli" --data-dir "$data" "$@" >/dev/null; }
od setrate EUR 1650000
od -k offer amount=4.20EUR "description=Cappuccino" "issuer=Café Lumen" "label=till 1"
od -k offer amount=any "description=Tips for the team" "issuer=Café Lumen"
od -k offer amount=12000sat "description=Croissant and orange juice" "issuer=Café Lumen" quantity_max=0
od -k offer amount=3.50EUR "description=Espresso" "issuer=Café Lumen" "label=till 2"
od -k offer amount=250000sat "description=Gift card" "issuer=Café Lumen" single_use=true
od -k invoicerequest amount=8000sat "description=Refund: cold coffee, order 1142" "issuer=Café Lumen"
od -k offer amount=18.00EUR "description=Lunch menu" "issuer=Café Lumen" absolute_expiry=1893456000
od -k invoicerequest amount=50000sat "description=Payout to Ana (tips, week 47)" "issuer=Café Lumen" "label=payroll"
od -k offer amount=25000sat "description=Coffee subscription" "issuer=Café Lumen" \
  recurrence=4weeks recurrence_limit=12 "label=subscriptions"

# The main window sits at (0,0) with its saved size (no window manager under Xvfb); the
# customer display covers the screen.
shot() {
  local name=$1
  sleep 1.2
  if [ "$name" != "${name#customer}" ]; then
    # Without a window manager nothing goes full screen: take the customer window alone.
    local win
    win=$(xdotool search --name '^Customer Display$' | tail -n 1)
    import -window "$win" "$out/$name.png"
  else
    import -window root -crop 900x700+0+0 +repage "$out/$name.png"
  fi
  echo "screenshots: $out/$name.png"
}

for scheme in light dark; do
  ADW_DEBUG_COLOR_SCHEME="prefer-$scheme" "$app" &
  pid=$!
  sleep 3
  xdotool search --sync --name '^Offerdesk' >/dev/null
  shot "offer-form-$scheme"

  xdotool key ctrl+f
  shot "history-$scheme"

  xdotool type --delay 20 "Coffee subscription"
  sleep 1.5
  # A double click on the first row opens it, as a person would.
  xdotool mousemove 300 154 click --repeat 2 --delay 80 1
  sleep 0.5
  xdotool mousemove 890 690
  shot "recurring-result-$scheme"
  # The summary of what the customer sees (recurrence in words) is further down.
  xdotool mousemove 450 400 click --repeat 6 --delay 60 5
  xdotool mousemove 890 690
  shot "recurring-summary-$scheme"

  xdotool key F11
  shot "customer-display-$scheme"

  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
