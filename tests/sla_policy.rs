//! The SLA policy through the real components: a broken policy file is
//! refused with its file and line by check-config, a command, the TUI and the
//! hub alike; deadlines of tickets logged through the API count in working
//! time; the on-time report reads what the store holds.

mod hub_common;
mod support;
mod tui_common;

use chrono::DateTime;
use hotline::api::{Backend, HotlineApi, LocalApi};
use hotline::domain::{fixed_clock, Change, ClockState, Kind, NewTicket, Priority, SlaClock, Ts};
use std::process::{Command, Stdio};
use uuid::Uuid;

/// An instant written as RFC 3339 with the +07:00 offset, read by chrono.
fn local(rfc3339: &str) -> Ts {
    Ts(DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp())
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_broken_policy_file_is_refused_with_its_file_and_line_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("config.toml");
    let policy = d.join("sla_policy.toml");
    std::fs::write(
        &policy,
        "# mine\nwarning_percent = 80\n\n[ticket.fault]\np1 = { respond = \"1h\", resolve = \"8 hours\" }\n",
    )
    .unwrap();
    let expected = format!(
        "hotline: {}:5: '8 hours': expected a duration like 4h, 90m, 5d or 1d 4h\n",
        policy.display()
    );
    let (store, _) = support::store_with_operator(&d.join("store"));
    drop(store);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hotline"))
            .arg("--data")
            .arg(d.join("store"))
            .args(args)
            .env("HOTLINE_CONFIG", &config)
            .env("HOTLINE_LOG", d.join("hotline.log"))
            .env_remove("HOTLINE_USER")
            .env_remove("HOTLINE_DATA")
            .env_remove("HOTLINE_SERVER")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    for args in [
        vec!["check-config"],
        vec!["--user", "op", "ticket", "list"],
        vec!["serve", "--listen", "127.0.0.1:0"],
        // The TUI (no command).
        vec!["--user", "op"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), expected, "{args:?}");
    }
    // A bad date in the days-off file, too.
    std::fs::write(&policy, "warning_percent = 80\n").unwrap();
    let days_off = d.join("vn_days_off.toml");
    std::fs::write(
        &days_off,
        "[[year]]\nyear = 2027\ndecision = \"Tết\"\nsource = \"Government notice\"\noff = [\"2027-02-30\"]\n",
    )
    .unwrap();
    let out = run(&["check-config"]);
    assert_eq!(
        stderr(&out),
        format!(
            "hotline: {}:5: '2027-02-30': expected a date like 2026-02-16\n",
            days_off.display()
        )
    );
    std::fs::remove_file(&days_off).unwrap();
    let out = run(&["check-config"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_ticket_logged_friday_afternoon_is_due_after_monday_lunch_in_ward_time() {
    let dir = tempfile::tempdir().unwrap();
    let policy_file = dir.path().join("sla_policy.toml");
    // Complaints resolved in six office hours of the ward.
    std::fs::write(
        &policy_file,
        "[ticket.complaint]\np3 = { respond = \"2h\", resolve = \"6h\" }\n",
    )
    .unwrap();
    let policy = std::sync::Arc::new(
        hotline::sla_files::load_from(&policy_file, &dir.path().join("none.toml")).unwrap(),
    );
    let (store, op) = support::store_with_operator(&dir.path().join("store"));
    let friday = local("2025-08-15T16:00:00+07:00");
    let backend = Backend::lazy_under(policy, store, fixed_clock(friday), false);
    let api = LocalApi::new(backend, op);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut n = NewTicket::new(Kind::Complaint, "Phản ánh thái độ cán bộ một cửa");
    n.ward = Some(26743);
    let t = rt.block_on(api.create_ticket(Uuid::now_v7(), n)).unwrap();
    // Friday 16:00–17:00, Monday 07:30–11:30, 13:00–14:00.
    assert_eq!(t.sla.resolve_by, local("2025-08-18T14:00:00+07:00"));
    // The first response counts on the 24/7 hotline.
    assert_eq!(t.sla.respond_by, local("2025-08-15T18:00:00+07:00"));
    let detail = rt.block_on(api.ticket(t.id)).unwrap();
    let resolution = detail
        .clocks
        .iter()
        .find(|c| c.clock == SlaClock::Resolution)
        .unwrap();
    assert_eq!(resolution.remaining_secs, 6 * 3600);
    assert_eq!(resolution.state, ClockState::Running);
    // Raising the priority retargets from the creation time.
    let edit = hotline::domain::TicketEdit {
        priority: Some(Priority::P1),
        ..Default::default()
    };
    let t = rt
        .block_on(api.apply(t.id, t.version, Change::Edit(edit)))
        .unwrap();
    // P1 complaint: the shipped 5 working days from Friday 16:00.
    assert_eq!(t.sla.resolve_by, local("2025-08-22T16:00:00+07:00"));
}

#[test]
fn the_on_time_report_and_ticket_clocks_come_from_the_command_line() {
    use hotline::domain::{Role, User};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let (store, op) = support::store_with_operator(&data);
    let sup = User {
        name: "sup".into(),
        display_name: "Supervisor".into(),
        role: Role::Supervisor,
        wards: vec![],
    };
    store.put_user(&sup).unwrap();
    let now = Ts::now();
    // A question answered in a minute (on time) and one logged ten days
    // ago (P3: 24 h) answered now (late); both in Phường Bến Thành.
    for (k, created) in [(1u128, Ts(now.0 - 120)), (2, Ts(now.0 - 10 * 86_400))] {
        let mut n = NewTicket::new(Kind::Question, "Hỏi giờ làm việc");
        n.ward = Some(26743);
        let (t, _) = store
            .create_ticket(Uuid::from_u128(k), &n, "op", created)
            .unwrap();
        let at = Ts(now.0 - 60);
        store
            .update_ticket(t.id, t.version, "op", at, |t| {
                t.apply(
                    &Change::Resolve {
                        note: "Đã trả lời".into(),
                    },
                    &op,
                    at,
                )
            })
            .unwrap();
    }
    drop(store);
    let env = dir.path();
    let out = support::ok(
        support::hotline(
            &data,
            env,
            &[
                "--user", "sup", "--json", "report", "on-time", "--by", "month",
            ],
        ),
        "report by month",
    );
    let month = chrono::DateTime::from_timestamp(now.0 - 60 + 7 * 3600, 0)
        .unwrap()
        .format("%Y-%m")
        .to_string();
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([{ "month": month, "on_time": 1, "resolved": 2 }])
    );
    let out = support::ok(
        support::hotline(
            &data,
            env,
            &["--user", "sup", "--lang", "en", "report", "on-time"],
        ),
        "report by ward",
    );
    assert_eq!(
        out.lines()
            .nth(1)
            .map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["Phường", "Bến", "Thành", "(26743)", "1", "2", "50%"]),
        "{out}"
    );
    let out = support::ok(
        support::hotline(
            &data,
            env,
            &["--user", "op", "--lang", "en", "ticket", "show", "2"],
        ),
        "ticket show",
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("clock") && l.contains("resolution") && l.contains("late")),
        "{out}"
    );
    // The list's SLA column: the resolved late ticket says so.
    let out = support::ok(
        support::hotline(
            &data,
            env,
            &[
                "--user", "op", "--lang", "en", "ticket", "list", "--status", "resolved",
            ],
        ),
        "ticket list",
    );
    let row = out
        .lines()
        .find(|l| l.starts_with("PA-000002"))
        .unwrap_or("");
    assert!(row.trim_end().ends_with("late"), "{out}");
    let row = out
        .lines()
        .find(|l| l.starts_with("PA-000001"))
        .unwrap_or("");
    assert!(row.trim_end().ends_with("met"), "{out}");
}

