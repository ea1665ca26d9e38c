//! The server backend: a store in a PostgreSQL database, through the `postgres` crate
//! (the synchronous client), for several writer processes at once.
//!
//! Connection strings ([`is_postgres_location`]): a URL, `postgresql://user:password@host:5432/db`
//! or `postgres://…` (a Unix socket folder as `postgresql://user@/db?host=/run/postgresql`),
//! or libpq's key/value form starting with `host=`, `hostaddr=`, `port=`, `user=` or
//! `dbname=` (`host=/run/postgresql dbname=crm user=crm`). TLS is not built in: use a Unix
//! socket or a trusted network. The password never appears in [`Store::location`] or in a
//! message.

mod schema;

use std::cell::RefCell;
use std::fmt;
use std::path::Path;

use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::config::Host;
use ::postgres::error::SqlState;
use ::postgres::types::{ToSql, Type};
use ::postgres::{Client, Config, IsolationLevel, NoTls, Transaction};
use chrono::{DateTime, SecondsFormat, Utc};
use crm_core::book::{BookConfig, Change};
use crm_core::model::{Customer, Event};
use crm_core::{CrmError, ErrorKind};

use crate::backend::{ChangeRecord, ChangeSink, Store, StoreTxn};
use crate::options::{StoreOptions, Synchronous};

/// How many change rows a read fetches per round trip.
const CHUNK: i32 = 512;
/// The most events a read fetches in one query for a chunk of changes.
const EVENTS_PER_FETCH: i64 = 200_000;
/// From how many rows on a write uses `COPY` instead of `INSERT`.
const COPY_FROM: usize = 8;

/// Whether `location` names a PostgreSQL store rather than a SQLite file: a
/// `postgresql://` or `postgres://` URL, or a libpq key/value string whose first key is
/// `host`, `hostaddr`, `port`, `user` or `dbname`.
pub fn is_postgres_location(location: &str) -> bool {
    let l = location.trim_start();
    l.starts_with("postgresql://")
        || l.starts_with("postgres://")
        || ["host=", "hostaddr=", "port=", "user=", "dbname="]
            .iter()
            .any(|k| l.starts_with(k))
}

