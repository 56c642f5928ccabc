#!/usr/bin/env bash
# Make sure the Debian libraries WeasyPrint (the service's one PDF library, mdk.documents.pdf)
# loads are there: Pango with its FreeType backend, HarfBuzz's subsetter (a missing one is a
# warning today and an error in later WeasyPrint), and DejaVu Sans, the font of every PDF.
# `make run` needs them (the demo data has PDFs), the tests too. Installs them with apt-get
# when missing and we are root; otherwise says what to install.
set -euo pipefail
. "$(dirname "$0")/apt-packages.sh"
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
libraries=$("$ldconfig" -p 2>/dev/null || true)
need=()
has() { grep -qF "$1" <<<"$libraries"; }
has libpango-1.0.so.0 || need+=(libpango-1.0-0)
has libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
has libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
install_or_explain "PDFs (WeasyPrint) need Debian packages" "${need[@]}"
