#!/usr/bin/env bash
# Make sure Debian's Chromium and a font with Swedish glyphs are there for the browser tests
# (DejaVu Sans is also the font of every PDF: tools/ensure-pdf.sh).
# Installs them with apt-get when missing and we are root; otherwise says what to install.
set -euo pipefail
. "$(dirname "$0")/apt-packages.sh"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'DejaVuSans' || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
install_or_explain "browser tests need Debian packages" "${need[@]}"
