//! Sales and Trends and finance reports (`GET /v1/salesReports`,
//! `GET /v1/financeReports`): gzip TSV for the known vendor number, after the
//! checks Apple makes on both (`Accept`, required filters, the vendor).

use std::collections::BTreeMap;

use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{APP_ID, NO_SALES_DATE, PRO_APP_ID, Params, VENDOR, gzip};
use crate::apple::{self, accepts, forbidden, missing_parameter, not_acceptable, served_as};

const SALES_HEADER: &str = "Provider\tProvider Country\tSKU\tDeveloper\tTitle\tVersion\tProduct Type Identifier\tUnits\tDeveloper Proceeds\tBegin Date\tEnd Date\tCustomer Currency\tCountry Code\tCurrency of Proceeds\tApple Identifier\tCustomer Price\tPromo Code\tParent Identifier\tSubscription\tPeriod\tCategory\tCMB\tDevice\tSupported Platforms\tProceeds Reason\tPreserved Pricing\tClient\tOrder Type";

/// The seeded sales summary for a date (`MM/DD/YYYY` in the rows).
pub fn sales_tsv(date: &str) -> String {
    let d = date.split('-').collect::<Vec<_>>();
    let us_date = match d.as_slice() {
        [y, m, day] => format!("{m}/{day}/{y}"),
        _ => date.to_owned(),
    };
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
        t.push_str(&format!(
            "APPLE\tUS\t{sku}\tExample Developer\t{title}\t2.3\t1F\t{units}\t{proceeds}\t{us_date}\t{us_date}\t{cur}\t{country}\t{cur}\t{apple_id}\t{price}\t\t\t\t\t\tProductivity\t\tiPhone\tiOS\t\t\t\t\n"
        ));
    }
    t
}

/// The seeded finance report.
pub fn finance_tsv(region: &str, date: &str) -> String {
    format!(
        "Start Date\tEnd Date\tUPC\tISRC/ISBN\tVendor Identifier\tQuantity\tPartner Share\tExtended Partner Share\tPartner Share Currency\tSales or Return\tApple Identifier\tArtist/Show/Developer/Author\tTitle\tLabel/Studio/Network/Developer/Publisher\tGrid\tProduct Type Identifier\tISAN/Other Identifier\tCountry Of Sale\tPre-order Flag\tPromo Code\tCustomer Price\tCustomer Currency\n\
         {date}-01\t{date}-28\t\t\tPOCKETNOTES1\t120\t0.70\t84.00\tUSD\tS\t{APP_ID}\tExample Developer\tPocket Notes\t\t\t1F\t\t{region}\t\t\t0.99\tUSD\n\
         {date}-01\t{date}-28\t\t\tPOCKETNOTES1\t-2\t0.70\t-1.40\tUSD\tR\t{APP_ID}\tExample Developer\tPocket Notes\t\t\t1F\t\t{region}\t\t\t0.99\tUSD\n\
         \n\
         Total_Rows\t2\n\
         Total_Amount\t82.60\n\
         Total_Units\t118\n"
    )
}

fn gzip_response(text: &str) -> Response {
    served_as("application/a-gzip", gzip(text.as_bytes()))
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
    let date = q.get("filter[reportDate]").cloned().unwrap_or_default();
    if date == NO_SALES_DATE {
        return apple::error(
            404,
            "NOT_FOUND",
            "The specified resource does not exist",
            "There were no sales for the date specified.",
        );
    }
    gzip_response(&sales_tsv(&date))
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
    gzip_response(&finance_tsv(
        &q["filter[regionCode]"],
        &q["filter[reportDate]"],
    ))
}
