//! The book from the tables (how a store opens: no replay of the log), and the second step
//! of a merge, which writes what the book derived into the tables.
//!
//! The tables hold the book as it is: live customers in the order they were added, with
//! their golden profiles; merged-away ids with their survivor; events in recording order
//! under the id they were recorded with (the book follows merges itself); incidents; merge
//! records; policies. Loading gives the same book as replaying the log (a test opens both
//! ways and compares), at a fraction of the cost: no change JSON is parsed and no merge is
//! made again (each merge moves events, so replaying many of them is slow).
//!
//! A merge's derived profile (the survivor's `acquired_at`, referrers re-pointed) is the
//! book's work, done when the merge is applied; the store's tables get it in a second
//! transaction right after the merge's commit ([`write_pending`]). Until then the merge's
//! row has no `events_moved`, and an open rebuilds the book from the log instead.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use crm_core::book::{
    BookConfig, BookSnapshot, CustomerBook, MergeRecord, SNAPSHOT_FORMAT_VERSION,
};
use crm_core::lifecycle::LifecyclePolicy;
use crm_core::model::{Customer, Event, Incident};
use crm_core::sla::SlaPolicies;
use crm_core::{CrmError, ErrorKind};
use rusqlite::{Connection, OptionalExtension, params};

use super::rows::read_event;
use super::{body_bytes, json_error, sql_error};

/// Events handed to the book per call while loading (bounds the memory of the public
/// form of events on the way in).
const CHUNK: usize = 1 << 16;

/// Whether some merge still waits for its second step (its derived profiles).
pub(crate) fn has_pending(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM merges WHERE events_moved IS NULL LIMIT 1")?
        .exists([])
}

/// The book held by the tables, with the sequence number of the last change they reflect;
/// `None` when a merge waits for its second step (then the log must be replayed).
pub(crate) fn load_book(
    conn: &Connection,
    config: &BookConfig,
    location: &str,
    busy_ms: u128,
) -> Result<Option<(CustomerBook, u64)>, CrmError> {
    let err = |e: rusqlite::Error| sql_error(location, "read", busy_ms, &e);
    let damaged = |what: &str, e: &dyn std::fmt::Display| {
        CrmError::new(
            ErrorKind::Parse,
            Some(what),
            format!("{location}: a row of `{what}` is damaged: {e}"),
        )
    };
    // One read transaction: the tables as of one commit.
    let tx = conn.unchecked_transaction().map_err(err)?;
    if has_pending(&tx).map_err(err)? {
        return Ok(None);
    }
    let last: i64 = tx
        .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })
        .map_err(err)?;

    let mut live: Vec<(i64, Customer)> = Vec::new();
    {
        let mut st = tx
            .prepare("SELECT pos, profile FROM customers WHERE merged_into IS NULL")
            .map_err(err)?;
        let mut rows = st.query([]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let text = r.get_ref(1).and_then(|v| Ok(v.as_str()?)).map_err(err)?;
            let c: Customer = serde_json::from_str(text).map_err(|e| damaged("customers", &e))?;
            live.push((r.get(0).map_err(err)?, c));
        }
    }
    live.sort_unstable_by_key(|(pos, _)| *pos);
    let mut merges = Vec::new();
    {
        let mut st = tx
            .prepare("SELECT survivor, merged, at, events_moved FROM merges ORDER BY seq, pos")
            .map_err(err)?;
        let mut rows = st.query([]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let merged: String = r.get(1).map_err(err)?;
            let at: String = r.get(2).map_err(err)?;
            merges.push(MergeRecord {
                survivor: r.get::<_, i64>(0).map_err(err)? as u64,
                merged: serde_json::from_str(&merged).map_err(|e| damaged("merges", &e))?,
                at: DateTime::parse_from_rfc3339(&at)
                    .map_err(|e| damaged("merges", &e))?
                    .with_timezone(&Utc),
                events_moved: r.get::<_, i64>(3).map_err(err)? as usize,
            });
        }
    }
    let mut incidents = Vec::new();
    {
        let mut st = tx
            .prepare("SELECT body FROM incidents ORDER BY seq")
            .map_err(err)?;
        let mut rows = st.query([]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let text: String = r.get(0).map_err(err)?;
            let i: Incident = serde_json::from_str(&text).map_err(|e| damaged("incidents", &e))?;
            incidents.push(i);
        }
    }
    let policy = |name: &str| -> Result<Option<String>, CrmError> {
        tx.query_row("SELECT body FROM policies WHERE name = ?1", [name], |r| {
            r.get::<_, Option<String>>(0)
        })
        .optional()
        .map(Option::flatten)
        .map_err(err)
    };
    let lifecycle: Option<LifecyclePolicy> = policy("lifecycle")?
        .map(|t| serde_json::from_str(&t).map_err(|e| damaged("policies", &e)))
        .transpose()?;
    let sla = policy("sla")?
        .map(|t| SlaPolicies::from_json(&t).map_err(|e| damaged("policies", &e)))
        .transpose()?;
    let events: i64 = tx
        .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
        .map_err(err)?;

    let refused = |e: CrmError| {
        CrmError::new(
            ErrorKind::Parse,
            Some("location"),
            format!("the tables of {location} do not make a valid book: {e}"),
        )
    };
    let mut book = CustomerBook::from_snapshot(BookSnapshot {
        format_version: SNAPSHOT_FORMAT_VERSION,
        config: config.clone(),
        customers: live.into_iter().map(|(_, c)| c).collect(),
        events: Vec::new(),
        incidents,
        merges,
    })
    .map_err(refused)?;
    book.reserve(0, usize::try_from(events).unwrap_or(0));
    book.set_lifecycle_policy(lifecycle).map_err(refused)?;
    book.set_sla_policies(sla);

    // Events in recording order, under the ids they were recorded with: merged ids resolve
    // to their survivors in the book, as they did when the events came after the merge.
    let mut st = tx
        .prepare("SELECT id, customer_id, at, kind, body FROM events ORDER BY id")
        .map_err(err)?;
    let mut rows = st.query([]).map_err(err)?;
    let mut chunk: Vec<Event> = Vec::with_capacity(CHUNK);
    loop {
        let row = rows.next().map_err(err)?;
        if let Some(r) = row {
            // The id is read only to name a damaged row (a column read per event otherwise).
            let row = |e: String| {
                let id = r.get::<_, i64>(0).unwrap_or(0);
                damaged("events", &format_args!("event row #{id}: {e}"))
            };
            let body = body_bytes(r.get_ref(4).map_err(err)?).map_err(row)?;
            let at = r.get_ref(2).map_err(err)?;
            let code: i64 = r.get(3).map_err(err)?;
            let e = read_event(r.get(1).map_err(err)?, at, code, body).map_err(row)?;
            chunk.push(e);
        }
        if chunk.len() == CHUNK || (row.is_none() && !chunk.is_empty()) {
            book.record_all(chunk.drain(..)).map_err(refused)?;
        }
        if row.is_none() {
            break;
        }
    }
    Ok(Some((book, last as u64)))
}

