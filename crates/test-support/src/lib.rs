//! Test support: the promqltest runner (binary promqltest) and helpers.
