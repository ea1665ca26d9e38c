//! An audience rule's JSON text (the grammar C and Python pass), then the select options'
//! JSON text after the first NUL byte: each is read or refused with an error, and a rule
//! read is selected over a small book or refused, never a panic. A selection lists every
//! customer once, in or out, and its counts add up to the book.
#![no_main]

use crm_core::audience::{Audience, SelectOptions};
use crm_fuzz::core_book;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (rule, options) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(rule) = std::str::from_utf8(rule) else {
        return;
    };
    let Ok(audience) = Audience::from_json(rule) else {
        return;
    };
    let options = match options.map(std::str::from_utf8) {
        None => SelectOptions::new(core_book::day(8), None),
        Some(Ok(text)) => match SelectOptions::from_json(text) {
            Ok(o) => o,
            Err(_) => return,
        },
        Some(Err(_)) => return,
    };
    let book = core_book::book();
    let Ok(selection) = book.select_audience(&audience, &options) else {
        return;
    };
    assert_eq!(selection.customer_id.len(), book.len());
    assert_eq!(selection.counts.values().sum::<usize>(), book.len());
});
