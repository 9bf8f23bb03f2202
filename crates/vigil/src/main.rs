//! The `vigil` binary: CLI, wiring, ordered shutdown.

fn main() {}