/// A store in a PostgreSQL database (its tables in the schema `crm`). Open it with
/// [`crate::open`] (or [`PostgresStore::open`] for the backend alone).
///
/// One connection; `Send`, not `Sync` ([`crate::StoredBook`] keeps it behind a lock).
///
/// - Writers: [`Store::begin`] takes a transaction-level advisory lock, waiting up to
///   [`StoreOptions::busy_timeout`] (`lock_timeout`), so writers from any number of
///   processes commit one at a time; each assigns `seq = max(seq) + 1` under the lock, so
///   the log is gap-free in commit order and a reader following it with a cursor never
///   skips a change.
/// - Readers: each read runs in one `REPEATABLE READ` snapshot.
/// - Durability: [`Synchronous::Full`] is PostgreSQL's `synchronous_commit = on` (a
///   commit that returned is flushed to the server's WAL); [`Synchronous::Normal`] sets
///   `synchronous_commit = off`: a crash of the *server* may lose the last commits (up to
///   three times `wal_writer_delay`, 600 ms by default), never half of one.
pub struct PostgresStore {
    client: RefCell<Client>,
    location: String,
    config: BookConfig,
    busy_ms: u128,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The connection string without its password, as a URL: `postgresql://user@host:port/db`
/// (a socket folder as `?host=/path`).
fn describe(config: &Config) -> String {
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or("");
    let port = config.get_ports().first().map(|p| format!(":{p}"));
    let mut tcp = Vec::new();
    let mut sockets = Vec::new();
    for h in config.get_hosts() {
        match h {
            Host::Tcp(name) => tcp.push(name.clone()),
            #[cfg(unix)]
            Host::Unix(path) => sockets.push(path.display().to_string()),
        }
    }
    if tcp.is_empty() {
        tcp.extend(config.get_hostaddrs().iter().map(|a| a.to_string()));
    }
    let host = tcp.join(",");
    let port = if host.is_empty() && sockets.is_empty() {
        String::new()
    } else {
        port.unwrap_or_default()
    };
    let mut url = format!("postgresql://{user}{host}{port}/{db}");
    if !sockets.is_empty() {
        url.push_str("?host=");
        url.push_str(&sockets.join(","));
    }
    url
}

impl PostgresStore {
    /// Connects to the database `location` names and opens the store in it, or (with
    /// [`StoreOptions::create`]) creates the store's schema `crm` and its tables there.
    /// `create` never creates the *database*: that is the server administrator's
    /// (`createdb`), like its users and their rights. Pending migrations are applied;
    /// [`StoreOptions::verify`] has no effect (the server checks its own pages).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for a connection string that does not parse;
    /// [`ErrorKind::NotFound`] for a database that does not exist (SQLSTATE 3D000), or a
    /// database without a store when `create` is off; [`ErrorKind::InvalidInput`] for a
    /// new store without a valid currency; [`ErrorKind::Conflict`] for a currency other
    /// than the store's; [`ErrorKind::Parse`] for a schema `crm` that is not a crm store;
    /// [`ErrorKind::UnsupportedVersion`] for a store written by a newer schema;
    /// [`ErrorKind::Io`] when the server cannot be reached, refuses the login, or cannot
    /// be read or written. The messages name the server and database, never the password.
    pub fn open(location: &str, options: &StoreOptions) -> Result<Self, CrmError> {
        let mut config: Config = location.trim().parse().map_err(|e| {
            CrmError::new(
                ErrorKind::InvalidInput,
                Some("location"),
                format!("the PostgreSQL connection string does not parse: {e}"),
            )
        })?;
        let described = describe(&config);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.busy_timeout.max(std::time::Duration::from_secs(1)));
        }
        let busy_ms = options.busy_timeout.as_millis();
        let mut client = config
            .connect(NoTls)
            .map_err(|e| pg_error(&described, "connect to", busy_ms, &e))?;
        let sync = match options.synchronous {
            Synchronous::Full => "on",
            Synchronous::Normal => "off",
        };
        client
            .batch_execute(&format!(
                "SET lock_timeout = {busy_ms}; SET synchronous_commit = {sync}; \
                 SET client_min_messages = warning"
            ))
            .map_err(|e| pg_error(&described, "configure", busy_ms, &e))?;
        let mut store = PostgresStore {
            client: RefCell::new(client),
            location: described,
            config: BookConfig::new("XXX"),
            busy_ms,
        };
        store.prepare(options)?;
        Ok(store)
    }

    fn error(&self, what: &str, e: &postgres::Error) -> CrmError {
        pg_error(&self.location, what, self.busy_ms, e)
    }

    /// Identifies, creates or migrates the store under the write lock (two processes
    /// creating one store at once: the second finds it made), then reads its settings.
    fn prepare(&mut self, options: &StoreOptions) -> Result<(), CrmError> {
        let location = self.location.clone();
        let busy = self.busy_ms;
        let err = |what: &str, e: &postgres::Error| pg_error(&location, what, busy, e);
        let client = self.client.get_mut();
        let mut tx = client.transaction().map_err(|e| err("begin on", &e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::WRITE_LOCK])
            .map_err(|e| err("lock", &e))?;
        let has_namespace: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&schema::NAMESPACE],
            )
            .map_err(|e| err("read", &e))?
            .get(0);
        if !has_namespace {
            if !options.create {
                return Err(CrmError::new(
                    ErrorKind::NotFound,
                    Some("location"),
                    format!("no crm store in {location} (and create is off)"),
                ));
            }
            let currency = options.currency.as_deref().ok_or_else(|| {
                CrmError::invalid(
                    "currency",
                    "(none)",
                    format_args!("is needed to create the store {location}"),
                )
            })?;
            let mut config = BookConfig::new(currency);
            config.early_events = options.early_events;
            // Validates the currency before anything is written.
            crm_core::book::CustomerBook::new(config.clone())?;
            let text = serde_json::to_string(&config).map_err(|e| CrmError::parse("config", e))?;
            tx.batch_execute(&format!("CREATE SCHEMA {}", schema::NAMESPACE))
                .map_err(|e| err("create the store in", &e))?;
            migrate(&mut tx, 0).map_err(|e| err("create the store in", &e))?;
            tx.execute(
                "INSERT INTO crm.store_meta (key, value) VALUES ('book_config', $1)",
                &[&text],
            )
            .map_err(|e| err("create the store in", &e))?;
        } else {
            let has_versions: bool = tx
                .query_one("SELECT to_regclass('crm.schema_version') IS NOT NULL", &[])
                .map_err(|e| err("read", &e))?
                .get(0);
            if !has_versions {
                return Err(CrmError::new(
                    ErrorKind::Parse,
                    Some("location"),
                    format!(
                        "{location} has a schema \"crm\" that is not a crm store \
                         (no crm.schema_version table)"
                    ),
                ));
            }
            let version = read_version(&mut tx).map_err(|e| err("read", &e))?;
            if version > schema::LATEST {
                return Err(CrmError::new(
                    ErrorKind::UnsupportedVersion,
                    Some("schema_version"),
                    format!(
                        "{location} has schema version {version}; this build reads versions \
                         up to {} (open it with a newer crm)",
                        schema::LATEST
                    ),
                ));
            }
            if version < schema::LATEST {
                migrate(&mut tx, version).map_err(|e| err("migrate", &e))?;
            }
        }
        let text: Option<String> = tx
            .query_opt(
                "SELECT value FROM crm.store_meta WHERE key = 'book_config'",
                &[],
            )
            .map_err(|e| err("read", &e))?
            .map(|r| r.get(0));
        tx.commit().map_err(|e| err("commit the opening of", &e))?;
        let text = text.ok_or_else(|| {
            CrmError::new(
                ErrorKind::Parse,
                Some("book_config"),
                format!("{location} is a crm store without its book settings"),
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
                    "the store {location} keeps its book in {}",
                    self.config.currency
                ),
            ));
        }
        Ok(())
    }
}

