//! Shared helpers of the crm benches.
