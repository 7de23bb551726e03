#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# install-deps.sh: install everything Offerdesk needs to build, test, fuzz and benchmark on
# Debian 12 (bookworm).  Safe to run again: apt-get install is a no-op for what is already there.
#
#   bash build-aux/install-deps.sh
#
# Root runs apt-get directly; anyone else goes through sudo.  flatpak / flatpak-builder are left
# out on purpose: they pull in xdg-desktop-portal, which makes noise in the GUI tests.
#
# OFFERDESK_SKIP_DEPS=1 skips the whole step (for a developer loop on a machine already set up).

set -euo pipefail

if [ "${OFFERDESK_SKIP_DEPS:-0}" = 1 ]; then
  echo "install-deps: OFFERDESK_SKIP_DEPS=1, skipping"
  exit 0
fi

# Build tools and libraries (toolchain-notes §1), the pieces test runs use (Xvfb, D-Bus, AT-SPI,
# screenshots and QR decoding), and clang with its runtimes for libFuzzer and the sanitizers.
packages=(
  # compilers and build
  meson ninja-build pkg-config gcc libc6-dev
  clang libclang-rt-14-dev llvm
  # libraries
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev libqrencode-dev
  libsecp256k1-dev libsqlite3-dev libjson-glib-dev libsoup-3.0-dev libsecret-1-dev
  # TLS for GIO (the CLNRest backend) and the test node's self-signed certificate
  glib-networking openssl
  # data files and translations
  gettext desktop-file-utils appstream locales
  # headless GUI tests
  xvfb xauth dbus-daemon dbus-bin at-spi2-core python3 python3-gi python3-pyatspi xdotool
  imagemagick zbar-tools fonts-dejavu-core adwaita-icon-theme hicolor-icon-theme
  gsettings-desktop-schemas libgl1-mesa-dri libegl1
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not root and sudo is missing; install as root: ${packages[*]}" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt (a colleague, unattended-upgrades) may hold the lock for a while: wait for it.
apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

all_installed() {
  local p status
  for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    case "$status" in
      ii*) ;;
      *) return 1 ;;
    esac
  done
  return 0
}

# The German and Spanish locales the translation tests (tests/test-app-i18n.c) and German
# screenshots run in; Debian's locales package ships none compiled.
make_locales() {
  local l
  for l in de_DE es_ES; do
    if ! locale -a 2>/dev/null | grep -qix "$l.utf-\?8"; then
      "${SUDO[@]}" localedef -i "$l" -f UTF-8 "$l.UTF-8"
    fi
  done
}

if ! "${SUDO[@]}" apt-get "${apt_opts[@]}" update -q; then
  if all_installed; then
    echo "install-deps: apt-get update failed, but every package is already installed" >&2
    make_locales
    exit 0
  fi
  echo "install-deps: apt-get update failed" >&2
  exit 1
fi

# --no-install-recommends keeps the install small; everything a build or a test run needs is
# named above (libc6-dev, for instance, is only a Recommends of gcc).
"${SUDO[@]}" apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${packages[@]}"
make_locales

echo "install-deps: done"
