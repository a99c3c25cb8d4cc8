//! Ward-level administrative procedures with their processing times.

use super::csv_table;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// National code, e.g. "1.001193".
    pub code: String,
    pub name: String,
    pub field: String,
    /// As the portal states it; `None` where it gives none.
    pub processing_days: Option<u32>,
    /// The portal says "ngày làm việc".
    pub working_days: bool,
}

static PROCEDURES: LazyLock<Vec<Procedure>> = LazyLock::new(|| {
    csv_table::rows(include_str!("../../data/procedures_sample.csv"))
        .into_iter()
        .filter(|r| !r.get("code").is_empty())
        .map(|r| Procedure {
            code: r.get("code").to_string(),
            name: r.get("name").to_string(),
            field: r.get("field").to_string(),
            // "0.12" (one hour) rounds up to a day.
            processing_days: r
                .get("processing_days")
                .parse::<f64>()
                .ok()
                .map(|d| d.ceil().max(1.0) as u32),
            working_days: r.get("processing_unit") == "working_days",
        })
        .collect()
});

pub fn procedures() -> &'static [Procedure] {
    &PROCEDURES
}

pub fn procedure(code: &str) -> Option<&'static Procedure> {
    PROCEDURES.iter().find(|p| p.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedures_parse_with_days() {
        assert_eq!(procedures().len(), 112);
        let p = procedure("1.000419").unwrap();
        assert_eq!(p.processing_days, Some(5));
        assert!(p.working_days);
        assert!(
            procedures()
                .iter()
                .filter(|p| p.processing_days.is_some())
                .count()
                > 80
        );
        assert!(procedure("2.000884")
            .unwrap()
            .name
            .starts_with("Chứng thực chữ ký"));
    }
}
