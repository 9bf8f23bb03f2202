//! prometheus.yml: serde structs and validation with file:line:col errors. No behaviour.
