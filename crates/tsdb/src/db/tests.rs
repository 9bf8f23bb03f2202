//! Db tests.
