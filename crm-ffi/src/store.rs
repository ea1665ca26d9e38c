//! The durable book: opening a `crm_book_t` kept in a store, catching up with other
//! processes, the change feed, backups and closing. Every call converts and hands over to
//! `crm_store::Book`, which holds every rule.

use std::ffi::c_char;

use crm_store::{Book, StoreOptions};

use crate::args::{json_out, text, text_opt};
use crate::book::crm_book_t;
use crate::ffi::{Castable, Out};
use crate::status::{boundary, crm_status_t};

/// Opens (or creates) the book kept in the store at `location` (a file path: SQLite) and
/// writes a new handle to `*out`. Every change made through the handle is committed when
/// its call returns `CRM_OK`; a failed call writes nothing and leaves the book as it was.
///
/// `options_json` is NULL for the defaults, or a JSON object of crm-store's `StoreOptions`
/// (every key optional; an unknown key is refused, `CRM_PARSE_ERROR` naming it):
/// - `"currency"`: ISO 4217 code; needed to create a store; for an existing store it must
///   be the store's (`CRM_CONFLICT` otherwise). Default none.
/// - `"create"`: create the store when `location` holds none (default `true`); with
///   `false` a missing store is `CRM_NOT_FOUND`.
/// - `"synchronous"`: `"full"` (default: every commit is fsynced, it survives a power loss)
///   or `"normal"` (fsync at checkpoints only: a crash of the process loses nothing, a power
///   loss may lose the last commits).
/// - `"busy_timeout_ms"`: how long a write waits for another process's write lock before
///   failing with `CRM_IO_ERROR` (default 5000).
/// - `"verify"`: run SQLite's quick check of the change log at open (default `true`; every
///   other table is read whole at open, and a damaged page of those is refused as read).
/// - `"full_check"`: run the quick check over the whole file at open instead (default
///   `false`; it reads the whole file once more).
/// - `"early_events"`: `"reject"` (default) or `"accept"` events before a customer's
///   acquisition, for a new store.
///
/// Errors: `CRM_IO_ERROR` when the file cannot be opened, read or written (a read-only file
/// may open and fail at the first write), `CRM_PARSE_ERROR` for a file that is not a crm
/// store or is damaged, `CRM_UNSUPPORTED_VERSION` for a store written by a newer schema,
/// `CRM_INVALID_ARGUMENT` for a bad currency or location. No handle is made then.
///
/// # Safety
/// `location` is NUL-terminated; `options_json` is NULL or NUL-terminated; `out` points to
/// writable storage for a pointer, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_open(
    location: *const c_char,
    options_json: *const c_char,
    out: *mut *mut crm_book_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, location, options) = unsafe {
            (
                Out::new(out, "out")?,
                text(location, "location")?,
                text_opt(options_json, "options_json")?,
            )
        };
        let options = match options {
            Some(json) => StoreOptions::from_json(json)?,
            None => StoreOptions::default(),
        };
        crm_book_t::into_out(out, Book::open(location, &options)?);
        Ok(())
    })
}

/// Brings a stored book up to the store's latest commit by replaying only the changes other
/// processes committed after the book's cursor; the number replayed goes to `*out_replayed`
/// when it is not NULL. A book in memory has nothing to catch up with: `CRM_OK` and 0.
///
/// Errors: `CRM_IO_ERROR` when the store cannot be read; `CRM_PARSE_ERROR` for a stored
/// change that does not apply (the changes before it stay applied, the cursor after them).
///
/// # Safety
/// `book` is a live handle nobody else uses during the call; `out_replayed` is NULL or
/// writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_refresh(
    book: *mut crm_book_t,
    out_replayed: *mut u64,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, mut book) = unsafe {
            (
                Out::optional(out_replayed),
                crm_book_t::try_mut(book, "book")?,
            )
        };
        let replayed = book.refresh()?;
        if let Some(out) = out {
            out.write(u64::try_from(replayed).unwrap_or(u64::MAX));
        }
        Ok(())
    })
}

/// The sequence number of the last committed change the book has applied (its cursor: pass
/// it to `crm_book_changes_json` to read what comes after). 0 for a book in memory, NULL, a
/// poisoned book or a panic.
///
/// # Safety
/// `book` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_cursor(book: *const crm_book_t) -> u64 {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { crm_book_t::try_ref(book, "book") }.map_or(0, |b| b.cursor()))
}

