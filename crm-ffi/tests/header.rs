//! The checked-in `include/crm.h` must be exactly what cbindgen generates from this crate.
//! Set `CRM_UPDATE_HEADER=1` to rewrite it (that is what `make header` does).

use std::path::PathBuf;

#[test]
fn header_is_up_to_date() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("crm-ffi/cbindgen.toml parses");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("the header is UTF-8");
    let path = crate_dir.join("../include/crm.h");
    if std::env::var_os("CRM_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("include/crm.h is writable");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "include/crm.h is stale: run `make header` and commit the result"
    );
}
