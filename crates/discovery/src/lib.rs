//! Service discovery: static targets now; file, http and Kubernetes later. Emits TargetGroups.
