#!/usr/bin/env bash
# Run one libFuzzer target of the extractor for a bounded time, on STABLE
# Rust: cargo-fuzz needs nightly-only rustc flags (-Zsanitizer=address),
# which RUSTC_BOOTSTRAP=1 allows on a stable toolchain.
#
#   fuzz/run.sh [TARGET] [SECONDS]     (default: extract_pdf 60)
#
# Targets: extract_pdf, extract_docx, content_stream, to_unicode_cmap
# (fuzz/fuzz_targets/).
# New interesting inputs go to fuzz/corpus/TARGET (kept between runs, not
# committed); seeds are copied at run time into a temporary folder from
# fuzz/seeds/TARGET and, for extract_pdf, the smallest fictional PDFs in
# corpus/. A crash, hang (-timeout) or memory blow-up (-rss_limit_mb) is
# saved under fuzz/artifacts/TARGET/ and the script exits 1 after printing
# how to reproduce it. Environment: FUZZ_SANITIZER (address or none;
# default address when the toolchain ships the ASan runtime), FUZZ_ARGS
# (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-extract_pdf}
seconds=${2:-60}
[ -f "fuzz/fuzz_targets/$target.rs" ] || { echo "fuzz/run.sh: no target $target" >&2; exit 2; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked --version 0.13.2
fi

sysroot=$(rustc --print sysroot)
host=$(rustc -vV | sed -n 's/^host: //p')
if [ -z "${FUZZ_SANITIZER:-}" ]; then
  if ls "$sysroot/lib/rustlib/$host/lib/"librustc-*_rt.asan.a >/dev/null 2>&1; then
    FUZZ_SANITIZER=address
  else
    FUZZ_SANITIZER=none
  fi
fi
export RUSTC_BOOTSTRAP=1
# Release build with debug assertions and overflow checks (-a), as a
# debug build would check, at release speed. It goes to
# TARGET_DIR/x86_64-unknown-linux-gnu/, apart from the normal builds.
flags=(-O -a -s "$FUZZ_SANITIZER")

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
cp fuzz/seeds/"$target"/* "$seeds"/ 2>/dev/null || true
if [ "$target" = extract_pdf ]; then
  # The three smallest fictional PDFs of the sample corpus.
  ls -S corpus/*.pdf | tail -n 3 | while read -r f; do cp "$f" "$seeds/"; done
fi
mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
# libFuzzer caps input length at the largest seed by default: the small
# targets' seeds are a few hundred bytes, too short to explore with.
max_len=()
[ "$target" = extract_pdf ] || max_len=(-max_len=8192)

echo "fuzz/run.sh: building $target (sanitizer: $FUZZ_SANITIZER)" >&2
cargo fuzz build "${flags[@]}" "$target"

echo "fuzz/run.sh: fuzzing $target for ${seconds}s" >&2
log=$(mktemp)
# The full output goes to the log; the terminal gets it without the
# per-input NEW/REDUCE lines.
set +e +o pipefail
# shellcheck disable=SC2086
cargo fuzz run "${flags[@]}" "$target" "fuzz/corpus/$target" "$seeds" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "${max_len[@]}" ${FUZZ_ARGS:-} 2>&1 |
  tee "$log" | grep --line-buffered -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)'
status=${PIPESTATUS[0]}
set -e -o pipefail
artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
rm -f "$log"
if [ "$status" -ne 0 ] || [ -n "$artifact" ]; then
  cat >&2 <<EOF

################################################################################
fuzz/run.sh: WARNING: the $target fuzzer found a problem (exit $status).
  artefact:  ${artifact:-(none written; see the output above)}
  reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run ${flags[*]} $target ${artifact:-ARTEFACT}
  minimise:  RUSTC_BOOTSTRAP=1 cargo fuzz tmin ${flags[*]} $target ${artifact:-ARTEFACT}
  then add the input as a regression test (README.md, "Fuzzing").
################################################################################
EOF
  exit 1
fi
echo "fuzz/run.sh: $target: no crash, hang or memory blow-up in ${seconds}s" >&2
