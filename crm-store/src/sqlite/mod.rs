//! The embedded default: a store in one SQLite file (WAL mode), through `rusqlite` with
//! SQLite compiled in.

mod codec;
mod migrate;
mod rows;
mod schema;
mod tables;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use crm_core::book::{BookConfig, Change, CustomerBook};
use crm_core::model::{Customer, Event};
use crm_core::{CrmError, ErrorKind};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use rusqlite::{ErrorCode, params};

use crate::backend::{ChangeRecord, ChangeSink, Store, StoreTxn};
use crate::options::{StoreOptions, Synchronous};
use rows::{StoredAt, kind_code, read_change_at, read_event, write_event_body};
use rusqlite::types::ValueRef;

pub(crate) use schema::LATEST as SCHEMA_VERSION;

/// A store in a SQLite file. Open it with [`crate::open`] (or [`SqliteStore::open`] for
/// the backend alone).
///
/// One connection; `Send`, not `Sync` ([`crate::StoredBook`] keeps it behind a lock).
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    location: String,
    config: BookConfig,
    busy_ms: u128,
}

impl SqliteStore {
    /// Opens (or, with [`StoreOptions::create`], creates) the store at `path`: WAL mode,
    /// `synchronous` as the options say, the busy timeout set, pending migrations applied,
    /// and (with [`StoreOptions::verify`]) `PRAGMA quick_check` run.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a missing store without `create` (a file that holds no
    /// data, as an interrupted creation leaves it, is no store);
    /// [`ErrorKind::InvalidInput`] for a new store without a valid currency;
    /// [`ErrorKind::Conflict`] for a currency other than the store's;
    /// [`ErrorKind::Parse`] for a file that is not a crm store, or is damaged (truncated,
    /// corrupted); [`ErrorKind::UnsupportedVersion`] for a store written by a newer schema;
    /// [`ErrorKind::Io`] when the file cannot be opened, read or written. The messages name
    /// the file.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Self, CrmError> {
        let location = path.display().to_string();
        let exists = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        if !exists && !options.create {
            return Err(CrmError::new(
                ErrorKind::NotFound,
                Some("location"),
                format!("no crm store at {location} (and create is off)"),
            ));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if options.create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| sql_error(&location, "open", 0, &e))?;
        let mut store = SqliteStore {
            conn,
            path: path.to_owned(),
            location,
            config: BookConfig::new("XXX"),
            busy_ms: options.busy_timeout.as_millis(),
        };
        store
            .conn
            .busy_timeout(options.busy_timeout)
            .map_err(|e| store.error("configure", &e))?;
        store.prepare(options)?;
        Ok(store)
    }

    fn error(&self, what: &str, e: &rusqlite::Error) -> CrmError {
        sql_error(&self.location, what, self.busy_ms, e)
    }

    /// Identifies, verifies, creates or migrates the file, then reads the book's settings.
    fn prepare(&mut self, options: &StoreOptions) -> Result<(), CrmError> {
        // The first read of the file: a file that is not SQLite fails here (NOTADB). One
        // statement, so one read transaction: read one by one, another process's creation
        // committing in between gave "no application_id" with tables (a race the
        // two-creators test caught).
        let (app_id, version, tables): (i32, u32, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT application_id FROM pragma_application_id()), \
                        (SELECT user_version FROM pragma_user_version()), \
                        (SELECT count(*) FROM sqlite_master)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| self.error("read", &e))?;
        // A file with no table, no application_id and no version holds no data: a new file
        // (SQLite creates it empty) or a creation killed before its one transaction
        // committed (which may have left the WAL header and an uncommitted WAL). It is
        // treated as no store: initialised when `create` is on, `NotFound` otherwise.
        let fresh = app_id == 0 && version == 0 && tables == 0;
        if fresh && !options.create {
            return Err(CrmError::new(
                ErrorKind::NotFound,
                Some("location"),
                format!(
                    "no crm store at {} (the file holds no data: an empty file or a creation \
                     that did not finish; create is off)",
                    self.location
                ),
            ));
        }
        if !fresh && app_id != schema::APPLICATION_ID {
            return Err(CrmError::new(
                ErrorKind::Parse,
                Some("location"),
                format!(
                    "{} is a SQLite database but not a crm store (application_id {app_id:#x})",
                    self.location
                ),
            ));
        }
        if !fresh && (options.verify || options.full_check) {
            // quick_check, not integrity_check: it reads the pages and checks the b-tree
            // structure (what a truncated or overwritten file breaks) in O(size), but skips
            // the index-to-table cross-check, which costs O(N log N) and matters for bugs
            // inside SQLite rather than for damaged files. The crash tests run the full
            // integrity_check. By default only the log: the open reads every other table
            // whole, and SQLite refuses a damaged page as it reads it.
            self.verify(if options.full_check {
                "quick_check(1)"
            } else {
                "quick_check(changes)"
            })?;
        }
        if version > schema::LATEST {
            return Err(CrmError::new(
                ErrorKind::UnsupportedVersion,
                Some("user_version"),
                format!(
                    "{} has schema version {version}; this build reads versions up to {} \
                     (open it with a newer crm)",
                    self.location,
                    schema::LATEST
                ),
            ));
        }
        // WAL must be set outside a transaction; it is a property of the file from then on.
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| self.error("set WAL mode on", &e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(CrmError::new(
                ErrorKind::Io,
                Some("location"),
                format!(
                    "{} cannot use WAL mode (journal_mode is {mode})",
                    self.location
                ),
            ));
        }
        let sync = match options.synchronous {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        };
        self.conn
            .pragma_update(None, "synchronous", sync)
            .map_err(|e| self.error("configure", &e))?;
        // 64 MiB of page cache instead of SQLite's 2 MiB: a batch of 10,000 events touches
        // the events b-tree and its customer index all over, and rereading those pages
        // from the OS was a third of the ingest time.
        self.conn
            .pragma_update(None, "cache_size", -65_536)
            .map_err(|e| self.error("configure", &e))?;
        if fresh {
            let currency = options.currency.as_deref().ok_or_else(|| {
                CrmError::invalid(
                    "currency",
                    "(none)",
                    format_args!("is needed to create the store {}", self.location),
                )
            })?;
            let mut config = BookConfig::new(currency);
            config.early_events = options.early_events;
            // Validates the currency before anything is written.
            crm_core::book::CustomerBook::new(config.clone())?;
            let text = serde_json::to_string(&config).map_err(|e| CrmError::parse("config", e))?;
            if !self.create(&text)? {
                // Another process created the store between the first read and the lock.
                return self.prepare(options);
            }
        } else if version < schema::LATEST {
            self.migrate()?;
        }
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM store_meta WHERE key = 'book_config'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.error("read", &e))?;
        let text = text.ok_or_else(|| {
            CrmError::new(
                ErrorKind::Parse,
                Some("book_config"),
                format!("{} is a crm store without its book settings", self.location),
            )
        })?;
        self.config = serde_json::from_str(&text)
            .map_err(|e| CrmError::parse("the store's book settings", e))?;
        if let Some(c) = options
            .currency
            .as_deref()
            .filter(|&c| c != self.config.currency)
        {
            return Err(CrmError::conflict(
                "currency",
                c,
                format_args!(
                    "the store {} keeps its book in {}",
                    self.location, self.config.currency
                ),
            ));
        }
        Ok(())
    }

    /// Runs `pragma` (`quick_check`, `quick_check(table)` or `integrity_check`) and
    /// refuses a damaged file on its first finding.
    fn verify(&self, pragma: &str) -> Result<(), CrmError> {
        let first: String = self
            .conn
            .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
            .map_err(|e| self.error("check", &e))?;
        if first != "ok" {
            return Err(CrmError::new(
                ErrorKind::Parse,
                Some("location"),
                format!("{} is damaged ({pragma}: {first})", self.location),
            ));
        }
        Ok(())
    }

    /// Runs SQLite's full `PRAGMA integrity_check` on the store.
    ///
    /// # Errors
    /// [`ErrorKind::Parse`] naming the first problem for a damaged store;
    /// [`ErrorKind::Io`] when the file cannot be read.
    pub fn integrity_check(&self) -> Result<(), CrmError> {
        self.verify("integrity_check(1)")
    }

    /// Creates the store in one transaction: the latest schema's tables directly
    /// ([`schema::V5_CREATE`]), the book settings (`config`, JSON), `application_id` and
    /// `user_version`. Returns `false`, writing nothing, when the file got tables from
    /// another process before the write lock was taken.
    fn create(&mut self, config: &str) -> Result<bool, CrmError> {
        let location = self.location.clone();
        let busy = self.busy_ms;
        let err = |what: &str, e: &rusqlite::Error| sql_error(&location, what, busy, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| err("lock", &e))?;
        let tables: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| err("read", &e))?;
        if tables > 0 {
            return Ok(false);
        }
        tx.execute_batch(schema::V5_CREATE)
            .map_err(|e| err("create", &e))?;
        tx.execute(
            "INSERT INTO store_meta (key, value) VALUES ('book_config', ?1)",
            [config],
        )
        .map_err(|e| err("create", &e))?;
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
            .map_err(|e| err("create", &e))?;
        tx.pragma_update(None, "user_version", schema::LATEST)
            .map_err(|e| err("create", &e))?;
        tx.commit().map_err(|e| err("commit the creation of", &e))?;
        Ok(true)
    }

    /// Applies the pending migrations (from version 1 on) in one transaction.
    fn migrate(&mut self) -> Result<(), CrmError> {
        let location = self.location.clone();
        let busy = self.busy_ms;
        let err = |what: &str, e: &rusqlite::Error| sql_error(&location, what, busy, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| err("lock", &e))?;
        // Another process may have migrated the file since it was read.
        let version: u32 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| err("read", &e))?;
        if version >= schema::LATEST {
            return Ok(());
        }
        if version < 2 {
            migrate::migrate_1_to_2(&tx).map_err(|e| err("migrate", &e))?;
        }
        if version < 3 {
            migrate::migrate_2_to_3(&tx).map_err(|e| err("migrate", &e))?;
        }
        // 3 → 4 is the version number alone (see `schema::LATEST`).
        if version < 5 {
            migrate::migrate_4_to_5(&tx).map_err(|e| err("migrate", &e))?;
        }
        tx.pragma_update(None, "user_version", schema::LATEST)
            .map_err(|e| err("migrate", &e))?;
        tx.commit().map_err(|e| err("commit the migration of", &e))
    }
}

