//! A stored book (SQLite, on a temporary file) driven from C through two handles on the same
//! file: sequences of column and JSON additions, purchases, refreshes, change-feed pages,
//! backups, quality reports and the small calls (`len`, `event_count`, `cursor`, the
//! normalizers, the pool size). After each call a failed change left the handle's book as it
//! was; at the end both handles, refreshed, hold the same book, and so do the store reopened
//! after closing and every backup taken on the way.
#![no_main]

use std::ffi::CString;
use std::ptr;

use arbitrary::Arbitrary;
use crm::*;
use crm_fuzz::{Book, c, call_json, last_error, ok, saved, scratch_path, take_string};
use libfuzzer_sys::fuzz_target;

const COLUMNS: [&str; 8] = ["given_name", "surname", "organisation_name", "email", "phone", "birth_date", "city", "nmae"];
const CELLS: [&str; 10] = ["Ayşe", "Yılmaz", "Örnek Ltd. Şti.", "ayse@ornek.com", "0532 123 45 67", "17.05.1980",
    "İzmir", "31.02.1980", "", "x@"];
const TEXTS: [&str; 6] = ["Sn. AYŞE YILMAZ", "+90 (532) 123 45 67", "ÇAĞRI A.Ş.", "00905321234567", "", "ı̇İi"];

#[derive(Debug, Arbitrary)]
enum Op {
    AddColumns { rows: Vec<(u8, Vec<Option<u8>>)>, columns: Vec<u8> },
    AddJson(u8, Option<u8>),
    Purchases { rows: Vec<(u8, i16, i32, Option<u8>)>, unit: u32, currency: bool },
    Refresh,
    Changes { since: u64, limit: u8 },
    Backup,
    Quality(i16),
    Reads,
    Normalize(u8, bool, Option<String>),
    Threads(Option<u8>),
}

/// An open handle on `path`, or None when opening failed (reported with a status).
fn open(path: &str, options: Option<&str>) -> Option<Book> {
    let mut raw = ptr::null_mut();
    let o = options.map(c);
    // SAFETY: NUL-terminated strings, writable out-pointer.
    let status = unsafe { crm_book_open(c(path).as_ptr(), o.as_ref().map_or(ptr::null(), |o| o.as_ptr()), &mut raw) };
    if ok(status, "open") {
        assert!(!raw.is_null(), "open: CRM_OK with a NULL book");
        Some(Book(raw))
    } else {
        assert!(raw.is_null(), "open wrote on failure");
        None
    }
}

/// Closes a handle (the handle is gone whatever the status).
fn close(book: Book) {
    let raw = book.0;
    std::mem::forget(book);
    // SAFETY: a live handle, released once.
    ok(unsafe { crm_book_close(raw) }, "close");
}

/// Runs a change and checks that a failure left the book byte for byte as it was.
/// The handle is caught up first, so that what the other handle committed is not taken for
/// a change the failed call made.
fn change(book: &Book, what: &str, f: impl FnOnce(*mut crm_book_t) -> crm_status_t) {
    // SAFETY: a live handle.
    ok(unsafe { crm_book_refresh(book.0, ptr::null_mut()) }, "refresh before a change");
    let before = saved(book);
    if !ok(f(book.0), what) {
        assert!(saved(book) == before, "{what} failed ({}) but changed the book", last_error());
    }
}

