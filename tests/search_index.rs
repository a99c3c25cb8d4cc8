//! Index consistency: after random upserts and removes, the index answers
//! exactly as a brute-force scan over the same documents does. The scan
//! splits and folds the documents with its own code, not the index's.

use hotline::search::{
    query_words, DocKind, Field, Query, QueryWord, SearchDoc, SearchIndex, SearchSession,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::UnicodeNormalization;

const WORDS: &[&str] = &[
    "Nguyễn",
    "Nguyệt",
    "Trần",
    "Thị",
    "Hòa",
    "Hoà",
    "Hạ",
    "Hà",
    "Đào",
    "Dao",
    "Bến",
    "Thành",
    "chứng",
    "thực",
    "khai",
    "sinh",
    "Phường",
    "Quận",
];
const PHONES: &[&str] = &["0912345678", "0912999678", "0283823456", "0987650001", ""];

fn doc(
    kind: DocKind,
    key: String,
    name: Vec<usize>,
    text: Vec<usize>,
    phone: usize,
    code: u16,
) -> SearchDoc {
    let pick = |ix: &[usize]| {
        ix.iter()
            .map(|i| WORDS[*i % WORDS.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut fields = vec![
        (
            Field::Code,
            format!(
                "000.00.{:02}.H29-2508{:02}-{:04}",
                code % 7,
                code % 28 + 1,
                code
            ),
        ),
        (Field::Name, pick(&name)),
        (Field::Text, pick(&text)),
    ];
    if !PHONES[phone % PHONES.len()].is_empty() {
        fields.push((Field::Phone, PHONES[phone % PHONES.len()].to_string()));
    }
    SearchDoc {
        kind,
        title: format!("{key} {}", pick(&name)),
        key,
        subtitle: String::new(),
        fields,
        ward: Some(26743),
        escalated_to: None,
        status: None,
        tag: None,
        assignee: None,
        open: true,
        due: None,
        date: code as i64,
    }
}

/// Lower case without marks, đ as d: "Nguyễn Đào" → "nguyen dao".
fn plain(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words a scan compares a query word with: letters and digits between
/// anything else; a code's digit parts also without their leading zeros.
fn scan_words(field: Field, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in plain(text).split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        out.push(w.to_string());
        if field == Field::Code && w.chars().all(|c| c.is_ascii_digit()) {
            let short = w.trim_start_matches('0');
            if !short.is_empty() && short != w {
                out.push(short.to_string());
            }
        }
    }
    out
}

/// The edit distance between two short strings.
fn edits(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut next = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            next[j + 1] = (row[j] + usize::from(ca != cb))
                .min(row[j + 1] + 1)
                .min(next[j] + 1);
        }
        row = next;
    }
    row[b.len()]
}

/// Whether some beginning of `word_in_doc` is one edit or less from `typed`.
fn typo_prefix(typed: &str, word_in_doc: &str) -> bool {
    let typed: Vec<char> = typed.chars().collect();
    let doc: Vec<char> = word_in_doc.chars().collect();
    (0..=doc.len()).any(|n| edits(&typed, &doc[..n]) <= 1)
}

/// A phone as its national digits (`+84 912…` → `0912…`), if it is one.
fn national(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let national = if digits.starts_with("84") && digits.len() >= 11 {
        format!("0{}", &digits[2..])
    } else {
        digits
    };
    (national.starts_with('0') && (10..=11).contains(&national.len())).then_some(national)
}

/// What the index promises, written out as a scan: a word matches a word of
/// a field it begins (a number: only itself, except four digits or more in a
/// code, which may also stand anywhere inside a code part), or with one typo
/// for five letters or more outside codes; four digits or more also match
/// the end of a phone; a phone-like run matches phones by their start (or
/// end, when short) and code parts by their start (or inside, from four digits).
fn brute_matches(d: &SearchDoc, words: &[QueryWord]) -> bool {
    let tokens: Vec<(Field, String)> = d
        .fields
        .iter()
        .filter(|(f, _)| *f != Field::Phone)
        .flat_map(|(f, t)| scan_words(*f, t).into_iter().map(move |w| (*f, w)))
        .collect();
    let phones: Vec<String> = d
        .fields
        .iter()
        .filter(|(f, _)| *f == Field::Phone)
        .filter_map(|(_, t)| national(t))
        .collect();
    let in_code =
        |digits: &str, t: &str| t.starts_with(digits) || (digits.len() >= 4 && t.contains(digits));
    words.iter().all(|w| match w {
        // The word as typed, folded here by `plain` rather than taken from
        // the parser's own folding, so a folding bug cannot agree with itself.
        QueryWord::Word { raw, .. } => {
            let folded = &plain(raw);
            let number = folded.chars().all(|c| c.is_ascii_digit());
            let typos = folded.chars().count() >= 5 && !number;
            tokens.iter().any(|(f, t)| match (f, number) {
                (Field::Code, true) if folded.len() >= 4 => in_code(folded, t),
                (_, true) => t == folded,
                (Field::Code, false) => t.starts_with(folded.as_str()),
                (_, false) => t.starts_with(folded.as_str()) || (typos && typo_prefix(folded, t)),
            }) || (number
                && folded.len() >= 4
                && phones.iter().any(|p| p.ends_with(folded.as_str())))
        }
        QueryWord::Phone { digits, .. } => {
            phones.iter().any(|p| {
                p.starts_with(digits.as_str())
                    || (digits.len() < 10 && p.ends_with(digits.as_str()))
            }) || tokens
                .iter()
                .any(|(f, t)| *f == Field::Code && in_code(digits, t))
        }
    })
}

#[derive(Debug, Clone)]
enum Op {
    Upsert {
        key: u8,
        name: Vec<usize>,
        text: Vec<usize>,
        phone: usize,
        code: u16,
    },
    Remove {
        key: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..30, prop::collection::vec(0usize..18, 1..4), prop::collection::vec(0usize..18, 0..4), 0usize..5, 0u16..400)
            .prop_map(|(key, name, text, phone, code)| Op::Upsert { key, name, text, phone, code }),
        1 => (0u8..30).prop_map(|key| Op::Remove { key }),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        (0usize..18, 1usize..6)
            .prop_map(|(w, n)| hotline::text::fold(WORDS[w]).chars().take(n).collect()),
        (0usize..18).prop_map(|w| WORDS[w].to_string()),
        (0usize..18, 0usize..18).prop_map(|(a, b)| format!("{} {}", WORDS[a], WORDS[b])),
        Just("nguyne".to_string()),
        Just("thanhh".to_string()),
        Just("0912 345".to_string()),
        Just("+84 912 345 678".to_string()),
        Just("5678".to_string()),
        Just("H29-2508".to_string()),
        Just("250812".to_string()),
        Just("0042".to_string()),
        Just("42".to_string()),
        Just("4".to_string()),
        Just("0812".to_string()),
        Just("812".to_string()),
        Just("50812".to_string()),
        Just("đao".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn index_answers_like_a_scan(initial in prop::collection::vec(op(), 0..30), later in prop::collection::vec(op(), 0..30), queries in prop::collection::vec(query(), 1..8)) {
        let mut truth: BTreeMap<String, SearchDoc> = BTreeMap::new();
        let apply = |truth: &mut BTreeMap<String, SearchDoc>, op: &Op| match op {
            Op::Upsert { key, name, text, phone, code } => {
                let k = format!("K{key}");
                truth.insert(k.clone(), doc(DocKind::Dossier, k, name.clone(), text.clone(), *phone, *code));
            }
            Op::Remove { key } => {
                truth.remove(&format!("K{key}"));
            }
        };
        for o in &initial {
            apply(&mut truth, o);
        }
        // Built from one state, then changed incrementally (delta terms, tombstones).
        let mut index = SearchIndex::build(truth.values().cloned());
        for o in &later {
            apply(&mut truth, o);
            match o {
                Op::Upsert { key, .. } => index.upsert(truth[&format!("K{key}")].clone()),
                Op::Remove { key } => index.remove(DocKind::Dossier, &format!("K{key}")),
            }
        }
        let mut session = SearchSession::default();
        for q in &queries {
            let parsed = Query::parse(q, 0, None, 10_000);
            let want: BTreeSet<String> = truth.values().filter(|d| brute_matches(d, &parsed.words)).map(|d| d.key.clone()).collect();
            let out = index.search(&parsed, &|| false);
            let got: BTreeSet<String> = out.hits.iter().map(|h| h.key.clone()).collect();
            prop_assert_eq!(&got, &want, "query {:?} words {:?}", q, query_words(q));
            prop_assert_eq!(out.total, want.len());
            // Typing the query one character at a time narrows to the same answer.
            let mut last = None;
            for end in q.char_indices().map(|(i, c)| i + c.len_utf8()) {
                last = Some(session.search(&index, &Query::parse(&q[..end], 0, None, 10_000), &|| false));
            }
            let typed: BTreeSet<String> = last.unwrap().hits.iter().map(|h| h.key.clone()).collect();
            prop_assert_eq!(&typed, &want, "typed {:?}", q);
        }
    }
}

/// Fifty dossiers of the same name: every search over them has work to do.
fn fifty_namesakes() -> SearchIndex {
    SearchIndex::build((0..50u8).map(|k| {
        doc(
            DocKind::Dossier,
            format!("K{k}"),
            vec![0, 3, 4],
            vec![],
            0,
            k as u16,
        )
    }))
}

#[test]
fn a_cancelled_search_returns_early_and_incomplete() {
    let index = fifty_namesakes();
    let out = index.search(&Query::parse("nguyen thi hoa", 0, None, 10), &|| true);
    assert!(!out.complete);
    assert!(out.hits.is_empty());
    let out = index.search(&Query::parse("nguyen thi hoa", 0, None, 10), &|| false);
    assert!(out.complete);
    assert_eq!(out.total, 50);
    assert_eq!(out.hits.len(), 10);
}

/// A newer keystroke arriving while a search runs (the service bumps the
/// user's generation) stops it at its next check, whichever stage that is.
#[test]
fn a_search_stops_when_a_newer_one_arrives_midway() {
    let index = fifty_namesakes();
    let query = Query::parse("nguyen thi hoa", 0, None, 10);
    let mut checks_before_newer = 0;
    loop {
        let checks = std::cell::Cell::new(0);
        let cancel = || {
            checks.set(checks.get() + 1);
            checks.get() > checks_before_newer
        };
        let out = index.search(&query, &cancel);
        if out.complete {
            // Every check point was passed: the last run must be whole.
            assert_eq!(out.total, 50);
            assert!(checks_before_newer >= 3, "{checks_before_newer} checks");
            break;
        }
        assert!(out.hits.is_empty(), "a stopped search returns nothing");
        checks_before_newer += 1;
        assert!(checks_before_newer < 100);
    }
}

const TEAM_WARDS: [u32; 3] = [26743, 26740, 26734];

#[derive(Debug, Clone)]
enum TicketOp {
    Escalate { ticket: usize, ward: usize },
    Return { ticket: usize },
    Ack { ticket: usize },
    Resolve { ticket: usize },
    MoveWard { ticket: usize, ward: usize },
}

fn ticket_op() -> impl Strategy<Value = TicketOp> {
    prop_oneof![
        3 => (0usize..12, 0usize..3).prop_map(|(ticket, ward)| TicketOp::Escalate { ticket, ward }),
        2 => (0usize..12).prop_map(|ticket| TicketOp::Return { ticket }),
        1 => (0usize..12).prop_map(|ticket| TicketOp::Ack { ticket }),
        1 => (0usize..12).prop_map(|ticket| TicketOp::Resolve { ticket }),
        1 => (0usize..12, 0usize..3).prop_map(|(ticket, ward)| TicketOp::MoveWard { ticket, ward }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// Whatever happens to the tickets (escalated, handed back, escalated
    /// elsewhere, moved to another ward), a ward team's scoped search finds
    /// exactly the tickets `can_see` lets it see and its wards' dossiers,
    /// and counts nothing else.
    #[test]
    fn a_ward_teams_scope_is_what_can_see_allows(ops in prop::collection::vec(ticket_op(), 0..40), team in prop::collection::btree_set(0usize..3, 1..3)) {
        use hotline::domain::{can_see, Change, EscalationRequest, FaultType, Kind, NewTicket, Priority, Role, TicketEdit, TicketId, Ts, User};
        use hotline::search::{dossier_doc, ticket_doc, Scope};
        let supervisor = User { name: "sup".into(), display_name: "sup".into(), role: Role::Supervisor, wards: vec![] };
        let responder = User {
            name: "team".into(),
            display_name: "team".into(),
            role: Role::Responder,
            wards: team.iter().map(|i| TEAM_WARDS[*i]).collect(),
        };
        let mut tickets: Vec<_> = (0..12u64)
            .map(|i| {
                let mut n = NewTicket::new(Kind::Fault, "Hồ sơ kẹt đồng bộ");
                n.caller_name = format!("Nguyễn Văn {i}");
                n.ward = Some(TEAM_WARDS[i as usize % 3]);
                n.into_ticket(TicketId(i + 1), uuid::Uuid::nil(), "op", Ts(1_000)).unwrap()
            })
            .collect();
        let dossiers: Vec<_> = TEAM_WARDS
            .iter()
            .enumerate()
            .map(|(i, ward)| hotline::domain::Dossier {
                code: format!("000.00.01.H29-251101-000{i}"),
                procedure_code: "1.001612".into(),
                procedure_name: "Đăng ký khai sinh".into(),
                applicant_name: "Nguyễn Thị Hồng".into(),
                applicant_phone: None,
                ward: *ward,
                received_at: Ts(1_000),
                due_at: Ts(2_000),
                finished_at: None,
                status: hotline::domain::PortalStatus::PROCESSING,
                sync: hotline::domain::SyncState::Synced,
                payment: hotline::domain::PaymentState::Paid,
            })
            .collect();
        let mut index = SearchIndex::build(
            dossiers.iter().map(|d| dossier_doc(d, Ts(1_000))).chain(tickets.iter().map(ticket_doc)),
        );
        for (step, op) in ops.iter().enumerate() {
            let (i, change) = match op {
                TicketOp::Escalate { ticket, ward } => (*ticket, Change::Escalate(EscalationRequest {
                    ward: TEAM_WARDS[*ward],
                    fault: FaultType::PortalSync,
                    level: 1,
                    severity: Priority::P2,
                    note: None,
                })),
                TicketOp::Return { ticket } => (*ticket, Change::Return { note: "trả lại".into() }),
                TicketOp::Ack { ticket } => (*ticket, Change::Ack { note: None }),
                TicketOp::Resolve { ticket } => (*ticket, Change::Resolve { note: "xong".into() }),
                TicketOp::MoveWard { ticket, ward } => (*ticket, Change::Edit(TicketEdit {
                    ward: Some(TEAM_WARDS[*ward]),
                    ..TicketEdit::default()
                })),
            };
            // A change the lifecycle refuses leaves the ticket as it was.
            if tickets[i].apply(&change, &supervisor, Ts(2_000 + step as i64)).is_ok() {
                index.upsert(ticket_doc(&tickets[i]));
            }
        }
        let query = Query::parse("nguyen", 10_000, None, 1_000).within(Scope::of(&index, &responder));
        let out = index.search(&query, &|| false);
        let found = |kind: DocKind| -> BTreeSet<String> {
            out.hits.iter().filter(|h| h.kind == kind).map(|h| h.key.clone()).collect()
        };
        let visible: BTreeSet<String> = tickets.iter().filter(|t| can_see(&responder, t)).map(|t| t.id.to_string()).collect();
        let theirs: BTreeSet<String> = dossiers.iter().filter(|d| responder.covers_ward(d.ward)).map(|d| d.code.clone()).collect();
        prop_assert_eq!(found(DocKind::Ticket), visible);
        prop_assert_eq!(found(DocKind::Dossier), theirs);
        prop_assert_eq!(out.total, out.hits.len());
    }
}
