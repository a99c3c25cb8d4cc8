//! Stored-value decoding on arbitrary bytes: the first byte picks the type
//! (ticket, event, dossier, user), the rest is the stored value. No panic;
//! whatever decodes encodes and decodes back to the same value.
#![no_main]

use hotline::domain::{Dossier, Event, Ticket, User};
use hotline::store::codec::{decode, encode};
use libfuzzer_sys::fuzz_target;
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(bytes: &[u8]) {
    if let Ok(value) = decode::<T>(bytes) {
        let again: T = decode(&encode(&value)).expect("an encoded value decodes");
        assert_eq!(value, again);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => round_trip::<Ticket>(bytes),
        1 => round_trip::<Event>(bytes),
        2 => round_trip::<Dossier>(bytes),
        _ => round_trip::<User>(bytes),
    }
});
