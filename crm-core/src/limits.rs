//! Bounds on the sizes a caller passes, checked before anything is allocated.
//!
//! Each limit is a `pub const` next to the function it bounds; this module holds the two
//! helpers every check goes through, so that an out-of-range size and a failed allocation give
//! the same kind of error everywhere: [`crate::ErrorKind::InvalidInput`] naming the field and
//! the value. The limits are:
//!
//! | limit | bounds |
//! |---|---|
//! | [`crate::segment::MAX_LORENZ_POINTS`] | `points` of [`crate::segment::pareto`] |
//! | [`crate::clv::MAX_CLV_MONTHS`] | `months` of [`crate::clv::lifetime_value`] and [`crate::clv::ClvConfig`] |
//! | [`crate::sla::MAX_BUSINESS_MINUTES`] | `minutes` of [`crate::sla::BusinessCalendar::add_business_minutes`] |
//! | [`crate::sla::MAX_SPAN_DAYS`] | the span of [`crate::sla::BusinessCalendar::business_minutes_between`] |
//! | [`crate::quality::MAX_BLOCK_CAP`], [`crate::quality::MAX_PAIRS`] | `max_block` and the pairs compared by duplicate detection |
//! | [`crate::lifecycle::MAX_POLICY_DAYS`] | every day count of a [`crate::lifecycle::LifecyclePolicy`] |
//! | [`crate::lifecycle::MAX_GAP_MULTIPLE`] | `at_risk.gap_multiple` of a lifecycle policy |
//! | [`crate::sample::MAX_SAMPLE_CUSTOMERS`], [`crate::sample::MAX_MEAN_PURCHASES`] | the size of a generated sample book |
//! | [`crate::value::MAX_VALUE_KEYS`], [`crate::value::MAX_KEY_WEIGHT`] | the keys of a [`crate::value::ValueModel`] and each key's weight |
//! | [`crate::value::MAX_NAMED_COLUMNS`] | the columns of a [`crate::value::NamedColumns`] table from C (`n_columns`) |
//! | [`crate::segment::MAX_RFM_RULES`] | the rules of an [`crate::segment::RfmSegmentMap`] (bins and scale are 2 to 9) |
//! | [`crate::segment::MAX_TIERS`] | the tiers of a [`crate::segment::PyramidConfig`] |
//! | [`crate::clv::MAX_FIT_ITERATIONS`], [`crate::clv::FIT_TOLERANCE_RANGE`] | [`crate::clv::FitOptions`] |
//! | [`crate::sla::MAX_WINDOWS_PER_DAY`], [`crate::sla::MAX_SPECIAL_DAYS`] | a calendar's windows per day, holidays and special days |
//! | [`crate::sla::MAX_TARGET_MINUTES`], [`crate::sla::MAX_ESCALATION_SHARE`] | SLA targets and escalation shares |
//! | [`crate::quality::MAX_RANDOM_PAIRS`], [`crate::quality::MAX_EM_ITERATIONS`], [`crate::quality::MAX_CLUSTER_CAP`] | `random_pairs`, `iterations`, `max_cluster` of a [`crate::quality::DedupConfig`] |
//! | [`crate::quality::MAX_MATCH_COLUMNS`] | the columns of [`crate::quality::records_from_columns`] (C `n_columns`) |
//! | [`crate::parallel::MAX_THREADS`] | the size of the worker pool |
//! | [`crate::audience::MAX_RULE_NODES`], [`crate::audience::MAX_RULE_DEPTH`], [`crate::audience::MAX_IN_VALUES`], [`crate::audience::MAX_NAMED_AUDIENCES`] | an audience rule |
//! | [`crate::audience::MAX_SUPPRESSED_IDS`], [`crate::audience::MAX_CAP_DAYS`] | an audience's suppression |
//!
//! Allocations proportional to the input in batch work go through `try_vec`, which turns an
//! allocation failure into an error instead of aborting the process.

use crate::error::{CrmError, Result};

/// `Ok` when `value` ≤ `max`; otherwise an `InvalidInput` error naming `field` and `value`:
/// the check every limit goes through, public so that the skins check a count they receive
/// (a C `n_columns`) against a limit of this crate before allocating for it.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `field` when `value` > `max` (or is not
/// comparable, as NaN).
///
/// ```
/// use crm_core::limits::at_most;
/// assert!(at_most("n_columns", 3usize, 8).is_ok());
/// assert_eq!(at_most("n_columns", 9usize, 8).unwrap_err().to_string(),
///            "invalid n_columns 9: must be at most 8");
/// ```
pub fn at_most<T: PartialOrd + std::fmt::Display>(field: &str, value: T, max: T) -> Result<()> {
    if value <= max {
        Ok(())
    } else {
        Err(CrmError::invalid(
            field,
            &value,
            format_args!("must be at most {max}"),
        ))
    }
}

/// An empty vector with room for `n` items, or an `InvalidInput` error naming `field` when the
/// memory cannot be had (instead of the process aborting).
pub(crate) fn try_vec<T>(field: &str, n: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        CrmError::invalid(
            field,
            format_args!("of {n} items"),
            "needs more memory than is available",
        )
    })?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn at_most_names_the_field_and_value() {
        assert!(at_most("points", 10usize, 10).is_ok());
        let e = at_most("points", 11usize, 10).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("points"));
        assert_eq!(e.to_string(), "invalid points 11: must be at most 10");
    }

    #[test]
    fn try_vec_turns_a_huge_allocation_into_an_error() {
        let v: Vec<u64> = try_vec("rows", 16).unwrap();
        assert!(v.capacity() >= 16);
        // 2^61 u64s is 16 EiB: more than any machine has, and more than isize::MAX bytes.
        let e = try_vec::<u64>("rows", 1 << 61).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "invalid rows of 2305843009213693952 items: needs more memory than is available"
        );
    }
}
