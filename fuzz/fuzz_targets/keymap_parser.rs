//! Keymap TOML on arbitrary text: no panic; a keymap that parses, written
//! back out from its bindings, parses to the same keymap.
#![no_main]

use hotline::tui::keymap::Keymap;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut keymap = Keymap::default();
    if keymap.layer_str("fuzz.toml", text).is_err() {
        return;
    }
    let _ = keymap.conflicts();
    let mut tables: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (context, chord, action) in keymap.bindings() {
        tables
            .entry(context.name().to_string())
            .or_default()
            .insert(chord, action.name().to_string());
    }
    let written = toml::to_string(&tables).expect("string tables serialize");
    let mut again = Keymap::default();
    if let Err(e) = again.layer_str("written.toml", &written) {
        panic!("bindings written back do not parse: {e:?}\n{written}");
    }
    assert_eq!(keymap, again, "round trip changed the keymap\n{written}");
});