/// The change feed: up to `limit` changes committed after the sequence number `since`, in
/// commit order, as a JSON array of change records (`[{"seq": 12, "at":
/// "2025-03-01T14:30:00Z", "change": {"type": "customer_added", ...}}, ...]`, the same
/// forms as the rest of the API) to `*out_json` (free it with `crm_string_free`), and the
/// cursor to continue from to `*out_next`: the last record's `seq`, or `since` when there is
/// none (then the array is `[]`). `limit` 0 means no limit (every change after `since`:
/// page with a limit on a long log). Start with `since` 0. It reads the store, so it sees
/// other processes' commits that the book itself has not replayed yet.
///
/// Errors: `CRM_INVALID_ARGUMENT` for a book in memory (it keeps no change log);
/// `CRM_IO_ERROR` when the store cannot be read; `CRM_PARSE_ERROR` for a damaged change.
///
/// # Safety
/// `book` is a live handle; `out_json` and `out_next` are writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_changes_json(
    book: *const crm_book_t,
    since: u64,
    limit: usize,
    out_json: *mut *mut c_char,
    out_next: *mut u64,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, out_next, book) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                Out::new(out_next, "out_next")?,
                crm_book_t::try_ref(book, "book")?,
            )
        };
        let limit = if limit == 0 { usize::MAX } else { limit };
        let (records, next) = book.changes(since, limit)?;
        json_out(out, &records)?;
        out_next.write(next);
        Ok(())
    })
}

/// Copies a stored book's store to a new file at `path` with SQLite's online backup: a
/// consistent copy as of one commit, made while others keep reading and writing; it opens
/// with `crm_book_open` as an equal book.
///
/// Errors: `CRM_INVALID_ARGUMENT` for a book in memory (save a snapshot with
/// `crm_book_save` instead) or when `path` exists; `CRM_IO_ERROR` when the copy cannot be
/// made.
///
/// # Safety
/// `book` is a live handle; `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_backup(
    book: *const crm_book_t,
    path: *const c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (book, path) = unsafe { (crm_book_t::try_ref(book, "book")?, text(path, "path")?) };
        Ok(book.backup(path)?)
    })
}

