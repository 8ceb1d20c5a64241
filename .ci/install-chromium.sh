#!/usr/bin/env bash
# Installs Debian's chromium for the headless-browser report test; a no-op when it is already there.
# Playwright never downloads a browser here (no network beyond the package registries), so we use the distro one.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# A font package is named explicitly so chart and table text never renders as empty boxes.
$SUDO apt-get install -y chromium fonts-dejavu-core

if [ ! -x /usr/bin/chromium ]; then
  echo "install-chromium: apt-get finished but /usr/bin/chromium is still missing" >&2
  exit 1
fi
