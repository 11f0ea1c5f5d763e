"""The demo region: fixture government websites with known problems and their ground truth."""

from inspector.demo.region import SITES, DemoRegion, DemoSiteSpec, registry_rows, serve_region

__all__ = ["SITES", "DemoRegion", "DemoSiteSpec", "registry_rows", "serve_region"]
