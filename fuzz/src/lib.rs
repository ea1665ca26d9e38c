//! What the fuzz targets share: calls into libcrm (crm-ffi as an rlib, the functions C
//! integrators call) that check the library's promises, a small fixed book to call against,
//! and every JSON entry point behind one enum with valid seed documents for each.
//!
//! The promises checked on every call: no panic (libFuzzer's panic hook aborts, so a panic
//! inside the boundary is a crash too), never `CRM_PANIC` or `CRM_POISONED`, a failed call
//! leaves a book byte for byte as it was (its snapshot file is compared), and after a
//! successful change the book's snapshot loads back to the same snapshot.

#![allow(clippy::missing_safety_doc)]

pub mod core_book;
pub mod json;

use std::ffi::{CStr, CString, c_char};
use std::path::PathBuf;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

use crm::*;

/// `s` as a C string, cut at its first NUL (C callers cannot pass one).
pub fn c(s: &str) -> CString {
    let end = s.find('\0').unwrap_or(s.len());
    CString::new(&s[..end]).expect("no NUL before `end`")
}

/// The last error message on this thread.
pub fn last_error() -> String {
    // SAFETY: libcrm returns a NUL-terminated string that lives until the next failing call.
    unsafe { CStr::from_ptr(crm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// Whether `status` is OK; panics (a crash for libFuzzer) on `CRM_PANIC` and `CRM_POISONED`,
/// which no input may cause, and on a failure without a message.
pub fn ok(status: crm_status_t, what: &str) -> bool {
    match status {
        crm_status_t::CRM_OK => true,
        crm_status_t::CRM_PANIC | crm_status_t::CRM_POISONED => {
            panic!("{what}: {status:?}: {}", last_error())
        }
        _ => {
            assert!(!last_error().is_empty(), "{what}: {status:?} without a message");
            false
        }
    }
}

/// Takes a string libcrm returned: checks it is UTF-8 (and JSON when `json`) and frees it.
pub fn take_string(s: *mut c_char, json: bool, what: &str) -> String {
    assert!(!s.is_null(), "{what}: CRM_OK with a NULL string");
    // SAFETY: libcrm wrote a NUL-terminated string it owns; freed once below.
    let text = unsafe { CStr::from_ptr(s) }
        .to_str()
        .unwrap_or_else(|e| panic!("{what}: output not UTF-8: {e}"))
        .to_owned();
    // SAFETY: `s` came from libcrm and is not used again.
    unsafe { crm_string_free(s) };
    if json {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
            panic!("{what}: output is not JSON ({e}): {text}");
        }
    }
    text
}

/// A JSON-returning call: `f` gets the out-pointer; the output is checked and freed.
pub fn call_json(what: &str, f: impl FnOnce(*mut *mut c_char) -> crm_status_t) -> Option<String> {
    let mut out: *mut c_char = ptr::null_mut();
    if ok(f(&mut out), what) {
        Some(take_string(out, true, what))
    } else {
        assert!(out.is_null(), "{what}: out-parameter written on failure");
        None
    }
}

/// A file path of this process's own (tmpfs when there is one), for snapshots.
pub fn scratch_path(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let n = N.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("crm-fuzz-{}-{n}-{name}.json", std::process::id()))
}

/// An owned `crm_book_t`, freed on drop.
#[derive(Debug)]
pub struct Book(pub *mut crm_book_t);

impl Drop for Book {
    fn drop(&mut self) {
        // SAFETY: the handle is live and freed once.
        unsafe { crm_book_free(self.0) };
    }
}

/// Customers of the fixed book: a person with contacts, one she referred, an organisation,
/// a near-duplicate of the first (same name and e-mail), and one with a national id.
pub const FIXTURE_CUSTOMERS: &str = r#"[
 {"id": 1, "given_name": "Ayşe", "family_name": "Yılmaz", "emails": ["ayse@ornek.com"],
  "phones": ["+90 532 123 45 67"], "acquired_at": "2024-01-01T00:00:00Z", "address": {"city": "İzmir"}},
 {"id": 2, "given_name": "Mehmet", "family_name": "Demir", "referred_by": 1},
 {"id": 3, "kind": "organisation", "organisation_name": "Örnek Ltd. Şti.", "tax_id": "1234567890"},
 {"id": 4, "given_name": "Ayse", "family_name": "Yilmaz", "emails": ["ayse@ornek.com"]},
 {"id": 5, "given_name": "Elif", "family_name": "Şahin", "national_id": "10000000146",
  "birth_date": "1990-05-17"}
]"#;

