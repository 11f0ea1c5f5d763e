"""The outside world: HTTP, crawling, probes, the shared browser and evidence capture; page decoding and URLs."""

import sys

# httpx's package imports its command-line program when click and rich are installed (Textual brings
# rich; click comes with other tools): about 40 ms of every start of this program, and of each reader
# process, for a program this one never runs. Marked as not importable, httpx puts its "install
# httpx[cli]" stub in its place (its own fallback); nothing else of httpx changes.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
