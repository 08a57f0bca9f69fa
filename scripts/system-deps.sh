#!/usr/bin/env bash
# System packages the test suite needs that pip cannot provide: Debian's chromium (driven headless by
# Playwright in tests/test_browser.py; never a browser download), a CJK font so that Chinese labels render, and
# Virtuoso for the remote-backend tests.
# Idempotent and quiet: installs only what is missing, and only when running as root with apt-get.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qiE "wqy|noto sans cjk|noto serif cjk" || missing+=(fonts-wqy-microhei)
# Virtuoso 7 (tests/test_virtuoso.py starts private instances on loopback; the system service is never used)
{ [ -x /usr/bin/virtuoso-t ] && [ -x /usr/bin/isql-vt ]; } || missing+=(virtuoso-opensource)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-deps: missing ${missing[*]}; install them (apt-get install ${missing[*]}) for the browser tests." >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Never let a package start its system service while installing: Debian's Virtuoso service would listen on
# 0.0.0.0 with the default dba/dba account. Tests start private instances on loopback instead.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
fi
trap 'if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi' EXIT
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