/// Events of the fixed book: purchases, a refund, a referral, a contribution, interactions
/// and a complaint that is opened, answered and left open.
pub const FIXTURE_EVENTS: &str = r#"[
 {"customer_id": 1, "at": "2024-02-01T10:00:00Z", "type": "purchase", "amount": 129900, "currency": "TRY", "category": "elektronik", "channel": "web"},
 {"customer_id": 1, "at": "2024-05-03T10:00:00Z", "type": "purchase", "amount": 4900, "currency": "TRY", "category": "kitap"},
 {"customer_id": 1, "at": "2024-06-03T10:00:00Z", "type": "refund", "amount": 900, "currency": "TRY"},
 {"customer_id": 2, "at": "2024-03-01T09:00:00Z", "type": "purchase", "amount": 20000, "currency": "TRY"},
 {"customer_id": 2, "at": "2024-09-01T09:00:00Z", "type": "purchase", "amount": 25000, "currency": "TRY"},
 {"customer_id": 1, "at": "2024-03-02T09:00:00Z", "type": "referral", "referred": 2},
 {"customer_id": 3, "at": "2024-04-01T12:00:00Z", "type": "contribution", "kind": "co_investment", "amount": 500000, "currency": "TRY"},
 {"customer_id": 4, "at": "2024-04-11T12:00:00Z", "type": "purchase", "amount": 100, "currency": "TRY"},
 {"customer_id": 5, "at": "2024-07-01T12:00:00Z", "type": "interaction", "channel": "call_centre", "direction": "inbound"},
 {"customer_id": 1, "at": "2025-03-07T14:30:00Z", "type": "complaint_opened", "complaint_id": 7, "priority": "high", "category": "fatura"},
 {"customer_id": 1, "at": "2025-03-07T15:30:00Z", "type": "complaint_responded", "complaint_id": 7}
]"#;

/// An incident of the fixed book.
pub const FIXTURE_INCIDENT: &str = r#"{"id": 1, "kind": "channel_outage", "channel": "web",
 "start": "2025-03-07T12:00:00Z", "end": "2025-03-07T18:00:00Z", "description": "web down"}"#;

/// The instant most calls are made at.
pub const AS_OF: &str = "2025-03-10T00:00:00Z";

/// A book with the fixture's customers, events and incident.
pub fn fixture_book() -> Book {
    let mut raw = ptr::null_mut();
    // SAFETY: valid C strings and out-pointers throughout.
    unsafe {
        assert!(ok(crm_book_new(c("TRY").as_ptr(), &mut raw), "book_new"));
        let book = Book(raw);
        for (what, text, f) in [
            ("add", FIXTURE_CUSTOMERS, crm_book_add_customers_json as BookChange),
            ("record", FIXTURE_EVENTS, crm_book_record_json),
            ("incident", FIXTURE_INCIDENT, crm_book_add_incident_json),
        ] {
            assert!(ok(f(book.0, c(text).as_ptr()), what), "fixture {what}: {}", last_error());
        }
        book
    }
}

/// A libcrm call that changes a book from JSON text.
pub type BookChange = unsafe extern "C" fn(*mut crm_book_t, *const c_char) -> crm_status_t;

/// The snapshot file of `book`, as bytes.
pub fn saved(book: &Book) -> Vec<u8> {
    let path = scratch_path("saved");
    let p = c(path.to_str().expect("UTF-8 temp path"));
    // SAFETY: live handle, NUL-terminated path.
    let status = unsafe { crm_book_save(book.0, p.as_ptr()) };
    assert!(ok(status, "save"), "save failed: {}", last_error());
    let bytes = std::fs::read(&path).expect("read back the snapshot");
    let _ = std::fs::remove_file(&path);
    bytes
}

