//! No parallel code escapes crm's worker pool (`crm_core::parallel`): rayon's global pool
//! does not survive `fork()`, so a parallel region outside `parallel::install` would hang a
//! forked child. Checked on the source, like the layering.
//!
//! A module of `tests/lib.rs` (the core's one integration-test binary).

use std::path::{Path, PathBuf};

/// What starts parallel work on whatever pool the calling thread is in (the global one
/// outside `install`).
const PARALLEL: [&str; 12] = [
    "par_iter",
    "into_par_iter",
    "par_chunks",
    "par_sort",
    "par_bridge",
    "par_extend",
    "par_windows",
    "par_split",
    "rayon::join",
    "rayon::scope",
    "rayon::spawn",
    "current_num_threads",
];

/// Files whose parallel code runs only inside a function of another file that wraps it in
/// `parallel::install` (file, the file that wraps every caller).
const REACHED_THROUGH: [(&str, &str); 5] = [
    // Also reached from completeness.rs, which wraps its own calls.
    ("quality/dedup/blocking.rs", "quality/dedup/mod.rs"),
    ("quality/dedup/model.rs", "quality/dedup/mod.rs"),
    ("transactions/output.rs", "transactions/mod.rs"),
    ("transactions/partition.rs", "transactions/mod.rs"),
    ("transactions/scatter.rs", "transactions/mod.rs"),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `(path relative to src, code without comments)` of every `.rs` file but tests.
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                let text = std::fs::read_to_string(&path).expect("a source file");
                // Unit tests at the end of a file may call helpers directly.
                let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
                let code: String = text
                    .lines()
                    .map(|l| l.find("//").map_or(l, |at| &l[..at]))
                    .collect::<Vec<_>>()
                    .join("\n");
                let rel = path.strip_prefix(src()).expect("under src");
                out.push((rel.to_string_lossy().replace('\\', "/"), code));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_parallel_region_runs_inside_the_pool() {
    let sources = sources();
    let wraps = |file: &str| {
        sources
            .iter()
            .any(|(rel, code)| rel == file && code.contains("parallel::install("))
    };
    let mut escaping = Vec::new();
    let mut parallel_files = 0;
    for (rel, code) in &sources {
        if rel == "parallel.rs" || !PARALLEL.iter().any(|p| code.contains(p)) {
            continue;
        }
        parallel_files += 1;
        let through = REACHED_THROUGH.iter().find(|(f, _)| f == rel);
        let ok = match through {
            Some((_, wrapper)) => wraps(wrapper),
            None => wraps(rel),
        };
        if !ok {
            escaping.push(rel.clone());
        }
    }
    assert!(
        escaping.is_empty(),
        "parallel code outside crate::parallel::install in: {escaping:?}"
    );
    // The check sees the engines' parallel code (dedup, transactions, RFM, CLV, lifecycle…).
    assert!(parallel_files >= 10, "only {parallel_files} files seen");
}
