#!/usr/bin/env bash
# Review paging (issue 6; issue 3's target): how many requests
# `ascvault reviews list` issues for N reviews, against ceil(N/200) (Apple's
# page limit is 200), and whether `--since` stops before asking for a page
# that starts past the cut-off. Runs against the stand-in App Store Connect
# on loopback (450 reviews for Pocket Notes, one every 4 hours back from
# 2026-11-01T12:00Z), counting requests from its log (/_standin/requests).
# By hand, not in CI. Rewrites only its own section of docs/BENCHMARKS.md.
#
#   bench/reviews.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
command -v curl >/dev/null || { echo "bench: needs curl" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: needs python3" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release --locked --quiet --bin ascvault
cargo build --release --locked --quiet -p asc-standin --bin asc-standin

W=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT
# Private copies: a shared target directory may be rebuilt under our feet.
cp "$CARGO_TARGET_DIR/release/ascvault" "$CARGO_TARGET_DIR/release/asc-standin" "$W/"

"$W/asc-standin" --port 0 --print-key >"$W/AuthKey_TESTKEY001.p8" 2>"$W/standin.log" &
SERVER_PID=$!
URL=
for _ in $(seq 100); do
  URL=$(sed -n 's/^asc-standin: serving .* at \(http[^ ]*\)$/\1/p' "$W/standin.log")
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "bench: the stand-in did not start" >&2; cat "$W/standin.log" >&2; exit 1; }

export ASCVAULT_VAULT=$W/vault.age ASCVAULT_PASSPHRASE="bench reviews" ASCVAULT_API_BASE=$URL
"$W/ascvault" init --work-factor 10 2>/dev/null
"$W/ascvault" add api-key standin --key-id TESTKEY001 \
  --issuer-id 57246542-96fe-1a63-e053-0824d011072a \
  --private-key "$W/AuthKey_TESTKEY001.p8" >/dev/null 2>&1

APP=1234567890
# Review i (newest first) was written NEWEST - 4h * i; a --since at review i
# keeps reviews 0..=i.
since_at() { python3 -c "
import datetime, sys
t = datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.timezone.utc) - datetime.timedelta(hours=4 * int(sys.argv[1]))
print(t.strftime('%Y-%m-%dT%H:%M:%SZ'))" "$1"; }

: >"$W/results"
run() { # name, then ascvault's reviews list options
  local name=$1
  shift
  local before after
  before=$(curl -fsS "$URL/_standin/requests")
  "$W/ascvault" reviews list --app "$APP" --json "$@" >"$W/out.json"
  after=$(curl -fsS "$URL/_standin/requests")
  python3 - "$name" "$W/out.json" "$before" "$after" "$*" >>"$W/results" <<'PY'
import json, sys
name, out, before, after, args = sys.argv[1:6]
rows = json.load(open(out))
new = json.loads(after)[len(json.loads(before)):]
pages = [r for r in new if r["path"].endswith("/customerReviews")]
print(json.dumps({"name": name, "args": args, "reviews": len(rows),
                  "requests": len(pages), "queries": [r["query"] for r in pages]}))
PY
}

run "\`--max 50\`" --max 50
run "\`--max 200\`" --max 200
run "\`--max 201\`" --max 201
run "\`--max 400\`" --max 400
run "all"
run "\`--since\` at review 100 (mid page 1)" --since "$(since_at 100)"
run "\`--since\` at review 300 (mid page 2)" --since "$(since_at 300)"
run "\`--since\` at review 199 (last of page 1)" --since "$(since_at 199)"
run "\`--since\` at review 200 (first of page 2)" --since "$(since_at 200)"

echo "== writing docs/BENCHMARKS.md"
python3 - "$W/results" <<'PY'
import json, math, platform, subprocess, sys, datetime
results = [json.loads(l) for l in open(sys.argv[1])]
def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip() or "?"
lines = []
add = lines.append
add("## Review paging")
add("")
cpu = sh("lscpu | sed -n 's/^Model name: *//p'")
add(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/reviews.sh` "
    f"on {sh('nproc')} × {cpu}, {platform.system()}: "
    "`ascvault reviews list --app 1234567890 --json` against the stand-in App Store Connect on loopback "
    "(450 reviews, one every 4 hours, newest first), counting the requests in the stand-in's log. "
    "Target (issue 3): ceil(N/200) requests for N reviews, and none for a page that starts past `--since`. "
    "`tests/asc/reviews.rs` pins the count for one case on every `cargo test` "
    "(`since_stops_paging_at_the_cutoff_without_wasted_requests`: cut-off at review 300, 2 requests).")
add("")
add("| N reviews returned | how | requests | target ceil(N/200) | pages asked past `--since` | `limit` asked | met |")
add("|---:|---|---:|---:|---:|---|---|")
def limits(r):
    # The page size of each request, from its query (or its `next` link).
    out = []
    for q in r["queries"]:
        q = q or ""
        lim = [p.split("=", 1)[1] for p in q.split("&") if p.startswith("limit=")]
        out.append(lim[0] if lim else "?")
    return ", ".join(out)
missed = 0
for r in results:
    n, req = r["reviews"], r["requests"]
    target = max(1, math.ceil(n / 200))
    past = 0
    if "--since" in r["args"]:
        # Page k (0-based) starts at review 200k; one starting at or past N
        # holds only reviews older than the cut-off.
        past = sum(1 for k in range(req) if 200 * k >= n)
    ok = req <= target and past == 0
    missed += not ok
    add(f"| {n} | {r['name']} | {req} | {target} | "
        f"{past if '--since' in r['args'] else '–'} | {limits(r)} | {'yes' if ok else '**no**'} |")
add("")
add("Every case met the target." if missed == 0 else f"{missed} case(s) missed the target.")
add("")
add("A cut-off that falls exactly on the last review of a full page costs one request more "
    "than ceil(N/200): the page's last review is not older than `--since`, and Apple's "
    "`customerReviews` takes no date filter, so only the next page can show that the "
    "older reviews have begun. Paging stops at the first page that holds an older review, "
    "so that is the only case that asks past the cut-off, and by one page at most.")
section = "\n".join(lines)
begin, end = "<!-- bench/reviews.sh: begin -->", "<!-- bench/reviews.sh: end -->"
old = open("docs/BENCHMARKS.md").read()
if begin in old and end in old:
    before, rest = old.split(begin, 1)
    new = before + begin + "\n" + section + "\n" + end + rest.split(end, 1)[1]
else:
    new = old.rstrip("\n") + "\n\n" + begin + "\n" + section + "\n" + end + "\n"
open("docs/BENCHMARKS.md", "w").write(new)
print(section)
for r in results:
    print(json.dumps(r), file=sys.stderr)
PY
