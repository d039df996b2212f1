#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs: the age test vectors (without
# their headers) for open_vault, hand-written vault plaintexts for parse_toml,
# and NUL-separated base/ours/theirs triples for merge. Idempotent; the corpus
# folders are not committed.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/open_vault corpus/parse_toml corpus/merge
for f in ../fixtures/age-testkit/*; do
  case "$f" in *.md) continue ;; esac
  # Everything after the first blank line is the age file.
  awk 'found { print; next } /^$/ { found = 1 }' ORS='\n' "$f" > "corpus/open_vault/$(basename "$f")"
done
# A real vault (armored, work factor 10) under the passphrase the target uses.
rm -f corpus/open_vault/vault-5-entries
ASCVAULT_PASSPHRASE=password cargo run --quiet --manifest-path ../Cargo.toml \
  --example bench_vault -- corpus/open_vault/vault-5-entries 5 10
cat > corpus/parse_toml/password <<'TOML'
format = "ascvault"
version = "1.0"

[[entry]]
id = "0b0c6a2e-7c53-4d1e-9f1d-1c0f0e6d2a11"
label = "fastlane"
kind = "app-specific-password"
created = 2026-01-02T03:04:05Z
revoked = false
apple_id = "dev@example.com"
password = "abcd-efgh-ijkl-mnop"
note = "ci"
TOML
cat > corpus/parse_toml/key_revoked_newer_minor <<'TOML'
format = "ascvault"
version = "1.3"
sync = { peer = "x", n = [1, 2.5, true] }

[[entry]]
id = "1b0c6a2e-7c53-4d1e-9f1d-1c0f0e6d2a12"
label = "api"
kind = "api-key"
created = 2026-01-02T03:04:05+02:00
revoked = true
revoked_at = 2026-03-02T03:04:05Z
issuer_id = "57246542-96fe-1a63-e053-0824d011072a"
key_id = "TESTKEY001"
private_key = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRFb5rxtDkZ/TzNRK
-----END PRIVATE KEY-----
"""
vendor_number = "85000000"
color = "blue"

[[entry]]
id = "2"
label = "future"
kind = "passkey"
created = 2025-01-02T03:04:05Z
revoked = false
TOML
printf 'format = "ascvault"\nversion = "1.0"\n' > corpus/parse_toml/empty
# For the parse in pieces (cut at `[[entry]]` lines): a header line inside a
# multi-line string, a table inside an entry, an unknown table between
# entries, datetimes in unknown keys of the head and of an entry.
cat > corpus/parse_toml/split <<'TOML'
format = "ascvault"
version = "1.2"
seen = 2026-01-02T03:04:05Z

[[entry]]
id = "a1"
label = "one"
kind = "api-key"
created = 2026-01-02T03:04:05Z
note = """
[[entry]]
"""
rotated = 2026-02-02T03:04:05+01:00

[[entry]]
id = "b2"
label = "two"
kind = "app-specific-password"
created = 2026-01-02T03:04:05Z

[entry.sub]
k = 1

[[entry]]
id = "c3"
label = "three"
kind = "passkey"
created = 2026-01-02T03:04:05Z

[extra]
k = 2

[[entry]]
id = "d4"
label = "four"
kind = "api-key"
created = 2026-01-02T03:04:05Z
TOML
# merge: base, ours and theirs separated by NUL bytes, sharing entry ids so
# the per-entry rules (fields, removal, revocation, labels) are in reach.
mkdir -p corpus/merge
head='format = "ascvault"
version = "1.0"
'
entry() { # id label note revoked [revoked_at]
  printf '\n[[entry]]\nid = "%s"\nlabel = "%s"\nkind = "app-specific-password"\ncreated = 2026-01-02T03:04:05Z\nrevoked = %s\n' "$1" "$2" "$4"
  [ -n "${5:-}" ] && printf 'revoked_at = %s\n' "$5"
  printf 'apple_id = "dev@example.com"\npassword = "abcd-efgh-ijkl-mnop"\nnote = "%s"\n' "$3"
}
{
  printf '%s' "$head"; entry a1 fastlane ci false; entry b2 xcode ci false
  printf '\0%s' "$head"; entry a1 fastlane local false; entry b2 xcode ci false; entry c3 new ci false
  printf '\0%s' "$head"; printf 'sync = 1\n'; entry a1 fastlane ci true 2026-02-02T00:00:00Z; entry d4 other x false
} > corpus/merge/edits_add_revoke
{
  printf '%s' "$head"; entry a1 fastlane ci false; entry b2 xcode ci false
  printf '\0%s' "$head"; entry b2 xcode changed false; entry c3 PROD x false
  printf '\0%s' "$head"; entry a1 Fastlane ci false; entry b2 xcode other false; entry e5 prod x false
} > corpus/merge/conflicts
cp corpus/parse_toml/key_revoked_newer_minor corpus/merge/one_document
echo "seeded: $(ls corpus/open_vault | wc -l) open_vault, $(ls corpus/parse_toml | wc -l) parse_toml, $(ls corpus/merge | wc -l) merge"
