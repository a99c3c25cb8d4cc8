//! One language at a time: every screen snapshot (tests/snapshots, each screen
//! in both languages at 80×24 and 120×40) holds no catalog phrase of the other
//! language, and neither does any table or ticket the command line prints.
//! Names, codes and what callers said are data, not catalog words: the
//! fixture's subjects and descriptions are Vietnamese, so phrases they
//! contain are left out below.

mod hub_common;
mod support;

use hotline::tui::i18n::{en, vi};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Catalog phrases worth looking for: two words or more, different in the
/// two languages, without `{}` placeholders.
/// Words of the fixture's own Vietnamese data (subjects, descriptions).
const DATA: &[&str] = &["Thanh toán", "trạng thái"];

fn phrases(own: &[(&str, &str)], other: &[(&str, &str)]) -> Vec<String> {
    let theirs: HashMap<&str, &str> = other.iter().copied().collect();
    own.iter()
        .filter_map(|(k, v)| {
            let counterpart = theirs.get(k)?;
            let v = v.split('{').next().unwrap_or("").trim();
            (v.split_whitespace().count() >= 2
                && v.chars().count() >= 8
                && !counterpart.contains(v)
                && !v.contains('·')
                && !DATA.contains(&v))
            .then(|| v.to_string())
        })
        .collect()
}