impl Store for SqliteStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn schema_version(&self) -> Result<u32, CrmError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.error("read", &e))
    }

    fn book_config(&self) -> &BookConfig {
        &self.config
    }

    fn last_seq(&self) -> Result<u64, CrmError> {
        last_seq(&self.conn).map_err(|e| self.error("read", &e))
    }

    fn for_each_change(
        &self,
        after: u64,
        limit: usize,
        sink: &mut ChangeSink<'_>,
    ) -> Result<(), CrmError> {
        // One read transaction, so the walk sees one commit's state even while another
        // process writes.
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| self.error("read", &e))?;
        read_changes(&tx, &self.location, self.busy_ms, after, limit, sink)
    }

    fn load_book(&self) -> Result<Option<(CustomerBook, u64)>, CrmError> {
        tables::load_book(&self.conn, &self.config, &self.location, self.busy_ms)
    }

    fn has_pending(&self) -> Result<bool, CrmError> {
        tables::has_pending(&self.conn).map_err(|e| self.error("read", &e))
    }

    fn begin(&mut self) -> Result<Box<dyn StoreTxn + '_>, CrmError> {
        let location = self.location.as_str();
        let busy_ms = self.busy_ms;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error(location, "lock for writing", busy_ms, &e))?;
        Ok(Box::new(SqliteTxn {
            tx,
            location,
            busy_ms,
            next_event: None,
        }))
    }

    fn backup(&self, to: &Path) -> Result<(), CrmError> {
        if to.exists() {
            return Err(CrmError::invalid(
                "path",
                to.display(),
                "already exists; a backup goes to a new file",
            ));
        }
        self.conn
            .backup("main", to, None::<fn(rusqlite::backup::Progress)>)
            .map_err(|e| {
                sql_error(
                    &to.display().to_string(),
                    &format!("back up {} to", self.path.display()),
                    self.busy_ms,
                    &e,
                )
            })
    }

    fn close(self: Box<Self>) -> Result<(), CrmError> {
        let location = self.location.clone();
        let busy = self.busy_ms;
        self.conn
            .close()
            .map_err(|(_, e)| sql_error(&location, "close", busy, &e))
    }
}

