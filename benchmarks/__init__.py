"""The benchmark harness: Rolodex's own throughput and latency, next to a trivial ceiling."""
