//! Every exported C function runs its whole body inside the one panic boundary: reads
//! `src/**/*.rs` and fails when an `extern "C" fn` body does not start with `boundary(`, or
//! when `catch_unwind` appears anywhere but the boundary itself.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The name of each exported function and whether its body starts with `boundary(`.
fn entry_points(text: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("extern \"C\" fn ") {
        let after = &rest[at + "extern \"C\" fn ".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The parameter list, then the body's opening brace.
        let open = after.find('(').expect("a parameter list");
        let mut depth = 0usize;
        let mut close = open;
        for (i, c) in after[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let brace = close + after[close..].find('{').expect("a body");
        let body = after[brace + 1..]
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .collect::<Vec<_>>()
            .join(" ");
        found.push((name, body.starts_with("boundary(")));
        rest = &after[brace..];
    }
    found
}

#[test]
fn every_exported_function_is_inside_the_panic_boundary() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut exported = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        let no_mangle = text.matches("#[unsafe(no_mangle)]").count();
        let entries = entry_points(&text);
        assert_eq!(
            no_mangle,
            entries.len(),
            "{}: every #[unsafe(no_mangle)] is on an extern \"C\" fn and back",
            file.display()
        );
        if !file.ends_with("status.rs") {
            assert!(
                !text.contains("catch_unwind"),
                "{}: catch_unwind outside the one boundary",
                file.display()
            );
        }
        exported.extend(entries);
    }
    let outside: Vec<&str> = exported
        .iter()
        .filter(|(_, inside)| !inside)
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(
        outside.is_empty(),
        "outside the panic boundary: {outside:?}"
    );
    // The header declares exactly these functions: none is exported from elsewhere.
    let header = std::fs::read_to_string(src.join("../../include/crm.h")).unwrap_or_default();
    let declared = header.matches(" crm_").count();
    assert!(declared > 0, "include/crm.h declares functions");
    for (name, _) in &exported {
        assert!(
            header.contains(&format!("{name}(")),
            "{name} is exported but not in include/crm.h"
        );
    }
    assert!(
        exported.len() >= 60,
        "found {} entry points",
        exported.len()
    );
}

#[test]
fn the_scanner_sees_a_bare_body() {
    // The check itself can fail: a body that does not start with the boundary is reported.
    let text = "#[unsafe(no_mangle)]\npub unsafe extern \"C\" fn crm_x(a: *const u8) -> usize {\n    // SAFETY: …\n    0\n}\n\
                #[unsafe(no_mangle)]\npub extern \"C\" fn crm_y() -> u32 {\n    boundary(|| 1)\n}\n";
    assert_eq!(
        entry_points(text),
        vec![("crm_x".to_owned(), false), ("crm_y".to_owned(), true)]
    );
}
