//! Raw bytes into every JSON entry point of libcrm: the first byte picks the entry point,
//! the rest is its text (cut at a NUL, as a C string is). Bytes that are not UTF-8 must be
//! refused with `CRM_INVALID_UTF8`.
#![no_main]

use crm_fuzz::json::Entry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let rest = &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())];
    let entry = Entry::ALL[pick as usize % Entry::ALL.len()];
    match std::str::from_utf8(rest) {
        Ok(text) => entry.drive(text),
        Err(_) => crm_fuzz::refuses_non_utf8(rest),
    }
});
