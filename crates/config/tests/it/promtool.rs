//! promtool tests.
