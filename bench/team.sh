#!/usr/bin/env bash
# Team vaults against passphrase vaults (issue 14, "Speed"): `list` on 1,000
# entries with a plain X25519 identity (a CI runner) against a passphrase
# vault's `list` at work factor 18 (target ≤ 5 %); `list` with a member's
# passphrase-protected identity file against the passphrase vault's `list`
# (≤ 1.05×: one KDF each); writes (`add`, `revoke --yes`) against `list` on
# the team vault (≤ 1.2×), and again on a vault of 50 members (≤ 1.2×).
#
# By hand, never by CI: it takes several minutes. No hyperfine: the commands
# take turns run by run (as in bench/gitlog.sh), so a change in the machine's
# load hits every command alike; medians, σ and CPU time (user + system) are
# computed here. Rewrites only its own section of docs/BENCHMARKS.md.
#
#   bench/team.sh            # RUNS=10 by default
#   RUNS=20 bench/team.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-10}
WF=${WF:-18}
ENTRIES=1000
MEMBERS=50

command -v python3 >/dev/null 2>&1 || { echo "bench: needs \`python3\`" >&2; exit 1; }

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release --locked --bin ascvault --example bench_vault

RUSTC="$(rustc --version)"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# Private copies: a shared target directory may be rebuilt under our feet.
cp "$CARGO_TARGET_DIR/release/ascvault" "$CARGO_TARGET_DIR/release/examples/bench_vault" "$W/"
export ASCVAULT_PASSPHRASE="bench passphrase for team vaults"
unset ASCVAULT_VAULT ASCVAULT_IDENTITY ASCVAULT_MEMBER ASCVAULT_PASSPHRASE_FILE
printf 'abcd-efgh-ijkl-mnop\n' >"$W/pw"

# Each vault in its own folder: a team vault's member identity file is
# `.ascvault/identities/bench.age` beside it, its CI identity `ascvault.key`.
echo "== vaults: $ENTRIES entries; passphrase vault and identity files at work factor $WF"
mkdir "$W/pass" "$W/team" "$W/team$MEMBERS"
"$W/bench_vault" "$W/pass/ascvault.age" "$ENTRIES" "$WF"
"$W/bench_vault" "$W/team/ascvault.age" "$ENTRIES" "$WF" --team 2
"$W/bench_vault" "$W/team$MEMBERS/ascvault.age" "$ENTRIES" "$WF" --team "$MEMBERS"
for d in pass team "team$MEMBERS"; do cp "$W/$d/ascvault.age" "$W/$d.orig.age"; done
ls -l "$W"/*/ascvault.age "$W"/team*/.ascvault/identities/bench.age "$W/team/ascvault.key"
# Sanity: each key opens its vault, and the 50-member vault lists 50.
"$W/ascvault" --vault "$W/team/ascvault.age" --identity "$W/team/ascvault.key" member list >/dev/null
got=$("$W/ascvault" --vault "$W/team$MEMBERS/ascvault.age" --member bench member list --json |
  python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d if isinstance(d, list) else d["members"]))')
