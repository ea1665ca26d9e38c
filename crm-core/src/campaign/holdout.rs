//! The control group: a seeded, deterministic draw per (campaign, customer).
//!
//! The draw depends on the seed, the campaign id and the customer id only, never on the order
//! or the size of the audience, so that a customer added to an audience later keeps the arm
//! the others would have given them, and every platform and version draws the same.

use crate::{CrmError, Result};

/// The largest hold-out share a plan may ask for (half the audience as control).
pub const MAX_HOLDOUT_SHARE: f64 = 0.5;

/// SplitMix64's output function (Steele, Lea & Flood 2014): one 64-bit mix step.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, 64 bits, over the UTF-8 bytes of `text`.
pub fn fnv1a64(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The uniform draw in [0, 1) behind [`held_out`]: 53 bits of
/// `splitmix64(splitmix64(seed ^ fnv1a64(campaign_id)) ^ customer_id)`.
pub fn holdout_draw(seed: u64, campaign_id: &str, customer_id: u64) -> f64 {
    let u = splitmix64(splitmix64(seed ^ fnv1a64(campaign_id)) ^ customer_id) >> 11;
    u as f64 / (1u64 << 53) as f64
}

/// Whether `customer_id` is held out as control of `campaign_id`: its
/// [`holdout_draw`] is below `share`. Share 0 holds nobody out.
///
/// ```
/// use crm_core::campaign::held_out;
/// assert_eq!(held_out(42, "bahar-25", 1, 0.2), true); // draw 0.156…
/// assert_eq!(held_out(0, "bahar-25", 1, 0.2), false); // draw 0.623…
/// ```
pub fn held_out(seed: u64, campaign_id: &str, customer_id: u64, share: f64) -> bool {
    holdout_draw(seed, campaign_id, customer_id) < share
}

/// Checks a hold-out share: a number from 0 to [`MAX_HOLDOUT_SHARE`].
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `holdout_share`.
///
/// ```
/// assert!(crm_core::campaign::check_holdout_share(0.1).is_ok());
/// assert!(crm_core::campaign::check_holdout_share(0.7).is_err());
/// ```
pub fn check_holdout_share(share: f64) -> Result<()> {
    if !(0.0..=MAX_HOLDOUT_SHARE).contains(&share) {
        return Err(CrmError::invalid(
            "holdout_share",
            share,
            format_args!("must be from 0 to {MAX_HOLDOUT_SHARE}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Vectors worked out apart from this code, with a few lines of Python's integers
    /// (splitmix64 and FNV-1a written from their definitions).
    #[test]
    fn frozen_vectors() {
        // Published first outputs: SplitMix64 seeded 0, FNV-1a of "" and of "a".
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(fnv1a64(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64("a"), 0xaf63_dc4c_8601_ec8c);
        for (seed, id, customer, draw) in [
            (0, "bahar-25", 1, 0.6225967379504938),
            (0, "bahar-25", 2, 0.25114702869189276),
            (42, "bahar-25", 1, 0.15606347096219042),
            (42, "yaz-kampanyası", 1000, 0.576399531970239),
            (7, "x", 123_456_789, 0.39996210924945697),
        ] {
            assert_eq!(
                holdout_draw(seed, id, customer),
                draw,
                "{seed} {id} {customer}"
            );
        }
        // Python: 19 930 of customers 1..=100 000 fall under 0.2 for seed 1, "bahar-25".
        let n = (1..=100_000)
            .filter(|&c| held_out(1, "bahar-25", c, 0.2))
            .count();
        assert_eq!(n, 19_930);
    }

    #[test]
    fn shares_outside_the_range_are_refused() {
        for bad in [-0.01, 0.51, f64::NAN, f64::INFINITY] {
            let err = check_holdout_share(bad).unwrap_err();
            assert_eq!(err.field(), Some("holdout_share"), "{err}");
        }
        assert!(check_holdout_share(0.0).is_ok() && check_holdout_share(0.5).is_ok());
    }

    proptest! {
        /// A larger share holds out a superset; share 0 nobody; draws stay in [0, 1).
        #[test]
        fn larger_shares_nest(seed: u64, customer: u64, a in 0.0..0.5f64, b in 0.0..0.5f64) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let u = holdout_draw(seed, "c", customer);
            prop_assert!((0.0..1.0).contains(&u));
            prop_assert!(!held_out(seed, "c", customer, 0.0));
            if held_out(seed, "c", customer, lo) {
                prop_assert!(held_out(seed, "c", customer, hi));
            }
        }
    }
}
