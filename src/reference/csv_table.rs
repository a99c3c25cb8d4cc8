//! Reading an embedded CSV into rows addressed by column name.

use std::collections::HashMap;
use std::sync::Arc;

pub struct Row {
    columns: Arc<HashMap<String, usize>>,
    values: Vec<String>,
}

impl Row {
    /// The value of `column`, or "" when the column or value is absent.
    pub fn get(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|i| self.values.get(*i))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Parses embedded CSV text (checked by tests; a bad row is skipped, never a panic).
pub fn rows(text: &str) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let columns: Arc<HashMap<String, usize>> = Arc::new(
        reader
            .headers()
            .map(|h| {
                h.iter()
                    .enumerate()
                    .map(|(i, c)| (c.trim().to_string(), i))
                    .collect()
            })
            .unwrap_or_default(),
    );
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| Row {
            columns: columns.clone(),
            values: r.iter().map(|v| crate::text::nfc(v.trim())).collect(),
        })
        .collect()
}
