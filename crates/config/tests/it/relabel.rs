//! relabel tests.