/// The second step of merges: writes what `book` (caught up with `tx`) derived for every
/// merge whose row still waits (survivors' profiles, referrers re-pointed to them, the
/// merge record's `events_moved`); returns whether there was any.
pub(crate) fn write_pending(
    tx: &Connection,
    book: &CustomerBook,
    seq: i64,
) -> rusqlite::Result<bool> {
    let pending: HashSet<(i64, i64)> = tx
        .prepare("SELECT seq, pos FROM merges WHERE events_moved IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if pending.is_empty() {
        return Ok(false);
    }
    let all: Vec<(i64, i64)> = tx
        .prepare("SELECT seq, pos FROM merges ORDER BY seq, pos")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if all.len() != book.merges().len() {
        return Err(json_error(serde::ser::Error::custom(format_args!(
            "the store has {} merges and the book {}",
            all.len(),
            book.merges().len()
        ))));
    }
    let mut survivors = HashSet::new();
    let mut update = tx.prepare(
        "UPDATE merges SET survivor = ?3, merged = ?4, at = ?5, events_moved = ?6 \
         WHERE seq = ?1 AND pos = ?2",
    )?;
    for (m_seq, m) in all.iter().zip(book.merges()) {
        if !pending.contains(m_seq) {
            continue;
        }
        update.execute(params![
            m_seq.0,
            m_seq.1,
            m.survivor as i64,
            serde_json::to_string(&m.merged).map_err(json_error)?,
            m.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            m.events_moved as i64
        ])?;
        survivors.insert(m.survivor);
    }
    let live: HashSet<u64> = survivors.iter().filter_map(|&s| book.resolve(s)).collect();
    let mut write = tx.prepare("UPDATE customers SET profile = ?2, seq = ?3 WHERE id = ?1")?;
    for c in book.customers() {
        if live.contains(&c.id) || c.referred_by.is_some_and(|r| live.contains(&r)) {
            let profile = serde_json::to_string(c).map_err(json_error)?;
            write.execute(params![c.id as i64, profile, seq])?;
        }
    }
    Ok(true)
}