/// A write transaction on a [`SqliteStore`] (`BEGIN IMMEDIATE`: the write lock is taken at
/// once, waiting up to the busy timeout).
struct SqliteTxn<'a> {
    tx: Transaction<'a>,
    location: &'a str,
    busy_ms: u128,
    /// The id of the next event row, once this transaction has looked it up.
    next_event: Option<i64>,
}

impl SqliteTxn<'_> {
    fn error(&self, what: &str, e: &rusqlite::Error) -> CrmError {
        sql_error(self.location, what, self.busy_ms, e)
    }

    fn append_one(&mut self, change: &Change, at: &str) -> rusqlite::Result<u64> {
        let events: &[Event] = match change {
            Change::EventRecorded { event } => std::slice::from_ref(event),
            Change::EventsRecorded { events } => events,
            _ => &[],
        };
        let is_events = matches!(
            change,
            Change::EventRecorded { .. } | Change::EventsRecorded { .. }
        );
        let tx = &self.tx;
        let seq: u64 = if is_events {
            // One look-up per transaction: the rows this transaction adds follow it.
            let first = match self.next_event {
                Some(n) => n,
                None => tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM events", [], |r| {
                    r.get(0)
                })?,
            };
            tx.prepare_cached(
                "INSERT INTO changes (at, type, body, first_event, event_count) \
                 VALUES (?1, ?2, NULL, ?3, ?4)",
            )?
            .execute(params![at, change.type_name(), first, events.len() as i64])?;
            let seq = tx.last_insert_rowid();
            insert_events(tx, first, events)?;
            self.next_event = Some(first + events.len() as i64);
            seq as u64
        } else if let Change::CustomersAdded { customers } = change {
            // Each customer is serialised once, for the log's body and its profile row both
            // (serialising profiles was a fifth of a bulk ingest's instructions when done
            // twice).
            let texts: Vec<String> = customers
                .iter()
                .map(serde_json::to_string)
                .collect::<Result<_, _>>()
                .map_err(json_error)?;
            tx.prepare_cached("INSERT INTO changes (at, type, body) VALUES (?1, ?2, ?3)")?
                .execute(params![
                    at,
                    change.type_name(),
                    customers_added_body(&texts)
                ])?;
            let seq = tx.last_insert_rowid();
            let mut st = tx.prepare_cached(
                "INSERT INTO customers (id, pos, profile, seq) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (i, (c, text)) in customers.iter().zip(&texts).enumerate() {
                let repointed = match c.referred_by {
                    Some(_) => Some(self.profile(c)?),
                    None => None,
                };
                let profile = repointed.as_deref().unwrap_or(text);
                st.execute(params![c.id as i64, pos(seq, i), profile, seq])?;
            }
            return Ok(seq as u64);
        } else {
            let body = serde_json::to_string(change).map_err(json_error)?;
            tx.prepare_cached("INSERT INTO changes (at, type, body) VALUES (?1, ?2, ?3)")?
                .execute(params![at, change.type_name(), body])?;
            tx.last_insert_rowid() as u64
        };
        self.project(change, seq as i64)?;
        Ok(seq)
    }

    /// The customer an id stands for in the tables: itself, or its final survivor.
    fn resolve(&self, id: u64) -> rusqlite::Result<i64> {
        let to: Option<Option<i64>> = self
            .tx
            .prepare_cached("SELECT merged_into FROM customers WHERE id = ?1")?
            .query_row([id as i64], |r| r.get(0))
            .optional()?;
        Ok(to.flatten().unwrap_or(id as i64))
    }

    /// A profile as the book keeps it: a `referred_by` naming a merged-away customer names
    /// its survivor (the book re-points it on the way in).
    fn profile(&self, c: &Customer) -> rusqlite::Result<String> {
        match c.referred_by {
            Some(r) if self.resolve(r)? != r as i64 => {
                let to = self.resolve(r)? as u64;
                serde_json::to_string(&Customer {
                    referred_by: Some(to),
                    ..c.clone()
                })
                .map_err(json_error)
            }
            _ => serde_json::to_string(c).map_err(json_error),
        }
    }

    /// Rewrites the tables the change feeds (the log row is written already). A merge's
    /// derived profiles are written by [`SqliteTxn::write_pending`], once the book has made
    /// the merge.
    fn project(&self, change: &Change, seq: i64) -> rusqlite::Result<()> {
        let tx = &self.tx;
        match change {
            Change::CustomerAdded { customer } => {
                tx.prepare_cached(
                    "INSERT INTO customers (id, pos, profile, seq) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    customer.id as i64,
                    pos(seq, 0),
                    self.profile(customer)?,
                    seq
                ])?;
            }
            Change::CustomerUpdated { customer } => {
                tx.prepare_cached("UPDATE customers SET profile = ?2, seq = ?3 WHERE id = ?1")?
                    .execute(params![customer.id as i64, self.profile(customer)?, seq])?;
            }
            Change::ConsentRecorded {
                customer_id,
                consent,
            } => {
                // The row as committed (other processes' decisions included), not the
                // profile this process last saw.
                let id = self.resolve(*customer_id)?;
                let text: String = tx
                    .prepare_cached("SELECT profile FROM customers WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))?;
                let mut profile: Customer = serde_json::from_str(&text).map_err(json_error)?;
                let before = profile.consents.len();
                profile.union_consents([consent]);
                if profile.consents.len() != before {
                    tx.prepare_cached("UPDATE customers SET profile = ?2, seq = ?3 WHERE id = ?1")?
                        .execute(params![
                            id,
                            serde_json::to_string(&profile).map_err(json_error)?,
                            seq
                        ])?;
                }
            }
            Change::IncidentAdded { incident } => {
                let body = serde_json::to_string(incident).map_err(json_error)?;
                tx.prepare_cached("INSERT INTO incidents (id, body, seq) VALUES (?1, ?2, ?3)")?
                    .execute(params![incident.id as i64, body, seq])?;
            }
            Change::Merged {
                survivor,
                merged,
                profile: golden,
                at,
            } => {
                let s = self.resolve(*survivor)?;
                let mut folded = Vec::with_capacity(merged.len());
                for &m in merged {
                    let m = self.resolve(m)?;
                    // Chains collapse: what was merged into `m` follows it into `s`.
                    tx.execute(
                        "UPDATE customers SET merged_into = ?2 WHERE merged_into = ?1",
                        [m, s],
                    )?;
                    tx.execute(
                        "UPDATE customers SET merged_into = ?2, seq = ?3 WHERE id = ?1",
                        [m, s, seq],
                    )?;
                    folded.push(m);
                }
                if let Some(p) = golden {
                    tx.execute(
                        "UPDATE customers SET profile = ?2, seq = ?3 WHERE id = ?1",
                        params![s, self.profile(p)?, seq],
                    )?;
                }
                let list = serde_json::to_string(&folded).map_err(json_error)?;
                // events_moved stays null until the book's profiles are written.
                tx.execute(
                    "INSERT INTO merges (seq, survivor, merged, at) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        seq,
                        s,
                        list,
                        at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
                    ],
                )?;
            }
            Change::MergesImported { merges } => {
                // Merge records as a snapshot kept them (final survivors, events moved):
                // nothing is derived later. The merged-away ids have no customer rows (a
                // snapshot holds live customers only), so each gets a row marking its final
                // survivor, which `resolve` and later merges follow.
                let mut into: HashMap<u64, u64> = HashMap::new();
                for m in merges {
                    for &x in &m.merged {
                        into.insert(x, m.survivor);
                    }
                }
                // By hand: `project` sees only the change, not the book, so `CustomerBook::resolve` is out of reach here.
                let last = |mut x: u64| {
                    // Chains are acyclic: the change was validated against the book.
                    for _ in 0..=into.len() {
                        match into.get(&x) {
                            Some(&s) => x = s,
                            None => break,
                        }
                    }
                    x
                };
                for (pos, m) in merges.iter().enumerate() {
                    tx.prepare_cached(
                        "INSERT INTO merges (seq, pos, survivor, merged, at, events_moved) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        seq,
                        pos as i64,
                        m.survivor as i64,
                        serde_json::to_string(&m.merged).map_err(json_error)?,
                        m.at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                        m.events_moved as i64
                    ])?;
                    for &x in &m.merged {
                        tx.prepare_cached(
                            "INSERT INTO customers (id, pos, merged_into, profile, seq) \
                             VALUES (?1, -1, ?2, 'null', ?3)",
                        )?
                        .execute(params![
                            x as i64,
                            last(x) as i64,
                            seq
                        ])?;
                    }
                }
            }
            Change::LifecyclePolicySet { policy } => {
                let body = match policy {
                    Some(p) => Some(serde_json::to_string(p).map_err(json_error)?),
                    None => None,
                };
                tx.execute(
                    "INSERT OR REPLACE INTO policies (name, body, seq) VALUES ('lifecycle', ?1, ?2)",
                    params![body, seq],
                )?;
            }
            Change::SlaPoliciesSet { policies } => {
                let body = policies.as_ref().map(|p| p.to_json());
                tx.execute(
                    "INSERT OR REPLACE INTO policies (name, body, seq) VALUES ('sla', ?1, ?2)",
                    params![body, seq],
                )?;
            }
            // Recorded events and added customers are projected with their log row
            // (`append_one`); future kinds: log only.
            _ => {}
        }
        Ok(())
    }
}

