//! A book's JSON snapshot in a file, saved atomically.
//!
//! [`save_book`] never leaves a half-written snapshot under the path and never reports
//! success for a snapshot that did not reach the disk:
//!
//! 1. the snapshot is written to a new temporary file in the same folder
//!    (`.<name>.<pid>.<n>.tmp`), so that the rename below stays inside one file system;
//! 2. the writer is flushed and the file fsynced; any error so far removes the temporary
//!    file and is returned, and the old snapshot is untouched;
//! 3. the temporary file is renamed over the path (atomic on POSIX: a reader, or a crash,
//!    sees the old snapshot or the new one, never a mix);
//! 4. the folder is fsynced, so that the rename itself is durable. An error here is returned
//!    too: the new snapshot is in place but may not survive a power loss, and the caller must
//!    not take it as saved.
//!
//! ```
//! # use crm_core::{book::CustomerBook, model::Customer};
//! let dir = std::env::temp_dir().join(format!("crm-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("book.json");
//! let mut book = CustomerBook::with_currency("TRY")?;
//! book.add_customer(Customer::person(1, "Elif", "Şahin"))?;
//! crm_store::save_book(&book, &path)?;
//! let loaded = crm_store::load_book(&path)?;
//! assert_eq!(loaded.snapshot(), book.snapshot());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), crm_core::CrmError>(())
//! ```

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crm_core::book::CustomerBook;
use crm_core::{CrmError, ErrorKind};

/// Numbers temporary files, so that threads saving to one path do not collide.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// Saves `book`'s JSON snapshot ([`CustomerBook::save_json`], with its checksum) to `path`
/// atomically: the file at `path` is either the old snapshot or the complete new one.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] for a path that names no file (`""`, `/`, `dir/..`);
/// [`ErrorKind::Io`] for any failure to create, write, flush, fsync or rename the file or to
/// fsync its folder (a missing folder, a full disk, a file-size limit, no permission), with
/// the path in the message. The old snapshot is left as it was, except after a failed fsync
/// of the folder (step 4 in the [module docs](self)).
pub fn save_book(book: &CustomerBook, path: impl AsRef<Path>) -> Result<(), CrmError> {
    let path = path.as_ref();
    let Some(name) = path.file_name() else {
        return Err(CrmError::invalid(
            "path",
            path.display(),
            "names no file to save the book to",
        ));
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(
        ".{}.{}.{n}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|e| io_error("create", &temp, &e))?;
    let written = write_and_sync(book, file, &temp)
        .and_then(|()| fs::rename(&temp, path).map_err(|e| io_error("rename onto", path, &e)));
    if let Err(e) = written {
        // Best effort: the error that matters is the one returned.
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(dir)
}

/// Loads a book from a snapshot file written by [`save_book`] (or by
/// [`CustomerBook::save_json`]), verifying its checksum and every invariant.
///
/// # Errors
/// [`ErrorKind::Io`] when the file cannot be opened or read; the errors of
/// [`CustomerBook::load_json`] (a damaged file is [`ErrorKind::Parse`]).
pub fn load_book(path: impl AsRef<Path>) -> Result<CustomerBook, CrmError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| io_error("open", path, &e))?;
    CustomerBook::load_json(BufReader::new(file))
}

fn write_and_sync(book: &CustomerBook, file: File, temp: &Path) -> Result<(), CrmError> {
    let mut writer = BufWriter::new(file);
    // save_json flushes the BufWriter and reports its errors.
    book.save_json(&mut writer)
        .map_err(|e| e.context(format_args!("{}", temp.display())))?;
    let file = writer
        .into_inner()
        .map_err(|e| io_error("write", temp, e.error()))?;
    file.sync_all().map_err(|e| io_error("fsync", temp, &e))
}

/// Makes a rename in `dir` durable. Only POSIX systems can open a folder for this; elsewhere
/// the rename is as durable as the platform makes it.
fn sync_dir(dir: &Path) -> Result<(), CrmError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error("fsync the folder", dir, &e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> CrmError {
    CrmError::new(
        ErrorKind::Io,
        Some("path"),
        format!("could not {what} {}: {e}", path.display()),
    )
}

#[cfg(test)]
mod tests;
