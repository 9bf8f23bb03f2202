//! Tests for scalar types.
