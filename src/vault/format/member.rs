//! Format 1.2's `[[member]]` tables: who a team vault is encrypted to
//! (spec/FORMAT.md §3.7), and `exposed` records and `[[removed]]`
//! tombstones (§3.8, §3.9), which say who could read a credential and which
//! credentials left the vault.

use serde::Deserialize;

use super::{Kind, Timestamp, restore_datetimes};
use crate::vault::error::{FormatError, InvalidInput};
use crate::vault::team::Recipient;

/// One member of a team vault.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Member {
    /// Unique (ignoring case) name: 1–64 of `[A-Za-z0-9._-]`.
    pub name: String,
    /// The member's public key as [`Recipient`] normalizes it.
    pub recipient: String,
    /// When the member was added.
    pub added: Timestamp,
    /// The member who added them; `""` for the vault's creator.
    #[serde(default)]
    pub added_by: String,
    /// Keys written by a newer minor version, kept as they were.
    #[serde(flatten)]
    pub extra: toml::Table,
}

impl Member {
    /// A new member, added now by `added_by` (`""` for the creator). The
    /// name is checked and the recipient parsed and normalized.
    pub fn new(name: &str, recipient: &Recipient, added_by: &str) -> Result<Member, InvalidInput> {
        check_member_name(name)?;
        Ok(Member {
            name: name.to_owned(),
            recipient: recipient.to_string(),
            added: Timestamp::now(),
            added_by: added_by.to_owned(),
            extra: toml::Table::new(),
        })
    }

    /// The member's recipient, parsed.
    pub fn recipient(&self) -> Result<Recipient, InvalidInput> {
        self.recipient.parse()
    }

    pub(super) fn to_table(&self) -> toml::Table {
        let mut t = toml::Table::new();
        t.insert("name".into(), self.name.clone().into());
        t.insert("recipient".into(), self.recipient.clone().into());
        t.insert("added".into(), self.added.to_toml());
        t.insert("added_by".into(), self.added_by.clone().into());
        for (k, v) in &self.extra {
            t.insert(k.clone(), restore_datetimes(v.clone()));
        }
        t
    }

    pub(super) fn check(&self) -> Result<(), FormatError> {
        let invalid = |why: String| FormatError::InvalidMember {
            name: self.name.clone(),
            why,
        };
        check_member_name(&self.name).map_err(|e| invalid(e.to_string()))?;
        let parsed = self.recipient().map_err(|e| invalid(e.to_string()))?;
        if parsed.to_string() != self.recipient {
            return Err(invalid("the recipient is not in normal form".into()));
        }
        Ok(())
    }
}

/// Checks a member name: 1–64 ASCII letters, digits, `.`, `_` or `-` (it
/// names the identity file `NAME.age`, so nothing else is allowed), not
/// starting with `.`.
pub fn check_member_name(name: &str) -> Result<(), InvalidInput> {
    let ok = (1..=64).contains(&name.len())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::MemberName(
            name.chars()
                .flat_map(char::escape_default)
                .take(80)
                .collect(),
        ))
    }
}

/// One `exposed` record of an entry or tombstone: a member who could read
/// the credential was removed at `at` (spec/FORMAT.md §3.8).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Exposure {
    /// The removed member's name.
    pub member: String,
    /// When they were removed.
    pub at: Timestamp,
}

impl Exposure {
    pub(super) fn to_value(&self) -> toml::Value {
        let mut t = toml::Table::new();
        t.insert("member".into(), self.member.clone().into());
        t.insert("at".into(), self.at.to_toml());
        toml::Value::Table(t)
    }
}

/// The exposure records as written: sorted, one per member (the earliest).
pub(crate) fn normalize_exposures(list: &mut Vec<Exposure>) {
    list.sort_by(|a, b| {
        a.member
            .to_lowercase()
            .cmp(&b.member.to_lowercase())
            .then(a.at.cmp(&b.at))
    });
    list.dedup_by(|later, first| later.member.eq_ignore_ascii_case(&first.member));
}

/// A `[[removed]]` tombstone: what a team vault remembers of an entry
/// `remove` deleted — never its secret (spec/FORMAT.md §3.9).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Tombstone {
    /// The entry's id.
    pub id: String,
    /// Its label when removed.
    pub label: String,
    /// Its kind.
    pub kind: Kind,
    /// Its account: the Apple ID or the key id.
    #[serde(default)]
    pub account: String,
    /// When the entry was added.
    pub created: Timestamp,
    /// When it was removed.
    pub removed_at: Timestamp,
    /// Whether it was revoked (when removed, or marked since).
    #[serde(default)]
    pub revoked: bool,
    /// When it was revoked.
    #[serde(default)]
    pub revoked_at: Option<Timestamp>,
    /// Members removed while it was in the vault, or since.
    #[serde(default)]
    pub exposed: Vec<Exposure>,
    /// Keys written by a newer minor version, kept as they were.
    #[serde(flatten)]
    pub extra: toml::Table,
}

impl Tombstone {
    /// The tombstone of `entry`, removed at `at`.
    pub fn of(entry: &super::Entry, at: Timestamp) -> Tombstone {
        Tombstone {
            id: entry.id.clone(),
            label: entry.label.clone(),
            kind: entry.kind.clone(),
            account: entry.account().to_owned(),
            created: entry.created,
            removed_at: at,
            revoked: entry.revoked,
            revoked_at: entry.revoked_at,
            exposed: entry.exposed.clone(),
            extra: toml::Table::new(),
        }
    }

