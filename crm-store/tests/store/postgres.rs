//! The suite against PostgreSQL, on a throwaway server this test binary starts itself
//! (`initdb` into a temporary folder, a Unix socket only, stopped at exit), and what only
//! a server store has: concurrent writers, a reader following them, a killed writer, a
//! held lock, connection strings and passwords.
//!
//! The server binaries are looked up on `PATH`, in `/usr/local/bin` and in
//! `/usr/lib/postgresql/*/bin` (`make pg-deps` installs Debian's `postgresql` when none is
//! found). Without them these tests fail, unless `CRM_SKIP_POSTGRES=1` is set. As root,
//! the server runs as `nobody` (`setpriv`), since `initdb` refuses root.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, OnceLock};
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use crm_core::book::Change;
use crm_core::model::{Channel, Customer, Direction, Event, Interaction};
use crm_core::{CrmError, ErrorKind};
use crm_store::{PostgresStore, Store, StoreOptions, StoredBook};

use crate::child;
use crate::suite::{self, Backend};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// The throwaway server: its folder (data, socket, log), stopped and removed on drop and
/// at process exit.
struct Server {
    dir: PathBuf,
    bin: PathBuf,
    /// `(uid, gid)` the server runs as when the tests run as root.
    run_as: Option<(u32, u32)>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// The folder holding `initdb` and `pg_ctl`, if any.
fn server_binaries() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    candidates.push("/usr/local/bin".into());
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| Some(e.ok()?.path().join("bin"))).collect())
        .unwrap_or_default();
    // The newest version first.
    debian.sort_by_key(|p| {
        std::cmp::Reverse(
            p.parent()
                .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    candidates.extend(debian);
    candidates
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
}

impl Server {
    fn command(&self, program: &str) -> Command {
        let bin = self.bin.join(program);
        let mut c = match self.run_as {
            Some((uid, gid)) => {
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .arg("--clear-groups")
                    .arg("--")
                    .arg(bin);
                c
            }
            None => Command::new(bin),
        };
        c.current_dir(&self.dir)
            .env("LC_ALL", "C")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, c: &mut Command, what: &str) -> Result<(), String> {
        let out = c.output().map_err(|e| format!("{what}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
            Err(format!(
                "{what} failed ({}): {}{}\n{log}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn start() -> Result<Server, String> {
        let bin = server_binaries().ok_or(
            "no PostgreSQL server binaries (initdb, pg_ctl) found: run `make pg-deps`, or set \
             CRM_SKIP_POSTGRES=1 to skip the PostgreSQL tests",
        )?;
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        let run_as = if root { Some(nobody()?) } else { None };
        let dir = std::env::temp_dir().join(format!("crm-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
        let server = Server { dir, bin, run_as };
        let data = server.dir.join("data");
        server.run(
            server.command("initdb").arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "crm",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ]),
            "initdb",
        )?;
        let options = format!(
            "-k {} -c listen_addresses='' -c max_connections=40 -c shared_buffers=64MB",
            server.dir.display()
        );
        server.run(
            server
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(server.dir.join("log"))
                .args(["-o", &options, "-w", "-t", "30", "start"]),
            "pg_ctl start",
        )?;
        // SAFETY: `stop_at_exit` is a plain `extern "C" fn()` that only reads the OnceLock.
        unsafe { libc::atexit(stop_at_exit) };
        Ok(server)
    }

    /// A URL for `db` over the server's socket.
    fn url(&self, db: &str) -> String {
        format!("postgresql://crm@/{db}?host={}", self.dir.display())
    }

    fn admin(&self) -> postgres::Client {
        postgres::Client::connect(&self.url("postgres"), postgres::NoTls).unwrap()
    }

    fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

extern "C" fn stop_at_exit() {
    if let Some(Ok(server)) = SERVER.get() {
        server.stop();
    }
}

/// `nobody`'s uid and gid.
fn nobody() -> Result<(u32, u32), String> {
    let name = c"nobody";
    // SAFETY: a NUL-terminated name; the returned record is read at once, before any other
    // getpw* call (tests start the server once, under the OnceLock).
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return Err("running as root and there is no user nobody to run the server as".into());
    }
    // SAFETY: non-null, points to libc's static passwd record.
    Ok(unsafe { ((*pw).pw_uid, (*pw).pw_gid) })
}

/// The shared server, or `None` when `CRM_SKIP_POSTGRES=1` (the test then does nothing).
fn server() -> Option<&'static Server> {
    if std::env::var("CRM_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("CRM_SKIP_POSTGRES=1: PostgreSQL test skipped");
        return None;
    }
    match SERVER.get_or_init(Server::start) {
        Ok(s) => Some(s),
        Err(e) => panic!("{e}"),
    }
}

/// A new, empty database; its URL.
fn fresh_database(server: &Server, name: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let db = format!("{}_{n}", name.replace('-', "_"));
    server
        .admin()
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    server.url(&db)
}

struct Pg {
    server: &'static Server,
    dir: PathBuf,
}

impl Backend for Pg {
    fn fresh(&self, name: &str) -> String {
        fresh_database(self.server, name)
    }

    fn backup_target(&self, name: &str) -> String {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        self.dir
            .join(format!("{name}-{n}.crm"))
            .display()
            .to_string()
    }

    fn open(&self, location: &str, options: &StoreOptions) -> Result<StoredBook, CrmError> {
        crm_store::open(location, options)
    }

    fn dump(&self, location: &str) -> String {
        dump(location)
    }
}

/// Every row of every table of the store, as text, in key order.
fn dump(location: &str) -> String {
    let mut client = postgres::Client::connect(location, postgres::NoTls).unwrap();
    let tables: Vec<String> = client
        .query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'crm' ORDER BY tablename",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = String::new();
    for t in tables {
        for row in client
            .query(&format!("SELECT t::text FROM crm.{t} t ORDER BY 1"), &[])
            .unwrap()
        {
            let text: String = row.get(0);
            out.push_str(&format!("{t} {text}\n"));
        }
    }
    out
}

fn scratch(name: &str) -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("crm-pgt-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn interaction(id: u64, minutes: i64) -> Event {
    Event::new(
        id,
        suite::t0() + Days::minutes(minutes),
        Interaction {
            channel: Channel::CallCentre,
            direction: Direction::Inbound,
            subject: Some("fatura".into()),
            outcome: None,
            agent: Some("a1".into()),
        },
    )
}

fn new_store(server: &Server, name: &str) -> (String, StoredBook) {
    let url = fresh_database(server, name);
    let book = crm_store::open(&url, &StoreOptions::with_currency("TRY")).unwrap();
    (url, book)
}

#[test]
fn the_behaviour_suite_passes_on_postgres() {
    let Some(server) = server() else { return };
    let dir = scratch("suite");
    suite::run(
        &Pg {
            server,
            dir: dir.clone(),
        },
        &dir,
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Two writers with their own connections append interleaved batches while a reader
/// follows the log with `changes(cursor)`: every acknowledged seq is there exactly once,
/// the log is gap-free, each writer's batches are in its own order, and the reader saw
/// every change (never skipped one).
#[test]
fn concurrent_writers_lose_nothing_and_a_follower_skips_nothing() {
    let Some(server) = server() else { return };
    let (url, mut book) = new_store(server, "concurrent");
    book.add_customers([
        Customer::person(1, "Ali", "Kaya"),
        Customer::person(2, "Can", "Er"),
    ])
    .unwrap();
    drop(book);
    const BATCHES: i64 = 60;
    let done = Arc::new(AtomicU64::new(0));
    let start = Arc::new(Barrier::new(3));
    let writers: Vec<_> = [1u64, 2]
        .into_iter()
        .map(|who| {
            let url = url.clone();
            let start = Arc::clone(&start);
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let mut book = crm_store::open(&url, &StoreOptions::default()).unwrap();
                start.wait();
                let mut acked = Vec::new();
                for k in 0..BATCHES {
                    // A batch of 1 + k % 20 events, minutes encoding (batch, index).
                    let n = 1 + k % 20;
                    book.record_all((0..n).map(|i| interaction(who, k * 100 + i)))
                        .unwrap();
                    acked.push((book.cursor(), k));
                }
                done.fetch_add(1, Ordering::SeqCst);
                acked
            })
        })
        .collect();
    let reader = {
        let url = url.clone();
        let start = Arc::clone(&start);
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let book = crm_store::open(&url, &StoreOptions::default()).unwrap();
            start.wait();
            let mut seen = Vec::new();
            let mut cursor = 0;
            loop {
                let finished = done.load(Ordering::SeqCst) == 2;
                let (page, next) = book.changes(cursor, 7).unwrap();
                seen.extend(page.iter().map(|r| r.seq));
                cursor = next;
                if finished && page.is_empty() {
                    return seen;
                }
            }
        })
    };
    let acked: Vec<Vec<(u64, i64)>> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let seen = reader.join().unwrap();
    let total = 1 + 2 * BATCHES as u64;
    assert_eq!(
        seen,
        (1..=total).collect::<Vec<_>>(),
        "the follower skipped"
    );
    let back = crm_store::open(&url, &StoreOptions::default()).unwrap();
    let (feed, next) = back.changes(0, usize::MAX).unwrap();
    assert_eq!(next, total);
    let seqs: Vec<u64> = feed.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>());
    let mut owner = std::collections::HashMap::new();
    for (who, acks) in acked.iter().enumerate() {
        let who = who as u64 + 1;
        // Each writer's acknowledged seqs rise with its batches.
        assert!(acks.windows(2).all(|w| w[0].0 < w[1].0), "writer {who}");
        for &(seq, k) in acks {
            assert!(
                owner.insert(seq, (who, k)).is_none(),
                "seq {seq} acked twice"
            );
            let events: Vec<&Event> = match &feed[seq as usize - 1].change {
                Change::EventsRecorded { events } => events.iter().collect(),
                Change::EventRecorded { event } => vec![event],
                other => panic!("seq {seq} is not an event batch: {}", other.type_name()),
            };
            assert_eq!(events.len() as i64, 1 + k % 20, "seq {seq}");
            for (i, e) in events.iter().enumerate() {
                assert_eq!(e.customer_id, who);
                assert_eq!(e.at, suite::t0() + Days::minutes(k * 100 + i as i64));
            }
        }
    }
    assert_eq!(owner.len() as u64, total - 1);
    let expected: usize = (0..BATCHES).map(|k| 1 + (k % 20) as usize).sum();
    assert_eq!(back.event_count(), 2 * expected);
}

/// A writer holding the write lock makes a second one wait for the busy timeout, then
/// fail clearly (naming the server, never the password) and write nothing.
#[test]
fn a_second_writer_waits_for_the_busy_timeout_then_fails_clearly() {
    let Some(server) = server() else { return };
    let (url, mut book) = new_store(server, "busy");
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    let options = StoreOptions {
        busy_timeout: Duration::from_millis(300),
        ..StoreOptions::default()
    };
    let secret_url = url.replace("crm@", "crm:hunter2@");
    let mut second = crm_store::open(&secret_url, &options).unwrap();
    assert!(!second.store().location().contains("hunter2"));
    let mut holder = PostgresStore::open(&url, &StoreOptions::default()).unwrap();
    let txn = holder.begin().unwrap();
    let before = dump(&url);
    let start = Instant::now();
    let e = second.record(interaction(1, 1)).unwrap_err();
    let waited = start.elapsed();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.to_string().contains("busy timeout (300 ms)"), "{e}");
    assert!(e.to_string().contains("postgresql://crm@/busy_"), "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    assert!(
        waited >= Duration::from_millis(290),
        "gave up after {waited:?}"
    );
    assert_eq!(second.event_count(), 0);
    drop(txn);
    assert_eq!(dump(&url), before);
    // Once the lock is free, the same call goes through.
    second.record(interaction(1, 1)).unwrap();
    assert_eq!(book.refresh().unwrap(), 1);
}

/// A writer whose connection is cut mid-transaction (the server ends it): its commit
/// fails with an Io error naming the server, nothing of it is stored, and the lock is
/// free for the next writer.
#[test]
fn a_cut_connection_fails_the_commit_and_leaves_nothing() {
    let Some(server) = server() else { return };
    let (url, mut book) = new_store(server, "cut");
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    let before = dump(&url);
    let mut store = PostgresStore::open(&url, &StoreOptions::default()).unwrap();
    let mut txn = store.begin().unwrap();
    let events: Vec<Event> = (0..500).map(|m| interaction(1, m)).collect();
    assert_eq!(
        txn.append(&[Change::EventsRecorded { events }], suite::t0())
            .unwrap(),
        2
    );
    let db = url.split('/').nth(3).unwrap().split('?').next().unwrap();
    let cut = server
        .admin()
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND state = 'idle in transaction'",
            &[&db],
        )
        .unwrap();
    assert_eq!(cut.len(), 1);
    let e = txn.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(
        e.to_string().contains("could not commit to postgresql://"),
        "{e}"
    );
    assert_eq!(dump(&url), before);
    book.record(interaction(1, 1)).unwrap();
    assert_eq!(book.cursor(), 2);
}

