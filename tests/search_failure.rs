//! A search index whose build fails tells everyone who waits for it, rather
//! than leaving them waiting: the shell's search, the caller look-up and the
//! TUI's status.

mod support;

use hotline::api::{ApiError, Backend, HotlineApi, LocalApi, SearchRequest};
use hotline::domain::{Clock, Ts};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// A clock that fails when the index builder reads it (it does, for overdue
/// dossiers): a bug in the build, as a panic would be.
fn clock_failing_in_the_index_builder() -> Clock {
    Arc::new(|| {
        if std::thread::current().name() == Some("search-index") {
            panic!("clock unavailable");
        }
        Ts(1_763_600_000)
    })
}

#[test]
fn a_panic_in_the_index_build_reaches_every_waiter() {
    let dir = tempfile::tempdir().unwrap();
    let (store, op) = support::store_with_operator(dir.path());
    let backend = Backend::new(store, clock_failing_in_the_index_builder(), false);

    let (tx, rx) = mpsc::channel();
    let waiting = backend.clone();
    std::thread::spawn(move || {
        let _ = tx.send(waiting.search.wait_ready());
    });
    let outcome = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("wait_ready still waiting 10 s after the build died");
    let failed = outcome.unwrap_err();
    assert_eq!(
        failed.to_string(),
        "the search index could not be built: it stopped on an internal error (clock unavailable)"
    );

    let api = LocalApi::new(backend.clone(), op);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(api.status()).unwrap();
    assert_eq!(
        status.index_error.as_deref(),
        Some("the search index could not be built: it stopped on an internal error (clock unavailable)")
    );
    assert!(!status.index_building(), "the TUI stops saying 'indexing'");
    let searched = rt.block_on(api.search(SearchRequest {
        text: "Lan".into(),
        limit: 10,
    }));
    assert!(
        matches!(&searched, Err(ApiError::Storage { message }) if message.contains("could not be built")),
        "{searched:?}"
    );
    let looked_up = rt.block_on(api.caller("Nguyễn Văn An"));
    assert!(
        matches!(&looked_up, Err(ApiError::Storage { message }) if message.contains("could not be built")),
        "{looked_up:?}"
    );
}
