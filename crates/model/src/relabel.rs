//! Relabeling: the compiled rules and their application to a label set.
//!
//! The YAML shape lives in `vigil-config`, which compiles into [`RelabelRule`]s here.
//! (Filled in by the config work; see ARCHITECTURE.md.)
