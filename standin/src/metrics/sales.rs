//! Sales and Trends and finance reports (`GET /v1/salesReports`,
//! `GET /v1/financeReports`): gzip TSV for the known vendor number, after the
//! checks Apple makes on both (`Accept`, required filters, the vendor).

use std::collections::BTreeMap;

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::{APP_ID, NO_SALES_DATE, PRO_APP_ID, Params, VENDOR, gzip};
use crate::apple::{self, accepts, forbidden, missing_parameter, not_acceptable, served_as};

/// The columns of Sales Summary version 1_0 (Apple's help page "Summary
/// Sales Report"): 28 names, and every seeded row has exactly 28 fields.
pub const SALES_HEADER: &str = "Provider\tProvider Country\tSKU\tDeveloper\tTitle\tVersion\tProduct Type Identifier\tUnits\tDeveloper Proceeds\tBegin Date\tEnd Date\tCustomer Currency\tCountry Code\tCurrency of Proceeds\tApple Identifier\tCustomer Price\tPromo Code\tParent Identifier\tSubscription\tPeriod\tCategory\tCMB\tDevice\tSupported Platforms\tProceeds Reason\tPreserved Pricing\tClient\tOrder Type";

/// Subscription Report version 1_3 (the columns Apple's help page lists).
pub const SUBSCRIPTION_HEADER: &str = "App Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\tSubscription Group ID\tStandard Subscription Duration\tSubscription Offer Name\tPromotional Offer ID\tCustomer Price\tCustomer Currency\tDeveloper Proceeds\tProceeds Currency\tPreserved Pricing\tProceeds Reason\tClient\tDevice\tState\tCountry\tActive Standard Price Subscriptions\tActive Free Trial Introductory Offer Subscriptions\tActive Pay Up Front Introductory Offer Subscriptions\tActive Pay As You Go Introductory Offer Subscriptions\tFree Trial Promotional Offer Subscriptions\tPay Up Front Promotional Offer Subscriptions\tPay As You Go Promotional Offer Subscriptions\tMarketing Opt-Ins\tBilling Retry\tGrace Period\tSubscribers";

/// Subscription Event Report version 1_3.
pub const SUBSCRIPTION_EVENT_HEADER: &str = "Event Date\tEvent\tApp Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\tSubscription Group ID\tStandard Subscription Duration\tSubscription Offer Type\tSubscription Offer Duration\tMarketing Opt-In\tMarketing Opt-In Duration\tPreserved Pricing\tProceeds Reason\tPromotional Offer Name\tPromotional Offer ID\tConsecutive Paid Periods\tOriginal Start Date\tDevice\tClient\tState\tCountry\tPrevious Subscription Name\tPrevious Subscription Apple ID\tDays Before Canceling\tCancellation Reason\tDays Canceled\tQuantity";

/// Subscriber Report version 1_3.
pub const SUBSCRIBER_HEADER: &str = "Event Date\tApp Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\tSubscription Group ID\tStandard Subscription Duration\tSubscription Offer Type\tSubscription Offer Duration\tMarketing Opt-In Duration\tCustomer Price\tCustomer Currency\tDeveloper Proceeds\tProceeds Currency\tPreserved Pricing\tProceeds Reason\tClient\tCountry\tSubscriber ID\tSubscriber ID Reset\tRefund\tPurchase Date\tUnits";

/// Report types the stand-in serves: (type, sub-type, the frequencies
/// Apple offers it in, the version Apple's table lists, header). Apple's
/// table: the reference page of `GET /v1/salesReports`.
const TYPES: &[(&str, &str, &[&str], &str, &str)] = &[
    (
        "SALES",
        "SUMMARY",
        &["DAILY", "WEEKLY", "MONTHLY", "YEARLY"],
        "1_0",
        SALES_HEADER,
    ),
    (
        "SUBSCRIPTION",
        "SUMMARY",
        &["DAILY"],
        "1_3",
        SUBSCRIPTION_HEADER,
    ),
    (
        "SUBSCRIPTION_EVENT",
        "SUMMARY",
        &["DAILY"],
        "1_3",
        SUBSCRIPTION_EVENT_HEADER,
    ),
    (
        "SUBSCRIBER",
        "DETAILED",
        &["DAILY"],
        "1_3",
        SUBSCRIBER_HEADER,
    ),
];

/// One line under `header`: each named cell in its column, every other
/// cell empty; exactly as many fields as the header has names.
fn line(header: &str, cells: &[(&str, &str)]) -> String {
    let names: Vec<&str> = header.split('\t').collect();
    for (name, _) in cells {
        assert!(names.contains(name), "no column {name:?}");
    }
    let fields: Vec<&str> = names
        .iter()
        .map(|n| cells.iter().find(|(c, _)| c == n).map_or("", |(_, v)| *v))
        .collect();
    format!("{}\n", fields.join("\t"))
}