impl StoreTxn for SqliteTxn<'_> {
    fn for_each_change(
        &self,
        after: u64,
        limit: usize,
        sink: &mut ChangeSink<'_>,
    ) -> Result<(), CrmError> {
        read_changes(&self.tx, self.location, self.busy_ms, after, limit, sink)
    }

    fn append(&mut self, changes: &[Change], at: DateTime<Utc>) -> Result<u64, CrmError> {
        let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut last = 0;
        for change in changes {
            last = match self.append_one(change, &at) {
                Ok(seq) => seq,
                Err(e) => return Err(self.error("write to", &e)),
            };
        }
        Ok(last)
    }

    fn write_pending(&mut self, book: &CustomerBook) -> Result<bool, CrmError> {
        let seq = last_seq(&self.tx).map_err(|e| self.error("read", &e))?;
        tables::write_pending(&self.tx, book, seq as i64).map_err(|e| self.error("write to", &e))
    }

    fn commit(self: Box<Self>) -> Result<(), CrmError> {
        let SqliteTxn {
            tx,
            location,
            busy_ms,
            ..
        } = *self;
        // On an error the transaction is rolled back (rusqlite rolls back a transaction
        // that is still open when dropped) and the error returned, never retried.
        tx.commit()
            .map_err(|e| sql_error(location, "commit to", busy_ms, &e))
    }
}

