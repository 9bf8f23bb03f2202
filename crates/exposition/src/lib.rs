//! Prometheus text 0.0.4 and OpenMetrics 1.0 zero-copy pull parsers, and a text-format encoder.
//!
//! # Design
//!
//! A scrape body is parsed line by line by [`Parser`], which hands out one [`Entry`] per
//! meaningful line. Nothing is allocated per sample: metric names, label names and values are
//! slices of the input ([`Escaped`]) and are unescaped only when they contain a backslash and the
//! caller asks. A [`Series`] keeps its label set as validated text and lexes it again on demand,
//! so a scraper whose cache already knows the series (by [`Series::raw_hash`]) never touches the
//! labels; on a miss it calls [`Series::to_labels`].
//!
//! The text format is parsed as leniently as Prometheus' scraper parses it. OpenMetrics is parsed
//! strictly and, with [`Validation::Full`] (the default), validated as a whole (metadata
//! placement, grouping, histogram shape, `# EOF`), so that it accepts exactly what the
//! OpenMetrics test suite accepts; [`Validation::SyntaxOnly`] skips the family rules, as
//! Prometheus' scraper does. [`MetadataCollector`] gathers HELP/TYPE/UNIT per family. Errors name the line, column
//! and byte offset and say what was expected. The parsers never panic; they are fuzzed.
//!
//! [`encode`] writes the text format for `/federate` and `/metrics`, with Go-compatible floats.
//!
//! ```
//! use vigil_exposition::{Entry, Format, Parser};
//! let body = b"# TYPE up gauge\nup{job=\"api\"} 1 1700000000000\n";
//! let mut p = Parser::new(body, Format::from_content_type("text/plain; version=0.0.4"));
//! let mut values = Vec::new();
//! while let Some(entry) = p.next()? {
//!     if let Entry::Series(s) = entry {
//!         assert_eq!(s.name().raw(), "up");
//!         assert_eq!(s.to_labels().get("job"), Some("api"));
//!         values.push((s.value(), s.timestamp()));
//!     }
//! }
//! assert_eq!(values, [(1.0, Some(1_700_000_000_000))]);
//! # Ok::<(), vigil_exposition::Error>(())
//! ```
#![deny(missing_docs)]

pub mod encode;
mod error;
mod escaped;
mod format;
mod lex;
mod metadata;
mod negotiate;
mod number;
mod parser;
pub mod protobuf;
pub mod remote_write;
mod series;

pub use error::{Error, Position, Result};
pub use escaped::Escaped;
pub use format::{Format, SCRAPE_ACCEPT_HEADER, TEXT_CONTENT_TYPE};
pub use metadata::{Metadata, MetadataCollector};
pub use negotiate::{BodyFormat, Negotiated, ScrapeProtocol, accept_header, negotiate};
pub use parser::{Entry, MetricType, Parser, Validation};
pub use series::{Exemplar, LabelIter, Series};
