//! The migrations, which convert rows (so they are code, not scripts). From version 1 to 2: events to the compact form, customers to rows that keep their order and their
//! merges, merges with their own time. The derived profiles of merge survivors cannot be
//! worked out without the book, so every version-1 merge is left pending (`events_moved`
//! null): the first open replays the log and writes them ([`super::SqliteStore`]).
//! From version 2 to 3: event rows lose `seq` and the `events_by_customer` index, and
//! their `type` text becomes the kind's number. From version 4 to 5: every event row is
//! rewritten, the hot kinds' bodies in the binary encoding.

use std::collections::HashMap;

use crm_core::book::Change;
use crm_core::model::{Customer, Event};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Transaction, params};

use super::rows::{StoredAt, json_body, read_event, tag_code, write_event_body};
use super::{json_error, pos, schema};

/// Brings a version-1 store to version 2 inside `tx`.
pub(crate) fn migrate_1_to_2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::V2)?;
    {
        let mut read = tx.prepare("SELECT id, seq, customer_id, body FROM events ORDER BY id")?;
        let mut write = tx.prepare(
            "INSERT INTO events2 (id, seq, customer_id, at, type, body) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let body: String = r.get(3)?;
            let e: Event = serde_json::from_str(&body).map_err(json_error)?;
            write.execute(params![
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                StoredAt(&e.at),
                e.kind.type_name(),
                json_body(&e).map_err(json_error)?
            ])?;
        }
    }
    // The order customers were added in, their last logged profile, and each merge's time,
    // from the log (version 1 kept none of them in its tables).
    let mut order: HashMap<i64, (i64, Customer, i64)> = HashMap::new();
    let mut merged_at: HashMap<i64, String> = HashMap::new();
    {
        let mut read = tx.prepare(
            "SELECT seq, body FROM changes WHERE type IN \
             ('customer_added', 'customers_added', 'customer_updated', 'merged') ORDER BY seq",
        )?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let body: String = r.get(1)?;
            let change: Change = serde_json::from_str(&body).map_err(json_error)?;
            match change {
                Change::CustomerAdded { customer } => {
                    order.insert(customer.id as i64, (pos(seq, 0), customer, seq));
                }
                Change::CustomersAdded { customers } => {
                    for (i, c) in customers.into_iter().enumerate() {
                        order.insert(c.id as i64, (pos(seq, i), c, seq));
                    }
                }
                Change::CustomerUpdated { customer } => {
                    if let Some(entry) = order.get_mut(&(customer.id as i64)) {
                        entry.1 = customer;
                        entry.2 = seq;
                    }
                }
                Change::Merged { at, .. } => {
                    merged_at.insert(seq, serde_json::to_string(&at).map_err(json_error)?);
                }
                _ => {}
            }
        }
    }
    {
        let mut write = tx.prepare(
            "INSERT INTO customers2 (id, pos, merged_into, profile, seq) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut live = tx.prepare("SELECT id, profile, seq FROM customers")?;
        let mut rows = live.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let profile: String = r.get(1)?;
            let p = order.get(&id).map_or(i64::MAX, |o| o.0);
            write.execute(params![id, p, None::<i64>, profile, r.get::<_, i64>(2)?])?;
        }
        let mut gone = tx.prepare("SELECT merged_id, survivor FROM redirects")?;
        let mut rows = gone.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let survivor: i64 = r.get(1)?;
            if let Some((p, c, seq)) = order.get(&id) {
                let profile = serde_json::to_string(c).map_err(json_error)?;
                write.execute(params![id, p, survivor, profile, seq])?;
            }
        }
    }
    {
        let mut read = tx.prepare("SELECT seq, survivor, merged, at FROM merges")?;
        let mut write = tx.prepare(
            "INSERT INTO merges2 (seq, survivor, merged, at, events_moved) \
             VALUES (?1, ?2, ?3, ?4, NULL)",
        )?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let at = match merged_at.get(&seq) {
                // The JSON string of the time, without its quotes.
                Some(json) => json.trim_matches('"').to_owned(),
                None => r.get(3)?,
            };
            write.execute(params![
                seq,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                at
            ])?;
        }
    }
    tx.execute_batch(schema::V2_FINISH)
}

/// Brings a version-2 store to version 3 inside `tx`: the event rows copied into the
/// four-column table in one statement (the numbers of the types as a `CASE` built from
/// the kinds' list), after a check that every stored type is a known one, so an unknown
/// type is refused by name instead of failing the copy on a null `kind`.
pub(crate) fn migrate_2_to_3(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let mut types: Vec<String> = tx
        .prepare("SELECT DISTINCT type FROM events")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    types.sort();
    // No rows: nothing to number (and `CASE type END` is no SQL).
    let mut case = String::from(if types.is_empty() {
        "NULL"
    } else {
        "CASE type"
    });
    for t in &types {
        let code = tag_code(t).ok_or_else(|| {
            json_error(serde::de::Error::custom(format_args!(
                "an event row of unknown type {t:?}"
            )))
        })?;
        // A known tag (checked above): a plain word, safe inside a literal.
        case.push_str(&format!(" WHEN '{t}' THEN {code}"));
    }
    if !types.is_empty() {
        case.push_str(" END");
    }
    tx.execute_batch(schema::V3)?;
    tx.execute(
        &format!(
            "INSERT INTO events3 (id, customer_id, at, kind, body) \
             SELECT id, customer_id, at, {case}, body FROM events ORDER BY id"
        ),
        [],
    )?;
    tx.execute_batch(schema::V3_FINISH)
}

/// Brings a version-4 (or 3) store to version 5 inside `tx`: every event row read as
/// version 4 wrote it and written into the new table as version 5 writes it (the binary
/// body for the kinds that have one, the same JSON for the others), in id order. A row
/// that does not read (a damaged body, an unknown kind) fails the migration, naming the
/// row; the transaction then leaves the file as it was.
pub(crate) fn migrate_4_to_5(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::V5)?;
    {
        let mut read =
            tx.prepare("SELECT id, customer_id, at, kind, body FROM events ORDER BY id")?;
        let mut write = tx.prepare(
            "INSERT INTO events5 (id, customer_id, at, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut rows = read.query([])?;
        let mut buf = Vec::with_capacity(256);
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let code: i64 = r.get(3)?;
            let refused = |e: &dyn std::fmt::Display| {
                json_error(serde::de::Error::custom(format_args!(
                    "event row #{id} (kind {code}): {e}"
                )))
            };
            let body = super::body_bytes(r.get_ref(4)?).map_err(|e| refused(&e))?;
            let e = read_event(r.get(1)?, r.get_ref(2)?, code, body).map_err(|e| refused(&e))?;
            buf.clear();
            let binary = write_event_body(&mut buf, &e).map_err(json_error)?;
            let body = if binary {
                ValueRef::Blob(&buf)
            } else {
                ValueRef::Text(&buf)
            };
            write.execute(params![
                id,
                r.get::<_, i64>(1)?,
                ToSqlOutput::Borrowed(r.get_ref(2)?),
                code,
                ToSqlOutput::Borrowed(body)
            ])?;
        }
    }
    tx.execute_batch(schema::V5_FINISH)
}