/// The child side of the killed-writer test: batches of a customer and its 40 events,
/// each acknowledged on stdout once committed.
#[test]
fn pg_crash_writer_child() {
    let Some(url) = child::role("pg-crash") else {
        return;
    };
    let mut book = crm_store::open(&url, &StoreOptions::default()).unwrap();
    let mut k = book.len() as u64 + 1;
    let mut out = std::io::stdout().lock();
    loop {
        book.batch(|b| {
            b.add_customer(Customer::person(k, "Ali", "Kaya"));
            b.record_all((0..40).map(|m| interaction(k, m)));
            Ok(())
        })
        .unwrap();
        writeln!(out, "ack {} {k}", book.cursor()).unwrap();
        out.flush().unwrap();
        k += 1;
    }
}

/// SIGKILL a writer process at varied moments: every acknowledged batch is there whole,
/// no batch is half there, and the next writer gets the lock.
#[test]
fn a_killed_writer_process_leaves_no_half_batch() {
    if child::is_child() {
        return;
    }
    let Some(server) = server() else { return };
    let (url, book) = new_store(server, "killed");
    drop(book);
    let mut acked = 0u64;
    for round in 0..4u64 {
        let mut writer = child::command("postgres::pg_crash_writer_child", "pg-crash", &url)
            .spawn()
            .unwrap();
        let mut acks = child::acks(writer.stdout.take().unwrap());
        // Wait for a few acknowledgements, then kill after a varied delay.
        let mut last = None;
        for _ in 0..3 {
            last = Some(acks.next().expect("the writer stopped early"));
        }
        std::thread::sleep(Duration::from_millis(7 * round + 3));
        child::kill(&mut writer);
        if let Some(ack) = acks.last() {
            last = Some(ack);
        }
        let ack = last.unwrap();
        let (seq, k) = (ack[0], ack[1]);
        assert!(seq > acked);
        acked = seq;
        let back = crm_store::open(&url, &StoreOptions::default()).unwrap();
        // Every batch is one change with its customer and its 40 events.
        assert!(
            back.cursor() >= seq,
            "round {round}: acked {seq}, stored {}",
            back.cursor()
        );
        assert!(back.len() as u64 >= k);
        assert_eq!(back.event_count(), 40 * back.len());
        for id in 1..=back.len() as u64 {
            assert_eq!(back.events_of(id).unwrap().count(), 40, "customer {id}");
        }
        acked = acked.max(back.cursor());
    }
}

