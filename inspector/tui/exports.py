"""The office exports from the TUI: the quarter's workbook and one site's PDF report, made in thread workers.

Both are the core's (:mod:`inspector.core.submission.office`); the file's full path is shown when done,
the reason in one line when not.
"""

from __future__ import annotations

from typing import Any, Callable

from inspector.core import texts
from inspector.tui.safe import clean


def _run(app: Any, what: str, make: Callable[[], Any]) -> None:
    def work() -> None:
        try:
            path = make()
        except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised into the UI
            app.call_from_thread(app.notify, clean(texts.error_text(exc), 300), title=f"{what} 失败 failed",
                                 severity="error", markup=False, timeout=10)
            return
        app.call_from_thread(app.notify, clean(str(path), 300), title=f"{what} 已保存 saved", markup=False, timeout=15)

    app.notify(f"正在生成 writing {what}…", markup=False, timeout=3)
    app.run_worker(work, thread=True, group="exports", name=what)


def export_quarter_workbook(app: Any) -> None:
    """The quarter's results as an .xlsx in the workspace's exports/ folder."""
    from inspector.core.submission.office import export_workbook

    ws, quarter = app.ws, app.quarter
    _run(app, "Excel", lambda: export_workbook(ws, quarter))


def print_report(app: Any, code: str) -> None:
    """One site's PDF report (Chromium) in the workspace's exports/ folder."""
    from inspector.core.submission.office import print_site_report

    ws, quarter = app.ws, app.quarter
    _run(app, "PDF 报告", lambda: print_site_report(ws, quarter, code))