/// The JSON of a `customers_added` change from its customers' JSON texts, as
/// `serde_json::to_string(&Change::CustomersAdded { .. })` writes it (a test compares).
fn customers_added_body(texts: &[String]) -> String {
    let len = texts.iter().map(|t| t.len() + 1).sum::<usize>();
    let mut body = String::with_capacity(len + 40);
    body.push_str(r#"{"type":"customers_added","customers":["#);
    for (i, t) in texts.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(t);
    }
    body.push_str("]}");
    body
}

/// Events per `INSERT` statement in a bulk ingest: one statement of many rows costs SQLite
/// one parse-free run of its program per row instead of one `sqlite3_step` (and one
/// reset and rebind round trip through rusqlite) per row; 64 rows × 4 parameters stays
/// far below SQLite's limit of 32,766 parameters.
const EVENT_ROWS: usize = 64;

/// `INSERT INTO events … VALUES (…), (…)…` with `rows` rows of placeholders. The `id` is
/// left to SQLite, which numbers a new row `max(id) + 1`, as [`insert_events`] expects: an
/// appended rowid takes SQLite's append path (no seek of the table's b-tree per row, a
/// tenth of a bulk ingest's instructions when the ids were bound).
fn events_insert_sql(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO events (customer_id, at, kind, body) VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str("(?, ?, ?, ?)");
    }
    sql
}

/// The statements of [`EVENT_ROWS`] rows and of one row, built once.
static EVENTS_INSERT_MANY: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| events_insert_sql(EVENT_ROWS));
static EVENTS_INSERT_ONE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| events_insert_sql(1));

