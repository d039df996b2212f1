#!/usr/bin/env bash
# The local archive (issue 15): `ascvault sync` of N reviews (default
# 100,000) against the stand-in on loopback — requests against ceil(N/200),
# and the time spent beyond the requests (wall time minus the time each
# request took, as `--verbose` reports it); a sync with nothing new (one
# request per app); and `reviews list --archive --rating 1` over the
# archive. By hand, not in CI. Rewrites only its own section of
# docs/BENCHMARKS.md.
#
#   bench/archive.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-100000}
command -v python3 >/dev/null || { echo "bench: needs python3" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release --locked --quiet --bin ascvault
cargo build --release --locked --quiet -p asc-standin --bin standin-archive --bin asc-standin

W=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT
cp "$CARGO_TARGET_DIR/release/ascvault" "$CARGO_TARGET_DIR/release/standin-archive" \
  "$CARGO_TARGET_DIR/release/asc-standin" "$W/"

"$W/standin-archive" "$N" >"$W/url" 2>"$W/standin.log" &
SERVER_PID=$!
URL=
for _ in $(seq 600); do
  URL=$(head -n1 "$W/url" 2>/dev/null || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "bench: the stand-in did not start" >&2; cat "$W/standin.log" >&2; exit 1; }
"$W/asc-standin" --port 0 --write-key "$W/AuthKey_TESTKEY001.p8" 2>/dev/null &
KEY_PID=$!
for _ in $(seq 100); do [ -s "$W/AuthKey_TESTKEY001.p8" ] && break; sleep 0.1; done
kill "$KEY_PID" 2>/dev/null || true

export ASCVAULT_VAULT=$W/vault.age ASCVAULT_PASSPHRASE="bench archive" ASCVAULT_API_BASE=$URL
"$W/ascvault" init --work-factor 10 2>/dev/null
"$W/ascvault" add api-key standin --key-id TESTKEY001 \
  --issuer-id 57246542-96fe-1a63-e053-0824d011072a \
  --private-key "$W/AuthKey_TESTKEY001.p8" >/dev/null 2>&1
APP=1234567892

timed() { # out-file, then the command; prints seconds
  local out=$1
  shift
  python3 - "$out" "$@" <<'PY'
import subprocess, sys, time
out = sys.argv[1]
t = time.perf_counter()
with open(out, "w") as f:
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=f, check=True)
print(f"{time.perf_counter() - t:.3f}")
PY
}

full=$(timed "$W/sync1.log" "$W/ascvault" --verbose sync --app "$APP")
again=$(timed "$W/sync2.log" "$W/ascvault" --verbose sync --app "$APP")
# Offline listing: best and median of 11 runs each.
listing() {
  python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(11):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(times):.0f} ms (best {min(times):.0f} ms)")
PY
}
list_json=$(listing "$W/ascvault" reviews list --archive --app "$APP" --rating 1 --json)
list_table=$(listing "$W/ascvault" reviews list --archive --app "$APP" --rating 1)
list_max=$(listing "$W/ascvault" reviews list --archive --app "$APP" --rating 1 --max 50)
stats=$(listing "$W/ascvault" reviews stats --app "$APP" --by month --json)
report=$(listing "$W/ascvault" report --app "$APP" --out "$W/report.html")
report_size=$(du -k "$W/report.html" | cut -f1)
ones=$("$W/ascvault" reviews list --archive --app "$APP" --rating 1 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
size=$(du -k "$W/vault.archive.sqlite" | cut -f1)

SECTION=$(python3 - "$N" "$full" "$again" "$W/sync1.log" "$W/sync2.log" \
  "$list_json" "$list_table" "$list_max" "$stats" "$ones" "$size" "$report" "$report_size" <<'PY'
import math, re, sys
n, full, again, log1, log2, lj, lt, lm, st, ones, size, rp, rps = sys.argv[1:14]
n = int(n)
def requests(path):
    ms = [int(m) for m in re.findall(r"customerReviews → 200 \((\d+) ms\)", open(path).read())]
    return len(ms), sum(ms) / 1000
r1, t1 = requests(log1)
r2, t2 = requests(log2)
full, again = float(full), float(again)
print(f"""## Archive: `sync` of {n:,} reviews, `reviews list --archive` (issue 15)

Kept by `bench/archive.sh` (run `bench/archive.sh [N]`; it rewrites only this section). The stand-in on
loopback serves {n:,} reviews of one app (`standin-archive`), release builds, the machine above.

| what | figure | target |
| --- | --- | --- |
| first `sync` (empty archive): review requests | {r1} | ceil(N/200) = {math.ceil(n / 200)} |
| first `sync`: wall time | {full:.2f} s | |
| first `sync`: time in the requests (sum of `--verbose` request times) | {t1:.2f} s | |
| first `sync`: beyond the requests (archive, decoding, process start, unlock) | {full - t1:.2f} s | < 10 s |
| `sync` with nothing new: review requests | {r2} | 1 per app |
| `sync` with nothing new: wall time | {again:.3f} s | |
| `reviews list --archive --rating 1 --json` ({int(ones):,} rows) | {lj} | < 100 ms |
| `reviews list --archive --rating 1` (table) | {lt} | |
| `reviews list --archive --rating 1 --max 50` | {lm} | |
| `reviews stats --by month --json` | {st} | |
| `report` (every section; the reviews' flags already kept) | {rp} | |
| `report`'s file | {int(rps)} KiB | |
| archive size | {int(size) / 1024:.1f} MiB | |
""")
PY
)
python3 - "$ROOT/docs/BENCHMARKS.md" "$SECTION" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip("\n") + "\n"
text = open(path).read()
head = "## Archive: "
start = text.find(head)
if start < 0:
    text = text.rstrip("\n") + "\n\n" + section
else:
    end = text.find("\n## ", start + 1)
    text = text[:start] + section + ("" if end < 0 else "\n" + text[end + 1:])
open(path, "w").write(text)
PY
echo "$SECTION"
