#!/usr/bin/env bash
# Benchmark of `ascvault metrics download` (by hand, not in CI).
#
# Serves a generated analytics report of SIZE_MIB MiB (uncompressed) in
# SEGMENTS gzip segments from the stand-in on loopback, then measures, on
# the same segments:
#   1. curl -s URL | gzip -dc > /dev/null, one segment after another;
#   2. ascvault metrics download --stdout > /dev/null (streamed, one at a time);
#   3. ascvault metrics download --out DIR --jobs JOBS (parallel, to files);
# each under /usr/bin/time -v (wall time, peak RSS). Prints a Markdown table.
#
# Usage: bench/metrics.sh [SIZE_MIB] [SEGMENTS] [JOBS]   (defaults 1024 8 4)
set -euo pipefail

SIZE_MIB=${1:-1024}
SEGMENTS=${2:-8}
JOBS=${3:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

cd "$ROOT"
cargo build --release --quiet -p ascvault --bin ascvault
cargo build --release --quiet -p asc-standin --bin standin-bench

WORK=$(mktemp -d)
# Copies, so a concurrent build cannot swap the binaries mid-run.
cp "$CARGO_TARGET_DIR/release/ascvault" "$CARGO_TARGET_DIR/release/standin-bench" "$WORK/"
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/segments"
"$WORK/standin-bench" "$WORK/segments" "$SIZE_MIB" "$SEGMENTS" >"$WORK/url" 2>"$WORK/server.log" &
SERVER_PID=$!
echo "generating $SIZE_MIB MiB in $SEGMENTS segments…" >&2
until [ -s "$WORK/url" ]; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 1
done
URL=$(cat "$WORK/url")
cat "$WORK/server.log" >&2

export ASCVAULT_VAULT="$WORK/bench.age" ASCVAULT_PASSPHRASE=bench ASCVAULT_API_BASE="$URL"
"$WORK/ascvault" init --work-factor 10 2>/dev/null
"$WORK/ascvault" add api-key bench --key-id TESTKEY001 \
    --issuer-id 57246542-96fe-1a63-e053-0824d011072a \
    --private-key "$ROOT/fixtures/keys/AuthKey_TESTKEY001.p8" >/dev/null 2>&1

APP=1234567890
REPORT="Benchmark Report"
COMPRESSED=$(du -cb "$WORK"/segments/*.tsv.gz | tail -1 | cut -f1)

# measure NAME COMMAND…: runs under /usr/bin/time -v, prints "seconds kib".
measure() {
    local name=$1
    shift
    /usr/bin/time -v -o "$WORK/time.$name" "$@"
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.$name")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.$name")
    # h:mm:ss or m:ss.ss to seconds
    echo "$wall" | awk -F: -v rss="$rss" '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f %d\n", s, rss }'
}

URLS=()
for f in "$WORK"/segments/*.tsv.gz; do
    id=$(basename "$f" .tsv.gz)
    URLS+=("$URL/analytics-segments/$id")
done
printf '%s\n' "${URLS[@]}" >"$WORK/urls"

sync
read -r CURL_S CURL_KIB < <(measure curl bash -c \
    'while read -r u; do curl -s "$u" | gzip -dc > /dev/null; done < "$1"' _ "$WORK/urls")
read -r STDOUT_S STDOUT_KIB < <(measure stdout bash -c \
    '"$1" metrics download --app "$2" --report "$3" --stdout > /dev/null' _ "$WORK/ascvault" "$APP" "$REPORT")
read -r OUT_S OUT_KIB < <(measure out bash -c \
    '"$1" metrics download --app "$2" --report "$3" --out "$4" --jobs "$5" > /dev/null' \
    _ "$WORK/ascvault" "$APP" "$REPORT" "$WORK/out" "$JOBS")
WRITTEN=$(du -cb "$WORK"/out/benchmark-report/*.tsv | tail -1 | cut -f1)
rm -rf "$WORK/out"

mib() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }
UNCOMPRESSED=$WRITTEN

cat <<EOF
Report: $SIZE_MIB MiB uncompressed ($UNCOMPRESSED bytes), $SEGMENTS segments, $COMPRESSED bytes compressed.
Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr).

| run | wall (s) | MiB/s (uncompressed) | × curl\|gzip | peak RSS (MiB) |
| --- | ---: | ---: | ---: | ---: |
| curl -s URL \| gzip -dc > /dev/null, one after another | $CURL_S | $(mib "$UNCOMPRESSED" "$CURL_S") | 1.00 | $((CURL_KIB / 1024)) (largest process) |
| ascvault metrics download --stdout > /dev/null | $STDOUT_S | $(mib "$UNCOMPRESSED" "$STDOUT_S") | $(ratio "$STDOUT_S" "$CURL_S") | $((STDOUT_KIB / 1024)) |
| ascvault metrics download --out DIR --jobs $JOBS | $OUT_S | $(mib "$UNCOMPRESSED" "$OUT_S") | $(ratio "$OUT_S" "$CURL_S") | $((OUT_KIB / 1024)) |
EOF
