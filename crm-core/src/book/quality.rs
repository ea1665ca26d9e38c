//! The book's data quality: fill rates, completeness and the values to fix.

use chrono::NaiveDate;

use super::CustomerBook;
use crate::quality::{QualityReport, quality_report};

impl CustomerBook {
    /// The data-quality report of the book's customers ([`quality_report`]): fill rate per
    /// field, completeness, and every invalid or invented value with its customer.
    ///
    /// ```
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(300).seed(3);
    /// let (book, _) = config.build_book()?;
    /// let report = book.quality_report(config.end().date_naive());
    /// assert_eq!(report.records, book.len());
    /// assert!(report.fields.iter().all(|f| (0.0..=1.0).contains(&f.fill_rate)));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn quality_report(&self, today: NaiveDate) -> QualityReport {
        quality_report(&self.customers, today)
    }
}
