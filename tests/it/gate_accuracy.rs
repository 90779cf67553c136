//! The gate on frames derived in code from the fixtures: at least 95% must agree with their
//! labels. Prints the confusion table (run with `--nocapture` to see it).

use crate::common;

use std::collections::BTreeMap;

use common::frames;
use faceki_kiosk::selfie::{Gate, GateSettings, Verdict};

#[test]
fn gate_agrees_with_labels() {
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    let cases = frames::labelled();
    let mut confusion: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (name, want, frame) in &cases {
        let report = gate.check(frame).unwrap();
        let got: &str = report.verdict.name();
        *confusion.entry((want, got)).or_default() += 1;
        if got != *want {
            wrong.push(format!(
                "{name}: want {want}, got {got} {:?}",
                report.metrics
            ));
        }
        println!("{name:28} want {want:15} got {got:15} {:?}", report.metrics);
    }
    let names: Vec<&str> = Verdict::ALL.iter().map(|v| v.name()).collect();
    println!(
        "\nconfusion (rows: label, columns: gate)\n{:>15} {}",
        "",
        names
            .iter()
            .map(|n| format!("{:>6}", &n[..n.len().min(6)]))
            .collect::<String>()
    );
    for want in &names {
        let row: String = names
            .iter()
            .map(|got| format!("{:>6}", confusion.get(&(*want, *got)).copied().unwrap_or(0)))
            .collect();
        println!("{want:>15} {row}");
    }
    let agree = cases.len() - wrong.len();
    let share = agree as f32 / cases.len() as f32;
    println!("\n{agree}/{} agree ({:.1}%)", cases.len(), share * 100.0);
    for w in &wrong {
        println!("  {w}");
    }
    assert!(
        share >= 0.95,
        "only {:.1}% agree:\n{}",
        share * 100.0,
        wrong.join("\n")
    );
    // The costly mistake is letting a bad frame through to a paid call: none may.
    let false_ok: Vec<_> = confusion
        .iter()
        .filter(|((w, g), _)| *w != "ok" && *g == "ok")
        .collect();
    assert!(false_ok.is_empty(), "bad frames judged ok: {false_ok:?}");
}
