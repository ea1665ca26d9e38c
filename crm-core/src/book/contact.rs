//! Company-side contact per customer: when the company last reached out, and which channels
//! a customer has used (for the frequency cap and the `channel` audience field).

use chrono::{DateTime, Utc};

use super::CustomerBook;
use super::store::StoredKind;
use crate::model::{CampaignStep, Channel, Direction};

/// Per customer (the book's order), up to an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContactColumns {
    /// The last outbound contact from the company: an outbound interaction or a complaint
    /// response.
    pub(crate) last_outbound: Vec<Option<DateTime<Utc>>>,
    /// Channels with a purchase or interaction, one bit per [`Channel::ALL`] position.
    pub(crate) channels: Vec<u16>,
}

fn bit(channel: Channel) -> u16 {
    let i = Channel::ALL.iter().position(|&c| c == channel).unwrap_or(0);
    1 << i
}

impl CustomerBook {
    /// One pass over the events dated at or before `at`.
    pub(crate) fn contact_columns(&self, at: DateTime<Utc>) -> ContactColumns {
        let n = self.customers.len();
        let mut last_outbound: Vec<Option<DateTime<Utc>>> = vec![None; n];
        let mut channels = vec![0u16; n];
        for e in self.events.iter().filter(|e| e.at <= at) {
            let row = e.customer as usize;
            let outbound = match &e.kind {
                StoredKind::Interaction {
                    channel, direction, ..
                } => {
                    channels[row] |= bit(*channel);
                    *direction == Direction::Outbound
                }
                StoredKind::Purchase {
                    channel: Some(c), ..
                } => {
                    channels[row] |= bit(*c);
                    false
                }
                StoredKind::ComplaintResponded { .. } => true,
                // A campaign message that left the company is a contact; being chosen for
                // one (or held out of it) is not.
                StoredKind::Campaign { step, .. } => {
                    matches!(step, CampaignStep::Sent | CampaignStep::Delivered)
                }
                _ => false,
            };
            if outbound && last_outbound[row].is_none_or(|t| t < e.at) {
                last_outbound[row] = Some(e.at);
            }
        }
        ContactColumns {
            last_outbound,
            channels,
        }
    }
}
