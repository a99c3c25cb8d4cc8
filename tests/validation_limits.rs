//! A field far over its limit is refused with the field and its real limit,
//! and nothing is stored.

mod support;

use hotline::api::{ApiError, Backend, HotlineApi, LocalApi};
use hotline::domain::{fixed_clock, Kind, NewTicket, Ts};

#[test]
fn a_ten_megabyte_description_names_the_field_and_the_true_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (store, op) = support::store_with_operator(dir.path());
    let backend = Backend::new(store, fixed_clock(Ts(1_763_600_000)), false);
    let api = LocalApi::new(backend.clone(), op);
    let mut new = NewTicket::new(Kind::Complaint, "Hỏi thủ tục");
    new.description = "a".repeat(10 * 1024 * 1024);
    let rt = tokio::runtime::Runtime::new().unwrap();
    match rt.block_on(api.create_ticket(uuid::Uuid::now_v7(), new)) {
        Err(ApiError::Invalid { errors }) => {
            let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            assert_eq!(
                messages,
                vec!["description: is too long (10485760 characters, at most 10000)"]
            );
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(backend.store.ticket_count().unwrap(), 0);
}

#[test]
fn the_cli_states_the_limit_of_a_description_far_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| support::hotline(d, d, args);
    assert!(run(&["user", "add", "admin", "--role", "admin"])
        .status
        .success());
    assert!(
        run(&["--user", "admin", "user", "add", "op", "--role", "operator"])
            .status
            .success()
    );
    // As long as one argument may be (128 KiB), and more than four times the limit.
    let description = "a".repeat(100_000);
    // In English (tests/one_language.rs covers Vietnamese).
    let out = run(&[
        "--lang",
        "en",
        "--user",
        "op",
        "ticket",
        "new",
        "--subject",
        "Hỏi",
        "--description",
        &description,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "hotline: description: is too long (100000 characters, at most 10000)\n"
    );
    let info = run(&["--json", "info"]);
    assert!(
        String::from_utf8_lossy(&info.stdout).contains("\"tickets\": 0"),
        "{}",
        String::from_utf8_lossy(&info.stdout)
    );
}
