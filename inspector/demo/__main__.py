"""``python -m inspector.demo --as-of 2026-11-20 [--port 18701]``: serve the region until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading
from datetime import date

from inspector.demo.region import SITES, serve_region


def main(argv: list[str] | None = None) -> int:
    """Serve the demo region in the foreground and print its sites."""
    parser = argparse.ArgumentParser(prog="python -m inspector.demo", description=__doc__)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today(),
                        help="monitoring date the content is dated against (YYYY-MM-DD)")
    parser.add_argument("--port", type=int, default=0, help="base port (site i on PORT+i); 0 = ephemeral")
    args = parser.parse_args(argv)
    try:
        region = serve_region(args.as_of, base_port=args.port)
    except OSError as exc:
        print(f"cannot bind the demo ports: {exc}", file=sys.stderr)
        return 2
    with region:
        print(f"demo region, as of {args.as_of.isoformat()} (Ctrl-C to stop)")
        for spec in SITES:
            verdict = region.truth(spec.code)["verdict"]["result"]
            print(f"  {spec.code}  {region.urls[spec.code]:<28} {verdict:<6} {spec.name}")
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
