use hotline::demo::{self, DemoConfig};
use hotline::search::dossier_doc;
use hotline::search::SearchIndex;
use std::time::Instant;
fn main() {
    let cfg = DemoConfig {
        dossiers: std::env::var("N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000),
        tickets: 0,
        ..DemoConfig::default()
    };
    let docs: Vec<_> = demo::dossiers(&cfg)
        .map(|d| dossier_doc(&d, cfg.now))
        .collect();
    let t = Instant::now();
    let idx = SearchIndex::build(docs);
    println!("build {:?} {}", t.elapsed(), idx.len());
}
