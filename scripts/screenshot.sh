#!/usr/bin/env bash
# Screenshot an HTML report offline (dead proxy: any network fetch fails) with headless Chromium.
#   scripts/screenshot.sh outputs/unit_economics/streaming_margin.html shot.png [height]
set -euo pipefail
html=$(realpath "$1"); out=$(realpath -m "$2"); height=${3:-4000}
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --proxy-server=http://127.0.0.1:9 --user-data-dir="$(mktemp -d)" \
  --hide-scrollbars --window-size=1100,"$height" --virtual-time-budget=8000 --screenshot="$out" "file://$html" \
  2>/dev/null