/// Closes a book and releases the handle, in every case (the handle is never valid
/// afterwards, whatever the status). For a stored book it reports what closing the store
/// reports (`CRM_IO_ERROR`; every change had been committed already); a book in memory
/// closes with `CRM_OK`; a poisoned book is released and gives `CRM_POISONED`. NULL is
/// accepted (`CRM_OK`), as by `crm_book_free`.
///
/// # Safety
/// `book` is NULL or a live handle nobody else uses, not used again afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_close(book: *mut crm_book_t) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        match unsafe { crm_book_t::take(book, "book") } {
            None => Ok(()),
            Some(book) => Ok(book?.close()?),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_string_free;
    use crate::status::crm_status_t::*;
    use crate::{crm_book_add_customers_json, crm_book_len, crm_book_new};
    use std::ffi::{CStr, CString};
    use std::ptr::{null, null_mut};

    fn c(s: &str) -> CString {
        CString::new(s).unwrap_or_default()
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("crm-ffi-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn last_error() -> String {
        // SAFETY: NUL-terminated, valid until the next failing call on this thread.
        unsafe { CStr::from_ptr(crate::crm_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    /// Asserts `CRM_OK`, printing the last error otherwise (libcrm's quiet panic hook keeps
    /// assertion messages from the test's output).
    fn ok(status: crm_status_t) {
        if status != CRM_OK {
            println!("{status:?}: {}", last_error());
        }
        assert_eq!(status, CRM_OK);
    }

    const ONE: &str = r#"{"id": 1, "given_name": "Ayşe", "family_name": "Yılmaz"}"#;

    #[test]
    fn a_stored_book_round_trips_and_feeds_its_changes() {
        let dir = scratch("round-trip");
        let path = c(dir.join("book.crm").to_str().unwrap());
        // SAFETY: valid strings, out-parameters and live handles throughout.
        unsafe {
            let mut book = null_mut();
            let options = c(r#"{"currency": "TRY"}"#);
            ok(crm_book_open(path.as_ptr(), options.as_ptr(), &mut book));
            // A batch is one change (`customers_added`), a single customer another.
            let two = c(
                r#"[{"id": 1, "given_name": "Ayşe", "family_name": "Yılmaz"},
                            {"id": 2, "given_name": "Can", "family_name": "Öz"}]"#,
            );
            ok(crm_book_add_customers_json(book, two.as_ptr()));
            let three = c(r#"{"id": 3, "given_name": "Elif", "family_name": "Şahin"}"#);
            ok(crm_book_add_customers_json(book, three.as_ptr()));
            assert_eq!(crm_book_cursor(book), 2);
            let mut json = null_mut();
            let mut next = 0;
            ok(crm_book_changes_json(book, 1, 0, &mut json, &mut next));
            let text = CStr::from_ptr(json).to_str().unwrap().to_owned();
            crm_string_free(json);
            let records: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(records.as_array().map(Vec::len), Some(1), "{text}");
            assert_eq!(records[0]["seq"], 2);
            assert_eq!(records[0]["change"]["type"], "customer_added");
            assert_eq!(records[0]["change"]["customer"]["given_name"], "Elif");
            assert_eq!(next, 2);
            assert_eq!(crm_book_close(book), CRM_OK);

            // Reopened without options: the currency is the store's.
            let mut again = null_mut();
            assert_eq!(crm_book_open(path.as_ptr(), null(), &mut again), CRM_OK);
            assert_eq!(crm_book_len(again), 3);
            let mut replayed = 7;
            assert_eq!(crm_book_refresh(again, &mut replayed), CRM_OK);
            assert_eq!(replayed, 0);
            crate::crm_book_free(again);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The change feed of a store migrated from schema 4 (the frozen fixture, written by the
    /// schema-4 code, its bodies now binary) is, byte for byte, the JSON that code gave.
    #[test]
    fn the_change_feed_of_a_migrated_v4_store_is_byte_for_byte_the_old_one() {
        let dir = scratch("v4-feed");
        let file = dir.join("v4.crm");
        rusqlite::Connection::open(&file)
            .unwrap()
            .execute_batch(include_str!("../../crm-store/tests/fixtures/v4.sql"))
            .unwrap();
        let path = c(file.to_str().unwrap());
        // SAFETY: valid strings, out-parameters and live handles throughout.
        unsafe {
            let mut book = null_mut();
            ok(crm_book_open(path.as_ptr(), null(), &mut book));
            let mut json = null_mut();
            let mut next = 0;
            ok(crm_book_changes_json(book, 0, 0, &mut json, &mut next));
            let text = CStr::from_ptr(json).to_str().unwrap().to_owned();
            crm_string_free(json);
            assert_eq!(
                text,
                include_str!("../../crm-store/tests/fixtures/v4_changes.json")
            );
            assert_eq!(next, 6);
            assert_eq!(crm_book_close(book), CRM_OK);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn store_only_calls_on_a_memory_book_say_so() {
        // SAFETY: valid strings, out-parameters and live handles throughout.
        unsafe {
            let mut book = null_mut();
            assert_eq!(crm_book_new(c("TRY").as_ptr(), &mut book), CRM_OK);
            let (mut json, mut next) = (null_mut(), 5);
            assert_eq!(
                crm_book_changes_json(book, 0, 10, &mut json, &mut next),
                CRM_INVALID_ARGUMENT
            );
            assert!(last_error().contains("in memory"), "{}", last_error());
            assert!(json.is_null());
            assert_eq!(next, 5, "out-parameters are written only on success");
            assert_eq!(
                crm_book_backup(book, c("/nonexistent/x.crm").as_ptr()),
                CRM_INVALID_ARGUMENT
            );
            assert!(last_error().contains("backup"), "{}", last_error());
            assert_eq!(crm_book_cursor(book), 0);
            assert_eq!(crm_book_refresh(book, null_mut()), CRM_OK);
            assert_eq!(crm_book_close(book), CRM_OK);
            assert_eq!(crm_book_close(null_mut()), CRM_OK);
        }
    }

    #[test]
    fn a_poisoned_book_is_released_by_close() {
        // SAFETY: valid strings, out-parameters and live handles throughout.
        unsafe {
            let mut book = null_mut();
            assert_eq!(crm_book_new(c("TRY").as_ptr(), &mut book), CRM_OK);
            crate::ffi::arm_panic();
            let one = c(ONE);
            assert_eq!(crm_book_add_customers_json(book, one.as_ptr()), CRM_PANIC);
            assert_eq!(crm_book_close(book), CRM_POISONED);
            assert!(last_error().contains("released"), "{}", last_error());
        }
    }
}
