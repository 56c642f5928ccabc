#!/usr/bin/env bash
# Make sure Debian's Chromium and a font with Swedish glyphs are there for the browser tests
# (DejaVu Sans is also the font of every PDF: tools/ensure-pdf.sh).
# Installs them with apt-get when missing and we are root; otherwise says what to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'DejaVuSans' || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "browser tests need Debian packages: sudo apt-get install ${need[*]}" >&2
exit 1
