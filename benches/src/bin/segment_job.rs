//! crm's side of `benches/compare_segmentation.py`: reads the transaction columns the script
//! wrote (raw little-endian `customer_id.u64`, `at.i64` in nanoseconds, `amount.i64` in minor
//! units), runs features + RFM + top-20% share, writes the results beside them and prints
//! the time and the peak memory as JSON.
//!
//! Usage: `segment_job DIR AS_OF_NS`

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

use chrono::DateTime;
use crm_benches::peak_memory_bytes;
use crm_core::segment::{RfmConfig, top_share};
use crm_core::time::TimeUnit;
use crm_core::transactions::{Amounts, TransactionColumns, rfm_from_transactions};

/// Reads a column of 8-byte little-endian values straight into its typed vector (no second
/// copy, so the peak memory is the input's own).
fn read_column<T>(path: &Path, from: fn([u8; 8]) -> T) -> std::io::Result<Vec<T>> {
    let len = std::fs::metadata(path)?.len() as usize / 8;
    let mut out = Vec::with_capacity(len);
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut word = [0u8; 8];
    for _ in 0..len {
        reader.read_exact(&mut word)?;
        out.push(from(word));
    }
    Ok(out)
}

fn write_column<T: Copy>(
    path: &Path,
    values: &[T],
    bytes: impl Fn(T) -> Vec<u8>,
) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(path)?);
    for &v in values {
        w.write_all(&bytes(v))?;
    }
    w.flush()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: segment_job DIR AS_OF_NS")?);
    let as_of_ns: i64 = args
        .next()
        .ok_or("usage: segment_job DIR AS_OF_NS")?
        .parse()?;
    let as_of = DateTime::from_timestamp_nanos(as_of_ns);

    let ids = read_column(&dir.join("customer_id.u64"), u64::from_le_bytes)?;
    let at = read_column(&dir.join("at.i64"), i64::from_le_bytes)?;
    let amount = read_column(&dir.join("amount.i64"), i64::from_le_bytes)?;

    let started = Instant::now();
    let cols = TransactionColumns {
        customer_id: &ids,
        at: &at,
        unit: TimeUnit::Nanoseconds,
        amount: Amounts::Minor(&amount),
    };
    let (features, rfm) = rfm_from_transactions(&cols, as_of, &RfmConfig::default())?;
    let top20 = top_share(&features.monetary, 0.2)?;
    let seconds = started.elapsed().as_secs_f64();

    let out = dir.join("result_crm");
    std::fs::create_dir_all(&out)?;
    write_column(&out.join("customer_id.u64"), &features.customer_id, |v| {
        v.to_le_bytes().to_vec()
    })?;
    write_column(&out.join("frequency.i64"), &features.frequency, |v| {
        i64::from(v).to_le_bytes().to_vec()
    })?;
    write_column(&out.join("monetary.i64"), &features.monetary, |v| {
        (v as i64).to_le_bytes().to_vec()
    })?;
    write_column(&out.join("recency_days.f64"), &features.recency_days, |v| {
        v.to_le_bytes().to_vec()
    })?;
    write_column(&out.join("r.u8"), &rfm.r, |v| vec![v])?;
    write_column(&out.join("f.u8"), &rfm.f, |v| vec![v])?;
    write_column(&out.join("m.u8"), &rfm.m, |v| vec![v])?;
    println!(
        "{{\"name\": \"crm (Rust)\", \"seconds\": {seconds}, \"peak_bytes\": {}, \"top20\": {top20}, \"customers\": {}}}",
        peak_memory_bytes().unwrap_or(0),
        features.len()
    );
    Ok(())
}
