//! Golden tests: each `testdata/<name>.<text|om>.txt` is parsed and rendered one entry per line
//! (the `Display` of `Entry`, then `ERROR line:col: message` if parsing fails) and compared with
//! `testdata/<name>.<text|om>.expected`. Run with `UPDATE_GOLDEN=1` to rewrite the expectations,
//! then review the diff.

use std::path::Path;

use vigil_exposition::{Format, Parser};

fn render(input: &[u8], format: Format) -> String {
    let mut p = Parser::new(input, format);
    let mut out = String::new();
    loop {
        match p.next() {
            Ok(Some(e)) => out.push_str(&format!("{e}\n")),
            Ok(None) => return out,
            Err(e) => {
                let pos = e.position();
                out.push_str(&format!("ERROR {}:{}: {}\n", pos.line, pos.column, e.message()));
                return out;
            }
        }
    }
}

#[test]
fn golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut entries: Vec<_> =
        std::fs::read_dir(&dir).map(|rd| rd.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    entries.sort();
    let (mut passed, mut failed) = (0, 0);
    let mut mismatches = Vec::new();
    for input in entries {
        let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(stem) = name.strip_suffix(".txt") else {
            continue;
        };
        let format = if stem.ends_with(".om") {
            Format::OpenMetrics
        } else if stem.ends_with(".text") {
            Format::Text
        } else {
            continue;
        };
        let got = render(&std::fs::read(&input).unwrap_or_default(), format);
        let expected_path = dir.join(format!("{stem}.expected"));
        if update {
            std::fs::write(&expected_path, &got).unwrap_or_else(|e| panic!("write {}: {e}", expected_path.display()));
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got == want {
            passed += 1;
        } else {
            failed += 1;
            mismatches.push(format!("{name}:\n--- expected\n{want}--- got\n{got}"));
        }
    }
    println!("golden: {passed} passed, {failed} failed");
    assert!(passed >= 7, "golden files missing");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