/// `YYYY-MM-DD` as Apple writes dates in sales and finance rows:
/// `MM/DD/YYYY`.
fn us_date(date: &str) -> String {
    match date.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] => format!("{m}/{d}/{y}"),
        [y, m] => format!("{m}/01/{y}"),
        _ => date.to_owned(),
    }
}

/// The seeded sales summary for a date (`MM/DD/YYYY` in the rows).
pub fn sales_tsv(date: &str) -> String {
    let day = us_date(date);
    const NOTES: (&str, &str) = ("POCKETNOTES1", "Pocket Notes");
    const PRO: (&str, &str) = ("POCKETNOTESPRO", "Pocket Notes Pro");
    // (app, units, proceeds per unit, currency, territory, apple id, price)
    let rows = [
        (NOTES, "3", "0.70", "USD", "US", APP_ID, "0.99"),
        (NOTES, "2", "0.70", "USD", "US", APP_ID, "0.99"),
        (NOTES, "-1", "0.70", "USD", "US", APP_ID, "0.99"),
        (NOTES, "4", "0.62", "GBP", "GB", APP_ID, "0.89"),
        (PRO, "1", "3.49", "EUR", "DE", PRO_APP_ID, "4.99"),
    ];
    let mut t = format!("{SALES_HEADER}\n");
    for ((sku, title), units, proceeds, cur, country, apple_id, price) in rows {
        t.push_str(&line(
            SALES_HEADER,
            &[
                ("Provider", "APPLE"),
                ("Provider Country", "US"),
                ("SKU", sku),
                ("Developer", "Example Developer"),
                ("Title", title),
                ("Version", "2.3"),
                ("Product Type Identifier", "1F"),
                ("Units", units),
                ("Developer Proceeds", proceeds),
                ("Begin Date", &day),
                ("End Date", &day),
                ("Customer Currency", cur),
                ("Country Code", country),
                ("Currency of Proceeds", cur),
                ("Apple Identifier", apple_id),
                ("Customer Price", price),
                ("Category", "Productivity"),
                ("Device", "iPhone"),
                ("Supported Platforms", "iOS"),
            ],
        ));
    }
    t
}

/// The seeded report of another type: its own header and one row.
fn typed_tsv(header: &str, date: &str) -> String {
    let app = APP_ID;
    let common = [
        ("App Name", "Pocket Notes"),
        ("App Apple ID", app),
        ("Subscription Name", "Pocket Notes Plus"),
        ("Subscription Apple ID", "1234567899"),
        ("Subscription Group ID", "20001234"),
        ("Standard Subscription Duration", "1 Month"),
        ("Country", "US"),
        ("Device", "iPhone"),
    ];
    let mut cells: Vec<(&str, &str)> = common
        .iter()
        .copied()
        .filter(|(n, _)| header.split('\t').any(|h| h == *n))
        .collect();
    if header == SUBSCRIPTION_HEADER {
        cells.extend([
            ("Customer Price", "2.99"),
            ("Customer Currency", "USD"),
            ("Developer Proceeds", "2.09"),
            ("Proceeds Currency", "USD"),
            ("Active Standard Price Subscriptions", "42"),
            ("Subscribers", "42"),
        ]);
    } else if header == SUBSCRIPTION_EVENT_HEADER {
        cells.extend([("Event Date", date), ("Event", "Renew"), ("Quantity", "3")]);
    } else {
        cells.extend([
            ("Event Date", date),
            ("Customer Price", "2.99"),
            ("Customer Currency", "USD"),
            ("Developer Proceeds", "2.09"),
            ("Proceeds Currency", "USD"),
            ("Subscriber ID", "123456789012345678"),
            ("Purchase Date", date),
            ("Units", "1"),
        ]);
    }
    format!("{header}\n{}", line(header, &cells))
}

/// The seeded finance report as Apple writes it: `MM/DD/YYYY` dates and
/// the totals lines straight after the rows, no blank line between.
pub fn finance_tsv(region: &str, date: &str) -> String {
    let start = us_date(date);
    let end = start.replacen("/01/", "/28/", 1);
    format!(
        "Start Date\tEnd Date\tUPC\tISRC/ISBN\tVendor Identifier\tQuantity\tPartner Share\tExtended Partner Share\tPartner Share Currency\tSales or Return\tApple Identifier\tArtist/Show/Developer/Author\tTitle\tLabel/Studio/Network/Developer/Publisher\tGrid\tProduct Type Identifier\tISAN/Other Identifier\tCountry Of Sale\tPre-order Flag\tPromo Code\tCustomer Price\tCustomer Currency\n\
         {start}\t{end}\t\t\tPOCKETNOTES1\t120\t0.70\t84.00\tUSD\tS\t{APP_ID}\tExample Developer\tPocket Notes\t\t\t1F\t\t{region}\t\t\t0.99\tUSD\n\
         {start}\t{end}\t\t\tPOCKETNOTES1\t-2\t0.70\t-1.40\tUSD\tR\t{APP_ID}\tExample Developer\tPocket Notes\t\t\t1F\t\t{region}\t\t\t0.99\tUSD\n\
         Total_Rows\t2\n\
         Total_Amount\t82.60\n\
         Total_Units\t118\n"
    )
}