/// Inserts `events` as the rows `first`, `first + 1`… of one change (`first` is
/// `max(id) + 1`, the id SQLite gives the next row; checked after the last row, so the
/// change's `first_event` can never point at other rows): whole groups of [`EVENT_ROWS`]
/// rows per statement, the rest one row per statement (two cached statements in all). The
/// bodies of a group are written into one buffer reused for the whole batch (one
/// allocation per batch instead of one per event).
fn insert_events(tx: &Connection, first: i64, events: &[Event]) -> rusqlite::Result<()> {
    let groups = events.chunks_exact(EVENT_ROWS);
    let rest = groups.remainder();
    let mut buf: Vec<u8> = Vec::with_capacity(EVENT_ROWS * 96);
    let mut ends: Vec<(usize, bool)> = Vec::with_capacity(EVENT_ROWS);
    if events.len() >= EVENT_ROWS {
        let mut st = tx.prepare_cached(&EVENTS_INSERT_MANY)?;
        for group in groups {
            buf.clear();
            ends.clear();
            for e in group {
                let binary = write_event_body(&mut buf, e).map_err(json_error)?;
                ends.push((buf.len(), binary));
            }
            let mut start = 0;
            for (i, (e, &(end, binary))) in group.iter().zip(&ends).enumerate() {
                bind_event(&mut st, i * 4, e, &buf[start..end], binary)?;
                start = end;
            }
            st.raw_execute()?;
        }
    }
    if !rest.is_empty() {
        let mut st = tx.prepare_cached(&EVENTS_INSERT_ONE)?;
        for e in rest {
            buf.clear();
            let binary = write_event_body(&mut buf, e).map_err(json_error)?;
            bind_event(&mut st, 0, e, &buf, binary)?;
            st.raw_execute()?;
        }
    }
    let last = first + events.len() as i64 - 1;
    if !events.is_empty() && tx.last_insert_rowid() != last {
        // Never reached while ids are only assigned here; refused rather than logging
        // a change whose `first_event` names the wrong rows.
        return Err(json_error(serde::ser::Error::custom(format_args!(
            "event rows numbered up to {} instead of {last}",
            tx.last_insert_rowid()
        ))));
    }
    Ok(())
}

/// Binds one event row's four values after the first `p` parameters; `body` is what
/// [`write_event_body`] wrote: a blob when `binary`, else JSON text (UTF-8, as serde_json
/// writes it), so that plain-SQL readers still see the JSON bodies as text.
fn bind_event(
    st: &mut rusqlite::CachedStatement<'_>,
    p: usize,
    e: &Event,
    body: &[u8],
    binary: bool,
) -> rusqlite::Result<()> {
    st.raw_bind_parameter(p + 1, e.customer_id as i64)?;
    st.raw_bind_parameter(p + 2, StoredAt(&e.at))?;
    st.raw_bind_parameter(p + 3, kind_code(e))?;
    let body = if binary {
        ValueRef::Blob(body)
    } else {
        ValueRef::Text(body)
    };
    st.raw_bind_parameter(p + 4, rusqlite::types::ToSqlOutput::Borrowed(body))
}

fn last_seq(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|s| s as u64)
}

/// A customer's place in the order the book added them: the adding change's `seq` in the
/// high 32 bits, its place in that change in the low ones.
fn pos(seq: i64, i: usize) -> i64 {
    (seq << 32) | (i as i64 & 0xffff_ffff)
}

