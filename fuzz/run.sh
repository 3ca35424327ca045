#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after the other, growing the
# corpora in corpus/<target>/; crashes land in artifacts/<target>/. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); builds on the stable toolchain (no sanitizer: gapmap is
# `forbid(unsafe_code)`, so the fuzzers hunt panics, aborts, hangs and memory blow-ups).
#   fuzz/run.sh 600            # ten minutes per target
#   fuzz/run.sh 10 bdc_csv     # ten seconds, one target
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(bdc_csv bdc_zip acs_table geojson_boundaries shapefile_boundaries price_tables config)
fi
status=0
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  echo "== $target: ${seconds} s"
  cargo fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=100000 -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 || status=1
done
exit "$status"