/// The store's schema version: the highest applied migration.
fn read_version(tx: &mut Transaction<'_>) -> Result<u32, postgres::Error> {
    let v: Option<i32> = tx
        .query_one("SELECT max(version) FROM crm.schema_version", &[])?
        .get(0);
    Ok(u32::try_from(v.unwrap_or(0)).unwrap_or(0))
}

/// Applies the migrations after `from`, recording each in `crm.schema_version`.
fn migrate(tx: &mut Transaction<'_>, from: u32) -> Result<(), postgres::Error> {
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.batch_execute(sql)?;
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO crm.schema_version (version, applied_at) VALUES ($1, $2)",
            &[&version, &now],
        )?;
    }
    Ok(())
}

impl Store for PostgresStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn schema_version(&self) -> Result<u32, CrmError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.error("read", &e))?;
        read_version(&mut tx).map_err(|e| self.error("read", &e))
    }

    fn book_config(&self) -> &BookConfig {
        &self.config
    }

    fn last_seq(&self) -> Result<u64, CrmError> {
        let mut client = self.client.borrow_mut();
        let row = client
            .query_one("SELECT coalesce(max(seq), 0) FROM crm.changes", &[])
            .map_err(|e| self.error("read", &e))?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn for_each_change(
        &self,
        after: u64,
        limit: usize,
        sink: &mut ChangeSink<'_>,
    ) -> Result<(), CrmError> {
        let mut client = self.client.borrow_mut();
        let mut tx = snapshot(&mut client).map_err(|e| self.error("read", &e))?;
        read_changes(&mut tx, &self.location, self.busy_ms, after, limit, sink)?;
        tx.commit().map_err(|e| self.error("read", &e))
    }

    fn begin(&mut self) -> Result<Box<dyn StoreTxn + '_>, CrmError> {
        let location = self.location.as_str();
        let busy_ms = self.busy_ms;
        let err = |what: &str, e: &postgres::Error| pg_error(location, what, busy_ms, e);
        let mut tx = self
            .client
            .get_mut()
            .transaction()
            .map_err(|e| err("begin a write on", &e))?;
        // READ COMMITTED: every statement after the lock sees every commit made before it
        // was granted (the lock is released only once a commit is visible).
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::WRITE_LOCK])
            .map_err(|e| err("lock for writing", &e))?;
        let row = tx
            .query_one(
                "SELECT (SELECT coalesce(max(seq), 0) FROM crm.changes), \
                        (SELECT coalesce(max(id), 0) FROM crm.events)",
                &[],
            )
            .map_err(|e| err("read", &e))?;
        Ok(Box::new(PgTxn {
            tx: RefCell::new(tx),
            location,
            busy_ms,
            next_seq: row.get::<_, i64>(0) + 1,
            next_event: row.get::<_, i64>(1) + 1,
        }))
    }

    /// Writes a SQLite store at `to` (a new file) holding the log as of one snapshot
    /// (`REPEATABLE READ`), change for change with the same sequence numbers and times: a
    /// backup is the same kind of file on both backends, opened with [`crate::open`]. For
    /// a copy of the database itself use `pg_dump`.
    fn backup(&self, to: &Path) -> Result<(), CrmError> {
        if to.exists() {
            return Err(CrmError::invalid(
                "path",
                to.display(),
                "already exists; a backup goes to a new file",
            ));
        }
        let options = StoreOptions {
            currency: Some(self.config.currency.clone()),
            early_events: self.config.early_events,
            ..StoreOptions::default()
        };
        let result = (|| {
            let mut copy = crate::sqlite::SqliteStore::open(to, &options)?;
            {
                let mut txn = copy.begin()?;
                self.for_each_change(0, usize::MAX, &mut |r| {
                    let seq = txn.append(std::slice::from_ref(&r.change), r.at)?;
                    if seq != r.seq {
                        return Err(CrmError::new(
                            ErrorKind::Io,
                            Some("path"),
                            format!(
                                "the backup of {} got change #{} as #{seq}",
                                self.location, r.seq
                            ),
                        ));
                    }
                    Ok(())
                })?;
                txn.commit()?;
            }
            Box::new(copy).close()
        })();
        if result.is_err() {
            // The file is ours (it did not exist): leave no half backup behind.
            let _ = std::fs::remove_file(to);
            let mut wal = to.as_os_str().to_owned();
            wal.push("-wal");
            let _ = std::fs::remove_file(&wal);
        }
        result
    }

    fn close(self: Box<Self>) -> Result<(), CrmError> {
        let location = self.location.clone();
        let busy = self.busy_ms;
        self.client
            .into_inner()
            .close()
            .map_err(|e| pg_error(&location, "close", busy, &e))
    }
}