fn json_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// Reads up to `limit` changes after `after`, rebuilding recorded events from their rows.
///
/// The event rows of later changes follow those of earlier ones in `id` order (a write
/// numbers its rows after every committed one), so one forward scan of `events`, opened at
/// the first event change's first row, serves them all: no seek and no statement reset
/// per change (most of the SQLite work of a `refresh` after many single-event changes). A
/// row that is not the one expected ends the scan, and the events are then read change by
/// change by their id range: the result never depends on that order, only the speed.
fn read_changes(
    conn: &Connection,
    location: &str,
    busy_ms: u128,
    after: u64,
    limit: usize,
    sink: &mut ChangeSink<'_>,
) -> Result<(), CrmError> {
    let err = |e: rusqlite::Error| sql_error(location, "read", busy_ms, &e);
    let text_err = |e: rusqlite::types::FromSqlError| err(err_from(e));
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // Where the scan starts: the first event change among the ones to read (bounded by
    // `limit` seqs, so a short page never walks the log past itself; with gaps in the
    // seqs the range reads below still find every event).
    let start: Option<i64> = conn
        .prepare_cached(
            "SELECT first_event FROM changes WHERE seq > ?1 AND seq <= ?2 \
             AND first_event IS NOT NULL ORDER BY seq LIMIT 1",
        )
        .map_err(err)?
        .query_row([after, after.saturating_add(limit)], |r| r.get(0))
        .optional()
        .map_err(err)?;
    let mut scan_st = conn
        .prepare_cached(
            "SELECT id, customer_id, at, kind, body FROM events WHERE id >= ?1 ORDER BY id",
        )
        .map_err(err)?;
    let mut scan = match start {
        Some(first) => Some(scan_st.query([first]).map_err(err)?),
        None => None,
    };
    let mut range_st = conn
        .prepare_cached(
            "SELECT id, customer_id, at, kind, body FROM events \
             WHERE id >= ?1 AND id < ?2 ORDER BY id",
        )
        .map_err(err)?;
    let mut st = conn
        .prepare_cached(
            "SELECT seq, at, type, body, first_event, event_count FROM changes \
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )
        .map_err(err)?;
    let mut rows = st.query([after, limit]).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        let seq: i64 = row.get(0).map_err(err)?;
        let kind = row.get_ref(2).map_err(err)?.as_str().map_err(text_err)?;
        let damaged = |what: &dyn std::fmt::Display| {
            CrmError::new(
                ErrorKind::Parse,
                Some("changes"),
                format!("{location}: change #{seq} ({kind}) is damaged: {what}"),
            )
        };
        let at = row.get_ref(1).map_err(err)?.as_str().map_err(text_err)?;
        let at = read_change_at(at).map_err(|e| damaged(&e))?;
        // An event change names its rows and has no body: `first_event` is read first, so
        // the body column is read only for the others (a column read through rusqlite is
        // a sixth of a refresh after many single-event changes).
        let first: Option<i64> = row.get(4).map_err(err)?;
        let change = match first {
            None => {
                let body = row
                    .get_ref(3)
                    .map_err(err)?
                    .as_str_or_null()
                    .map_err(text_err)?
                    .ok_or_else(|| damaged(&"it has neither a body nor event rows"))?;
                serde_json::from_str::<Change>(body).map_err(|e| damaged(&e))?
            }
            Some(first) => {
                let count: i64 = row.get(5).map_err(err)?;
                let mut events = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
                let event = |r: &rusqlite::Row<'_>| -> Result<Event, CrmError> {
                    let id: i64 = r.get(0).map_err(err)?;
                    let body = body_bytes(r.get_ref(4).map_err(err)?)
                        .map_err(|e| damaged(&format_args!("event row #{id}: {e}")))?;
                    let (customer, code): (i64, i64) =
                        (r.get(1).map_err(err)?, r.get(3).map_err(err)?);
                    read_event(customer, r.get_ref(2).map_err(err)?, code, body)
                        .map_err(|e| damaged(&format_args!("event row #{id}: {e}")))
                };
                if let Some(rows) = &mut scan {
                    while (events.len() as i64) < count {
                        let id = first + events.len() as i64;
                        match rows.next().map_err(err)? {
                            Some(r) if r.get::<_, i64>(0).map_err(err)? == id => {
                                events.push(event(r)?);
                            }
                            _ => {
                                events.clear();
                                break;
                            }
                        }
                    }
                    if (events.len() as i64) < count {
                        scan = None;
                    }
                }
                if scan.is_none() {
                    let mut rows = range_st
                        .query([first, first.saturating_add(count)])
                        .map_err(err)?;
                    while let Some(r) = rows.next().map_err(err)? {
                        events.push(event(r)?);
                    }
                }
                if events.len() as i64 != count {
                    return Err(damaged(&format_args!(
                        "{} of its {count} events are there",
                        events.len()
                    )));
                }
                match (kind, events.len()) {
                    ("event_recorded", 1) => Change::EventRecorded {
                        event: events.remove(0),
                    },
                    ("events_recorded", _) => Change::EventsRecorded { events },
                    _ => return Err(damaged(&"it names event rows but is no event change")),
                }
            }
        };
        sink(ChangeRecord {
            seq: seq as u64,
            at,
            change,
        })?;
    }
    Ok(())
}

/// The bytes of an event row's body: text (JSON) or a blob (binary); anything else is
/// damage.
fn body_bytes(v: ValueRef<'_>) -> Result<&[u8], String> {
    match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => Ok(b),
        other => Err(format!("a body stored as {:?}", other.data_type())),
    }
}

