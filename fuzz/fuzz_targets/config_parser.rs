//! The config file parser on arbitrary text: no panic.
#![no_main]

use hotline::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = Config::parse("fuzz.toml", text) {
        // Deterministic: the same text gives the same config.
        assert_eq!(Config::parse("fuzz.toml", text).ok(), Some(config));
    }
});