/// A read-only `REPEATABLE READ` transaction: one snapshot for the whole read.
fn snapshot(client: &mut Client) -> Result<Transaction<'_>, postgres::Error> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
}

/// A write transaction on a [`PostgresStore`], holding the store's advisory lock.
struct PgTxn<'a> {
    tx: RefCell<Transaction<'a>>,
    location: &'a str,
    busy_ms: u128,
    next_seq: i64,
    next_event: i64,
}

impl PgTxn<'_> {
    fn append_one(&mut self, change: &Change, at: &str) -> Result<i64, PgFailure> {
        let tx = self.tx.get_mut();
        let seq = self.next_seq;
        let events: &[Event] = match change {
            Change::EventRecorded { event } => std::slice::from_ref(event),
            Change::EventsRecorded { events } => events,
            _ => &[],
        };
        let is_events = matches!(
            change,
            Change::EventRecorded { .. } | Change::EventsRecorded { .. }
        );
        if is_events {
            let first = self.next_event;
            let count = events.len() as i64;
            tx.execute(
                "INSERT INTO crm.changes (seq, at, type, body, first_event, event_count) \
                 VALUES ($1, $2, $3, NULL, $4, $5)",
                &[&seq, &at, &change.type_name(), &first, &count],
            )?;
            let rows = events.iter().enumerate().map(|(i, e)| {
                Ok::<_, PgFailure>([
                    Value::Int(first + i as i64),
                    Value::Int(seq),
                    Value::Int(e.customer_id as i64),
                    Value::Text(e.at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
                    Value::Str(e.kind.type_name()),
                    Value::Text(serde_json::to_string(e)?),
                ])
            });
            write_rows(
                tx,
                "crm.events",
                "id, seq, customer_id, at, type, body",
                &[
                    Type::INT8,
                    Type::INT8,
                    Type::INT8,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                ],
                events.len(),
                rows,
            )?;
            self.next_event += count;
        } else {
            let body = serde_json::to_string(change)?;
            tx.execute(
                "INSERT INTO crm.changes (seq, at, type, body) VALUES ($1, $2, $3, $4)",
                &[&seq, &at, &change.type_name(), &body],
            )?;
        }
        project(tx, change, seq, at)?;
        self.next_seq += 1;
        Ok(seq)
    }
}

