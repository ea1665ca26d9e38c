//! The day's retention worklist from the book: the columns the [`crate::worklist`] engine
//! ranks, gathered as of one instant.

use super::CustomerBook;
use crate::clv::ClvConfig;
use crate::error::{ErrorKind, Result};
use crate::sla::BusinessCalendar;
use crate::worklist::{Worklist, WorklistColumns, WorklistOptions, WorklistRules, rank};

impl CustomerBook {
    /// The retention worklist as of `options.at`: customers ranked by expected value at
    /// risk × neglect, each with the reason and the next action, limited to the team's day
    /// (see [`crate::worklist`] for the formula).
    ///
    /// The columns: predicted CLV and P(alive) from [`CustomerBook::predict_clv`] with the
    /// default [`ClvConfig`] (when `use_clv`; a book the model cannot be fitted on, with
    /// fewer than two repeat buyers, takes the stage fallback for everyone), stages under
    /// the options' lifecycle policy (else the book's, else the default), the value score of
    /// the default segmentation (or the kept analysis as of the instant), and
    /// [`CustomerBook::contact_features`] under the book's SLA policies.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] naming the option ([`WorklistOptions::validate`]) or the
    /// calendar's field; errors of the stage replay and of due-instant arithmetic.
    ///
    /// ```
    /// use crm_core::{sample::SampleConfig, worklist::WorklistOptions};
    /// let config = SampleConfig::new(300).seed(3);
    /// let (book, _) = config.build_book()?;
    /// let mut options = WorklistOptions::at(config.end());
    /// options.limit = Some(10);
    /// let list = book.worklist(&options)?;
    /// assert!(list.rows.len() <= 10);
    /// assert!(list.rows.windows(2).all(|w| w[0].priority >= w[1].priority));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn worklist(&self, options: &WorklistOptions) -> Result<Worklist> {
        options.validate()?;
        let at = options.at;
        let policy = options
            .lifecycle
            .clone()
            .or_else(|| self.lifecycle_policy().cloned())
            .unwrap_or_default();
        let calendar = match &options.calendar {
            Some(c) => BusinessCalendar::new(c.clone())?,
            None => BusinessCalendar::always_open(),
        };
        let n = self.customers.len();
        let (clv, p_alive) = if options.use_clv {
            match self.predict_clv(at, &ClvConfig::default()) {
                Ok(p) if p.clv.len() == n && p.p_alive.len() == n => (p.clv, p.p_alive),
                Ok(_) => (vec![f64::NAN; n], vec![f64::NAN; n]),
                Err(e) if e.kind() == ErrorKind::InvalidInput => {
                    (vec![f64::NAN; n], vec![f64::NAN; n])
                }
                Err(e) => return Err(e),
            }
        } else {
            (vec![f64::NAN; n], vec![f64::NAN; n])
        };
        let stages = self.stages(&policy, at)?;
        let seg = self.segmentation_at(at, None)?;
        let contact = self.contact_features(at, None)?;
        let columns = WorklistColumns {
            customer_id: &contact.customer_id,
            clv: &clv,
            p_alive: &p_alive,
            stage: &stages.stage,
            monetary: &seg.features.monetary,
            score: &seg.scores.score,
            days_since_contact: &contact.days_since_contact,
            unanswered_inbound: &contact.unanswered_inbound,
            complaints_breached: &contact.complaints_breached,
            activities_overdue: &contact.activities_overdue,
        };
        rank(
            &columns,
            &WorklistRules {
                at,
                limit: options.row_limit(),
                policy: &policy,
                calendar: &calendar,
            },
        )
    }
}
