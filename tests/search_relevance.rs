//! Relevance: query → expected result at an expected rank, over the fixed demo
//! dataset (seed 1022) plus a handful of hand-made records ("needles") with
//! names rare enough to be the right answer.

use hotline::demo::{self, demo_now, DemoConfig};
use hotline::domain::{
    Dossier, Kind, NewTicket, PaymentState, Phone, PortalStatus, SyncState, TicketId, Ts,
};
use hotline::search::{dossier_doc, procedure_doc, ticket_doc, ward_doc};
use hotline::search::{DocKind, Query, SearchDoc, SearchIndex};
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

fn needle_dossier(code: &str, name: &str, phone: &str, ward: u32, procedure: &str) -> Dossier {
    let p = hotline::reference::procedure(procedure).unwrap();
    Dossier {
        code: code.into(),
        procedure_code: p.code.clone(),
        procedure_name: p.name.clone(),
        applicant_name: name.into(),
        applicant_phone: Phone::parse(phone).ok(),
        ward,
        received_at: Ts(demo_now().0 - 3 * 86_400),
        due_at: Ts(demo_now().0 - 86_400),
        finished_at: None,
        status: PortalStatus::PROCESSING,
        sync: SyncState::Error,
        payment: PaymentState::NotRequired,
    }
}

fn needles() -> Vec<SearchDoc> {
    let now = demo_now();
    let mut docs = vec![
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-251103-0777",
                "Quách Tĩnh Đào",
                "0912 345 678",
                26743,
                "2.000815",
            ),
            now,
        ),
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-251103-0778",
                "Lưu Thị Ngân Hà",
                "0987 650 001",
                26740,
                "1.001193",
            ),
            now,
        ),
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-251103-0779",
                "Lưu Thị Ngân Hạ",
                "0987 650 002",
                26740,
                "1.001193",
            ),
            now,
        ),
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-251103-0780",
                "Tôn Nữ Diễm Kiều",
                "0283 823 4567",
                27139,
                "1.004222",
            ),
            now,
        ),
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-251103-0781",
                "Âu Dương Khánh Hòa",
                "0765 432 109",
                27142,
                "1.004222",
            ),
            now,
        ),
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-251103-0782",
                "Khổng Minh Thuỷ",
                "0765 432 110",
                26809,
                "2.000815",
            ),
            now,
        ),
        // A partly typed word with its tone ("Thà") must prefer "Thành" over
        // "Thạnh", which comes later and so would win a tie.
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-251103-0783",
                "Vưu Văn Thành",
                "0765 432 111",
                26809,
                "2.000815",
            ),
            now,
        ),
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-251103-0784",
                "Vưu Văn Thạnh",
                "0765 432 112",
                26809,
                "2.000815",
            ),
            now,
        ),
        // A code whose date part holds "0812" inside ("250812").
        dossier_doc(
            &needle_dossier(
                "000.00.201.H29-250812-0785",
                "Giáp Văn Khôi",
                "0765 432 113",
                26809,
                "2.000815",
            ),
            now,
        ),
    ];
    let mut t = NewTicket::new(Kind::Fault, "Lỗi VNeID khi nộp hồ sơ đất đai");
    t.caller_name = "Mạc Đĩnh Chi".into();
    t.caller_phone = "0909 777 888".into();
    t.ward = Some(27418);
    t.dossiers = vec!["000.00.201.H29-251103-0781".into()];
    let ticket = t
        .into_ticket(
            TicketId(999_001),
            uuid::Uuid::nil(),
            "lan.nt",
            Ts(now.0 - 3600),
        )
        .unwrap();
    docs.push(ticket_doc(&ticket));
    docs
}

static INDEX: LazyLock<SearchIndex> = LazyLock::new(|| {
    let cfg = DemoConfig {
        dossiers: 20_000,
        tickets: 2_000,
        ..DemoConfig::default()
    };
    let now = cfg.now;
    let mut docs: Vec<SearchDoc> = hotline::reference::wards().iter().map(ward_doc).collect();
    docs.extend(hotline::reference::procedures().iter().map(procedure_doc));
    docs.extend(demo::dossiers(&cfg).map(|d| dossier_doc(&d, now)));
    docs.extend(demo::tickets(&cfg).iter().map(|(t, _)| ticket_doc(t)));
    docs.extend(needles());
    SearchIndex::build(docs)
});

fn rank_of(query: &str, kind: DocKind, key: &str) -> Option<usize> {
    let q = Query::parse(query, demo_now().0, Some("lan.nt"), 20);
    let out = INDEX.search(&q, &|| false);
    out.hits
        .iter()
        .position(|h| h.kind == kind && h.key == key)
        .map(|p| p + 1)
}

