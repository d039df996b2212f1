//! What `metrics download` fetches: the reports of one name, their
//! instances within a date window (oldest first), each instance's segments
//! (each segment once), and the file each segment is written to. The
//! network steps are in [`plan`]; the choices between them are plain
//! functions over what was fetched, so they are tested here.

use std::collections::HashSet;

use thiserror::Error;

use super::{InstanceInfo, ReportInfo, SegmentInfo, instances, reports, segments};
use crate::asc::client::Client;
use crate::asc::error::AscError;

/// Which report, and which of its instances.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    /// The report's name, as `metrics reports` shows it (case and
    /// surrounding spaces ignored).
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
    /// `<processing date>_<granularity>_<segment id>.tsv`, file-name safe.
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
    Ok(Plan::of(per_instance))
}

/// The reports called `name` (ignoring case and surrounding spaces): the
/// ongoing and the snapshot request each have one.
fn named<'a>(all: &'a [ReportInfo], name: &str) -> Vec<&'a ReportInfo> {
    all.iter()
        .filter(|r| r.name.trim().eq_ignore_ascii_case(name.trim()))
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
    /// some) is fetched once, under the first.
    fn of(per_instance: Vec<(InstanceInfo, Vec<SegmentInfo>)>) -> Plan {
        let instances = per_instance.len();
        let mut seen = HashSet::new();
        let mut segments = Vec::new();
        for (instance, segs) in per_instance {
            for segment in segs {
                if seen.insert(segment.id.clone()) {
                    let file_name = format!(
                        "{}_{}_{}.tsv",
                        instance.processing_date,
                        instance.granularity.to_ascii_lowercase(),
                        slug(&segment.id)
                    );
                    segments.push(Planned {
                        instance: instance.clone(),
                        segment,
                        file_name,
                    });
                }
            }
        }
        Plan {
            instances,
            segments,
        }
    }
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
        ]);
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
    fn slugs_are_file_name_safe() {
        assert_eq!(
            slug("App Store Downloads Standard"),
            "app-store-downloads-standard"
        );
        assert_eq!(slug("  a//b__C "), "a-b-c");
        assert_eq!(slug("../"), "report");
    }
}