fn remove_store(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fuzz_target!(|input: (bool, Vec<(bool, Op)>)| {
    let (normal, ops) = input;
    let path = scratch_path("store").with_extension("crm");
    let location = path.to_str().expect("UTF-8 temp path").to_owned();
    let options = if normal { r#"{"currency": "TRY", "synchronous": "normal"}"# } else { r#"{"currency": "TRY"}"# };
    let Some(a) = open(&location, Some(options)) else { panic!("a new store opens: {}", last_error()) };
    let b = open(&location, None).expect("a second handle opens");
    let mut backups = Vec::new();
    for (second, op) in ops.into_iter().take(24) {
        let book = if second { &b } else { &a };
        // SAFETY (every call below): live handles, valid pointers, lengths as passed.
        unsafe {
            match op {
                Op::AddColumns { rows, columns } => {
                    let rows: Vec<_> = rows.into_iter().take(16).collect();
                    let names: Vec<CString> = columns.iter().take(6).map(|i| c(COLUMNS[*i as usize % COLUMNS.len()])).collect();
                    let ids: Vec<u64> = rows.iter().map(|r| 1 + u64::from(r.0 % 12)).collect();
                    let cells: Vec<Vec<Option<CString>>> = (0..names.len())
                        .map(|col| rows.iter().map(|r| r.1.get(col).copied().flatten().map(|v| c(CELLS[v as usize % CELLS.len()]))).collect())
                        .collect();
                    let cell_ptrs: Vec<Vec<*const std::ffi::c_char>> = cells.iter()
                        .map(|col| col.iter().map(|v| v.as_ref().map_or(ptr::null(), |s| s.as_ptr())).collect())
                        .collect();
                    let col_ptrs: Vec<*const *const std::ffi::c_char> = cell_ptrs.iter().map(|c| c.as_ptr()).collect();
                    let name_ptrs: Vec<*const std::ffi::c_char> = names.iter().map(|n| n.as_ptr()).collect();
                    let mut added = usize::MAX;
                    change(book, "add columns", |bk| crm_book_add_customers_columns(bk, rows.len(), ids.as_ptr(),
                        name_ptrs.as_ptr(), col_ptrs.as_ptr(), names.len(), &mut added));
                    assert!(added == usize::MAX || added == rows.len(), "added {added} of {}", rows.len());
                }
                Op::AddJson(id, referred_by) => {
                    let text = match referred_by {
                        Some(r) => format!(r#"{{"id": {}, "given_name": "Elif", "referred_by": {}}}"#, 1 + id % 12, 1 + r % 12),
                        None => format!(r#"{{"id": {}, "given_name": "Elif", "acquired_at": "2024-01-01T00:00:00Z"}}"#, 1 + id % 12),
                    };
                    change(book, "add json", |bk| crm_book_add_customers_json(bk, c(&text).as_ptr()));
                }
                Op::Purchases { rows, unit, currency } => {
                    let rows: Vec<_> = rows.into_iter().take(32).collect();
                    let ids: Vec<u64> = rows.iter().map(|r| 1 + u64::from(r.0 % 12)).collect();
                    let at: Vec<i64> = rows.iter().map(|r| 1_735_689_600 + i64::from(r.1) * 3_600).collect();
                    let amount: Vec<i64> = rows.iter().map(|r| i64::from(r.2)).collect();
                    let cats: Vec<Option<CString>> = rows.iter().map(|r| r.3.map(|k| c(["kitap", "giyim", ""][k as usize % 3]))).collect();
                    let cat_ptrs: Vec<*const std::ffi::c_char> = cats.iter().map(|v| v.as_ref().map_or(ptr::null(), |s| s.as_ptr())).collect();
                    let cur = c(if currency { "TRY" } else { "EUR" });
                    let mut recorded = usize::MAX;
                    change(book, "purchases", |bk| crm_book_record_purchases_columns(bk, rows.len(), ids.as_ptr(), at.as_ptr(),
                        unit % 5, amount.as_ptr(), cur.as_ptr(), cat_ptrs.as_ptr(), ptr::null(), &mut recorded));
                    assert!(recorded == usize::MAX || recorded == rows.len());
                }
                Op::Refresh => {
                    let mut n = u64::MAX;
                    if ok(crm_book_refresh(book.0, &mut n), "refresh") {
                        assert!(n != u64::MAX);
                    }
                }
                Op::Changes { since, limit } => {
                    let since = if since % 2 == 0 { since % 64 } else { since };
                    let mut next = 0;
                    let mut out = ptr::null_mut();
                    if ok(crm_book_changes_json(book.0, since, usize::from(limit % 8), &mut out, &mut next), "changes") {
                        let text = take_string(out, true, "changes");
                        assert!(next >= since || text == "[]", "cursor went back: {since} -> {next}");
                    }
                }
                Op::Backup => {
                    let to = scratch_path("backup").with_extension("crm");
                    if ok(crm_book_backup(book.0, c(to.to_str().unwrap()).as_ptr()), "backup") {
                        backups.push((to, saved(book)));
                    }
                }
                Op::Quality(days) => {
                    let today = format!("2025-{:02}-01", 1 + days.rem_euclid(12));
                    call_json("quality report", |out| crm_book_quality_report_json(book.0, c(&today).as_ptr(), out));
                }
                Op::Reads => {
                    // Ids are 1 to 12.
                    assert!(crm_book_len(book.0) <= 12, "more customers than ids");
                    let _ = crm_book_event_count(book.0);
                    let _ = crm_book_cursor(book.0);
                    assert!(!crm_version().is_null());
                    call_json("stats", |out| crm_book_stats_json(book.0, out));
                }
                Op::Normalize(i, phone, text) => {
                    let s = text.unwrap_or_else(|| TEXTS[i as usize % TEXTS.len()].to_owned());
                    let mut out = ptr::null_mut();
                    let f = if phone { crm_quality_normalize_phone } else { crm_quality_normalize_name };
                    if ok(f(c(&s).as_ptr(), &mut out), "normalize") {
                        take_string(out, false, "normalize");
                    } else {
                        assert!(out.is_null());
                    }
                }
                Op::Threads(n) => {
                    let size = crm_get_threads();
                    assert!(size >= 1, "a pool of {size} threads");
                    // The size it has is fine; another is a conflict; past the maximum invalid.
                    let asked = n.map_or(size, |n| usize::from(n) * 64);
                    let status = crm_set_threads(asked);
                    assert!(asked != size || status == crm_status_t::CRM_OK, "same size refused");
                    ok(status, "set threads");
                    assert_eq!(crm_get_threads(), size, "the pool changed size");
                }
            }
        }
    }
    // Both handles, caught up, hold the same book; so does the reopened store.
    for book in [&a, &b] {
        // SAFETY: live handles.
        assert!(ok(unsafe { crm_book_refresh(book.0, ptr::null_mut()) }, "final refresh"));
    }
    let final_a = saved(&a);
    assert!(saved(&b) == final_a, "two handles on one store disagree after refresh");
    close(a);
    close(b);
    let again = open(&location, None).expect("the store reopens");
    assert!(saved(&again) == final_a, "the reopened store differs");
    close(again);
    remove_store(&path);
    for (to, expected) in backups {
        let copy = open(to.to_str().unwrap(), Some(r#"{"create": false}"#)).expect("a backup opens");
        assert!(saved(&copy) == expected, "a backup differs from its book");
        close(copy);
        remove_store(&to);
    }
});
