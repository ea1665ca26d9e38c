//! Data quality: validation and normalisation of the fields data entry gets wrong, invented
//! values, completeness, Turkish-aware matching keys, and duplicate detection.

mod birth;
pub(crate) mod checksum;
mod columns;
mod country;
mod dedup;
mod golden;
mod names;
mod report;
mod text;
mod validate;

#[cfg(test)]
mod tests;

pub use birth::{BIRTH_DATE_SPELLINGS, BirthDateReading, customers_with_findings, read_birth_date};
pub use columns::{CUSTOMER_COLUMNS, customers_from_columns, customers_from_columns_with_findings};
pub use country::{Check, Country, QualityOptions};
pub(crate) use dedup::sort_best_first;
pub use dedup::{
    COLUMNS, DedupConfig, Duplicates, ENTRY_SHARE, FIELDS, FieldEvidence, IndexMatch, Level,
    MAX_BLOCK_CAP, MAX_CLUSTER_CAP, MAX_EM_ITERATIONS, MAX_MATCH_COLUMNS, MAX_PAIRS,
    MAX_RANDOM_PAIRS, MAX_WINDOW, MatchIndex, MatchModel, MatchPair, MatchRecord, evidence,
    find_duplicates, pairs_within, precision_recall, records_from_columns,
};
pub use dedup::{KeyYield, PairCompleteness, pair_completeness, pair_completeness_by_key};
pub use golden::{GoldenRecord, GoldenRules, Survivorship, golden_record, golden_record_with};
pub use names::NameUsage;
pub use report::{
    CustomerFinding, FieldFill, QualityReport, quality_report, quality_report_in,
    quality_report_with_findings, quality_report_with_findings_in,
};
pub use text::{fold, normalize_name, turkish_lower};
pub use validate::{
    CustomerQuality, Finding, FindingKind, ORGANISATION_FIELDS, PERSON_FIELDS, assess,
    assess_customer, assess_customer_in, assess_with_findings, assess_with_findings_in,
    completeness, filled_fields, is_valid_postcode, is_valid_tckn, is_valid_vkn, normalize_email,
    normalize_phone, placeholder_reason, validate_customer, validate_customer_in,
};