use DocKind::{Dossier as D, Procedure as P, Ticket as T, Ward as W};

/// (query, kind, key, worst acceptable rank)
const CASES: &[(&str, DocKind, &str, usize)] = &[
    // Names without diacritics, with diacritics, NFC either way.
    ("quach tinh dao", D, "000.00.201.H29-251103-0777", 1),
    ("Quách Tĩnh Đào", D, "000.00.201.H29-251103-0777", 1),
    ("quach", D, "000.00.201.H29-251103-0777", 3),
    ("QUACH TINH", D, "000.00.201.H29-251103-0777", 1),
    ("ton nu diem kieu", D, "000.00.201.H29-251103-0780", 1),
    ("tôn nữ diễm", D, "000.00.201.H29-251103-0780", 1),
    ("diem kieu", D, "000.00.201.H29-251103-0780", 1),
    ("mac dinh chi", T, "PA-999001", 1),
    ("Mạc Đĩnh Chi", T, "PA-999001", 1),
    ("khong minh thuy", D, "000.00.201.H29-251103-0782", 1),
    // Exact diacritics rank above folded-only matches.
    ("Lưu Thị Ngân Hà", D, "000.00.201.H29-251103-0778", 1),
    ("Lưu Thị Ngân Hạ", D, "000.00.201.H29-251103-0779", 1),
    ("luu thi ngan ha", D, "000.00.201.H29-251103-0778", 2),
    ("luu thi ngan ha", D, "000.00.201.H29-251103-0779", 2),
    ("Ngân Hạ", D, "000.00.201.H29-251103-0779", 1),
    ("Vưu Văn Thà", D, "000.00.201.H29-251103-0783", 1),
    ("Vưu Văn Thạ", D, "000.00.201.H29-251103-0784", 1),
    ("vuu van thanh", D, "000.00.201.H29-251103-0784", 2),
    // Tone placement variants (hòa/hoà, thủy/thuỷ).
    ("au duong khanh hoa", D, "000.00.201.H29-251103-0781", 1),
    ("Âu Dương Khánh Hoà", D, "000.00.201.H29-251103-0781", 1),
    ("Âu Dương Khánh Hòa", D, "000.00.201.H29-251103-0781", 1),
    ("Khổng Minh Thủy", D, "000.00.201.H29-251103-0782", 1),
    ("Khổng Minh Thuỷ", D, "000.00.201.H29-251103-0782", 1),
    // đ / d and the look-alike ð.
    ("quach tinh Đao", D, "000.00.201.H29-251103-0777", 1),
    ("quach tinh ðao", D, "000.00.201.H29-251103-0777", 1),
    ("mac đinh chi", T, "PA-999001", 1),
    // Typos (one edit, words of five letters or more).
    ("khanhh hoa", D, "000.00.201.H29-251103-0781", 1),
    ("au duong khamh hoa", D, "000.00.201.H29-251103-0781", 1),
    ("au duongg khanh", D, "000.00.201.H29-251103-0781", 1),
    ("ton nu diem kieeu", D, "000.00.201.H29-251103-0780", 1),
    ("luu thi ngaan ha", D, "000.00.201.H29-251103-0778", 2),
    // Dossier codes: whole, any fragment of their parts.
    (
        "000.00.201.H29-251103-0777",
        D,
        "000.00.201.H29-251103-0777",
        1,
    ),
    (
        "000.00.201.h29-251103-0777",
        D,
        "000.00.201.H29-251103-0777",
        1,
    ),
    ("201.H29-251103-0779", D, "000.00.201.H29-251103-0779", 1),
    ("251103-0780", D, "000.00.201.H29-251103-0780", 1),
    ("H29-251103-0782", D, "000.00.201.H29-251103-0782", 1),
    ("251103 0778", D, "000.00.201.H29-251103-0778", 1),
    ("0777 quach", D, "000.00.201.H29-251103-0777", 1),
    // A fragment of four or more digits inside a code part.
    ("0812 giap", D, "000.00.201.H29-250812-0785", 1),
    ("50812 khoi", D, "000.00.201.H29-250812-0785", 1),
    // Ticket ids.
    ("PA-999001", T, "PA-999001", 1),
    ("pa-999001", T, "PA-999001", 1),
    ("999001", T, "PA-999001", 1),
    // Phones in every common spelling, and the last digits.
    ("0912 345 678", D, "000.00.201.H29-251103-0777", 1),
    ("0912.345.678", D, "000.00.201.H29-251103-0777", 1),
    ("0912345678", D, "000.00.201.H29-251103-0777", 1),
    ("+84 912 345 678", D, "000.00.201.H29-251103-0777", 1),
    ("84912345678", D, "000.00.201.H29-251103-0777", 1),
    ("+84912345678", D, "000.00.201.H29-251103-0777", 1),
    ("345678", D, "000.00.201.H29-251103-0777", 1),
    ("0909 777 888", T, "PA-999001", 1),
    ("777888", T, "PA-999001", 1),
    ("(028) 3823 4567", D, "000.00.201.H29-251103-0780", 1),
    ("02838234567", D, "000.00.201.H29-251103-0780", 1),
    // Wards by current and former names.
    ("ben thanh", W, "26743", 1),
    ("Phường Bến Thành", W, "26743", 1),
    ("phuong 12 quan 3", W, "27142", 1),
    ("Phường 12, Quận 3", W, "27142", 1),
    ("ben nghe", W, "26740", 1),
    ("da kao", W, "26740", 2),
    ("nhieu loc", W, "27142", 1),
    ("con dao", W, "26732", 1),
    // Procedures.
    ("chung thuc ban sao", P, "2.000815", 1),
    ("dang ky khai sinh", P, "1.001193", 1),
    ("dang ky thuong tru", P, "1.004222", 1),
    ("2.000815", P, "2.000815", 1),
    // Filters narrow before ranking.
    ("ward:26743 quach", D, "000.00.201.H29-251103-0777", 1),
    ("ward:ben_thanh quach", D, "000.00.201.H29-251103-0777", 1),
    ("kind:fault chi", T, "PA-999001", 1),
    ("status:new mac", T, "PA-999001", 1),
    ("open overdue quach", D, "000.00.201.H29-251103-0777", 1),
    (
        "from:2025-11-01 to:2026-12-31 quach tinh",
        D,
        "000.00.201.H29-251103-0777",
        1,
    ),
];

