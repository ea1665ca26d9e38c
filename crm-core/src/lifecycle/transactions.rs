//! Stages straight from transaction columns (customer, instant, amount): the data team's
//! path, without building a book or inventing customer records.

use chrono::{DateTime, Utc};

use super::replay::{Bought, History};
use super::{LifecyclePolicy, Stage, StageFactColumns, classify};
use crate::error::Result;
use crate::segment::{check_len, check_values};
use crate::transactions::{Amounts, TransactionColumns};

/// Every customer's facts and stage as of an instant, ascending by customer id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransactionStages {
    /// The facts the rules read (`customer_id` first), one row per customer.
    pub facts: StageFactColumns,
    /// The stage of each row of `facts`.
    pub stage: Vec<Stage>,
}

/// The lifecycle stage of every customer with a row at or before `as_of`, from transaction
/// columns. Each row with a positive amount is a purchase (collapse line items into orders
/// first with [`crate::transactions::collapse_orders`]); rows with zero or negative amounts
/// (refunds) start the relationship but are no purchase. Transaction columns carry no
/// categories, churn records or complaints, so those facts are 0.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for columns of different lengths, an instant that is
/// missing or out of range (naming `at[row]`), a non-finite decimal amount (naming its row),
/// or a policy that fails [`LifecyclePolicy::validate`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::lifecycle::{LifecyclePolicy, Stage, stages_from_transactions};
/// use crm_core::time::TimeUnit;
/// use crm_core::transactions::{Amounts, TransactionColumns};
/// let day = 86_400;
/// let cols = TransactionColumns {
///     customer_id: &[8, 3, 8],
///     at: &[0, 5 * day, 20 * day],
///     unit: TimeUnit::Seconds,
///     amount: Amounts::Minor(&[1_000, 500, 700]),
/// };
/// let as_of = Utc.with_ymd_and_hms(1970, 1, 31, 0, 0, 0).unwrap(); // day 30
/// let s = stages_from_transactions(&LifecyclePolicy::default(), &cols, as_of)?;
/// assert_eq!(s.facts.customer_id, vec![3, 8]);
/// assert_eq!(s.stage, vec![Stage::New, Stage::Active]); // 8 bought again
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn stages_from_transactions(
    policy: &LifecyclePolicy,
    cols: &TransactionColumns<'_>,
    as_of: DateTime<Utc>,
) -> Result<TransactionStages> {
    policy.validate()?;
    let n = cols.customer_id.len();
    check_len("at", cols.at.len(), "customer_id", n)?;
    let amount = |r: usize| match cols.amount {
        Amounts::Minor(a) => a[r] as f64,
        Amounts::Decimal(a) => a[r],
    };
    match cols.amount {
        Amounts::Minor(a) => check_len("amount", a.len(), "customer_id", n)?,
        Amounts::Decimal(a) => {
            check_len("amount", a.len(), "customer_id", n)?;
            check_values("amount", a)?;
        }
    }
    cols.unit.check_column("at", cols.at)?;
    let cut = cols.unit.ticks(as_of);
    let mut rows: Vec<u32> = (0..n as u32)
        .filter(|&r| cols.at[r as usize] <= cut)
        .collect();
    rows.sort_unstable_by_key(|&r| (cols.customer_id[r as usize], cols.at[r as usize]));
    let mut out = TransactionStages::default();
    let mut start = 0;
    while start < rows.len() {
        let id = cols.customer_id[rows[start] as usize];
        let end = start
            + rows[start..]
                .iter()
                .position(|&r| cols.customer_id[r as usize] != id)
                .unwrap_or(rows.len() - start);
        let mut h = History::default();
        for &r in &rows[start..end] {
            let r = r as usize;
            let at = cols.unit.instant(cols.at[r]);
            h.start = Some(h.start.map_or(at, |s| s.min(at)));
            if amount(r) > 0.0 {
                h.purchases.push(Bought {
                    at,
                    amount: amount(r),
                    category: None,
                });
            }
        }
        h.prepare();
        let upsell_at = h.first_upsell(policy.active.up_sell_ratio);
        let f = h.facts_at(policy, as_of, upsell_at);
        out.stage.push(classify(policy, &f));
        out.facts.push(id, &f);
        start = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::model::{Event, Purchase};
    use crate::time::TimeUnit;

    #[test]
    fn stages_match_the_replay_of_the_same_purchases() {
        // Customer 1 bought on days 0, 30, 60 (active), 2 once on day 85 (new), 3 once on
        // day 0 and never again (at risk: onboarding failed), 5 has a refund only (prospect).
        let day = 86_400_i64;
        let ids = [1, 2, 1, 3, 1, 5];
        let at = [0, 85 * day, 30 * day, 0, 60 * day, 10 * day];
        let amount = [100_i64, 50, 100, 80, 120, -40];
        let cols = TransactionColumns {
            customer_id: &ids,
            at: &at,
            unit: TimeUnit::Seconds,
            amount: Amounts::Minor(&amount),
        };
        let t0 = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        let as_of = t0 + Duration::days(90);
        let policy = LifecyclePolicy::default();
        let s = stages_from_transactions(&policy, &cols, as_of).unwrap();
        assert_eq!(s.facts.customer_id, vec![1, 2, 3, 5]);
        assert_eq!(s.facts.purchases, vec![3, 1, 1, 0]);
        assert_eq!(&s.facts.days_since_last[..3], &[30.0, 5.0, 90.0]);
        assert!(s.facts.days_since_last[3].is_nan());
        // The same answer as replaying the purchases as book events.
        for (i, &id) in s.facts.customer_id.iter().enumerate() {
            let events: Vec<Event> = (0..ids.len())
                .filter(|&r| ids[r] == id && amount[r] > 0)
                .map(|r| {
                    Event::new(
                        id,
                        t0 + Duration::seconds(at[r]),
                        Purchase {
                            amount: amount[r],
                            currency: "TRY".into(),
                            product: None,
                            category: None,
                            channel: None,
                        },
                    )
                })
                .collect();
            let expected = if events.is_empty() {
                Stage::Prospect
            } else {
                super::super::replay(&policy, &events, as_of)
                    .unwrap()
                    .last()
                    .unwrap()
                    .stage
            };
            assert_eq!(s.stage[i], expected, "customer {id}");
        }
        assert_eq!(
            s.stage,
            vec![Stage::Active, Stage::New, Stage::AtRisk, Stage::Prospect]
        );
    }

    #[test]
    fn rows_after_as_of_are_ignored_and_bad_instants_named() {
        let cols = TransactionColumns {
            customer_id: &[1, 2],
            at: &[0, 10_000_000],
            unit: TimeUnit::Seconds,
            amount: Amounts::Decimal(&[5.0, 5.0]),
        };
        let as_of = Utc.with_ymd_and_hms(1970, 1, 2, 0, 0, 0).unwrap();
        let s = stages_from_transactions(&LifecyclePolicy::default(), &cols, as_of).unwrap();
        assert_eq!(s.facts.customer_id, vec![1]);
        let bad = TransactionColumns {
            at: &[0, i64::MIN],
            ..cols
        };
        let e = stages_from_transactions(&LifecyclePolicy::default(), &bad, as_of).unwrap_err();
        assert_eq!(e.field(), Some("at[1]"));
    }
}