/// A newer schema is refused; a foreign `crm` schema is not taken for a store; a missing
/// database is NotFound; `create` makes only the schema.
#[test]
fn versions_foreign_schemas_and_missing_databases() {
    let Some(server) = server() else { return };
    let (url, book) = new_store(server, "versions");
    assert_eq!(book.schema_version().unwrap(), 2);
    drop(book);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute("INSERT INTO crm.schema_version VALUES (3, 'later')")
        .unwrap();
    let e = crm_store::open(&url, &StoreOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedVersion, "{e}");
    assert!(e.to_string().contains("schema version 3"), "{e}");

    let other = fresh_database(server, "foreign");
    postgres::Client::connect(&other, postgres::NoTls)
        .unwrap()
        .batch_execute("CREATE SCHEMA crm; CREATE TABLE crm.customers (x int)")
        .unwrap();
    let e = crm_store::open(&other, &StoreOptions::with_currency("TRY")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
    assert!(e.to_string().contains("not a crm store"), "{e}");

    let missing = server.url("no_such_db").replace("crm@", "crm:s3cret@");
    let e = crm_store::open(&missing, &StoreOptions::with_currency("TRY")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(e.to_string().contains("no_such_db"), "{e}");
    assert!(!e.to_string().contains("s3cret"), "{e}");
    let mut admin = server.admin();
    let n: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = 'no_such_db'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "create made a database");
}

/// The key/value form with `host=/socket/folder` opens the same store as the URL; a
/// string that does not parse is InvalidInput; a server that is not there is Io.
#[test]
fn connection_string_forms() {
    let Some(server) = server() else { return };
    let (url, mut book) = new_store(server, "forms");
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    let db = url.split('/').nth(3).unwrap().split('?').next().unwrap();
    let kv = format!(
        "host={} user=crm password=pw dbname={db}",
        server.dir.display()
    );
    let same = crm_store::open(&kv, &StoreOptions::default()).unwrap();
    assert_eq!(same.snapshot(), book.snapshot());
    assert_eq!(
        same.store().location(),
        format!("postgresql://crm@/{db}?host={}", server.dir.display())
    );
    let e = crm_store::open(
        "postgresql://crm@/x?port=notaport",
        &StoreOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("location")),
        "{e}"
    );
    let gone = server.dir.join("nowhere");
    let e = crm_store::open(
        format!("host={} user=crm password=pw dbname=x", gone.display()),
        &StoreOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.to_string().contains("could not connect to"), "{e}");
    assert!(!e.to_string().contains("pw"), "{e}");
}

