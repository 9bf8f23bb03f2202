//! Prometheus text 0.0.4 and OpenMetrics 1.0 zero-copy parsers; encoders for /metrics and /federate.
