//! Weighted choices and small helpers on a seeded generator.

use crate::reference::{self, Weighted};
use fastrand::Rng;

/// Cumulative weights for O(log n) weighted picks.
pub struct Table<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T> Table<T> {
    pub fn new(items: impl IntoIterator<Item = (T, u64)>) -> Table<T> {
        let mut total = 0;
        let (items, cumulative) = items
            .into_iter()
            .filter(|(_, w)| *w > 0)
            .map(|(item, w)| {
                total += w;
                (item, total)
            })
            .unzip();
        Table { items, cumulative }
    }

    pub fn pick(&self, rng: &mut Rng) -> &T {
        let total = *self.cumulative.last().expect("a non-empty table");
        let x = rng.u64(0..total);
        let i = self.cumulative.partition_point(|c| *c <= x);
        &self.items[i.min(self.items.len() - 1)]
    }
}

fn table(rows: &'static [Weighted]) -> Table<&'static str> {
    Table::new(rows.iter().map(|w| (w.value.as_str(), w.weight as u64)))
}

/// Weighted tables of name parts.
pub struct Names {
    surnames: Table<&'static str>,
    middles: Table<&'static str>,
    female: Table<&'static str>,
    male: Table<&'static str>,
}

impl Names {
    pub fn new() -> Names {
        let given = |want: &str| {
            Table::new(
                reference::given_names()
                    .iter()
                    .filter(|g| g.gender == want || g.gender == "both")
                    .map(|g| (g.value.as_str(), g.weight as u64)),
            )
        };
        Names {
            surnames: table(reference::surnames()),
            middles: table(reference::middle_names()),
            female: given("female"),
            male: given("male"),
        }
    }

    /// A full name; women mostly carry "Thị" and men often "Văn", as in the south.
    pub fn full(&self, rng: &mut Rng) -> String {
        let surname = self.surnames.pick(rng);
        let female = rng.bool();
        let middle = match (female, rng.u8(0..10)) {
            (true, 0..=5) => "Thị",
            (false, 0..=2) => "Văn",
            _ => self.middles.pick(rng),
        };
        let given = if female {
            self.female.pick(rng)
        } else {
            self.male.pick(rng)
        };
        format!("{surname} {middle} {given}")
    }
}

/// A mobile number `0xxxxxxxxx` with a real Vietnamese prefix.
pub fn mobile(rng: &mut Rng) -> String {
    const PREFIXES: [&str; 12] = [
        "090", "091", "093", "094", "096", "097", "098", "086", "070", "077", "079", "083",
    ];
    format!(
        "{}{:07}",
        PREFIXES[rng.usize(0..PREFIXES.len())],
        rng.u32(0..10_000_000)
    )
}

/// A stable 64-bit mix of a seed and an index (splitmix64).
pub fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
