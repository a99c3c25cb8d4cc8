//! While the search index is not ready, the results pane says how far it
//! has come, never "0 results" or "No results".

mod tui_common;

use hotline::api::SearchResults;
use hotline::tui::Lang;
use tui_common::{driver, World};

#[test]
fn a_search_while_the_index_builds_shows_progress_not_zero_results() {
    let w = World::new();
    for (lang, progress, lies) in [
        (
            Lang::En,
            "Building the search index: 30% (300/1000)",
            ["Results: 0", "No results."],
        ),
        (
            Lang::Vi,
            "Đang lập chỉ mục tìm kiếm: 30% (300/1000)",
            ["Kết quả: 0", "Không có kết quả."],
        ),
    ] {
        let mut d = driver(&w, "lan.nt", lang, true, (120, 40));
        d.state
            .backend
            .as_mut()
            .expect("status polled")
            .index_progress = (300, 1000);
        // What a search answers before the index is ready.
        d.state.search.results = Some(SearchResults {
            hits: vec![],
            total: 0,
            micros: 0,
            index_ready: false,
        });
        let shown = d.render();
        assert!(shown.contains(progress), "{shown}");
        for lie in lies {
            assert!(!shown.contains(lie), "{lie}: {shown}");
        }
    }
}
