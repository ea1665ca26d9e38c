//! Service levels for complaints. This module starts with business calendars
//! ([`BusinessCalendar`]): the clock that complaint SLA targets run on.

mod calendar;

pub use calendar::{BusinessCalendar, CalendarConfig, SpecialDay, WeeklyHours, Window};
