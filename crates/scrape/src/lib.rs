//! Scrape manager: target pools, per-target loops, relabeling, limits, staleness, up/scrape_* series.
