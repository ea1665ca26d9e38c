//! The house's layering, checked on the source: the engines sit on the neutral layer
//! (`model`, `time`, `features`, `error`) and never reach up into the book or across into
//! the sample generator; `unsafe` lives in two modules (a counting-sort buffer and the
//! worker pool's pointer).
//!
//! A module of `tests/lib.rs` (the core's one integration-test binary).

use std::path::{Path, PathBuf};

/// The engine modules: none may import `crate::book` or `crate::sample`.
const ENGINES: [&str; 9] = [
    "value",
    "segment",
    "lifecycle",
    "sla",
    "quality",
    "clv",
    "audience",
    "campaign",
    "worklist",
];

/// The files allowed `unsafe` (each with `#[allow(unsafe_code)]` on its `mod` line).
const UNSAFE_HOMES: [&str; 2] = ["transactions/buckets.rs", "parallel.rs"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file of `module` (a file `module.rs` or a folder `module/`).
fn files_of(module: &str) -> Vec<PathBuf> {
    let file = src().join(format!("{module}.rs"));
    if file.exists() {
        return vec![file];
    }
    rust_files(&src().join(module))
}

/// Every `.rs` file under `root`, sorted.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    assert!(!out.is_empty(), "no source under {}", root.display());
    out.sort();
    out
}

/// The code of a file without its comments (doc examples and intra-doc links may name the
/// book: they document how the engine is reached, they import nothing).
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let code = line.find("//").map_or(line, |at| &line[..at]);
            (i + 1, code.to_owned())
        })
        .filter(|(_, code)| !code.trim().is_empty())
        .collect()
}

/// Whether `code` names `module` as a path from inside the crate: `crate::book…`,
/// `super::book…`, or `book` inside a `crate::{…}` group.
fn names_module(code: &str, module: &str) -> bool {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let starts_with_module = |rest: &str| {
        rest.strip_prefix(module).is_some_and(|after| {
            // `crate::books` or `crate::sampler` would be other modules.
            !after
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    for prefix in ["crate::", "super::", "super::super::"] {
        for (at, _) in compact.match_indices(prefix) {
            let rest = &compact[at + prefix.len()..];
            if starts_with_module(rest) {
                return true;
            }
            if let Some(group) = rest.strip_prefix('{') {
                // The names at the group's top level.
                let mut depth = 0;
                let mut start = 0;
                for (k, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            if starts_with_module(&group[start..]) {
                                return true;
                            }
                            start = k + 1;
                        }
                        _ => {}
                    }
                }
                if starts_with_module(&group[start..]) {
                    return true;
                }
            }
        }
    }
    false
}

/// The offending lines: engine code naming `crate::book`, or `crate::sample` outside an
/// engine's test files (`tests.rs`, compiled only for the core's own tests, which turn the
/// `sample` feature on).
fn layering_violations() -> Vec<String> {
    let mut found = Vec::new();
    for engine in ENGINES {
        for path in files_of(engine) {
            let test_only = path.file_name().is_some_and(|n| n == "tests.rs");
            for (line, code) in code_lines(&path) {
                let book = names_module(&code, "book");
                let sample = names_module(&code, "sample") && !test_only;
                if book || sample {
                    found.push(format!("{}:{line}: {}", path.display(), code.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn no_engine_imports_the_book_or_the_sample_generator() {
    let found = layering_violations();
    assert!(
        found.is_empty(),
        "engines reaching up:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layering_check_sees_what_it_must() {
    // The detector itself, on lines that must and must not count.
    assert!(names_module("use crate::book::CustomerBook;", "book"));
    assert!(names_module("use crate::{book::Features, model};", "book"));
    assert!(names_module(
        "    let b = crate::book::CustomerBook::new();",
        "book"
    ));
    assert!(names_module("use crate::sample::SampleConfig;", "sample"));
    assert!(!names_module("use crate::model::Customer;", "book"));
    assert!(!names_module("use crate::bookkeeping::Ledger;", "book"));
    // Every engine has source the check reads.
    for engine in ENGINES {
        assert!(!files_of(engine).is_empty());
    }
}

#[test]
fn unsafe_code_lives_in_its_modules() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    assert!(
        lib.contains("#![deny(unsafe_code)]"),
        "lib.rs denies unsafe_code"
    );
    let mut unsafe_lines = Vec::new();
    let mut allowed = Vec::new();
    for path in rust_files(&src()) {
        let rel = path
            .strip_prefix(src())
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let lines = code_lines(&path);
        for (k, (line, code)) in lines.iter().enumerate() {
            if code.contains("allow(unsafe_code)") {
                let next = lines.get(k + 1).map(|(_, c)| c.trim());
                allowed.push(format!("{rel} before {next:?}"));
            }
            if !UNSAFE_HOMES.contains(&rel.as_str())
                && (code.contains("unsafe ") || code.contains("unsafe{"))
            {
                unsafe_lines.push(format!("{rel}:{line}: {}", code.trim()));
            }
        }
    }
    assert!(
        unsafe_lines.is_empty(),
        "unsafe outside {UNSAFE_HOMES:?}:\n{}",
        unsafe_lines.join("\n")
    );
    assert_eq!(
        allowed,
        [
            r#"lib.rs before Some("pub mod parallel;")"#,
            r#"transactions/mod.rs before Some("mod buckets;")"#,
        ],
        "one allow(unsafe_code) on the mod line of each of {UNSAFE_HOMES:?}"
    );
}
