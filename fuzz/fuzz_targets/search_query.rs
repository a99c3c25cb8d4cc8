//! The search box's query parser on arbitrary text: no panic, and a parsed
//! query is as the parser promises (a limit of at least one).
#![no_main]

use hotline::search::Query;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let q = Query::parse(text, 1_763_600_000, Some("lan"), 0);
    assert!(q.limit >= 1);
    // Parsing is a pure function of its input.
    assert_eq!(q, Query::parse(text, 1_763_600_000, Some("lan"), 0));
    let _ = Query::parse(text, i64::MIN, None, usize::MAX);
    let _ = Query::parse(text, i64::MAX, None, 1);
});
