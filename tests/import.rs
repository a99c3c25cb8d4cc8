//! `hotline import dossiers`: good rows stored, every bad row reported with its
//! line and reason, re-import changes nothing, nothing panics.

use hotline::store::Store;
use hotline::sync::import_dossiers;
use proptest::prelude::*;

const CSV: &[u8] = include_bytes!("fixtures/dossiers_mixed.csv");
const JSONL: &[u8] = include_bytes!("fixtures/dossiers_mixed.jsonl");

#[test]
fn csv_good_rows_stored_bad_rows_reported() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (report, _) = import_dossiers(&store, CSV).unwrap();
    assert_eq!(report.added, 4, "{report:#?}");
    let lines: Vec<usize> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![4, 5, 6, 7, 9, 11, 12], "{report:#?}");
    let reason = |line: usize| {
        report
            .errors
            .iter()
            .find(|e| e.line == line)
            .unwrap()
            .reason
            .clone()
    };
    assert!(reason(4).contains("received_at"), "{}", reason(4));
    assert!(reason(5).contains("99999"), "{}", reason(5));
    assert!(
        reason(6).contains("duplicate code") && reason(6).contains("line 2"),
        "{}",
        reason(6)
    );
    assert!(reason(7).contains("fields"), "{}", reason(7));
    assert!(reason(9).contains("UTF-8"), "{}", reason(9));
    assert!(reason(11).contains("status"), "{}", reason(11));
    assert!(
        reason(12).contains("fields") || reason(12).contains("unreadable"),
        "{}",
        reason(12)
    );

    let d = store.dossier("000.00.01.H29-250812-0042").unwrap().unwrap();
    assert_eq!(d.applicant_phone.unwrap().as_str(), "0912345678");
    assert_eq!(d.sync, hotline::domain::SyncState::Error);
    let cleaned = store.dossier("000.00.01.H29-250814-0001").unwrap().unwrap();
    assert_eq!(
        cleaned.applicant_name, "Bùi Văn Tài",
        "NFC, escape sequence removed"
    );
    assert!(
        cleaned.procedure_name.starts_with("Chứng thực chữ ký"),
        "filled from the procedure list"
    );
    assert_eq!(store.dossiers_by_phone("0909111222").unwrap().len(), 1);

    let (again, _) = import_dossiers(&store, CSV).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 4));
    assert_eq!(store.dossier_count().unwrap(), 4);
}

#[test]
fn json_lines_are_imported_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (report, _) = import_dossiers(&store, JSONL).unwrap();
    assert_eq!(report.added, 2);
    assert_eq!(
        report.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert!(report.errors[0].reason.contains("JSON"));
    assert!(report.errors[1].reason.starts_with("phone:"));
}

#[test]
fn a_bad_file_loses_nothing_already_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    import_dossiers(&store, CSV).unwrap();
    let before: Vec<_> = store.all_dossiers().collect::<Result<_, _>>().unwrap();
    let (report, _) = import_dossiers(&store, b"not,a,dossier,file\n1,2,3,4\n").unwrap();
    assert_eq!(report.added, 0);
    assert!(
        report.errors[0].reason.contains("header lacks"),
        "{report:?}"
    );
    let (report, _) = import_dossiers(&store, &[0xff, 0xfe, 0x00, 0x01]).unwrap();
    assert_eq!(report.added, 0);
    let after: Vec<_> = store.all_dossiers().collect::<Result<_, _>>().unwrap();
    assert_eq!(before, after);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_bytes_never_panic(cut in 0usize..1605, junk in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = CSV[..cut.min(CSV.len())].to_vec();
        bytes.extend(junk);
        let _ = hotline::sync::parse_dossiers(&bytes);
    }
}