#[test]
fn no_screen_mixes_the_two_languages() {
    let vi_phrases = phrases(vi::ENTRIES, en::ENTRIES);
    let en_phrases = phrases(en::ENTRIES, vi::ENTRIES);
    let mut found = Vec::new();
    for entry in std::fs::read_dir("tests/snapshots").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".snap") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let screen = text.splitn(3, "---").nth(2).unwrap_or("");
        let foreign = if name.contains("_en_") {
            &vi_phrases
        } else if name.contains("_vi_") {
            &en_phrases
        } else {
            continue;
        };
        for p in foreign {
            if screen.contains(p.as_str()) {
                found.push(format!("{name}: {p:?}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Names, codes and what was typed in the CLI fixture (Vietnamese data).
const CLI_DATA: &[&str] = &[
    "Nguyễn Thị Thu Hà",
    "Hồ sơ kẹt đồng bộ",
    "Hồ sơ báo lỗi đồng bộ với cổng quốc gia",
    "Đã gọi lại cho công dân",
    "Nhờ tổ kiểm tra",
    "Tổ ứng cứu Bến Thành",
    "Quản trị viên",
    "Nguyễn Thị Lan",
    "Phường Bến Thành",
    "Bến Thành",
    "admin",
];

/// The CLI fixture: an admin, an operator and a ward team; a ticket with a
/// comment, escalated to the ward team, which acknowledged it.
fn cli_store(d: &Path) {
    let run = |args: &[&str]| support::ok(support::hotline(d, d, args), &format!("{args:?}"));
    run(&[
        "user",
        "add",
        "admin",
        "--role",
        "admin",
        "--display-name",
        "Quản trị viên",
    ]);
    run(&[
        "--user",
        "admin",
        "user",
        "add",
        "lan.nt",
        "--role",
        "operator",
        "--display-name",
        "Nguyễn Thị Lan",
    ]);
    run(&[
        "--user",
        "admin",
        "user",
        "add",
        "ut.benthanh",
        "--role",
        "responder",
        "--ward",
        "26743",
        "--display-name",
        "Tổ ứng cứu Bến Thành",
    ]);
    let lan = |args: &[&str]| run(&[&["--user", "lan.nt"], args].concat());
    lan(&[
        "ticket",
        "new",
        "--kind",
        "fault",
        "--subject",
        "Hồ sơ kẹt đồng bộ",
        "--description",
        "Hồ sơ báo lỗi đồng bộ với cổng quốc gia",
        "--name",
        "Nguyễn Thị Thu Hà",
        "--phone",
        "0912 345 678",
        "--ward",
        "26743",
        "--category",
        "Hành chính công",
    ]);
    lan(&["ticket", "comment", "1", "Đã gọi lại cho công dân"]);
    lan(&["ticket", "start", "1"]);
    lan(&[
        "ticket",
        "escalate",
        "1",
        "--fault",
        "portal-sync",
        "--note",
        "Nhờ tổ kiểm tra",
    ]);
    run(&["--user", "ut.benthanh", "ticket", "ack", "1"]);
    lan(&[
        "ticket",
        "new",
        "--kind",
        "question",
        "--subject",
        "Hồ sơ kẹt đồng bộ",
    ]);
}

/// Every word of a catalog's entries, lower-cased, that the other catalog
/// never uses.
fn words_only_in(own: &[(&str, &str)], other: &[(&str, &str)]) -> BTreeSet<String> {
    let words = |entries: &[(&str, &str)]| -> BTreeSet<String> {
        entries
            .iter()
            .flat_map(|(_, v)| {
                v.split(|c: char| !c.is_alphabetic())
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let theirs = words(other);
    words(own).difference(&theirs).cloned().collect()
}

#[test]
fn no_cli_table_or_ticket_mixes_the_two_languages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cli_store(d);
    let english_words = words_only_in(en::ENTRIES, vi::ENTRIES);
    let commands: &[&[&str]] = &[
        &["--user", "lan.nt", "ticket", "list"],
        &["--user", "lan.nt", "ticket", "show", "1"],
        &["--user", "admin", "user", "list"],
        &["--user", "lan.nt", "search", "ket", "dong", "bo"],
        &[
            "--user",
            "lan.nt",
            "ticket",
            "comment",
            "2",
            "Đã gọi lại cho công dân",
        ],
    ];
    let mut found = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let mut outputs = Vec::new();
        for lang in ["vi", "en"] {
            let args = [&["--lang", lang][..], command].concat();
            let out = support::ok(support::hotline(d, d, &args), &format!("{args:?}"));
            outputs.push((lang, out));
        }
        let mut default = support::ok(support::hotline(d, d, command), &format!("{command:?}"));
        // Search timings differ from run to run.
        let untimed = |s: &str| {
            s.lines()
                .filter(|l| !l.ends_with(" ms"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        // A comment moves the ticket to its next version.
        if i < commands.len() - 1 {
            // Working-time clocks count down by the minute: when one turned
            // between the runs, the next pair of runs settles it.
            if untimed(&default) != untimed(&outputs[0].1) {
                let args = [&["--lang", "vi"][..], command].concat();
                outputs[0].1 = support::ok(support::hotline(d, d, &args), &format!("{args:?}"));
                default = support::ok(support::hotline(d, d, command), &format!("{command:?}"));
            }
            assert_eq!(
                untimed(&default),
                untimed(&outputs[0].1),
                "Vietnamese by default: {command:?}"
            );
        }
        for (lang, out) in outputs {
            let mut rest = out.clone();
            for data in CLI_DATA {
                rest = rest.replace(data, " ");
            }
            if lang == "en" {
                // English with the data taken out is plain ASCII (and typography).
                let foreign: String = rest
                    .chars()
                    .filter(|c| c.is_alphabetic() && !c.is_ascii())
                    .collect();
                if !foreign.is_empty() {
                    found.push(format!("{command:?} en: {foreign:?} in\n{out}"));
                }
            } else {
                let english: Vec<&str> = rest
                    .split(|c: char| !c.is_alphabetic())
                    .filter(|w| english_words.contains(&w.to_lowercase()))
                    .collect();
                if !english.is_empty() {
                    found.push(format!("{command:?} vi: {english:?} in\n{out}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n\n"));
}

/// Machine formats speak no language: `--json` is the same whatever `--lang`.
#[test]
fn json_output_is_the_same_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cli_store(d);
    for command in [
        &["--user", "lan.nt", "--json", "ticket", "show", "1"][..],
        &["--user", "admin", "--json", "user", "list"],
    ] {
        let both = || {
            let vi = support::ok(
                support::hotline(d, d, &[&["--lang", "vi"][..], command].concat()),
                "vi",
            );
            let en = support::ok(
                support::hotline(d, d, &[&["--lang", "en"][..], command].concat()),
                "en",
            );
            (vi, en)
        };
        // Working-time clocks count down by the minute: when one turned
        // between the runs, the next pair of runs settles it.
        let (mut vi, mut en) = both();
        if vi != en {
            (vi, en) = both();
        }
        assert_eq!(vi, en, "{command:?}");
        assert!(vi.trim_start().starts_with(['{', '[']), "{vi}");
    }
}

/// One failure told in both languages: the command, and what each language
/// says (a part of stderr, or of stdout for an import's rejected rows).
struct Failure {
    what: &'static str,
    args: Vec<String>,
    vi: String,
    en: String,
}

fn failure(what: &'static str, args: &[&str], vi: &str, en: &str) -> Failure {
    Failure {
        what,
        args: args.iter().map(|a| a.to_string()).collect(),
        vi: vi.to_string(),
        en: en.to_string(),
    }
}

/// The real binary in `lang`, with `env` set, on the store `--data data`.
fn hotline_in(
    lang: &str,
    data: &Path,
    env_dir: &Path,
    env: &[(&str, &str)],
    args: &[String],
) -> std::process::Output {
    let mut cmd = support::hotline_command(data, env_dir);
    cmd.args(["--lang", lang])
        .args(args)
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run hotline")
}

fn lan<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--user", "lan.nt"][..], args].concat()
}

/// A question logged by lan.nt, with `more` options.
fn new<'a>(more: &[&'a str]) -> Vec<&'a str> {
    lan(&[
        &["ticket", "new", "--kind", "question", "--subject", "Hỏi"][..],
        more,
    ]
    .concat())
}

/// Every error family the command line reports, through the real binary:
/// each in the language asked for, with no word of the other.
#[test]
fn errors_speak_one_language() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cli_store(d);
    // Ticket 2 moves to version 2: `--expect-version 1` is stale.
    support::ok(
        support::hotline(
            d,
            d,
            &[
                "--user",
                "lan.nt",
                "ticket",
                "comment",
                "2",
                "Nhờ tổ kiểm tra",
            ],
        ),
        "comment",
    );
    let bad_rows = d.join("dossiers.csv");
    std::fs::write(
        &bad_rows,
        "code,ward_code,received_at,due_at,status,procedure_code,procedure_name,applicant_name\n\
         nope,26743,2025-08-12,2025-08-20,1,1.001,Khai sinh,An\n\
         000.00.01.H29-250812-0001,abc,2025-08-12,2025-08-20,1,1.001,Khai sinh,An\n\
         000.00.01.H29-250812-0002,26743,2025-13-12,2025-08-20,1,1.001,Khai sinh,An\n\
         000.00.01.H29-250812-0003,26743,2025-08-12,2025-08-20,99,1.001,Khai sinh,An\n\
         000.00.01.H29-250812-0004,99999,2025-08-12,2025-08-20,1,1.001,Khai sinh,An\n",
    )
    .unwrap();
    let bad_rows = bad_rows.display().to_string();
    let long_subject = "a".repeat(201);
    let failures = vec![
        failure(
            "phone",
            &new(&["--phone", "12345"]),
            "số điện thoại: phải bắt đầu bằng 0 hoặc +84",
            "phone: must start with 0 or +84",
        ),
        failure(
            "mobile length",
            &new(&["--phone", "0912"]),
            "số điện thoại: số di động có 10 chữ số (0xxxxxxxxx), số này có 4",
            "phone: a mobile number has 10 digits (0xxxxxxxxx), this one has 4",
        ),
        failure(
            "too long",
            &lan(&["ticket", "new", "--kind", "question", "--subject", &long_subject]),
            "tiêu đề: quá dài (201 ký tự, tối đa 200)",
            "subject: is too long (201 characters, at most 200)",
        ),
        failure(
            "empty subject",
            &lan(&["ticket", "new", "--kind", "question", "--subject", ""]),
            "tiêu đề: bắt buộc",
            "subject: is required",
        ),
        failure(
            "unknown category",
            &new(&["--category", "nope"]),
            "lĩnh vực: 'nope' không phải lĩnh vực; chọn một trong: Hành chính công, ",
            "category: 'nope' is not a category; one of: Hành chính công, ",
        ),
        failure(
            "unknown ward name",
            &new(&["--ward", "nowhere"]),
            "phường/xã: không có phường/xã nào tên 'nowhere'",
            "ward: no ward is called 'nowhere'",
        ),
        failure(
            "ambiguous ward",
            &new(&["--ward", "Đa Kao"]),
            "phường/xã: 'Đa Kao' khớp với 2 phường/xã: 26737 Phường Tân Định (trước đây là Phường Đa Kao); \
             26740 Phường Sài Gòn (trước đây là Phường Đa Kao)",
            "ward: 'Đa Kao' matches 2 wards: 26737 Phường Tân Định (formerly Phường Đa Kao); \
             26740 Phường Sài Gòn (formerly Phường Đa Kao)",
        ),
        failure(
            "unknown ward code",
            &new(&["--ward", "99999"]),
            "phường/xã: không có phường/xã nào mang mã 99999",
            "ward: no ward has the code 99999",
        ),
        failure(
            "transition",
            &lan(&["ticket", "close", "2"]),
            "Bị từ chối: không thể đóng phiếu đang ở trạng thái «Mới»",
            "hotline: cannot close a ticket that is new\n",
        ),
        failure(
            "role may not",
            &lan(&["ticket", "cancel", "2"]),
            "Bị từ chối: tổng đài viên không được huỷ phiếu đang ở trạng thái «Mới»",
            "hotline: operators may not cancel a ticket that is new\n",
        ),
        failure(
            "version conflict",
            &lan(&["ticket", "comment", "2", "Đã gọi lại cho công dân", "--expect-version", "1"]),
            "--expect-version 1 đã cũ: phiếu PA-000002 nay ở phiên bản 2 (do lan.nt sửa); chưa có gì thay đổi",
            "--expect-version 1 is stale: PA-000002 is at version 2 now (changed by lan.nt); nothing was changed",
        ),
        failure(
            "forbidden role",
            &["--user", "ut.benthanh", "ticket", "new", "--kind", "question", "--subject", "Hỏi"],
            "Không được phép: tổ ứng cứu không được tạo phiếu",
            "forbidden: responders may not log tickets",
        ),
        failure(
            "admin only",
            &lan(&["user", "token", "lan.nt"]),
            "Không được phép: chỉ quản trị mới cấp mã đăng nhập (lan.nt là tổng đài viên)",
            "forbidden: only an admin issues sign-in tokens (lan.nt is an operator)",
        ),
        failure(
            "last admin",
            &["--user", "admin", "user", "add", "admin", "--role", "operator"],
            "vai trò: admin là quản trị cuối cùng và phải giữ vai trò đó; hãy cho người khác làm quản trị trước",
            "role: admin is the last admin and must stay one; make another user an admin first",
        ),
        failure(
            "hub address",
            &["--server", "ftp://x", "ticket", "list"],
            "hotline: --server 'ftp://x': cần một địa chỉ http:// hoặc https://, không phải ftp://\n",
            "hotline: --server 'ftp://x': expected an http:// or https:// URL, not ftp://\n",
        ),
        failure(
            "not found",
            &lan(&["ticket", "show", "99"]),
            "Không tìm thấy phiếu PA-000099",
            "ticket PA-000099 not found",
        ),
        failure(
            "import rows",
            &["--user", "admin", "import", "dossiers", &bad_rows],
            "5 bị từ chối\n  dòng 2: mã hồ sơ: 'nope' không có dạng <cơ quan>-<YYMMDD>-<NNNN>\n  \
             dòng 3: ward_code 'abc' không phải số\n  \
             dòng 4: received_at '2025-13-12' không phải ngày (YYYY-MM-DD[ HH:MM])\n  \
             dòng 5: status '99' không phải mã trạng thái cổng 1–10\n  \
             dòng 6: ward_code 99999 không phải một trong 168 phường/xã của TP.HCM",
            "5 rejected\n  line 2: dossier_code: 'nope' is not <agency>-<YYMMDD>-<NNNN>\n  \
             line 3: ward_code 'abc' is not a number\n  \
             line 4: received_at '2025-13-12' is not a date (YYYY-MM-DD[ HH:MM])\n  \
             line 5: status '99' is not a portal status code 1-10\n  \
             line 6: ward_code 99999 is not one of the 168 HCMC wards",
        ),
    ];
    let categories: Vec<&str> = hotline::reference::categories()
        .iter()
        .map(|c| c.vi.as_str())
        .collect();
    let mut found = Vec::new();
    let mut check =
        |what: &str, lang: &str, out: &std::process::Output, expected: &str, data: &[&str]| {
            assert!(!out.status.success(), "{what} {lang} should fail");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if !text.contains(expected) {
                found.push(format!("{what} {lang}: expected {expected:?} in\n{text}"));
            }
            let mut rest = text.clone();
            for data in CLI_DATA.iter().chain(&categories).chain(data) {
                rest = rest.replace(data, " ");
            }
            if lang == "en" {
                let foreign: String = rest
                    .chars()
                    .filter(|c| c.is_alphabetic() && !c.is_ascii())
                    .collect();
                if !foreign.is_empty() {
                    found.push(format!("{what} en: {foreign:?} in\n{text}"));
                }
            } else {
                let english_words = words_only_in(en::ENTRIES, vi::ENTRIES);
                let english: Vec<&str> = rest
                    .split(|c: char| !c.is_alphabetic())
                    .filter(|w| english_words.contains(&w.to_lowercase()))
                    .collect();
                if !english.is_empty() {
                    found.push(format!("{what} vi: {english:?} in\n{text}"));
                }
            }
        };
    for f in &failures {
        for (lang, expected) in [("vi", &f.vi), ("en", &f.en)] {
            let out = hotline_in(lang, d, d, &[], &f.args);
            check(
                f.what,
                lang,
                &out,
                expected,
                &[
                    "Hỏi",
                    "Khai sinh",
                    "Phường Tân Định",
                    "Phường Sài Gòn",
                    "Phường Đa Kao",
                    "Đa Kao",
                ],
            );
        }
    }

    // No store at the path given.
    let nowhere = d.join("nowhere");
    for (lang, expected) in [
        (
            "vi",
            format!(
                "hotline: không có kho nào ở {}: hãy kiểm tra --data, HOTLINE_DATA",
                nowhere.display()
            ),
        ),
        (
            "en",
            format!(
                "hotline: no store at {}: check --data, HOTLINE_DATA",
                nowhere.display()
            ),
        ),
    ] {
        let out = hotline_in(lang, &nowhere, d, &[], &["ticket".into(), "list".into()]);
        check("no store", lang, &out, &expected, &[]);
    }

    // A hub that does not answer, and one that refuses the token.
    let list = [
        "--server".to_string(),
        "http://127.0.0.1:9".into(),
        "ticket".into(),
        "list".into(),
    ];
    for (lang, expected) in [
        (
            "vi",
            "hotline: Không kết nối được máy chủ: không liên lạc được với http://127.0.0.1:9\n",
        ),
        (
            "en",
            "hotline: the hub is unavailable: could not reach http://127.0.0.1:9 (",
        ),
    ] {
        let out = hotline_in(lang, d, d, &[("HOTLINE_TOKEN", "hl_wrong")], &list);
        check("hub unreachable", lang, &out, expected, &[]);
    }
    for (lang, expected) in [
        (
            "vi",
            "hotline: chưa đăng nhập vào http://127.0.0.1:9: hãy chạy `hotline login http://127.0.0.1:9`\n",
        ),
        (
            "en",
            "hotline: not signed in to http://127.0.0.1:9: run `hotline login http://127.0.0.1:9`\n",
        ),
    ] {
        let out = hotline_in(lang, d, d, &[], &list);
        check("not signed in", lang, &out, expected, &[]);
    }
    let served = tempfile::tempdir().unwrap();
    hub_common::make_store(served.path(), &hub_common::team());
    let hub = hub_common::Hub::start(served.path());
    let url = hub.url.as_str();
    let list = [
        "--server".to_string(),
        url.into(),
        "ticket".into(),
        "list".into(),
    ];
    for (lang, expected) in [
        (
            "vi",
            format!("hotline: hub ở {url} không nhận mã đăng nhập (mã đăng nhập sai, hoặc đã được thay hay thu hồi: hãy xin quản trị mã mới): hãy chạy `hotline login {url}` với mã còn hiệu lực (hoặc kiểm tra HOTLINE_TOKEN)\n"),
        ),
        (
            "en",
            format!("hotline: the hub at {url} refused the token (the sign-in token is wrong, or it was replaced or revoked: ask an admin for a new one): run `hotline login {url}` with a current token (or check HOTLINE_TOKEN)\n"),
        ),
    ] {
        let other = tempfile::tempdir().unwrap();
        let out = hotline_in(lang, other.path(), other.path(), &[("HOTLINE_TOKEN", "hl_wrong")], &list);
        check("wrong token", lang, &out, &expected, &[]);
    }
    assert!(found.is_empty(), "{}", found.join("\n\n"));
}

/// `hotline info` labels its lines in the command's language.
#[test]
fn info_speaks_one_language() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cli_store(d);
    let vi = support::ok(support::hotline(d, d, &["info"]), "info");
    let en = support::ok(support::hotline(d, d, &["--lang", "en", "info"]), "info en");
    for line in [
        "kho trình diễn     không\n",
        "số phiếu           2\n",
        "số người dùng      3\n",
    ] {
        assert!(vi.contains(line), "{line:?} in\n{vi}");
    }
    for line in [
        "demo                  no\n",
        "tickets               2\n",
        "schema version        ",
    ] {
        assert!(en.contains(line), "{line:?} in\n{en}");
    }
    assert!(!vi.contains("tickets") && !vi.contains("schema"), "{vi}");
    assert!(
        en.chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| c.is_ascii()),
        "{en}"
    );
}