/// Loads a snapshot file's bytes through `crm_book_load`.
pub fn load_bytes(bytes: &[u8]) -> Option<Book> {
    let path = scratch_path("load");
    std::fs::write(&path, bytes).expect("write the scratch snapshot");
    let p = c(path.to_str().expect("UTF-8 temp path"));
    let mut raw = ptr::null_mut();
    // SAFETY: NUL-terminated path, writable out-pointer.
    let status = unsafe { crm_book_load(p.as_ptr(), &mut raw) };
    let _ = std::fs::remove_file(&path);
    if ok(status, "load") {
        assert!(!raw.is_null(), "load: CRM_OK with a NULL book");
        Some(Book(raw))
    } else {
        assert!(raw.is_null(), "load: out-parameter written on failure");
        None
    }
}

/// Runs a change on `book` and checks atomicity: on failure the snapshot is byte-identical
/// to the one before; on success the new snapshot loads back and saves to the same bytes.
pub fn change(book: &Book, what: &str, f: impl FnOnce(*mut crm_book_t) -> crm_status_t) -> bool {
    let before = saved(book);
    let done = ok(f(book.0), what);
    let after = saved(book);
    if done {
        let loaded = load_bytes(&after).unwrap_or_else(|| {
            panic!(
                "{what} succeeded but its snapshot does not load: {}\n{}",
                last_error(),
                String::from_utf8_lossy(&after)
            )
        });
        assert!(saved(&loaded) == after, "{what}: the reloaded book saves differently");
    } else {
        assert!(before == after, "{what} failed ({}) but changed the book", last_error());
    }
    done
}

/// Reads everything a view shows for each fixture customer and an unknown one, and the
/// book-wide reads, as of `as_of`: none may panic and each output must be JSON.
pub fn read_all(book: &Book, as_of: &str) {
    let t = c(as_of);
    for id in [1u64, 2, 3, 4, 5, 99] {
        // SAFETY: live handle, valid strings and out-pointers.
        call_json("view", |out| unsafe { crm_book_view_json(book.0, id, t.as_ptr(), 0, 50, out) });
    }
    // SAFETY: as above.
    unsafe {
        call_json("stats", |out| crm_book_stats_json(book.0, out));
        let mut f = ptr::null_mut();
        if ok(crm_book_features(book.0, t.as_ptr(), &mut f), "features") {
            crm_features_free(f);
        }
    }
}

pub mod mutate;

/// Bytes that are not UTF-8 (and hold no NUL) are refused as such by the JSON entry points.
pub fn refuses_non_utf8(bytes: &[u8]) {
    let t = CString::new(bytes).expect("no NUL");
    let mut m = ptr::null_mut();
    // SAFETY: NUL-terminated text, writable out-pointers, a live book.
    unsafe {
        let s = crm_value_model_from_json(t.as_ptr(), &mut m);
        assert_eq!(s, crm_status_t::CRM_INVALID_UTF8, "value model from non-UTF-8");
        let book = fixture_book();
        let s = crm_book_add_customers_json(book.0, t.as_ptr());
        assert_eq!(s, crm_status_t::CRM_INVALID_UTF8, "customers from non-UTF-8");
    }
}

#[cfg(test)]
mod tests {
    use super::json::Entry;

    /// Writes the seed corpus of `json_raw` (one file per seed: the entry's index, then the
    /// text) into `seeds/json_raw`; every seed also goes through its driver once.
    /// `cargo +nightly test --manifest-path fuzz/Cargo.toml --lib` runs it.
    #[test]
    fn seeds_drive_and_are_written() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/json_raw");
        std::fs::create_dir_all(&dir).unwrap();
        for (i, e) in Entry::ALL.iter().enumerate() {
            for (j, s) in e.seeds().iter().enumerate() {
                e.drive(s);
                let mut bytes = vec![i as u8];
                bytes.extend_from_slice(s.as_bytes());
                std::fs::write(dir.join(format!("{e:?}-{j}")), bytes).unwrap();
            }
        }
    }
}
