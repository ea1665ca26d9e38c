//! `CustomerBook::find` from a Lookup's JSON text (the form C's `crm_book_find_json` and
//! Python's `book.find` pass): any bytes are read or refused; a lookup read is answered or
//! refused with an error, never a panic; an answer holds at most `limit` live customers,
//! best first, with scores in (0, 1].
#![no_main]

use std::sync::LazyLock;

use crm_core::book::{CustomerBook, Lookup};
use crm_fuzz::core_book;
use libfuzzer_sys::fuzz_target;

static BOOK: LazyLock<CustomerBook> = LazyLock::new(core_book::book);

fuzz_target!(|data: &[u8]| {
    let Ok(lookup) = serde_json::from_slice::<Lookup>(data) else {
        return;
    };
    let Ok(found) = BOOK.find(&lookup) else {
        return;
    };
    assert!(found.len() <= lookup.limit);
    for m in &found {
        assert!(BOOK.customer(m.customer_id).is_some(), "{m:?}");
        assert!(m.score > 0.0 && m.score <= 1.0 + 1e-12, "{m:?}");
        assert!(!m.matched_on.is_empty(), "{m:?}");
    }
    for w in found.windows(2) {
        let in_order = w[0].score > w[1].score
            || (w[0].score == w[1].score && w[0].customer_id < w[1].customer_id);
        assert!(in_order, "{found:?}");
    }
});
