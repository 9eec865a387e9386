#!/usr/bin/env bash
# The browser test: builds the sample corpus plus the hostile-text fixture
# with the debug binary, serves it on a free port, and runs e2e.mjs in
# headless Chromium. Screenshots go to ${CI_ARTIFACTS:-target/ci-artifacts}/browser/.
#
# Needs: the debug binary (cargo build; or YSTORFA_BIN), /usr/bin/chromium
# (or CHROMIUM), node >= 20 and `npm ci --prefix tests/browser`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

bin="${YSTORFA_BIN:-${CARGO_TARGET_DIR:-target}/debug/ystorfa}"
shots="${CI_ARTIFACTS:-target/ci-artifacts}/browser"
if [ ! -x "$bin" ]; then
  echo "error: no ystorfa binary at $bin (run cargo build, or set YSTORFA_BIN)" >&2
  exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "error: playwright-core is not installed: npm ci --prefix tests/browser" >&2
  exit 1
fi

tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

node "$here/fixture.mjs" "$tmp/hostile"
"$bin" build corpus "$tmp/hostile" --out "$tmp/out" -q

"$bin" serve --out "$tmp/out" --bind 127.0.0.1:0 2>"$tmp/serve.log" &
server=$!
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$tmp/serve.log")"
  [ -n "$url" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "error: ystorfa serve exited:" >&2
    cat "$tmp/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "error: ystorfa serve did not say 'listening on' within 30 s:" >&2
  cat "$tmp/serve.log" >&2
  exit 1
fi

rm -rf "$shots"
mkdir -p "$shots"
status=0
node --test-reporter=spec "$here/e2e.mjs" "$url" "$shots" || status=$?
echo "screenshots: $shots/"
if [ "$status" -ne 0 ]; then
  echo "server log:" >&2
  cat "$tmp/serve.log" >&2
fi
exit "$status"
