#!/usr/bin/env bash
# Installs Dovecot's IMAP server for the IMAP ingestion tests (test/ingest/imap.test.ts).
# The tests start their own throwaway instance on a random local port; the system service is
# not needed, so it is stopped right after the install where the package started it.
set -euo pipefail
if command -v dovecot >/dev/null 2>&1 && [ -x /usr/lib/dovecot/imap ]; then
  echo "dovecot-imapd already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends dovecot-imapd
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dovecot 2>/dev/null; then
  systemctl stop dovecot || true
fi