#[test]
fn every_case_keeps_its_rank() {
    let mut failures = Vec::new();
    for (query, kind, key, worst) in CASES {
        match rank_of(query, *kind, key) {
            Some(r) if r <= *worst => {}
            other => failures.push(format!("{query:?}: {key} at {other:?}, wanted ≤ {worst}")),
        }
    }
    assert!(CASES.len() >= 60, "{} cases", CASES.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn nfd_typed_queries_find_the_same() {
    for (query, kind, key, worst) in CASES.iter().filter(|c| !c.0.is_ascii()) {
        let nfd: String = query.nfd().collect();
        let r = rank_of(&nfd, *kind, key);
        assert!(
            r.is_some_and(|r| r <= *worst),
            "NFD {query:?}: {key} at {r:?}"
        );
    }
}

#[test]
fn filters_exclude_what_they_should() {
    assert_eq!(
        rank_of("ward:26740 quach tinh dao", D, "000.00.201.H29-251103-0777"),
        None
    );
    assert_eq!(rank_of("kind:question mac dinh chi", T, "PA-999001"), None);
    assert_eq!(rank_of("status:closed mac dinh chi", T, "PA-999001"), None);
    assert_eq!(
        rank_of(
            "to:2025-01-01 quach tinh dao",
            D,
            "000.00.201.H29-251103-0777"
        ),
        None
    );
    // Short words do not match with typos.
    assert_eq!(
        rank_of("qaxh tinh dao", D, "000.00.201.H29-251103-0777"),
        None
    );
}

#[test]
fn results_carry_highlight_positions() {
    let q = Query::parse("quach tinh", demo_now().0, None, 5);
    let hit = INDEX.search(&q, &|| false).hits.into_iter().next().unwrap();
    let title: Vec<char> = hit.title.chars().collect();
    let marked: String = hit.highlights.iter().map(|i| title[*i]).collect();
    assert_eq!(marked, "QuáchTĩnh");
}

/// At scale the exact diacritic form still wins: 30,000 recent applicants
/// named "Hạ" or "Hả" and three older ones named "Hà"; the query "Hà" must
/// put the three first, though the newest 20,000 look-alikes fill the
/// ranking pool on their own.
#[test]
fn exact_diacritics_win_over_many_newer_look_alikes() {
    let now = demo_now();
    let mut docs = Vec::new();
    for i in 0..30_003u32 {
        let (name, age_days) = match i {
            0..=2 => ("Đỗ Thị Hà", 300),
            n if n % 2 == 0 => ("Đỗ Thị Hạ", 1),
            _ => ("Đỗ Thị Hả", 1),
        };
        let mut d = needle_dossier(
            &format!("000.00.201.H29-251103-{:05}", i + 10_000),
            name,
            "0912 345 678",
            26743,
            "2.000815",
        );
        d.received_at = Ts(now.0 - age_days * 86_400 - i as i64);
        docs.push(dossier_doc(&d, now));
    }
    let index = SearchIndex::build(docs);
    for query in ["Hà", "đỗ thị hà", "Đỗ Thị Hà"] {
        let q = Query::parse(query, now.0, Some("lan.nt"), 10);
        let out = index.search(&q, &|| false);
        let top: Vec<&str> = out.hits.iter().take(3).map(|h| h.key.as_str()).collect();
        assert_eq!(
            top,
            [
                "000.00.201.H29-251103-10000",
                "000.00.201.H29-251103-10001",
                "000.00.201.H29-251103-10002"
            ],
            "{query}"
        );
        assert!(out.total >= 30_003, "{query}: all look-alikes still match");
    }
}

/// The saved index answers every case exactly as the index it was saved from.
#[test]
fn a_saved_and_loaded_index_answers_every_case_the_same() {
    use hotline::search::snapshot::{self, Stamp};
    let dir = tempfile::tempdir().unwrap();
    let stamp = Stamp {
        generation: 42,
        marks: 7,
        counters: 9,
    };
    snapshot::save(&INDEX, stamp, dir.path()).unwrap();
    let (loaded, read) = snapshot::load(dir.path(), &|_, _| {}).unwrap();
    assert_eq!(read, stamp);
    assert_eq!(loaded.len(), INDEX.len());
    for (query, _, _, _) in CASES {
        let q = Query::parse(query, demo_now().0, Some("lan.nt"), 20);
        let fresh = INDEX.search(&q, &|| false);
        let again = loaded.search(&q, &|| false);
        assert_eq!(again.hits, fresh.hits, "{query:?}");
        assert_eq!(again.total, fresh.total, "{query:?}");
    }
}

/// The unit each former ward (name, district) went into, from the old-to-new table.
fn merged_into(old_ward: &str, old_district: &str) -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/hcmc_wards_2025_old_to_new.csv"
    );
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (new_code, ward, district) = (
        col("new_code"),
        col("old_ward_name"),
        col("old_district_name"),
    );
    let units: Vec<String> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[ward] == old_ward && &r[district] == old_district)
        .map(|r| r[new_code].to_string())
        .collect();
    assert!(
        !units.is_empty(),
        "{old_ward}, {old_district} is not in the table"
    );
    units
}