/// A value of a row written by [`write_rows`].
enum Value {
    Int(i64),
    Text(String),
    Str(&'static str),
}

impl Value {
    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Value::Int(v) => v,
            Value::Text(v) => v,
            Value::Str(v) => v,
        }
    }
}

/// Writes `count` rows into `table`: binary `COPY` from [`COPY_FROM`] rows on (one round
/// trip, no per-row statement), a prepared `INSERT` below.
fn write_rows<const N: usize>(
    tx: &mut Transaction<'_>,
    table: &str,
    columns: &str,
    types: &[Type; N],
    count: usize,
    rows: impl Iterator<Item = Result<[Value; N], PgFailure>>,
) -> Result<(), PgFailure> {
    if count >= COPY_FROM {
        let writer = tx.copy_in(&format!("COPY {table} ({columns}) FROM STDIN BINARY"))?;
        let mut writer = BinaryCopyInWriter::new(writer, types);
        for row in rows {
            let row = row?;
            let values: Vec<&(dyn ToSql + Sync)> = row.iter().map(Value::as_sql).collect();
            writer.write(&values)?;
        }
        writer.finish()?;
    } else {
        let params: Vec<String> = (1..=N).map(|i| format!("${i}")).collect();
        let st = tx.prepare(&format!(
            "INSERT INTO {table} ({columns}) VALUES ({})",
            params.join(", ")
        ))?;
        for row in rows {
            let row = row?;
            let values: Vec<&(dyn ToSql + Sync)> = row.iter().map(Value::as_sql).collect();
            tx.execute(&st, &values)?;
        }
    }
    Ok(())
}

