"""The report layer: what runs the notebooks and turns them into the monthly report.

- :mod:`.context` — what a notebook calls: :func:`start`, :class:`Run` (KPIs, exports,
  pseudonyms);
- :mod:`.notebooks` — which notebooks run; :mod:`.parameters` — their ``parameters`` cells
  and ``--param`` values, checked before any kernel starts;
- :mod:`.execute` — papermill in worker processes, one retry after a kernel failure;
  :mod:`.progress` — what the terminal shows meanwhile; :mod:`.logs` — the console's level and
  ``run.log``; :mod:`.signals` — Ctrl-C and SIGTERM, workers and kernels that end with the run;
- :mod:`.htmlexport` — the shareable HTML of a notebook; :mod:`.idguard` — customer ids
  replaced by pseudonyms in every file of the report, and the final scan;
  :mod:`.indexpage` — the month's KPIs against the last month's, as ``index.html``;
  :mod:`.partial` — what a run with ``--only`` keeps of the month's report;
- :mod:`.run` — :func:`~.run.run_report`: all of the above, written into a temporary folder
  and moved into place.

The command line (:mod:`cxreport.cli`) sits above this layer; the charts, the analyses and the
data contract below it.
"""