/// A report as Apple serves it: `application/a-gzip`, with
/// `Content-Encoding: agzip` (not `gzip`: a client that decompresses
/// transparently must leave it alone) and the file name in
/// `Content-Disposition` and `x-reports-filename`.
fn gzip_response(text: &str, file_name: &str) -> Response {
    let mut r = served_as("application/a-gzip", gzip(text.as_bytes()));
    let h = r.headers_mut();
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("agzip"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename={file_name}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(file_name) {
        h.insert("x-reports-filename", v);
    }
    r
}

/// Checks what both report endpoints require: `Accept: application/a-gzip`,
/// the required filters, and the known vendor number.
fn check_report_query(
    headers: &HeaderMap,
    q: &BTreeMap<String, String>,
    required: &[&str],
) -> Option<Response> {
    if !accepts(headers, "application/a-gzip") {
        return Some(not_acceptable("application/a-gzip"));
    }
    if let Some(p) = required.iter().find(|p| !q.contains_key(**p)) {
        return Some(missing_parameter(p));
    }
    if q.get("filter[vendorNumber]").map(String::as_str) != Some(VENDOR) {
        return Some(forbidden(
            "You are not authorized to access this vendor number",
        ));
    }
    None
}

pub(super) async fn sales_report(headers: HeaderMap, Query(q): Params) -> Response {
    let required = [
        "filter[vendorNumber]",
        "filter[reportType]",
        "filter[reportSubType]",
        "filter[frequency]",
    ];
    if let Some(refusal) = check_report_query(&headers, &q, &required) {
        return refusal;
    }
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let (report_type, sub_type, frequency) = (
        get("filter[reportType]"),
        get("filter[reportSubType]"),
        get("filter[frequency]"),
    );
    let date = get("filter[reportDate]").to_owned();
    let Some((_, _, frequencies, version, header)) = TYPES
        .iter()
        .find(|(t, s, ..)| *t == report_type && *s == sub_type)
    else {
        return no_sales();
    };
    if !frequencies.contains(&frequency) {
        // What Apple answered a public client for a monthly SUBSCRIPTION_EVENT.
        return apple::error(
            400,
            "PARAMETER_ERROR.INVALID.INVALID_COMBINATION",
            "Some provided parameters cannot be used in this combination.",
            "Invalid combination of date type and date. For daily and weekly reports, use format YYYY-MM-DD. For monthly, use YYYY-MM. For yearly, use YYYY.",
        );
    }
    // Subscription reports need their version (public clients saw Apple's
    // 400 name the latest); SALES is served without one as well.
    let asked = q.get("filter[version]").map(String::as_str);
    if asked.is_some_and(|v| v != *version) || (asked.is_none() && report_type != "SALES") {
        return apple::error(
            400,
            "PARAMETER_ERROR.INVALID",
            "A parameter has an invalid value",
            &format!(
                "The version parameter you have specified is invalid. The latest version for this report is {version}."
            ),
        );
    }
    if date == NO_SALES_DATE {
        return no_sales();
    }
    let compact = date.replace('-', "");
    let vendor = get("filter[vendorNumber]");
    let (text, name) = if report_type == "SALES" {
        let f = &frequency[..1];
        (sales_tsv(&date), format!("S_{f}_{vendor}_{compact}.txt"))
    } else {
        let kind = match report_type {
            "SUBSCRIPTION" => "Subscription",
            "SUBSCRIPTION_EVENT" => "Subscription_Event",
            _ => "Subscriber",
        };
        (
            typed_tsv(header, &date),
            format!("{kind}_{vendor}_{compact}_V{version}.txt"),
        )
    };
    gzip_response(&text, &name)
}

/// Apple's 404 for a report with nothing in it.
fn no_sales() -> Response {
    apple::error(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        "There were no sales for the date specified.",
    )
}

pub(super) async fn finance_report(headers: HeaderMap, Query(q): Params) -> Response {
    let required = [
        "filter[vendorNumber]",
        "filter[reportType]",
        "filter[regionCode]",
        "filter[reportDate]",
    ];
    if let Some(refusal) = check_report_query(&headers, &q, &required) {
        return refusal;
    }
    let (region, date) = (&q["filter[regionCode]"], &q["filter[reportDate]"]);
    let name = format!("{VENDOR}_{}_{region}.txt", date.replace('-', ""));
    gzip_response(&finance_tsv(region, date), &name)
}
