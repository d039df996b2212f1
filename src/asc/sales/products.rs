//! Daily sales summaries kept by product type, for the archive: the
//! totals of [`Summary`](super::Summary) split further by `Product Type
//! Identifier` and `Parent Identifier`, so a reader can tell first-time
//! downloads from updates and re-downloads, and find an app's in-app
//! purchases (their parent identifier is the app's SKU).

use std::collections::BTreeMap;

use super::{ReportError, SummaryRow, column};

/// Product types that count as a first-time download of an app, as
/// Apple's "Product type identifiers" reference lists them (verified,
/// spec/ARCHIVE.md §5a): free or paid apps (`1` iOS/iPadOS/visionOS/
/// watchOS, `1F` universal, `1T` iPad, `F1` Mac) and paid custom apps
/// (`1E`, `1EP`, `1EU`). Updates (`7`, `7F`, `7T`, `F7`), re-downloads
/// (`3`, `3F`), app bundles and in-app purchases are not downloads.
pub const DOWNLOAD_TYPES: [&str; 7] = ["1", "1F", "1T", "F1", "1E", "1EP", "1EU"];

/// Whether units of this product type are first-time downloads.
pub fn is_download(product_type: &str) -> bool {
    DOWNLOAD_TYPES.contains(&product_type.trim())
}

/// One archived row: units and proceeds of one product type of one app
/// (or in-app purchase) in one territory and proceeds currency.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductRow {
    /// Apple identifier, title, territory, units, proceeds, currency.
    pub row: SummaryRow,
    /// `Product Type Identifier`; `None` when the report has no such
    /// column.
    pub product_type: Option<String>,
    /// `Parent Identifier`: the parent app's SKU for an in-app purchase,
    /// empty for an app; `None` when the report has no such column.
    pub parent_identifier: Option<String>,
}

type Key = (String, String, String, String, String);

/// Sums a report's rows by app, product type, parent, territory and
/// currency, one row at a time.
#[derive(Debug)]
pub struct ProductSummary {
    columns: [usize; 6],
    product_type: Option<usize>,
    parent: Option<usize>,
    totals: BTreeMap<Key, ProductRow>,
}

impl ProductSummary {
    /// A summary of rows under this header: the columns
    /// [`Summary`](super::Summary) needs are required, the product type
    /// and parent identifier are kept when present.
    pub fn new(header: &[String]) -> Result<ProductSummary, ReportError> {
        let col = |name: &str| {
            column(header, name).ok_or_else(|| ReportError::MissingColumn(name.to_owned()))
        };
        Ok(ProductSummary {
            columns: [
                col("Apple Identifier")?,
                col("Title")?,
                col("Country Code")?,
                col("Units")?,
                col("Developer Proceeds")?,
                col("Currency of Proceeds")?,
            ],
            product_type: column(header, "Product Type Identifier"),
            parent: column(header, "Parent Identifier"),
            totals: BTreeMap::new(),
        })
    }

    /// Adds a row (as long as the header).
    pub fn add(&mut self, row: &[String]) {
        let [app, title, territory, units, proceeds, currency] = self.columns;
        let u: f64 = row[units].trim().parse().unwrap_or(0.0);
        let p: f64 = row[proceeds].trim().parse().unwrap_or(0.0);
        let product_type = self.product_type.map(|i| row[i].trim().to_owned());
        let parent = self.parent.map(|i| row[i].trim().to_owned());
        let key = (
            row[app].clone(),
            product_type.clone().unwrap_or_default(),
            parent.clone().unwrap_or_default(),
            row[territory].clone(),
            row[currency].clone(),
        );
        let entry = self.totals.entry(key).or_insert_with(|| ProductRow {
            row: SummaryRow {
                apple_identifier: row[app].clone(),
                title: row[title].clone(),
                territory: row[territory].clone(),
                units: 0.0,
                proceeds: 0.0,
                currency: row[currency].clone(),
            },
            product_type,
            parent_identifier: parent,
        });
        entry.row.units += u;
        entry.row.proceeds += u * p;
    }

    /// The totals, proceeds rounded to cents.
    pub fn finish(self) -> Vec<ProductRow> {
        let mut rows: Vec<ProductRow> = self.totals.into_values().collect();
        for r in &mut rows {
            r.row.proceeds = (r.row.proceeds * 100.0).round() / 100.0;
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asc::sales::Tsv;

    #[test]
    fn updates_and_in_app_purchases_stay_apart_from_downloads() {
        let text = "Title\tProduct Type Identifier\tUnits\tDeveloper Proceeds\tCountry Code\tCurrency of Proceeds\tApple Identifier\tParent Identifier\n\
                    App\t1F\t100\t0.70\tUS\tUSD\t1\t\n\
                    App\t1F\t-2\t0.70\tUS\tUSD\t1\t\n\
                    App\t7F\t40\t0\tUS\tUSD\t1\t\n\
                    Coins\tIA1\t5\t0.42\tUS\tUSD\t9\tAPPSKU\n";
        let tsv = Tsv::parse(text.as_bytes()).unwrap();
        let mut s = ProductSummary::new(&tsv.header).unwrap();
        for r in &tsv.rows {
            s.add(r);
        }
        let rows = s.finish();
        assert_eq!(rows.len(), 3);
        let downloads: f64 = rows
            .iter()
            .filter(|r| r.product_type.as_deref().is_some_and(is_download))
            .map(|r| r.row.units)
            .sum();
        assert_eq!(downloads, 98.0);
        let iap = rows.iter().find(|r| r.row.apple_identifier == "9").unwrap();
        assert_eq!(iap.parent_identifier.as_deref(), Some("APPSKU"));
        assert_eq!(iap.row.proceeds, 2.1);
        assert!(!is_download("7F") && !is_download("3F") && !is_download("IA1"));
    }

    #[test]
    fn a_report_without_product_types_keeps_none() {
        let text = "Title\tUnits\tDeveloper Proceeds\tCountry Code\tCurrency of Proceeds\tApple Identifier\n\
                    A\t3\t0.70\tUS\tUSD\t1\n";
        let tsv = Tsv::parse(text.as_bytes()).unwrap();
        let mut s = ProductSummary::new(&tsv.header).unwrap();
        s.add(&tsv.rows[0]);
        let rows = s.finish();
        assert_eq!(rows[0].product_type, None);
        assert_eq!(rows[0].parent_identifier, None);
    }
}
