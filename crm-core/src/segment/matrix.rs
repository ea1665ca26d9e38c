//! Horizontal then vertical segmentation: tiers split by attributes into a segment matrix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::check_len;
use crate::error::{CrmError, Result};

/// An attribute column for the vertical split: a name and one value per customer (`None`
/// for unknown, shown as `"-"`).
#[derive(Debug, Clone, Copy)]
pub struct AttributeColumn<'a> {
    /// Column name ("city", "sector"…).
    pub name: &'a str,
    /// One value per customer.
    pub values: &'a [Option<&'a str>],
}

/// One cell of the segment matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixCell {
    /// The tier (horizontal segment).
    pub tier: String,
    /// The attribute values (vertical segment), in column order.
    pub attributes: Vec<String>,
    /// Customers in the cell.
    pub customers: usize,
    /// Their total value.
    pub total_value: f64,
    /// Their mean value.
    pub mean_value: f64,
    /// Their revenue, when a revenue column was given.
    pub revenue: Option<f64>,
    /// The strategy for the cell ([`super::StrategyMap::for_cell`]), when the caller has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<super::Strategy>,
}

/// The segment matrix: one cell per (tier, attribute values) combination that occurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentMatrix {
    /// The attribute names, in column order.
    pub attributes: Vec<String>,
    /// Cells ordered by tier (top first), then by attribute values.
    pub cells: Vec<MatrixCell>,
}

/// Splits each tier by the attribute columns.
///
/// `tier` holds tier indexes into `tier_names` (as [`super::Pyramid::tier`] does).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for columns of different lengths, a tier index with no
/// name, a non-finite value, repeated attribute names, or a cell whose value or revenue
/// total is beyond `f64` (naming `values` or `revenue`).
///
/// ```
/// use crm_core::segment::{segment_matrix, AttributeColumn};
/// let tiers = [0u8, 1, 1, 1];
/// let names = ["Gold".to_owned(), "Lead".to_owned()];
/// let city = [Some("İzmir"), Some("Ankara"), Some("İzmir"), Some("Ankara")];
/// let m = segment_matrix(&tiers, &names, &[10.0, 2.0, 3.0, 4.0], None,
///                        &[AttributeColumn { name: "city", values: &city }])?;
/// assert_eq!(m.cells.len(), 3); // Gold/İzmir, Lead/Ankara, Lead/İzmir
/// assert_eq!((m.cells[1].customers, m.cells[1].mean_value), (2, 3.0));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn segment_matrix(
    tier: &[u8],
    tier_names: &[String],
    values: &[f64],
    revenue: Option<&[f64]>,
    attributes: &[AttributeColumn<'_>],
) -> Result<SegmentMatrix> {
    let n = tier.len();
    check_len("values", values.len(), "tier", n)?;
    super::check_values("values", values)?;
    if let Some(r) = revenue {
        check_len("revenue", r.len(), "tier", n)?;
        super::check_values("revenue", r)?;
    }
    for (i, a) in attributes.iter().enumerate() {
        check_len(a.name, a.values.len(), "tier", n)?;
        if attributes[..i].iter().any(|o| o.name == a.name) {
            return Err(CrmError::invalid("attributes", a.name, "is used twice"));
        }
    }
    if let Some((row, &t)) = tier
        .iter()
        .enumerate()
        .find(|&(_, &t)| usize::from(t) >= tier_names.len())
    {
        return Err(CrmError::invalid(
            &format!("tier[{row}]"),
            t,
            format_args!("only {} tier names were given", tier_names.len()),
        ));
    }
    let mut cells: BTreeMap<(u8, Vec<&str>), (usize, f64, f64)> = BTreeMap::new();
    for row in 0..n {
        let key: Vec<&str> = attributes
            .iter()
            .map(|a| a.values[row].unwrap_or("-"))
            .collect();
        let cell = cells.entry((tier[row], key)).or_insert((0, 0.0, 0.0));
        cell.0 += 1;
        cell.1 += values[row];
        cell.2 += revenue.map_or(0.0, |r| r[row]);
    }
    let cells = cells
        .into_iter()
        .map(|((t, key), (count, value, rev))| {
            super::finite_total("values", value)?;
            super::finite_total("revenue", rev)?;
            Ok(MatrixCell {
                tier: tier_names[usize::from(t)].clone(),
                attributes: key.into_iter().map(str::to_owned).collect(),
                customers: count,
                total_value: value,
                mean_value: value / count as f64,
                revenue: revenue.map(|_| rev),
                strategy: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SegmentMatrix {
        attributes: attributes.iter().map(|a| a.name.to_owned()).collect(),
        cells,
    })
}
