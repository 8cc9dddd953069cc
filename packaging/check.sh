#!/usr/bin/env bash
# Packaging check (CI, after the tests): the .deb of the debug binary the
# tests already built installs with dpkg, its systemd unit passes
# `systemd-analyze verify` (no running systemd needed), and the installed
# binary runs. Removes the package again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
  log "installing systemd (for systemd-analyze)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq systemd >/dev/null
fi
if ! cargo deb --version >/dev/null 2>&1; then
  log "installing cargo-deb"
  cargo install cargo-deb --locked
fi

log "packaging the debug binary"
# The tests built it; build it only when run on its own.
[ -x target/debug/ringbridge ] || cargo build -p ringbridge
rm -f target/debian/ringbridge_*.deb
# cargo-deb warns that it is meant for release profiles; a release build
# here would cost CI several minutes for a binary no test runs.
cargo deb -p ringbridge --profile dev --no-build --no-strip --fast
deb=$(ls target/debian/ringbridge_*.deb)

log "installing $deb"
dpkg -i "$deb"
trap 'dpkg --purge ringbridge >/dev/null' EXIT

log "checking the installed unit and binary"
systemd-analyze verify /lib/systemd/system/ringbridge.service
/usr/bin/ringbridge --version
/usr/bin/ringbridge doctor --help >/dev/null
/usr/bin/ringbridge migrate --help | grep -q -- --check
test -f /etc/ringbridge/ringbridge.toml
echo "packaging ok"
