//! Grammar-aware JSON: a valid seed document of one entry point's grammar (core's defaults,
//! the README's and the tests' examples) changed by a list of `arbitrary` edits: a value
//! replaced by a hostile one (huge, negative, fractional, wrong type, odd text), a field
//! removed, a known field of any grammar inserted. The result goes to the entry point.
#![no_main]

use crm_fuzz::json::Entry;
use crm_fuzz::mutate::Edit;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    entry: Entry,
    seed: u8,
    edits: Vec<Edit>,
}

fuzz_target!(|input: Input| {
    let seeds = crm_fuzz::mutate::seed_values(input.entry);
    let mut doc = seeds[input.seed as usize % seeds.len()].clone();
    for edit in input.edits.iter().take(16) {
        edit.apply(&mut doc);
    }
    input.entry.drive(&doc.to_string());
});
