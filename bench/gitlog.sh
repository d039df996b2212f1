#!/usr/bin/env bash
# `git log -p` over a vault's history against `ascvault list` (issue 13 §5):
# with the fingerprint key inside the vault (format 1.1) each side of a diff
# costs one scrypt run, so `git log -p` over 10 commits should cost about
# what 20 `list` do. Also times the same history written as 1.0 files (no
# key: two runs a side) and `git log -p` without a passphrase (no KDF at
# all: git's own cost).
#
# By hand, never by CI: at work factor 18 it takes a few minutes. Uses
# hyperfine when installed, else repeated runs timed here (median wall time,
# mean CPU time). Rewrites only its own section of docs/BENCHMARKS.md.
#
#   bench/gitlog.sh            # RUNS=5 by default
#   RUNS=10 bench/gitlog.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
WF=${WF:-18}
COMMITS=10

for tool in git python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: needs \`$tool\`" >&2; exit 1; }
done

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release --locked --bin ascvault --example encrypt_plaintext

# Before HOME changes below (rustup finds its toolchains through it).
RUSTC="$(rustc --version)"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# Private copies: a shared target directory may be rebuilt under our feet.
mkdir "$W/bin"
cp "$CARGO_TARGET_DIR/release/ascvault" "$CARGO_TARGET_DIR/release/examples/encrypt_plaintext" "$W/bin/"
export PATH="$W/bin:$PATH"
export ASCVAULT_PASSPHRASE="bench passphrase for git log"
# The bench passphrase is not meant to be strong.
export ASCVAULT_ALLOW_WEAK_VAULT=1
export GIT_PAGER=cat GIT_CONFIG_NOSYSTEM=1 HOME=$W LANG=C
unset ASCVAULT_VAULT
git config --global user.name bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main

# A history of COMMITS commits, each one change made by ascvault (1.1).
echo "== a history of $COMMITS commits at work factor $WF (format 1.1)"
R=$W/repo
git init -q "$R"
cd "$R"
ascvault init --work-factor "$WF"
ascvault git setup
pw() { printf '%s-%s-%s-%s\n' "$1$1$1$1" "$2$2$2$2" "abcd" "efgh"; }
add() { pw "$2" "$3" | ascvault add password "$1" --apple-id dev@example.com --password-stdin; }
add p1 a b && git add -A && git commit -qm "1: p1"
add p2 c d && git add -A && git commit -qm "2: p2"
add p3 e f && git add -A && git commit -qm "3: p3"
ascvault note p1 "upload" && git commit -qam "4: note"
add p4 g h && git add -A && git commit -qm "5: p4"
ascvault revoke p2 --yes && git commit -qam "6: revoke p2"
ascvault relabel p3 ci && git commit -qam "7: relabel"
add p5 i j && git add -A && git commit -qm "8: p5"
ascvault note p4 "nightly" && git commit -qam "9: note"
ascvault remove p2 --yes && git commit -qam "10: remove p2"
[ "$(git rev-list --count HEAD)" = "$COMMITS" ] || { echo "bench: expected $COMMITS commits" >&2; exit 1; }

# The same history as 1.0 files: each version's plaintext without the key.
echo "== the same history written as 1.0 files"
O=$W/old
git init -q "$O"
cp .gitattributes .gitignore "$O/"
(cd "$O" && ascvault git setup >/dev/null)
for c in $(git rev-list --reverse HEAD); do
  git show "$c:ascvault.age" >"$W/side.age"
  ascvault --vault "$W/side.age" export --plaintext --yes 2>/dev/null |
    sed -e '/^fingerprint_key = /d' -e 's/^version = "1.1"$/version = "1.0"/' |
    encrypt_plaintext --work-factor "$WF" >"$O/ascvault.age"
  (cd "$O" && git add -A && git commit -qm "$(git -C "$R" log -1 --format=%s "$c")")
done

# What textconv did: sides rendered and scrypt runs, from --verbose.
runs() {
  git -C "$1" -c diff.ascvault.textconv="ascvault --verbose textconv" log -p 2>&1 >/dev/null |
    python3 -c '
import re, sys
n = [int(m.group(1)) for m in re.finditer(r": (\d+) scrypt runs?$", sys.stdin.read(), re.M)]
print(len(n), sum(n))'
}
read -r SIDES KDFS <<<"$(runs "$R")"
read -r OLD_SIDES OLD_KDFS <<<"$(runs "$O")"
echo "1.1: $SIDES sides, $KDFS scrypt runs; 1.0: $OLD_SIDES sides, $OLD_KDFS scrypt runs"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
LIST20="for i in \$(seq 20); do ascvault --vault $R/ascvault.age list >/dev/null; done"
NAMES=("git log -p (1.1 history)" "20 × ascvault list" "git log -p (1.0 history)" "git log -p, no passphrase")
CMDS=("git -C $R log -p >/dev/null"
  "$LIST20"
  "git -C $O log -p >/dev/null"
  "env -u ASCVAULT_PASSPHRASE git -C $R log -p >/dev/null")

echo "== timing, $RUNS runs each"
if command -v hyperfine >/dev/null 2>&1; then
  TIMER="hyperfine $(hyperfine --version | cut -d' ' -f2)"
  args=()
  for i in "${!NAMES[@]}"; do args+=(-n "${NAMES[$i]}" "${CMDS[$i]}"); done
  hyperfine --style basic --runs "$RUNS" --warmup 1 --export-json "$W/times.json" "${args[@]}"
else
  TIMER="no hyperfine: timed by bench/gitlog.sh itself, the commands taking turns run by run"
  python3 - "$RUNS" "$W/times.json" "${NAMES[@]}" -- "${CMDS[@]}" <<'EOF'
import json, os, resource, statistics, subprocess, sys, time
runs, out = int(sys.argv[1]), sys.argv[2]
rest = sys.argv[3:]
cut = rest.index("--")
names, cmds = rest[:cut], rest[cut + 1:]
# Round robin (one run of each command, then the next round), so a change
# in the machine's load during the minutes this takes hits every command alike.
walls = {n: [] for n in names}
users = {n: [] for n in names}
systems = {n: [] for n in names}
for name, cmd in zip(names, cmds):
    subprocess.run(["bash", "-c", cmd], check=True)  # warm-up
for round_ in range(runs):
    for name, cmd in zip(names, cmds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.monotonic()
        subprocess.run(["bash", "-c", cmd], check=True)
        walls[name].append(time.monotonic() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        users[name].append(after.ru_utime - before.ru_utime)
        systems[name].append(after.ru_stime - before.ru_stime)
        print(f"round {round_ + 1}: {name}: {walls[name][-1]:.2f} s", flush=True)
results = [{"command": n, "times": walls[n], "median": statistics.median(walls[n]),
            "stddev": statistics.stdev(walls[n]) if runs > 1 else 0.0,
            "user": statistics.mean(users[n]), "system": statistics.mean(systems[n])}
           for n in names]
json.dump({"results": results}, open(out, "w"))
EOF
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

echo "== writing docs/BENCHMARKS.md"
cd "$ROOT"
CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //' || true)
MEM=$(free -h 2>/dev/null | awk '/^Mem:/ {print $2}' || true)
COMMIT=$(git rev-parse --short HEAD)
export SIDES KDFS OLD_SIDES OLD_KDFS RUNS WF COMMITS TIMER LOAD_BEFORE LOAD_AFTER COMMIT
export CPU="${CPU:-unknown}" NPROC="$(nproc)" MEM="${MEM:-?}" KERNEL="$(uname -sr)"
export RUSTC GITV="$(git --version)"
python3 - "$W/times.json" <<'EOF'
import json, os, sys, time
e = os.environ
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
def row(name):
    x = r[name]
    return (f"| {name} | {x['median']:.2f} s (± {x['stddev']:.2f}) | "
            f"{x['user'] + x['system']:.2f} s |")
log, lst, old, bare = (r[n] for n in ["git log -p (1.1 history)", "20 × ascvault list",
                                     "git log -p (1.0 history)", "git log -p, no passphrase"])
ratio = log["median"] / lst["median"]
cpu_ratio = (log["user"] + log["system"]) / (lst["user"] + lst["system"])
sides, kdfs = int(e["SIDES"]), int(e["KDFS"])
section = f"""## git log -p: one KDF per side (issue 13 §5)

Produced by `bench/gitlog.sh` (run by hand, never by CI; {e['RUNS']} runs per command, {e['TIMER']}); it rewrites only this section.

- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; ascvault commit {e['COMMIT']}
- CPU: {e['CPU']}; `nproc`: {e['NPROC']}; memory: {e['MEM']}
- {e['KERNEL']}; {e['RUSTC']}; {e['GITV']}
- load average (1, 5, 15 min) before: {e['LOAD_BEFORE']}; after: {e['LOAD_AFTER']}

A repository with {e['COMMITS']} commits of a work-factor-{e['WF']} vault (each commit one `add`, `note`, `revoke`, `relabel` or `remove`; up to 5 entries), `git setup` done, the passphrase in `ASCVAULT_PASSPHRASE`. The 1.0 history is the same {e['COMMITS']} versions with the plaintext's `fingerprint_key` removed and `version = "1.0"`, re-encrypted at the same work factor. textconv's `--verbose` count: the 1.1 history renders {sides} sides with {kdfs} scrypt runs; the 1.0 history {e['OLD_SIDES']} sides with {e['OLD_KDFS']} runs ({e['COMMITS']} commits: the first commit's file, then two sides per later commit).

| command | wall time (median ± σ) | CPU time (mean) |
|---|---|---:|
{row("git log -p (1.1 history)")}
{row("20 × ascvault list")}
{row("git log -p (1.0 history)")}
{row("git log -p, no passphrase")}

**Ratio git log -p / 20 × list: {ratio:.2f} in wall time, {cpu_ratio:.2f} in CPU time** (target ≈ 1: one KDF per side, {sides} sides against 20 unlocks, so {sides / 20:.2f} expected) — {"met" if ratio <= 1.1 else "not met"}.
The 1.0 history costs {old['median'] / log['median']:.2f}× the 1.1 history in wall time ({(old['user'] + old['system']) / (log['user'] + log['system']):.2f}× in CPU time): its second KDF per side, run after the decryption. Before format 1.1 every side paid both KDFs (on two threads), which is the report of issue 13: 28 s for 11 commits.
"""
begin, end = "<!-- bench/gitlog.sh: begin -->", "<!-- bench/gitlog.sh: end -->"
path = "docs/BENCHMARKS.md"
old_text = open(path).read()
if begin in old_text and end in old_text:
    before, rest = old_text.split(begin, 1)
    new = before + begin + "\n" + section + end + rest.split(end, 1)[1]
else:
    new = old_text.rstrip("\n") + "\n\n" + begin + "\n" + section + end + "\n"
open(path, "w").write(new)
print(section)
EOF