    pub(super) fn to_table(&self) -> toml::Table {
        let mut t = toml::Table::new();
        t.insert("id".into(), self.id.clone().into());
        t.insert("label".into(), self.label.clone().into());
        t.insert("kind".into(), self.kind.as_str().into());
        t.insert("account".into(), self.account.clone().into());
        t.insert("created".into(), self.created.to_toml());
        t.insert("removed_at".into(), self.removed_at.to_toml());
        t.insert("revoked".into(), self.revoked.into());
        if let Some(at) = self.revoked_at {
            t.insert("revoked_at".into(), at.to_toml());
        }
        if !self.exposed.is_empty() {
            let list = self.exposed.iter().map(Exposure::to_value).collect();
            t.insert("exposed".into(), toml::Value::Array(list));
        }
        for (k, v) in &self.extra {
            t.insert(k.clone(), restore_datetimes(v.clone()));
        }
        t
    }

    pub(super) fn check(&self) -> Result<(), FormatError> {
        if self.id.is_empty() || self.revoked != self.revoked_at.is_some() {
            return Err(FormatError::InvalidTombstone {
                id: self.id.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::format::Document;
    use crate::vault::new_entry::test_password_entry;
    use crate::vault::team::Identity;

    fn member(name: &str) -> Member {
        Member::new(name, &Identity::generate().recipient().unwrap(), "").unwrap()
    }

    #[test]
    fn a_document_without_team_data_is_written_as_1_1_and_with_it_as_1_2() {
        let mut doc = Document::default();
        doc.add(test_password_entry("a")).unwrap();
        assert!(doc.to_canonical().contains("version = \"1.1\"\n"));
        doc.add_member(member("alice")).unwrap();
        let text = doc.to_canonical();
        assert!(text.contains("version = \"1.2\"\n"), "{}", text.as_str());
        assert!(text.find("[[entry]]") < text.find("[[member]]"));
        let again = Document::parse(&text).unwrap();
        assert_eq!(
            (&again.entries, &again.members),
            (&doc.entries, &doc.members)
        );
    }

    #[test]
    fn exposure_and_tombstones_round_trip_in_canonical_form() {
        let mut doc = Document::default();
        doc.add_member(member("alice")).unwrap();
        doc.add(test_password_entry("a")).unwrap();
        doc.add(test_password_entry("b")).unwrap();
        let id = doc.entries[0].id.clone();
        let at = Timestamp::from_unix(1_800_000_000);
        assert!(doc.mark_exposed(&id, "bob", at));
        assert!(doc.mark_exposed(&id, "Bob", Timestamp::from_unix(1_900_000_000)));
        assert!(!doc.mark_exposed("no such id", "bob", at));
        assert_eq!(
            doc.entries[0].exposed.len(),
            1,
            "one record per member, the earliest"
        );
        doc.remove("b").unwrap();
        let text = doc.to_canonical();
        assert!(text.contains("[[removed]]"), "{}", text.as_str());
        let again = Document::parse(&text).unwrap();
        assert_eq!(
            (&again.entries, &again.members, &again.removed),
            (&doc.entries, &doc.members, &doc.removed)
        );
        assert_eq!(again.to_canonical(), text);
        assert_eq!(again.entries[0].exposed[0].at, at);
    }

    #[test]
    fn member_rules_are_checked_when_parsing() {
        let good = member("alice");
        for (name, recipient) in [
            ("bad name", good.recipient.as_str()),
            (".hidden", good.recipient.as_str()),
            ("alice", "age1nope"),
            ("alice", "ssh-dss AAAAB3NzaC1kc3M"),
        ] {
            let text = format!(
                "format = \"ascvault\"\nversion = \"1.2\"\n[[member]]\nname = \"{name}\"\nrecipient = \"{recipient}\"\nadded = 2026-01-05T09:00:00Z\nadded_by = \"\"\n"
            );
            assert!(
                matches!(
                    Document::parse(&text),
                    Err(FormatError::InvalidMember { .. })
                ),
                "{name} {recipient}"
            );
        }
        let twice = format!(
            "format = \"ascvault\"\nversion = \"1.2\"\n{0}{0}",
            format!(
                "[[member]]\nname = \"a\"\nrecipient = \"{}\"\nadded = 2026-01-05T09:00:00Z\n",
                good.recipient
            )
        );
        assert!(matches!(
            Document::parse(&twice),
            Err(FormatError::DuplicateMember { .. })
        ));
    }

    #[test]
    fn the_last_member_stays_and_names_and_keys_are_unique() {
        let mut doc = Document::default();
        let a = member("alice");
        doc.add_member(a.clone()).unwrap();
        assert!(matches!(
            doc.add_member(member("ALICE")),
            Err(crate::vault::VaultError::MemberExists { .. })
        ));
        let mut same_key = member("bob");
        same_key.recipient = a.recipient.clone();
        assert!(matches!(
            doc.add_member(same_key),
            Err(crate::vault::VaultError::RecipientTaken { .. })
        ));
        assert!(matches!(
            doc.remove_member("alice"),
            Err(crate::vault::VaultError::LastMember { .. })
        ));
        doc.add_member(member("bob")).unwrap();
        assert_eq!(doc.remove_member("Alice").unwrap().name, "alice");
    }

    #[test]
    fn a_large_team_document_parses_in_pieces_like_whole() {
        let mut doc = Document::default();
        for n in 0..300 {
            doc.entries.push(test_password_entry(&format!("e{n}")));
        }
        doc.add_member(member("alice")).unwrap();
        doc.add_member(member("bob")).unwrap();
        doc.remove("e1").unwrap();
        let text = doc.to_canonical();
        let whole = Document::parse_whole(&text).unwrap();
        let split = Document::parse_split(&text, 4096, 4)
            .expect("the text can be cut")
            .unwrap();
        assert_eq!(split, whole);
        assert_eq!(split.members.len(), 2);
        assert_eq!(split.removed.len(), 1);
    }
}
