//! serialize tests.
