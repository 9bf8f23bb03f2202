//! scratch
#[cfg(test)]
mod scratch {
    use serde::Deserialize;
    use serde_saphyr::Spanned;
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner { a: Option<u32>, #[serde(default)] b: Vec<String> }
    #[derive(Debug, Deserialize)]
    #[serde(try_from = "Inner")]
    struct Checked { a: u32 }
    impl TryFrom<Inner> for Checked { type Error = String; fn try_from(i: Inner) -> Result<Self, String> { if i.a == Some(3) { Err("a is 3".into()) } else { Ok(Checked{a: i.a.unwrap_or(0)}) } } }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Top { x: Vec<Spanned<Inner>>, y: Option<Vec<Checked>>, d: Option<Dur> }
    #[derive(Debug)]
    struct Dur(i64);
    impl<'de> Deserialize<'de> for Dur { fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> { let s = String::deserialize(d)?; vigil_model::duration::parse_duration_ms(&s).map(Dur).map_err(serde::de::Error::custom) } }
    fn show(y: &str) {
        let opts = serde_saphyr::options! { with_snippet: false };
        match serde_saphyr::from_str_with_options::<Top>(y, opts) {
            Ok(t) => eprintln!("OK {t:?}"),
            Err(e) => eprintln!("ERR display={e} | user={} | loc={:?}", e.render_with_formatter(&serde_saphyr::UserMessageFormatter), e.location().map(|l| (l.line(), l.column()))),
        }
    }
    #[test]
    fn t() {
        show("x:\n  - a: 1\n    zz: 2\n");
        show("x:\n  - a: 1\n    a: 2\n");
        show("x: []\ny:\n  - a: 1\n  - a: 3\n    b: [q]\n");
        show("x: []\nd: 5x\n");
        show("x: []\nd: 5s\nd: 6s\n");
        show("base: &b\n  a: 7\nx:\n  - <<: *b\n    b: [z]\n");
        show("x:\n  - a: \"s\"\n");
        show("x: [\n");
        show("y: []\n");
        show("x: [{a: 1}]\ny: [{a: 2}]\nd: ~\n");
    }
}