/// A bulk ingest, timed (run with `--ignored --nocapture` in release for the README's
/// figure): `CRM_PG_EVENTS` events (default 1,000,000) in batches of 10,000.
#[test]
#[ignore = "a measurement, not a check"]
fn postgres_ingest_rate() {
    let Some(server) = server() else { return };
    let total: usize = std::env::var("CRM_PG_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (_url, mut book) = new_store(server, "ingest");
    book.add_customers((1..=10_000).map(|i| Customer::person(i, "Ali", "Kaya")))
        .unwrap();
    let start = Instant::now();
    let mut done = 0;
    while done < total {
        let n = 10_000.min(total - done);
        book.record_all(
            (0..n).map(|i| interaction(1 + ((done + i) % 10_000) as u64, (done + i) as i64)),
        )
        .unwrap();
        done += n;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "postgres ingest: {total} events in {secs:.2} s = {:.0} events/s",
        total as f64 / secs
    );
}

/// Backups are SQLite files: the sqlite path opens them (see the suite); a path given as
/// a PostgreSQL URL is not a file.
#[test]
fn backup_writes_a_sqlite_store() {
    let Some(server) = server() else { return };
    let (_url, mut book) = new_store(server, "bk");
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    book.record_all((0..100).map(|m| interaction(1, m)))
        .unwrap();
    let dir = scratch("bk");
    let to = dir.join("copy.crm");
    book.backup(&to).unwrap();
    let copy = crm_store::open(&to, &StoreOptions::default()).unwrap();
    assert_eq!(copy.snapshot(), book.snapshot());
    let (a, _) = copy.changes(0, 10).unwrap();
    let (b, _) = book.changes(0, 10).unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    drop(copy);
    std::fs::remove_dir_all(&dir).unwrap();
}
