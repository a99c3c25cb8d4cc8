//! The config file parser on arbitrary text: no panic; the same text gives
//! the same config; every problem names the file and a line in it.
#![no_main]

use hotline::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse("fuzz.toml", text) {
        Ok(config) => assert_eq!(Config::parse("fuzz.toml", text).ok(), Some(config)),
        Err(problems) => {
            assert!(!problems.0.is_empty(), "an error without a problem");
            let lines = text.lines().count().max(1);
            for p in &problems.0 {
                let Some(rest) = p.strip_prefix("fuzz.toml") else {
                    panic!("problem does not name the file: {p}");
                };
                if let Some(line) = rest
                    .strip_prefix(':')
                    .and_then(|r| r.split(':').next())
                    .and_then(|n| n.parse::<usize>().ok())
                {
                    assert!(
                        line >= 1 && line <= lines + 1,
                        "line {line} of {lines}: {p}"
                    );
                }
            }
        }
    }
});
