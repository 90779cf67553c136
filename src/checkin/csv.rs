//! CSV export of the check-in log, for the branch manager's spreadsheet.

use std::io::Write;

use super::Row;

/// Column names, in order.
pub const HEADER: [&str; 10] = [
    "time",
    "outcome",
    "detail",
    "faceki_code",
    "duration_ms",
    "name",
    "local_name",
    "document_masked",
    "reference_id",
    "id",
];

/// Writes `rows` as RFC 4180 CSV with a UTF-8 byte-order mark (so spreadsheet programs show
/// Arabic names correctly). Cells a spreadsheet would run as a formula get a leading `'`.
pub fn write_csv(rows: &[Row], out: impl Write) -> std::io::Result<()> {
    write_table(
        &HEADER,
        rows.iter().map(|r| {
            let c = &r.checkin;
            let opt = |s: &Option<String>| defuse(s.as_deref().unwrap_or(""));
            vec![
                r.local_time.clone(),
                c.outcome.clone(),
                c.detail.clone(),
                c.code.map(|c| c.to_string()).unwrap_or_default(),
                c.duration_ms.to_string(),
                opt(&c.name),
                opt(&c.local_name),
                opt(&c.document_masked),
                opt(&c.reference_id),
                r.id.to_string(),
            ]
        }),
        out,
    )
}

/// The one CSV writer (the kiosk's export and the fleet dashboard's): a UTF-8 byte-order mark,
/// the header, then the records as given. Cells from outside (names) must be [`defuse`]d first.
pub fn write_table(
    header: &[&str],
    records: impl IntoIterator<Item = Vec<String>>,
    out: impl Write,
) -> std::io::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    w.write_record(header).map_err(io)?;
    for r in records {
        w.write_record(&r).map_err(io)?;
    }
    w.flush()
}

/// Writes `rows` to the file `out` (its folder made if needed), as [`write_csv`] does.
pub fn write_csv_file(rows: &[Row], out: &std::path::Path) -> std::io::Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    write_csv(rows, &mut w)?;
    w.flush()
}

/// Names come from FACEKI's records: never let one become a spreadsheet formula.
pub fn defuse(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkin::Checkin;

    fn row(id: i64, name: &str, local: Option<&str>) -> Row {
        Row {
            id,
            local_time: "2026-11-25 09:30:00".into(),
            checkin: Checkin {
                uuid: crate::checkin::new_uuid(),
                at: 0,
                outcome: "pass".into(),
                detail: String::new(),
                code: Some(0),
                duration_ms: 640,
                name: Some(name.into()),
                local_name: local.map(str::to_owned),
                document_masked: Some("•••••1234".into()),
                reference_id: Some("ref,\"1\"".into()),
            },
        }
    }

    #[test]
    fn round_trips_commas_quotes_newlines_and_arabic() {
        let rows = vec![
            row(1, "Smith, John \"Jack\"", Some("جون سميث")),
            row(2, "Line\nbreak", None),
            row(3, "إيلين ماري سبيسمن 2", Some("إيلين")),
        ];
        let mut buf = Vec::new();
        write_csv(&rows, &mut buf).unwrap();
        assert!(buf.starts_with("\u{feff}".as_bytes()));
        let mut r = csv::Reader::from_reader(&buf[3..]);
        assert_eq!(r.headers().unwrap(), HEADER.as_slice());
        let back: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(back.len(), 3);
        for (rec, row) in back.iter().zip(&rows) {
            assert_eq!(&rec[5], row.checkin.name.as_deref().unwrap());
            assert_eq!(&rec[6], row.checkin.local_name.as_deref().unwrap_or(""));
            assert_eq!(&rec[7], "•••••1234");
            assert_eq!(&rec[8], "ref,\"1\"");
            assert_eq!(&rec[9], row.id.to_string());
        }
    }

    #[test]
    fn formulas_are_defused() {
        let mut buf = Vec::new();
        write_csv(&[row(1, "=HYPERLINK(\"x\")", None)], &mut buf).unwrap();
        let mut r = csv::Reader::from_reader(&buf[3..]);
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[5], "'=HYPERLINK(\"x\")");
    }
}
