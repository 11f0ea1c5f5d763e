"""Government-website spot-check inspector (政府网站抽查)."""
__version__ = "0.1.0"