/// Callers name their ward the old way; the unit it went into comes first.
#[test]
fn old_ward_names_rank_the_unit_they_were_merged_into_first() {
    let cases: &[(&str, &str, &str)] = &[
        ("phường 11 quận 11", "Phường 11", "Quận 11"),
        ("phuong 11 quan 11", "Phường 11", "Quận 11"),
        ("phường 2 Bình Thạnh", "Phường 2", "Quận Bình Thạnh"),
        ("P.2 Q.Bình Thạnh", "Phường 2", "Quận Bình Thạnh"),
        ("phuong 2 quan 3", "Phường 2", "Quận 3"),
        ("P.5 Q.8", "Phường 5", "Quận 8"),
        ("phường 14 quận 10", "Phường 14", "Quận 10"),
        ("phuong 1 go vap", "Phường 1", "Quận Gò Vấp"),
        ("phường 26 bình thạnh", "Phường 26", "Quận Bình Thạnh"),
    ];
    let mut failures = Vec::new();
    for (query, ward, district) in cases {
        let units = merged_into(ward, district);
        let q = Query::parse(query, demo_now().0, Some("lan.nt"), 20);
        let out = INDEX.search(&q, &|| false);
        let first_ward = out.hits.iter().find(|h| h.kind == DocKind::Ward);
        let top = out.hits.first();
        let ok = top.is_some_and(|h| h.kind == DocKind::Ward && units.contains(&h.key));
        if !ok {
            failures.push(format!(
                "{query:?}: wanted one of {units:?} first, got {:?} (first ward {:?})",
                top.map(|h| &h.key),
                first_ward.map(|h| &h.key)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A ticket's number, as people say it, puts that ticket among the first three.
#[test]
fn a_ticket_number_as_people_say_it_finds_the_ticket() {
    for query in [
        "phiếu 124",
        "phieu 124",
        "PA 124",
        "124",
        "PA-000124",
        "000124",
    ] {
        let rank = rank_of(query, DocKind::Ticket, "PA-000124");
        assert!(
            rank.is_some_and(|r| r <= 3),
            "{query:?}: PA-000124 at {rank:?}"
        );
    }
}
