//! Campaigns over the book: planning the control group and reporting the measured response.