/// Rewrites the tables the change feeds (the log row is written already).
fn project(tx: &mut Transaction<'_>, change: &Change, seq: i64, at: &str) -> Result<(), PgFailure> {
    let customer_rows = |customers: &[Customer]| {
        customers
            .iter()
            .map(|c| {
                Ok::<_, PgFailure>([
                    Value::Int(c.id as i64),
                    Value::Text(serde_json::to_string(c)?),
                    Value::Int(seq),
                ])
            })
            .collect::<Vec<_>>()
    };
    let customer_types = [Type::INT8, Type::TEXT, Type::INT8];
    match change {
        Change::CustomerAdded { customer } => {
            let rows = customer_rows(std::slice::from_ref(customer));
            write_rows(
                tx,
                "crm.customers",
                "id, profile, seq",
                &customer_types,
                1,
                rows.into_iter(),
            )?;
        }
        Change::CustomersAdded { customers } => {
            let rows = customer_rows(customers);
            write_rows(
                tx,
                "crm.customers",
                "id, profile, seq",
                &customer_types,
                customers.len(),
                rows.into_iter(),
            )?;
        }
        Change::CustomerUpdated { customer } => {
            tx.execute(
                "UPDATE crm.customers SET profile = $2, seq = $3 WHERE id = $1",
                &[
                    &(customer.id as i64),
                    &serde_json::to_string(customer)?,
                    &seq,
                ],
            )?;
        }
        Change::ConsentRecorded {
            customer_id,
            consent,
        } => {
            // The row as committed (other processes' decisions included), not the profile
            // this process last saw.
            let to = tx.query_opt(
                "SELECT survivor FROM crm.redirects WHERE merged_id = $1",
                &[&(*customer_id as i64)],
            )?;
            let id: i64 = to.map_or(*customer_id as i64, |r| r.get(0));
            let row = tx.query_one("SELECT profile FROM crm.customers WHERE id = $1", &[&id])?;
            let mut profile: Customer = serde_json::from_str(row.get::<_, &str>(0))?;
            let before = profile.consents.len();
            profile.union_consents([consent]);
            if profile.consents.len() != before {
                tx.execute(
                    "UPDATE crm.customers SET profile = $2, seq = $3 WHERE id = $1",
                    &[&id, &serde_json::to_string(&profile)?, &seq],
                )?;
            }
        }
        Change::IncidentAdded { incident } => {
            tx.execute(
                "INSERT INTO crm.incidents (id, body, seq) VALUES ($1, $2, $3)",
                &[
                    &(incident.id as i64),
                    &serde_json::to_string(incident)?,
                    &seq,
                ],
            )?;
        }
        Change::Merged {
            survivor,
            merged,
            profile: golden,
            ..
        } => {
            let resolve = |tx: &mut Transaction<'_>, id: u64| -> Result<i64, PgFailure> {
                let to = tx.query_opt(
                    "SELECT survivor FROM crm.redirects WHERE merged_id = $1",
                    &[&(id as i64)],
                )?;
                Ok(to.map_or(id as i64, |r| r.get(0)))
            };
            let s = resolve(tx, *survivor)?;
            let mut folded = Vec::with_capacity(merged.len());
            for &m in merged {
                let m = resolve(tx, m)?;
                tx.execute("DELETE FROM crm.customers WHERE id = $1", &[&m])?;
                tx.execute(
                    "UPDATE crm.redirects SET survivor = $2 WHERE survivor = $1",
                    &[&m, &s],
                )?;
                tx.execute(
                    "INSERT INTO crm.redirects (merged_id, survivor) VALUES ($1, $2) \
                     ON CONFLICT (merged_id) DO UPDATE SET survivor = excluded.survivor",
                    &[&m, &s],
                )?;
                folded.push(m);
            }
            if let Some(p) = golden {
                tx.execute(
                    "UPDATE crm.customers SET profile = $2, seq = $3 WHERE id = $1",
                    &[&s, &serde_json::to_string(p)?, &seq],
                )?;
            }
            let list = serde_json::to_string(&folded)?;
            tx.execute(
                "INSERT INTO crm.merges (seq, survivor, merged, at) VALUES ($1, $2, $3, $4)",
                &[&seq, &s, &list, &at],
            )?;
        }
        Change::LifecyclePolicySet { policy } => {
            let body = match policy {
                Some(p) => Some(serde_json::to_string(p)?),
                None => None,
            };
            set_policy(tx, "lifecycle", body, seq)?;
        }
        Change::SlaPoliciesSet { policies } => {
            set_policy(tx, "sla", policies.as_ref().map(|p| p.to_json()), seq)?;
        }
        // Recorded events are projected with their log row; future kinds: log only.
        _ => {}
    }
    Ok(())
}

fn set_policy(
    tx: &mut Transaction<'_>,
    name: &str,
    body: Option<String>,
    seq: i64,
) -> Result<(), PgFailure> {
    tx.execute(
        "INSERT INTO crm.policies (name, body, seq) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, seq = excluded.seq",
        &[&name, &body, &seq],
    )?;
    Ok(())
}