fn err_from(e: rusqlite::types::FromSqlError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

/// An SQLite failure as a [`CrmError`] naming the file: a file that is not a database or
/// is damaged is [`ErrorKind::Parse`]; everything else (locks, a full disk, a read-only
/// file, I/O) is [`ErrorKind::Io`].
fn sql_error(location: &str, what: &str, busy_ms: u128, e: &rusqlite::Error) -> CrmError {
    let (kind, detail) = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            return CrmError::new(
                ErrorKind::Parse,
                Some("location"),
                format!("{location} is not a crm store (not a SQLite database file)"),
            );
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            return CrmError::new(
                ErrorKind::Parse,
                Some("location"),
                format!("{location} is damaged ({e})"),
            );
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => (
            ErrorKind::Io,
            format!(
                "another connection held the lock longer than the busy timeout ({busy_ms} ms): {e}"
            ),
        ),
        Some(ErrorCode::ReadOnly) => (ErrorKind::Io, format!("the store is read-only: {e}")),
        Some(ErrorCode::DiskFull) => (ErrorKind::Io, format!("the disk is full: {e}")),
        _ => (ErrorKind::Io, e.to_string()),
    };
    CrmError::new(
        kind,
        Some("location"),
        format!("could not {what} {location}: {detail}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::sample::SampleConfig;

    /// The hand-built body of `customers_added` is what serde writes for the change, for
    /// sample customers (names with Turkish letters, addresses, consents, referrers).
    #[test]
    fn customers_added_body_is_serdes_json() {
        let (book, _) = SampleConfig::new(300).seed(3).build_book().unwrap();
        let mut customers: Vec<Customer> = book.customers().cloned().collect();
        customers[0].given_name = Some("Ça\"ğ\\rı\n".to_owned());
        assert!(customers.iter().any(|c| c.referred_by.is_some()));
        let texts: Vec<String> = customers
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        let change = Change::CustomersAdded { customers };
        assert_eq!(
            customers_added_body(&texts),
            serde_json::to_string(&change).unwrap()
        );
        assert_eq!(
            customers_added_body(&[]),
            r#"{"type":"customers_added","customers":[]}"#
        );
    }

    /// Events go in 64 rows per statement and the rest one by one: 2 × 64 + 3 events get
    /// the ids 1..=131 in order, under their change, and read back as recorded.
    #[test]
    fn bulk_events_keep_their_order_and_ids() {
        let (book, _) = SampleConfig::new(40).seed(9).build_book().unwrap();
        let events: Vec<Event> = book.events().take(2 * EVENT_ROWS + 3).collect();
        assert_eq!(events.len(), 131);
        let dir = std::env::temp_dir().join(format!("crm-sqlite-bulk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bulk.crm");
        let _ = std::fs::remove_file(&path);
        let mut store = SqliteStore::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
        let at = Utc::now();
        {
            let mut txn = store.begin().unwrap();
            let changes = [Change::EventsRecorded {
                events: events.clone(),
            }];
            assert_eq!(txn.append(&changes, at).unwrap(), 1);
            txn.commit().unwrap();
        }
        let ids: Vec<(i64, i64)> = store
            .conn
            .prepare("SELECT id, kind FROM events ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let want: Vec<(i64, i64)> = events
            .iter()
            .zip(1..)
            .map(|(e, i)| (i, rows::tag_code(e.kind.type_name()).unwrap()))
            .collect();
        assert_eq!(ids, want);
        let (first, count): (i64, i64) = store
            .conn
            .query_row("SELECT first_event, event_count FROM changes", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((first, count), (1, 131));
        let mut back = Vec::new();
        store
            .for_each_change(0, usize::MAX, &mut |r| {
                back.push(r.change);
                Ok(())
            })
            .unwrap();
        match back.as_slice() {
            [Change::EventsRecorded { events: read }] => assert_eq!(read, &events),
            other => panic!("{other:?}"),
        }
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The change feed reads events with one forward scan when their rows follow in id
    /// order, and by id range otherwise: rows of a middle change moved far ahead (ids
    /// 1001…, out of order) read back the same; a missing row is a damaged change naming
    /// how many of its events are there.
    #[test]
    fn events_read_back_in_and_out_of_id_order() {
        let (book, _) = SampleConfig::new(20).seed(4).build_book().unwrap();
        let events: Vec<Event> = book.events().take(30).collect();
        let dir = std::env::temp_dir().join(format!("crm-sqlite-scan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("scan.crm");
        let _ = std::fs::remove_file(&path);
        let mut store = SqliteStore::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
        {
            let mut txn = store.begin().unwrap();
            let changes = [
                Change::EventsRecorded {
                    events: events[..10].to_vec(),
                },
                Change::EventRecorded {
                    event: events[10].clone(),
                },
                Change::EventsRecorded {
                    events: events[11..20].to_vec(),
                },
                Change::EventsRecorded {
                    events: events[20..].to_vec(),
                },
            ];
            assert_eq!(txn.append(&changes, Utc::now()).unwrap(), 4);
            txn.commit().unwrap();
        }
        let read = |store: &SqliteStore, after| {
            let mut back: Vec<Event> = Vec::new();
            store
                .for_each_change(after, usize::MAX, &mut |r| {
                    match r.change {
                        Change::EventRecorded { event } => back.push(event),
                        Change::EventsRecorded { events } => back.extend(events),
                        other => panic!("{other:?}"),
                    }
                    Ok(())
                })
                .map(|()| back)
        };
        assert_eq!(read(&store, 0).unwrap(), events);
        assert_eq!(read(&store, 2).unwrap(), events[11..]);
        // Change 3's rows (ids 12..=20) moved to 1012..=1020: out of the scan's order.
        store
            .conn
            .execute_batch(
                "UPDATE events SET id = id + 1000 WHERE id BETWEEN 12 AND 20; \
                 UPDATE changes SET first_event = first_event + 1000 WHERE seq = 3;",
            )
            .unwrap();
        assert_eq!(read(&store, 0).unwrap(), events);
        assert_eq!(read(&store, 1).unwrap(), events[10..]);
        store
            .conn
            .execute("DELETE FROM events WHERE id = 1015", [])
            .unwrap();
        let e = read(&store, 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
        assert!(e.to_string().contains("change #3"), "{e}");
        assert!(e.to_string().contains("8 of its 9 events"), "{e}");
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
