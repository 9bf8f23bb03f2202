//! A canonical one-line rendering of entries, used by golden tests and debugging output.
//!
//! Series print as their sorted label set (`__name__` included), the value in Go's format, then
//! `@timestamp` and the exemplar if present; strings print unescaped, Rust-debug quoted.

use std::fmt;

use super::Entry;
use crate::encode::format_float;

impl fmt::Display for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Series(s) => {
                write!(f, "SERIES {} {}", s.to_labels(), format_float(s.value()))?;
                if let Some(ts) = s.timestamp() {
                    write!(f, " @{ts}")?;
                }
                if let Some(ex) = s.exemplar() {
                    write!(f, " # {} {}", ex.to_labels(), format_float(ex.value()))?;
                    if let Some(ts) = ex.timestamp() {
                        write!(f, " @{ts}")?;
                    }
                }
                Ok(())
            }
            Entry::Help { name, help } => {
                write!(f, "HELP {:?} {:?}", name.unescape(), help.unescape())
            }
            Entry::Type { name, kind } => write!(f, "TYPE {:?} {}", name.unescape(), kind.as_str()),
            Entry::Unit { name, unit } => write!(f, "UNIT {:?} {unit:?}", name.unescape()),
            Entry::Comment(c) => write!(f, "COMMENT {c:?}"),
            Entry::Eof => f.write_str("EOF"),
        }
    }
}
