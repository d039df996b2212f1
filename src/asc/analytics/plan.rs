//! What `metrics download` fetches: the reports of one name, their
//! instances within a date window (oldest first), each instance's segments
//! (each segment once), and the file each segment is written to. The
//! network steps are in [`plan`]; the choices between them are plain
//! functions over what was fetched, so they are tested here.
//!
//! File names are built from what the server sent, so every part of one is
//! checked or made safe: the processing date must be a `YYYY-MM-DD` date,
//! the granularity is `daily`, `weekly`, `monthly` or a slug, and the
//! segment id is slugged (with a hash of the id when slugging lost
//! something, so two ids never share a file). See [`file_name`].

use std::collections::HashSet;

use md5::{Digest, Md5};
use thiserror::Error;

use super::{InstanceInfo, ReportInfo, SegmentInfo, instances, reports, segments};
use crate::asc::client::Client;
use crate::asc::error::AscError;

/// Which report, and which of its instances.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    /// The report's id, or its name (case and surrounding spaces ignored),
    /// as `metrics reports` shows them.
    pub report: String,
    /// Only instances of this granularity (`DAILY`, `WEEKLY`, `MONTHLY`).
    pub granularity: Option<&'static str>,
    /// Only instances processed on or after this day (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only instances processed on or before this day (`YYYY-MM-DD`).
    pub until: Option<String>,
}

/// One segment to fetch, the instance it belongs to, and its file name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// The instance.
    pub instance: InstanceInfo,
    /// The segment.
    pub segment: SegmentInfo,
    /// `<processing date>_<granularity>_<segment>.tsv`, file-name safe
    /// (see [`file_name`]).
    pub file_name: String,
}

/// The segments to fetch, in instance order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// How many instances matched.
    pub instances: usize,
    /// Every segment once, oldest instance first, Apple's order within one.
    pub segments: Vec<Planned>,
}

/// Why there is nothing to plan.
#[derive(Debug, Error)]
pub enum PlanError {
    /// Listing reports, instances or segments failed.
    #[error(transparent)]
    Asc(#[from] AscError),
    /// The app has no report of that name.
    #[error("app {app} has no report named {report:?}")]
    NoSuchReport {
        /// The app id.
        app: String,
        /// The name asked for.
        report: String,
        /// The names it does have, sorted, each once (empty: no reports at all).
        names: Vec<String>,
    },
    /// Reports of that name exist, but no instance is in the window.
    #[error("no instances of {report:?} match")]
    NoInstances {
        /// The name asked for.
        report: String,
    },
    /// An instance's `processingDate` is not a `YYYY-MM-DD` date (it
    /// becomes part of a file name, so it is refused, not used).
    #[error("report instance {instance}: processingDate is not a YYYY-MM-DD date")]
    BadDate {
        /// The instance id.
        instance: String,
    },
    /// Two segments would be written to one file (only a server forging
    /// ids to collide gets here: see [`file_name`]).
    #[error("segments {first} and {second} would be written to the same file")]
    SameFile {
        /// The segment planned first.
        first: String,
        /// The segment that would overwrite it.
        second: String,
    },
}

/// Lists what `wanted` covers for the app: reports, then instances, then
/// segments (each step only for what the previous one kept).
pub fn plan(client: &Client, app_id: &str, wanted: &Wanted) -> Result<Plan, PlanError> {
    let all = reports(client, app_id, None)?;
    let named = named(&all, &wanted.report);
    if named.is_empty() {
        return Err(PlanError::NoSuchReport {
            app: app_id.to_owned(),
            report: wanted.report.clone(),
            names: names(&all),
        });
    }
    let mut found = Vec::new();
    for r in named {
        found.extend(instances(client, &r.id, wanted.granularity)?);
    }
    let chosen = in_window(found, wanted);
    if chosen.is_empty() {
        return Err(PlanError::NoInstances {
            report: wanted.report.clone(),
        });
    }
    let mut per_instance = Vec::with_capacity(chosen.len());
    for inst in chosen {
        let segs = segments(client, &inst.id)?;
        per_instance.push((inst, segs));
    }
    Plan::of(per_instance)
}

/// The report whose id is `name` exactly, or else the reports called `name`
/// (ignoring case and surrounding spaces): the ongoing and the snapshot
/// request each have one.
fn named<'a>(all: &'a [ReportInfo], name: &str) -> Vec<&'a ReportInfo> {
    let name = name.trim();
    let by_id: Vec<&ReportInfo> = all.iter().filter(|r| r.id == name).take(1).collect();
    if !by_id.is_empty() {
        return by_id;
    }
    all.iter()
        .filter(|r| r.name.trim().eq_ignore_ascii_case(name))
        .collect()
}

/// Every report name, sorted, once.
fn names(all: &[ReportInfo]) -> Vec<String> {
    let mut names: Vec<String> = all.iter().map(|r| r.name.clone()).collect();
    names.sort();
    names.dedup();
    names
}

