//! The TUI says search is unavailable once the index build has failed,
//! rather than "indexing" for ever.

mod tui_common;

use hotline::tui::Lang;
use tui_common::{driver, World};

#[test]
fn a_failed_index_shows_in_the_status_bar_and_on_the_search_screen() {
    let w = World::new();
    for (lang, status, screen) in [
        (
            Lang::En,
            "search unavailable",
            "Search is unavailable: the search index could not be built: disk",
        ),
        (
            Lang::Vi,
            "không tìm kiếm được",
            "Không tìm kiếm được: the search index could not be built: disk",
        ),
    ] {
        let mut d = driver(&w, "lan.nt", lang, true, (120, 40));
        let backend = d.state.backend.as_mut().expect("status polled");
        backend.index_progress = (300, 1000);
        backend.index_error = Some("the search index could not be built: disk".into());
        let shown = d.render();
        assert!(shown.contains(status), "{shown}");
        assert!(shown.contains(screen), "{shown}");
        assert!(
            !shown.contains("indexing") && !shown.contains("lập chỉ mục"),
            "{shown}"
        );
    }
}
