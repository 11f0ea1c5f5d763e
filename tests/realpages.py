"""Where the real government pages of shared/realpages are: beside the checkout (as CI lays it out)."""

from __future__ import annotations

import os
from pathlib import Path


def realpages_dir() -> Path:
    """``$INSPECTOR_REALPAGES``, else ``../shared/realpages`` next to this checkout, else /work/shared/realpages."""
    env = os.environ.get("INSPECTOR_REALPAGES")
    candidates = [Path(env)] if env else []
    candidates += [Path(__file__).resolve().parents[2] / "shared" / "realpages", Path("/work/shared/realpages")]
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError("shared/realpages not found beside the checkout (set INSPECTOR_REALPAGES)")