/// The instances processed within `since..=until`, by date then
/// granularity (the sort is stable: equal ones keep Apple's order).
fn in_window(mut found: Vec<InstanceInfo>, wanted: &Wanted) -> Vec<InstanceInfo> {
    found.retain(|i| {
        let date = i.processing_date.as_str();
        wanted.since.as_deref().is_none_or(|s| date >= s)
            && wanted.until.as_deref().is_none_or(|u| date <= u)
    });
    found.sort_by(|a, b| {
        (&a.processing_date, &a.granularity).cmp(&(&b.processing_date, &b.granularity))
    });
    found
}

impl Plan {
    /// The plan for these instances and their segments: a segment listed
    /// under two instances (the ongoing and the snapshot report share
    /// some) is fetched once, under the first. Refused: an instance whose
    /// date is not a date, and two segments sharing a file name.
    fn of(per_instance: Vec<(InstanceInfo, Vec<SegmentInfo>)>) -> Result<Plan, PlanError> {
        let instances = per_instance.len();
        let mut seen = HashSet::new();
        let mut files: std::collections::HashMap<String, String> = Default::default();
        let mut segments = Vec::new();
        for (instance, segs) in per_instance {
            if !is_date(&instance.processing_date) {
                return Err(PlanError::BadDate {
                    instance: instance.id.clone(),
                });
            }
            for segment in segs {
                if seen.insert(segment.id.clone()) {
                    let file_name = file_name(&instance, &segment.id);
                    if let Some(first) = files.insert(file_name.clone(), segment.id.clone()) {
                        return Err(PlanError::SameFile {
                            first,
                            second: segment.id.clone(),
                        });
                    }
                    segments.push(Planned {
                        instance: instance.clone(),
                        segment,
                        file_name,
                    });
                }
            }
        }
        Ok(Plan {
            instances,
            segments,
        })
    }
}

/// `<processingDate>_<granularity>_<segment>.tsv` for a segment of an
/// instance whose date was checked ([`is_date`]): the granularity in lower
/// case when it is one of Apple's three, else its slug; the segment id
/// slugged, followed by `-` and 8 hex digits of the MD5 of the id when the
/// slug is not the id itself (`Seg.A` and `seg-a` get different files, and
/// the name of a segment never depends on the others).
pub fn file_name(instance: &InstanceInfo, segment_id: &str) -> String {
    let g = instance.granularity.as_str();
    let granularity = if ["DAILY", "WEEKLY", "MONTHLY"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(g))
    {
        g.to_ascii_lowercase()
    } else {
        slug(g)
    };
    let s = slug(segment_id);
    let segment = if s == segment_id {
        s
    } else {
        let digest = Md5::digest(segment_id.as_bytes());
        format!("{s}-{}", &hex::encode(digest)[..8])
    };
    format!("{}_{granularity}_{segment}.tsv", instance.processing_date)
}

/// A `YYYY-MM-DD` date that exists (digits and dashes only, so it is safe
/// in a file name).
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .is_ok()
}

/// Whether `name` has the shape of a segment file name ([`file_name`]):
/// only such names' temporary files are swept from a report folder.
pub fn is_segment_file_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".tsv") else {
        return false;
    };
    stem.get(..10).is_some_and(is_date)
        && stem[10..].starts_with('_')
        && stem[11..]
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

