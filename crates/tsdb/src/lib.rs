//! Vigil's TSDB: head with compressed chunks, inverted index, WAL with checkpoints, retention.
