//! Self-metrics plumbing: re-exports prometheus-client so components register their own Metrics.
