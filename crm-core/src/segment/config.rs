//! The one config of a whole segmentation (value model, pyramid, RFM, ABC, strategies,
//! CLV), shared by the book's `analyse` and the engines that read tiers (audiences).

use serde::{Deserialize, Serialize};

use super::{AbcCuts, PyramidConfig, RfmConfig, StrategyMap};
use crate::value::ValueModel;

/// Everything segmentation needs. JSON: `{"value": …, "pyramid": …, "rfm": …, "abc": …,
/// "strategies": …, "clv": …}`, each part optional (the defaults fill in). `clv` is used only
/// when the value model weighs `predicted_clv`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentationConfig {
    /// The value model.
    pub value: ValueModel,
    /// The pyramid tiers (drawn from the value scores).
    pub pyramid: PyramidConfig,
    /// RFM bins and segments.
    pub rfm: RfmConfig,
    /// ABC cut points (on net revenue).
    pub abc: AbcCuts,
    /// Strategies per tier and segment.
    pub strategies: StrategyMap,
    /// How to predict lifetime value for the `predicted_clv` key.
    pub clv: crate::clv::ClvConfig,
}
