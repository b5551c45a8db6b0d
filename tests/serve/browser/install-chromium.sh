#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; install it when it is missing (needs root, as CI has).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "error: /usr/bin/chromium is missing; install Debian's chromium package (apt-get install chromium) as root" >&2
    exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