impl StoreTxn for PgTxn<'_> {
    fn for_each_change(
        &self,
        after: u64,
        limit: usize,
        sink: &mut ChangeSink<'_>,
    ) -> Result<(), CrmError> {
        let mut tx = self.tx.borrow_mut();
        // A savepoint: the portal the read opens is closed with it.
        let mut sp = tx
            .transaction()
            .map_err(|e| pg_error(self.location, "read", self.busy_ms, &e))?;
        read_changes(&mut sp, self.location, self.busy_ms, after, limit, sink)?;
        sp.commit()
            .map_err(|e| pg_error(self.location, "read", self.busy_ms, &e))
    }

    fn append(&mut self, changes: &[Change], at: DateTime<Utc>) -> Result<u64, CrmError> {
        let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut last = 0;
        for change in changes {
            last = match self.append_one(change, &at) {
                Ok(seq) => seq as u64,
                Err(PgFailure::Sql(e)) => {
                    return Err(pg_error(self.location, "write to", self.busy_ms, &e));
                }
                Err(PgFailure::Json(e)) => return Err(CrmError::parse("a change", e)),
            };
        }
        Ok(last)
    }

    fn commit(self: Box<Self>) -> Result<(), CrmError> {
        let PgTxn {
            tx,
            location,
            busy_ms,
            ..
        } = *self;
        // On an error the server has rolled the transaction back; the error is returned,
        // never retried.
        tx.into_inner()
            .commit()
            .map_err(|e| pg_error(location, "commit to", busy_ms, &e))
    }
}

/// A failure while writing: the server's or a change that does not serialise.
enum PgFailure {
    Sql(postgres::Error),
    Json(serde_json::Error),
}

impl From<postgres::Error> for PgFailure {
    fn from(e: postgres::Error) -> Self {
        PgFailure::Sql(e)
    }
}

impl From<serde_json::Error> for PgFailure {
    fn from(e: serde_json::Error) -> Self {
        PgFailure::Json(e)
    }
}

/// One row of `crm.changes` as read.
struct LogRow {
    seq: i64,
    at: String,
    kind: String,
    body: Option<String>,
    first_event: Option<i64>,
    event_count: Option<i64>,
}

/// Reads up to `limit` changes after `after` in `tx`, `CHUNK` rows per round trip,
/// rebuilding recorded events from their rows.
fn read_changes(
    tx: &mut Transaction<'_>,
    location: &str,
    busy_ms: u128,
    after: u64,
    limit: usize,
    sink: &mut ChangeSink<'_>,
) -> Result<(), CrmError> {
    let err = |e: postgres::Error| pg_error(location, "read", busy_ms, &e);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let portal = tx
        .bind(
            "SELECT seq, at, type, body, first_event, event_count FROM crm.changes \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&after, &limit],
        )
        .map_err(err)?;
    loop {
        let rows = tx.query_portal(&portal, CHUNK).map_err(err)?;
        if rows.is_empty() {
            return Ok(());
        }
        let rows: Vec<LogRow> = rows
            .iter()
            .map(|r| LogRow {
                seq: r.get(0),
                at: r.get(1),
                kind: r.get(2),
                body: r.get(3),
                first_event: r.get(4),
                event_count: r.get(5),
            })
            .collect();
        // The events of the chunk's event changes, contiguous by id: one query when few.
        let ranges: Vec<(i64, i64)> = rows
            .iter()
            .filter(|r| r.body.is_none())
            .filter_map(|r| Some((r.first_event?, r.first_event? + r.event_count?)))
            .collect();
        let total: i64 = ranges.iter().map(|(a, b)| b - a).sum();
        let mut prefetched: Option<(i64, Vec<String>)> = None;
        if let (Some(&(lo, _)), Some(&(_, hi))) = (ranges.first(), ranges.last())
            && total <= EVENTS_PER_FETCH
            && hi - lo <= EVENTS_PER_FETCH
        {
            prefetched = Some((lo, fetch_events(tx, lo, hi).map_err(err)?));
        }
        let fetched_len = rows.len();
        for row in rows {
            let record = decode(tx, location, row, prefetched.as_ref()).map_err(|f| match f {
                Decode::Sql(e) => err(e),
                Decode::Crm(e) => e,
            })?;
            sink(record)?;
        }
        if fetched_len < CHUNK as usize {
            return Ok(());
        }
    }
}

