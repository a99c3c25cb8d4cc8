//! The dossier export parser (CSV or JSON lines) on arbitrary bytes: no
//! panic, every row either accepted or reported, accepted codes unique.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    let (good, errors, rows) = hotline::sync::parse_dossiers(data);
    assert_eq!(
        good.len() + errors.len(),
        rows,
        "a row was neither accepted nor reported"
    );
    let mut codes = HashSet::new();
    for d in &good {
        assert!(
            codes.insert(d.code.as_str()),
            "duplicate code {} accepted",
            d.code
        );
    }
    for e in &errors {
        assert!(e.line >= 1, "row error without a line: {e:?}");
        assert!(
            !e.reason.is_empty(),
            "row error without a reason on line {}",
            e.line
        );
    }
});
