#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (test/e2e/): playwright-core
# drives /usr/bin/chromium headless; no browser is downloaded by npm.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# fonts-noto-cjk: the Japanese pages and their screenshots need a CJK font.
apt-get install -y --no-install-recommends chromium fonts-noto-cjk