/// A file-name-safe form of a name: lower-case ASCII letters and digits,
/// runs of anything else as one `-`; `report` when nothing is left.
pub fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "report".into()
    } else {
        parts.join("-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: &str, name: &str) -> ReportInfo {
        ReportInfo {
            id: id.into(),
            name: name.into(),
            category: "APP_USAGE".into(),
            access_type: "ONGOING".into(),
        }
    }

    fn instance(id: &str, date: &str, granularity: &str) -> InstanceInfo {
        InstanceInfo {
            id: id.into(),
            granularity: granularity.into(),
            processing_date: date.into(),
        }
    }

    fn segment(id: &str) -> SegmentInfo {
        SegmentInfo {
            id: id.into(),
            url: format!("https://example.invalid/{id}"),
            checksum: "00".into(),
            size_in_bytes: 1,
        }
    }

    fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<&str> {
        items.iter().map(id).collect()
    }

    #[test]
    fn a_report_id_picks_that_one_report() {
        let all = [
            report("r1", "App Sessions Standard"),
            report("r3", "App Sessions Standard"),
        ];
        assert_eq!(ids(&named(&all, " r3 "), |r| &r.id), ["r3"]);
        // Ids match exactly, not ignoring case.
        assert!(named(&all, "R3").is_empty());
    }

    #[test]
    fn reports_are_chosen_by_name_ignoring_case_and_spaces() {
        let all = [
            report("r1", "App Sessions Standard"),
            report("r2", "App Store Downloads Standard"),
            report("r3", "app sessions standard"),
        ];
        let chosen = named(&all, "  APP SESSIONS standard ");
        assert_eq!(ids(&chosen, |r| &r.id), ["r1", "r3"]);
        assert!(named(&all, "App Sessions").is_empty());
        assert_eq!(
            names(&all),
            [
                "App Sessions Standard",
                "App Store Downloads Standard",
                "app sessions standard"
            ]
        );
    }

    #[test]
    fn instances_are_kept_within_the_window_inclusive() {
        let found = vec![
            instance("a", "2024-01-01", "DAILY"),
            instance("b", "2024-01-02", "DAILY"),
            instance("c", "2024-01-03", "DAILY"),
            instance("d", "2024-01-04", "DAILY"),
        ];
        let wanted = Wanted {
            since: Some("2024-01-02".into()),
            until: Some("2024-01-03".into()),
            ..Wanted::default()
        };
        assert_eq!(
            ids(&in_window(found.clone(), &wanted), |i| &i.id),
            ["b", "c"]
        );
        let open = Wanted::default();
        assert_eq!(
            ids(&in_window(found, &open), |i| &i.id),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn instances_are_ordered_by_date_then_granularity() {
        let found = vec![
            instance("w", "2024-01-08", "WEEKLY"),
            instance("d2", "2024-01-08", "DAILY"),
            instance("d1", "2024-01-01", "DAILY"),
            instance("m", "2024-01-01", "MONTHLY"),
        ];
        let sorted = in_window(found, &Wanted::default());
        assert_eq!(ids(&sorted, |i| &i.id), ["d1", "m", "d2", "w"]);
    }

    #[test]
    fn a_segment_shared_by_two_instances_is_planned_once() {
        let plan = Plan::of(vec![
            (
                instance("i1", "2024-01-01", "DAILY"),
                vec![segment("s1"), segment("s2")],
            ),
            (
                instance("i2", "2024-01-01", "WEEKLY"),
                vec![segment("s2"), segment("s3")],
            ),
        ])
        .unwrap();
        assert_eq!(plan.instances, 2);
        assert_eq!(ids(&plan.segments, |p| &p.segment.id), ["s1", "s2", "s3"]);
        assert_eq!(ids(&plan.segments, |p| &p.instance.id), ["i1", "i1", "i2"]);
        assert_eq!(
            ids(&plan.segments, |p| &p.file_name),
            [
                "2024-01-01_daily_s1.tsv",
                "2024-01-01_daily_s2.tsv",
                "2024-01-01_weekly_s3.tsv"
            ]
        );
    }

    #[test]
    fn file_names_keep_every_server_value_in_its_place() {
        let name = |date: &str, g: &str, id: &str| file_name(&instance("i", date, g), id);
        assert_eq!(name("2024-01-01", "DAILY", "s1"), "2024-01-01_daily_s1.tsv");
        assert_eq!(
            name("2024-01-01", "Weekly", "s1"),
            "2024-01-01_weekly_s1.tsv"
        );
        assert_eq!(name("2024-01-01", "../../x", "s1"), "2024-01-01_x_s1.tsv");
        assert_eq!(name("2024-01-01", "", "s1"), "2024-01-01_report_s1.tsv");
        let a = name("2024-01-01", "DAILY", "seg-a");
        let b = name("2024-01-01", "DAILY", "Seg.A");
        assert_eq!(a, "2024-01-01_daily_seg-a.tsv");
        assert!(b.starts_with("2024-01-01_daily_seg-a-") && b != a, "{b}");
        let evil = name("2024-01-01", "DAILY", "../../../etc/passwd");
        assert!(!evil.contains('/') && is_segment_file_name(&evil), "{evil}");
        for n in [&a, &b] {
            assert!(is_segment_file_name(n), "{n}");
        }
        assert!(!is_segment_file_name("vault.age"));
        assert!(!is_segment_file_name("2024-01-01_daily_x.tsv.bak"));
    }

    #[test]
    fn dates_must_be_real_dates() {
        assert!(is_date("2024-02-29"));
        for bad in [
            "2023-02-29",
            "../../home/u/.bashrc.d/pwn",
            "/etc/x",
            "2024-1-01",
            "2024-01-01/",
            "+024-01-01",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        let plan = Plan::of(vec![(
            instance("i1", "../../pwn", "DAILY"),
            vec![segment("s1")],
        )]);
        assert!(matches!(plan, Err(PlanError::BadDate { .. })), "{plan:?}");
    }

    #[test]
    fn two_segments_never_share_a_file() {
        // A server forging an id that is the hashed name of another.
        let b = file_name(&instance("i", "2024-01-01", "DAILY"), "Seg.A");
        let forged = b
            .trim_start_matches("2024-01-01_daily_")
            .trim_end_matches(".tsv")
            .to_owned();
        let plan = Plan::of(vec![(
            instance("i1", "2024-01-01", "DAILY"),
            vec![segment("Seg.A"), segment(&forged)],
        )]);
        assert!(matches!(plan, Err(PlanError::SameFile { .. })), "{plan:?}");
    }

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(
            slug("App Store Downloads Standard"),
            "app-store-downloads-standard"
        );
        assert_eq!(slug("  a//b__C "), "a-b-c");
        assert_eq!(slug("../"), "report");
    }
}
