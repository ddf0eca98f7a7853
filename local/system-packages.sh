#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing: PostgreSQL server binaries, and with
# the argument `browser` Debian's Chromium for the SPA's browser tests (never a downloaded browser build), with
# `valgrind` Valgrind, which make bench uses to count the instructions of a cold import.
set -euo pipefail
missing=()
if [ "${1:-}" = browser ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
elif [ "${1:-}" = valgrind ]; then
  [ -x /usr/bin/valgrind ] || missing+=(valgrind)
elif ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (install them with apt-get as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts a cluster of its own on install; the project never uses it.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for c in /etc/postgresql/*/main; do [ -d "$c" ] && pg_ctlcluster "$(basename "$(dirname "$c")")" main stop || true; done
fi