/// A hub whose policy warns at half the window: its clients (the API, the
/// TUI) read that policy, not their own machine's, and the TUI draws a
/// ticket past half its first-response hour as due soon.
#[test]
fn clients_of_a_hub_show_clocks_under_the_hubs_policy() {
    use hotline::api::RemoteApi;
    use hotline::tui::testkit::Driver;
    use hotline::tui::{initial_state, Lang};

    let dir = tempfile::tempdir().unwrap();
    let tokens = hub_common::make_store(dir.path(), &hub_common::team());
    let hub = hub_common::Hub::start_with_config(
        dir.path(),
        &[("sla_policy.toml", "# the hub's\nwarning_percent = 50\n")],
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (answer, ticket) = rt.block_on(async {
        let op = RemoteApi::connect(&hub.url, &tokens["op"]).await.unwrap();
        let mut n = NewTicket::new(Kind::Question, "Hỏi lịch tiếp công dân");
        n.caller_name = "Võ Thị Mai".into();
        n.caller_phone = "0911222333".into();
        n.priority = Priority::P1; // first response within 1 h on the hotline
        let t = op.create_ticket(Uuid::from_u128(7), n).await.unwrap();
        (op.sla_policy().await.unwrap(), t)
    });
    assert_eq!(answer.warning_percent, 50);
    assert_eq!(
        answer
            .policy_files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["sla_policy.toml", "sla_policy.toml"],
        "the shipped file, then the hub's (names without the hub's folders)"
    );
    assert_eq!(
        answer.policy_files[1].text,
        "# the hub's\nwarning_percent = 50\n"
    );
    assert_eq!(answer.policy().unwrap().warning_percent, 50);

    // Without a token: refused.
    let status = rt.block_on(async {
        reqwest::get(format!("{}/api/v1/sla-policy", hub.url))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status.as_u16(), 401);

    // The TUI, 35 minutes after the ticket was logged (58 % of the hour:
    // under this machine's shipped 75 % it would still be on track).
    let api = RemoteApi::connect_blocking(&hub.url, &tokens["op"]).unwrap();
    let mut o = tui_common::opts(Lang::En, false);
    o.clock = fixed_clock(Ts(ticket.created_at.0 + 35 * 60));
    let state = initial_state(&o).unwrap();
    assert_eq!(state.policy.warning_percent, 75, "this machine's");
    let mut d = Driver::new(std::sync::Arc::new(api), state, (120, 40));
    assert_eq!(
        d.state.policy.warning_percent, 50,
        "the hub's once connected"
    );
    d.keys("esc 4");
    d.type_text("0911222333");
    let screen = d.render();
    let row = screen
        .lines()
        .find(|l| l.contains(&ticket.id.to_string()))
        .unwrap_or_else(|| panic!("{} in\n{screen}", ticket.id));
    assert!(row.contains("◐ New"), "{row:?}");
}

/// The on-time report by fault type names each fault in the reader's
/// language; `--json` keeps the slugs scripts match on.
#[test]
fn the_on_time_report_by_fault_names_the_fault_and_json_keeps_the_slug() {
    use hotline::domain::escalation::{EscalationRequest, FaultType};
    use hotline::domain::{Role, User};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let (store, op) = support::store_with_operator(&data);
    let sup = User {
        name: "sup".into(),
        display_name: "Supervisor".into(),
        role: Role::Supervisor,
        wards: vec![],
    };
    store.put_user(&sup).unwrap();
    let now = Ts::now();
    let created = Ts(now.0 - 600);
    let mut n = NewTicket::new(Kind::Fault, "Hồ sơ kẹt đồng bộ");
    n.ward = Some(26743);
    let (t, _) = store
        .create_ticket(Uuid::from_u128(7), &n, "op", created)
        .unwrap();
    let escalate = Change::Escalate(EscalationRequest {
        ward: 26743,
        fault: FaultType::PortalSync,
        level: 1,
        severity: Priority::P2,
        note: None,
    });
    let t = store
        .update_ticket(t.id, t.version, "op", created, |t| {
            t.apply(&escalate, &op, created)
        })
        .unwrap();
    let acked = Ts(now.0 - 300);
    let t = store
        .update_ticket(t.id, t.version, "sup", acked, |t| {
            t.apply(&Change::Ack { note: None }, &sup, acked)
        })
        .unwrap();
    let at = Ts(now.0 - 60);
    store
        .update_ticket(t.id, t.version, "sup", at, |t| {
            t.apply(
                &Change::Resolve {
                    note: "Đã đồng bộ lại".into(),
                },
                &sup,
                at,
            )
        })
        .unwrap();
    drop(store);
    let env = dir.path();
    let report = |args: &[&str]| {
        let mut all = vec!["--user", "sup"];
        all.extend_from_slice(args);
        support::ok(support::hotline(&data, env, &all), "report by fault")
    };
    let vi = report(&["report", "on-time", "--by", "fault"]);
    assert!(
        vi.lines()
            .any(|l| l.starts_with("Lỗi đồng bộ Cổng DVC quốc gia") && l.contains("100%")),
        "{vi}"
    );
    let en = report(&["--lang", "en", "report", "on-time", "--by", "fault"]);
    assert!(
        en.lines()
            .any(|l| l.starts_with("National portal sync error") && l.contains("100%")),
        "{en}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&report(&["--json", "report", "on-time", "--by", "fault"])).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{ "fault": "portal-sync", "on_time": 1, "resolved": 1 }])
    );
}
