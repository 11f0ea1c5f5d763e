"""The outside world: HTTP, crawling, probes, the shared browser and evidence capture; page decoding and URLs."""