[ "$got" = "$MEMBERS" ] || { echo "bench: expected $MEMBERS members, got $got" >&2; exit 1; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "== timing, $RUNS rounds (load average before: $LOAD_BEFORE)"
python3 - "$W" "$RUNS" "$MEMBERS" <<'EOF'
import json, os, resource, shutil, statistics, subprocess, sys, time
w, runs, members = sys.argv[1], int(sys.argv[2]), sys.argv[3]
bin_ = os.path.join(w, "ascvault")
pw = os.path.join(w, "pw")

def vault(d):
    return os.path.join(w, d, "ascvault.age")

def cmd(d, *args, key=()):
    return [bin_, "--vault", vault(d), *key, *args]

LIST = ("list",)
ADD = ("add", "password", "bench-new", "--apple-id", "b@example.com", "--password-stdin")
REVOKE = ("revoke", "entry-00001", "--yes")
MEMBER = ("--member", "bench")
CI = ("--identity", os.path.join(w, "team", "ascvault.key"))
t50 = f"team{members}"
# (name, argv, folder restored from its pristine copy before each run, or None)
COMMANDS = [
    ("passphrase vault: list", cmd("pass", *LIST), None),
    ("passphrase vault: add", cmd("pass", *ADD), "pass"),
    ("team, plain X25519 identity: list", cmd("team", *LIST, key=CI), None),
    ("team, member identity: list", cmd("team", *LIST, key=MEMBER), None),
    ("team, member identity: add", cmd("team", *ADD, key=MEMBER), "team"),
    ("team, member identity: revoke --yes", cmd("team", *REVOKE, key=MEMBER), "team"),
    (f"{members} members, member identity: list", cmd(t50, *LIST, key=MEMBER), None),
    (f"{members} members, member identity: add", cmd(t50, *ADD, key=MEMBER), t50),
    (f"{members} members, member identity: revoke --yes", cmd(t50, *REVOKE, key=MEMBER), t50),
]

def run(name, argv, restore):
    """One timed run: wall time, CPU time of the child (user, system)."""
    if restore:
        shutil.copyfile(os.path.join(w, restore + ".orig.age"), vault(restore))
    with open(pw) as stdin:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.monotonic()
        p = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        wall = time.monotonic() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"bench: {name} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime

for c in COMMANDS:
    run(*c)  # warm-up: page cache, binary
walls = {c[0]: [] for c in COMMANDS}
cpus = {c[0]: [] for c in COMMANDS}
loads = []
for r in range(runs):
    with open("/proc/loadavg") as f:
        loads.append(float(f.read().split()[0]))
    # Round robin, each round starting one command further on, so no
    # command always runs just after the same other one.
    order = COMMANDS[r % len(COMMANDS):] + COMMANDS[:r % len(COMMANDS)]
    for c in order:
        wall, user, system = run(*c)
        walls[c[0]].append(wall)
        cpus[c[0]].append(user + system)
    print(f"round {r + 1}/{runs} (load {loads[-1]:.2f}): "
          + ", ".join(f"{walls[c[0]][-1]:.3f}" for c in COMMANDS), flush=True)
results = [{"command": n, "times": walls[n], "cpu_times": cpus[n],
            "median": statistics.median(walls[n]),
            "stddev": statistics.stdev(walls[n]) if runs > 1 else 0.0,
            "cpu_mean": statistics.mean(cpus[n])}
           for n, _, _ in COMMANDS]
json.dump({"results": results, "loads": loads}, open(os.path.join(w, "times.json"), "w"))
EOF
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

echo "== writing docs/BENCHMARKS.md"
CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //' || true)
MEM=$(free -h 2>/dev/null | awk '/^Mem:/ {print $2}' || true)
SIZES=$(stat -c '%s' "$W/pass.orig.age" "$W/team.orig.age" "$W/team$MEMBERS.orig.age" | tr '\n' ' ')
export RUNS WF ENTRIES MEMBERS LOAD_BEFORE LOAD_AFTER RUSTC SIZES
export COMMIT="$(git rev-parse --short HEAD)" CPU="${CPU:-unknown}" NPROC="$(nproc)" MEM="${MEM:-?}"
export KERNEL="$(uname -sr)"
python3 - "$W/times.json" <<'EOF'
import json, os, statistics, sys, time
e = os.environ
data = json.load(open(sys.argv[1]))
r = {x["command"]: x for x in data["results"]}
loads = data["loads"]
m = e["MEMBERS"]
nproc = int(e["NPROC"])

def row(name):
    x = r[name]
    return (f"| {name} | {x['median'] * 1000:.1f} ms (± {x['stddev'] * 1000:.1f}) | "
            f"{x['cpu_mean'] * 1000:.1f} ms |")

def ratio(a, b):
    """Ratio of medians (wall), of mean CPU times, and the median and range
    of the per-round ratios (the two commands ran in the same round)."""
    x, y = r[a], r[b]
    per_round = [p / q for p, q in zip(x["times"], y["times"])]
    return (x["median"] / y["median"], x["cpu_mean"] / y["cpu_mean"],
            statistics.median(per_round), min(per_round), max(per_round))

verdicts = []

def line(label, a, b, target, pct=False):
    wall, cpu, med, lo, hi = ratio(a, b)
    ok = wall <= target
    verdicts.append((label, ok))
    fmt = (lambda v: f"{v * 100:.1f} %") if pct else (lambda v: f"{v:.3f}×")
    goal = f"{target * 100:.0f} %" if pct else f"{target:.2f}×"
    return (f"| {label} | {fmt(wall)} | {fmt(cpu)} | {fmt(med)} ({fmt(lo)}–{fmt(hi)}) | "
            f"≤ {goal} | {'met' if ok else '**missed**'} |")

P, PA = "passphrase vault: list", "passphrase vault: add"
CI, TL = "team, plain X25519 identity: list", "team, member identity: list"
TA, TR = "team, member identity: add", "team, member identity: revoke --yes"
ML, MA, MR = (f"{m} members, member identity: {c}" for c in ("list", "add", "revoke --yes"))
rows = [
    line("plain X25519 identity `list` / passphrase `list`", CI, P, 0.05, pct=True),
    line("member identity `list` / passphrase `list`", TL, P, 1.05),
    line("member identity `add` / its `list`", TA, TL, 1.2),
    line("member identity `revoke --yes` / its `list`", TR, TL, 1.2),
    line(f"{m} members: `add` / `list`", MA, ML, 1.2),
    line(f"{m} members: `revoke --yes` / `list`", MR, ML, 1.2),
]
lb = float(e["LOAD_BEFORE"].split()[0]) if e["LOAD_BEFORE"] != "?" else 0.0
la = float(e["LOAD_AFTER"].split()[0]) if e["LOAD_AFTER"] != "?" else 0.0
busy = max([lb, la] + loads) > nproc
sizes = e["SIZES"].split()
section = f"""## Team vaults: identities against passphrases (issue 14)

Produced by `bench/team.sh` (run by hand, never by CI; {e['RUNS']} rounds, no hyperfine: the commands take turns run by run, each round starting one command further on, after one warm-up run each); it rewrites only this section.

- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; ascvault commit {e['COMMIT']} (release build)
- CPU: {e['CPU']}; `nproc`: {e['NPROC']}; memory: {e['MEM']}
- {e['KERNEL']}; {e['RUSTC']}
- load average (1, 5, 15 min) before: {e['LOAD_BEFORE']}; after: {e['LOAD_AFTER']}; 1-minute load at the start of each round: {min(loads):.2f}–{max(loads):.2f} (median {statistics.median(loads):.2f})
{"- **The machine was busy** (load above its " + e['NPROC'] + " cores at some point: other builds ran alongside). Absolute times carry that noise; the ratios, between commands that took turns in the same rounds, are the figures that count, and CPU time is the steadier measure of work done." if busy else "- The load stayed at or below the core count."}

Vaults made by `examples/bench_vault.rs`: {int(e['ENTRIES']):,} entries each (seven in ten passwords, the rest API keys), armored. The passphrase vault at work factor {e['WF']} ({sizes[0]} bytes). A team vault of 2 members ({sizes[1]} bytes): `bench`, whose identity file `.ascvault/identities/bench.age` is encrypted with their passphrase at work factor {e['WF']} (what `ascvault identity new` writes), and `ci`, a plain X25519 identity file (a CI runner's secret, `--identity`). A team vault of {m} members ({sizes[2]} bytes; `bench`, `ci` and {int(m) - 2} more X25519 recipients). Passphrases come from `ASCVAULT_PASSPHRASE`; the member is chosen with `--member bench`. Each write runs on a fresh copy of its vault (copied before the run, untimed): `add password … --password-stdin`, `revoke entry-00001 --yes`.

| command | wall time (median ± σ) | CPU time (mean) |
|---|---|---:|
""" + "\n".join(row(c["command"]) for c in data["results"]) + f"""

| ratio | wall (medians) | CPU (means) | per round: median (range) | target | wall |
|---|---:|---:|---:|---:|---|
""" + "\n".join(rows) + f"""

{"Every target is met" if all(ok for _, ok in verdicts) else "Missed: " + "; ".join(l for l, ok in verdicts if not ok)} (judged on the ratio of wall-time medians).
"""
begin, end = "<!-- bench/team.sh: begin -->", "<!-- bench/team.sh: end -->"
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
