//! The book's data quality: fill rates, completeness and the values to fix.

use chrono::NaiveDate;

use super::CustomerBook;
use crate::quality::{Country, QualityReport, quality_report, quality_report_in};

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

    /// As [`CustomerBook::quality_report`], with `country`'s rules for national ids, tax
    /// numbers, phones and postcodes ([`quality_report_in`]).
    pub fn quality_report_in(&self, today: NaiveDate, country: Country) -> QualityReport {
        quality_report_in(&self.customers, today, country)
    }
}
