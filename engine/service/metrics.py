"""Prometheus text exposition (format 0.0.4), written by hand: counters and histograms.

Exposed at `GET /metrics`:

    greenpark_http_requests_total{method,route,status}         status 499: the client hung up before its
                                                              body had arrived (nothing was sent)
    greenpark_http_request_duration_seconds{route}            histogram
    greenpark_assessments_total{outcome}
    greenpark_assessment_duration_seconds                     histogram (time in the worker)
    greenpark_worker_restarts_total{reason}
    greenpark_workers{state}                                  gauge: ready, busy
    greenpark_assessments_waiting                             gauge
"""
from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict
from typing import Any

__all__ = ["Metrics", "MetricsMiddleware"]

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    if not pairs:
        return ""
    esc = [(k, str(v).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')) for k, v in pairs]
    return "{" + ",".join(f'{k}="{v}"' for k, v in esc) + "}"


class _Histogram:
    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.total = 0.0

    def observe(self, v: float) -> None:
        self.counts[bisect.bisect_left(BUCKETS, v)] += 1
        self.total += v

    def lines(self, name: str, labels: tuple[tuple[str, str], ...]) -> list[str]:
        out, acc = [], 0
        for bound, n in zip((*BUCKETS, float("inf")), self.counts):
            acc += n
            le = "+Inf" if bound == float("inf") else repr(bound)
            out.append(f"{name}_bucket{_labels((*labels, ('le', le)))} {acc}")
        out.append(f"{name}_sum{_labels(labels)} {self.total:.6f}")
        out.append(f"{name}_count{_labels(labels)} {acc}")
        return out


class Metrics:
    """Thread-safe counters; `render(pool)` adds the pool's live gauges."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple, int] = defaultdict(int)
        self.durations: dict[tuple, _Histogram] = defaultdict(_Histogram)
        self.assessments: dict[str, int] = defaultdict(int)
        self.assess_seconds = _Histogram()
        self.started = time.time()

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(("method", method), ("route", route), ("status", str(status)))] += 1
            self.durations[(("route", route),)].observe(seconds)

    def observe_assessment(self, outcome: str, seconds: float | None = None) -> None:
        with self._lock:
            self.assessments[outcome] += 1
            if seconds is not None:
                self.assess_seconds.observe(seconds)

    def render(self, pool: Any = None) -> str:
        """The exposition text."""
        with self._lock:
            out = ["# HELP greenpark_http_requests_total HTTP requests by route and status.",
                   "# TYPE greenpark_http_requests_total counter"]
            out += [f"greenpark_http_requests_total{_labels(k)} {v}" for k, v in sorted(self.requests.items())]
            out += ["# HELP greenpark_http_request_duration_seconds HTTP request duration.",
                    "# TYPE greenpark_http_request_duration_seconds histogram"]
            for k, h in sorted(self.durations.items()):
                out += h.lines("greenpark_http_request_duration_seconds", k)
            out += ["# HELP greenpark_assessments_total Assessments by outcome.",
                    "# TYPE greenpark_assessments_total counter"]
            out += [f"greenpark_assessments_total{_labels((('outcome', k),))} {v}"
                    for k, v in sorted(self.assessments.items())]
            out += ["# HELP greenpark_assessment_duration_seconds Time an assessment spent in its worker.",
                    "# TYPE greenpark_assessment_duration_seconds histogram"]
            out += self.assess_seconds.lines("greenpark_assessment_duration_seconds", ())
        if pool is not None:
            out += ["# HELP greenpark_worker_restarts_total Assessment workers replaced, by reason.",
                    "# TYPE greenpark_worker_restarts_total counter"]
            reasons = dict(pool.stats.restart_reasons)
            for reason in ("crash", "timeout"):
                out.append(f'greenpark_worker_restarts_total{{reason="{reason}"}} {reasons.get(reason, 0)}')
            out += ["# HELP greenpark_workers Assessment workers by state.", "# TYPE greenpark_workers gauge",
                    f'greenpark_workers{{state="ready"}} {pool.ready_count}',
                    f'greenpark_workers{{state="busy"}} {pool.busy_count}',
                    "# HELP greenpark_assessments_waiting Assessments waiting for a worker.",
                    "# TYPE greenpark_assessments_waiting gauge", f"greenpark_assessments_waiting {pool.waiting}"]
        out += ["# HELP greenpark_start_time_seconds Process start time.",
                "# TYPE greenpark_start_time_seconds gauge", f"greenpark_start_time_seconds {self.started:.3f}"]
        return "\n".join(out) + "\n"


class MetricsMiddleware:
    """Pure ASGI middleware counting requests by route template and status."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), [500]

        async def _send(message: dict) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = getattr(scope.get("route"), "path", None) or \
                ("/docs/assets" if scope["path"].startswith("/docs/assets/") else "unmatched")   # the docs' bundles
            self.metrics.observe_http(scope["method"], route, status[0], time.perf_counter() - start)