fn fetch_events(
    tx: &mut Transaction<'_>,
    lo: i64,
    hi: i64,
) -> Result<Vec<String>, postgres::Error> {
    let rows = tx.query(
        "SELECT body FROM crm.events WHERE id >= $1 AND id < $2 ORDER BY id",
        &[&lo, &hi],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

enum Decode {
    Sql(postgres::Error),
    Crm(CrmError),
}

/// One log row as a [`ChangeRecord`]; its events come from `prefetched` (events from the
/// id it starts at) when they are there, else from a query of their own.
fn decode(
    tx: &mut Transaction<'_>,
    location: &str,
    row: LogRow,
    prefetched: Option<&(i64, Vec<String>)>,
) -> Result<ChangeRecord, Decode> {
    let LogRow {
        seq,
        at,
        kind,
        body,
        first_event,
        event_count,
    } = row;
    let damaged = |what: &dyn fmt::Display| {
        Decode::Crm(CrmError::new(
            ErrorKind::Parse,
            Some("changes"),
            format!("{location}: change #{seq} ({kind}) is damaged: {what}"),
        ))
    };
    let at = DateTime::parse_from_rfc3339(&at)
        .map_err(|e| damaged(&e))?
        .with_timezone(&Utc);
    let change = match body {
        Some(body) => serde_json::from_str::<Change>(&body).map_err(|e| damaged(&e))?,
        None => {
            let (Some(first), Some(count)) = (first_event, event_count) else {
                return Err(damaged(&"no body and no events"));
            };
            let own;
            let texts: &[String] = match prefetched {
                Some((lo, texts))
                    if first >= *lo
                        && usize::try_from(first - lo + count)
                            .is_ok_and(|end| end <= texts.len()) =>
                {
                    let start = (first - lo) as usize;
                    &texts[start..start + count as usize]
                }
                _ => {
                    own = fetch_events(tx, first, first + count).map_err(Decode::Sql)?;
                    &own
                }
            };
            if texts.len() as i64 != count {
                return Err(damaged(&format_args!(
                    "{} of its {count} events are there",
                    texts.len()
                )));
            }
            let mut events = Vec::with_capacity(texts.len());
            for text in texts {
                events.push(serde_json::from_str::<Event>(text).map_err(|e| damaged(&e))?);
            }
            match (kind.as_str(), events.len()) {
                ("event_recorded", 1) => Change::EventRecorded {
                    event: events.remove(0),
                },
                ("events_recorded", _) => Change::EventsRecorded { events },
                _ => return Err(damaged(&"no body and not an event change")),
            }
        }
    };
    Ok(ChangeRecord {
        seq: seq as u64,
        at,
        change,
    })
}

/// A PostgreSQL failure as a [`CrmError`] naming the server and database (never the
/// password): a missing database (3D000) is [`ErrorKind::NotFound`]; everything else (a
/// lock held past the busy timeout, a full disk, a read-only server, a lost connection, a
/// refused login) is [`ErrorKind::Io`], with the server's own message.
fn pg_error(location: &str, what: &str, busy_ms: u128, e: &postgres::Error) -> CrmError {
    let server = e
        .as_db_error()
        .map(|d| format!("{} ({})", d.message(), d.code().code()));
    let detail = || server.clone().unwrap_or_else(|| e.to_string());
    let code = e.code();
    if code == Some(&SqlState::INVALID_CATALOG_NAME) {
        return CrmError::new(
            ErrorKind::NotFound,
            Some("location"),
            format!(
                "could not {what} {location}: the database does not exist (create it with \
                 createdb; crm creates only its schema in an existing database): {}",
                detail()
            ),
        );
    }
    let detail = match code {
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE || *c == SqlState::QUERY_CANCELED => {
            format!(
                "another writer held the lock longer than the busy timeout ({busy_ms} ms): {}",
                detail()
            )
        }
        Some(c) if *c == SqlState::DISK_FULL => format!("the server's disk is full: {}", detail()),
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => {
            format!("the server is read-only: {}", detail())
        }
        Some(c)
            if *c == SqlState::INVALID_PASSWORD
                || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            format!("the server refused the login: {}", detail())
        }
        _ if e.is_closed() => format!("the connection was lost: {}", detail()),
        _ => detail(),
    };
    CrmError::new(
        ErrorKind::Io,
        Some("location"),
        format!("could not {what} {location}: {detail}"),
    )
}
