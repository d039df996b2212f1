//! Which `reportSubType`, `frequency` and `version` each sales report type
//! accepts, from the table "Allowed values based on sales report type" of
//! Apple's reference for `GET /v1/salesReports` (spec/METRICS.md §3 and
//! §7). Apple answers anything else with a 400; checking first gives a
//! usage error that names what is allowed, and defaulting the version lets
//! `SUBSCRIPTION` & co. work without `--report-version`.

/// One row of Apple's table: a report type and sub-type, the frequencies it
/// comes in, and its versions per frequency (the last is the default).
struct Allowed {
    report_type: &'static str,
    sub_type: &'static str,
    /// (frequency, versions oldest first)
    frequencies: &'static [(&'static str, &'static [&'static str])],
}

const DWMY: &[(&str, &[&str])] = &[
    ("DAILY", &["1_0"]),
    ("WEEKLY", &["1_0"]),
    ("MONTHLY", &["1_0"]),
    ("YEARLY", &["1_0"]),
];
const DAILY_1_0: &[(&str, &[&str])] = &[("DAILY", &["1_0"])];
/// Version 1_2 of the subscription reports "is no longer available".
const DAILY_1_3: &[(&str, &[&str])] = &[("DAILY", &["1_3"])];
const INSTALLS_YEARLY: &[(&str, &[&str])] = &[("YEARLY", &["1_0", "1_1"])];

const TABLE: &[Allowed] = &[
    Allowed {
        report_type: "SALES",
        sub_type: "SUMMARY",
        frequencies: DWMY,
    },
    Allowed {
        report_type: "PRE_ORDER",
        sub_type: "SUMMARY",
        frequencies: DWMY,
    },
    Allowed {
        report_type: "NEWSSTAND",
        sub_type: "DETAILED",
        frequencies: &[("DAILY", &["1_0"]), ("WEEKLY", &["1_0"])],
    },
    Allowed {
        report_type: "SUBSCRIPTION",
        sub_type: "SUMMARY",
        frequencies: DAILY_1_3,
    },
    Allowed {
        report_type: "SUBSCRIPTION_EVENT",
        sub_type: "SUMMARY",
        frequencies: DAILY_1_3,
    },
    Allowed {
        report_type: "SUBSCRIBER",
        sub_type: "DETAILED",
        frequencies: DAILY_1_3,
    },
    Allowed {
        report_type: "SUBSCRIPTION_OFFER_CODE_REDEMPTION",
        sub_type: "SUMMARY",
        frequencies: DAILY_1_0,
    },
    Allowed {
        report_type: "WIN_BACK_ELIGIBILITY",
        sub_type: "SUMMARY",
        frequencies: DAILY_1_0,
    },
    Allowed {
        report_type: "FIRST_ANNUAL",
        sub_type: "DETAILED",
        frequencies: DAILY_1_0,
    },
    Allowed {
        report_type: "FIRST_ANNUAL",
        sub_type: "SUMMARY",
        frequencies: &[("YEARLY", &["1_0"])],
    },
    Allowed {
        report_type: "INSTALLS",
        sub_type: "SUMMARY",
        frequencies: &[("MONTHLY", &["1_2"])],
    },
    Allowed {
        report_type: "INSTALLS",
        sub_type: "DETAILED",
        frequencies: &[("MONTHLY", &["1_2"]), ("YEARLY", &["1_0", "1_1"])],
    },
    Allowed {
        report_type: "INSTALLS",
        sub_type: "SUMMARY_CHANNEL",
        frequencies: INSTALLS_YEARLY,
    },
    Allowed {
        report_type: "INSTALLS",
        sub_type: "SUMMARY_INSTALL_TYPE",
        frequencies: INSTALLS_YEARLY,
    },
    Allowed {
        report_type: "INSTALLS",
        sub_type: "SUMMARY_TERRITORY",
        frequencies: INSTALLS_YEARLY,
    },
];

/// Why a combination is not one Apple's table allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotAllowed {
    /// The type is known but not with this sub-type; the ones it takes.
    SubType(Vec<&'static str>),
    /// The type and sub-type are known but not at this frequency; the
    /// frequencies they come in.
    Frequency(Vec<&'static str>),
}

/// The version to send for a report type, sub-type and frequency (all in
/// Apple's upper case): the newest Apple's table lists. `Ok(None)` for a
/// report type the table does not know (sent as given, without a version:
/// Apple may add types); an error for a combination the table rules out.
pub fn default_version(
    report_type: &str,
    sub_type: &str,
    frequency: &str,
) -> Result<Option<&'static str>, NotAllowed> {
    let of_type: Vec<&Allowed> = TABLE
        .iter()
        .filter(|a| a.report_type == report_type)
        .collect();
    if of_type.is_empty() {
        return Ok(None);
    }
    let Some(row) = of_type.iter().find(|a| a.sub_type == sub_type) else {
        return Err(NotAllowed::SubType(
            of_type.iter().map(|a| a.sub_type).collect(),
        ));
    };
    match row.frequencies.iter().find(|(f, _)| *f == frequency) {
        Some((_, versions)) => Ok(versions.last().copied()),
        None => Err(NotAllowed::Frequency(
            row.frequencies.iter().map(|(f, _)| *f).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_frequencies_follow_apples_table() {
        assert_eq!(
            default_version("SALES", "SUMMARY", "WEEKLY"),
            Ok(Some("1_0"))
        );
        for t in ["SUBSCRIPTION", "SUBSCRIPTION_EVENT"] {
            assert_eq!(default_version(t, "SUMMARY", "DAILY"), Ok(Some("1_3")));
        }
        assert_eq!(
            default_version("SUBSCRIBER", "DETAILED", "DAILY"),
            Ok(Some("1_3"))
        );
        assert_eq!(
            default_version("INSTALLS", "DETAILED", "YEARLY"),
            Ok(Some("1_1"))
        );
        assert_eq!(
            default_version("SUBSCRIPTION_EVENT", "SUMMARY", "MONTHLY"),
            Err(NotAllowed::Frequency(vec!["DAILY"]))
        );
        assert_eq!(
            default_version("SUBSCRIBER", "SUMMARY", "DAILY"),
            Err(NotAllowed::SubType(vec!["DETAILED"]))
        );
        assert_eq!(
            default_version("SOMETHING_NEW", "SUMMARY", "DAILY"),
            Ok(None)
        );
    }
}
