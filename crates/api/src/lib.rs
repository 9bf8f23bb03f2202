//! HTTP API: Prometheus /api/v1 JSON, /metrics, /federate, lifecycle endpoints.
