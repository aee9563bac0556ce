"""Draw the benchmark plot from a results file written by run.py.

    .venv/bin/python benchmarks/plot.py [RESULTS_JSON] [PNG]

Defaults: benchmarks/results/latest.json and docs/performance.png. The left
panel shows the listing cases against the number of tasks, and the right panel
the fix cases against the number of tasks in error. Both axes are logarithmic.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 (the backend must be chosen first)

BENCHMARK_DIR = Path(__file__).resolve().parent
DEFAULT_RESULTS = BENCHMARK_DIR / "results" / "latest.json"
DEFAULT_PLOT = BENCHMARK_DIR.parent / "docs" / "performance.png"

MARKERS = ("o", "s", "^", "D", "v", "P")


def _draw_group(axes, rows: list[dict], group: str) -> None:
    labels = []
    for row in rows:
        if row["group"] == group and row["label"] not in labels:
            labels.append(row["label"])

    ends = []
    for index, label in enumerate(labels):
        points = sorted((row["size"], row["wall_seconds_median"]) for row in rows
                        if row["group"] == group and row["label"] == label)
        axes.plot([size for size, _ in points], [wall for _, wall in points], marker=MARKERS[index % len(MARKERS)],
                  label=label)
        ends.append(points[-1])

    # Label the last point of each line, moving a label up when it would overlap the one below it.
    previous_log = None
    offset = 0
    for size, wall in sorted(ends, key=lambda point: point[1]):
        log_wall = math.log10(wall)
        offset = offset + 8 if previous_log is not None and log_wall - previous_log < 0.08 else 0
        previous_log = log_wall
        axes.annotate(f"{wall:.1f} s", (size, wall), textcoords="offset points", xytext=(6, offset - 3), fontsize=8)

    axes.set_xscale("log")
    axes.set_yscale("log")
    # Room above the highest line for the legend.
    bottom, top = axes.get_ylim()
    axes.set_ylim(bottom, top * 8)
    axes.grid(True, which="both", linewidth=0.3)


def write_plot(results: dict, path: Path) -> None:
    """Write the two-panel PNG of ``results`` (the document run.py writes) to ``path``."""
    rows = results["summary"]
    latency_ms = results["settings"]["latency_seconds"] * 1000

    figure, (listing, fix) = plt.subplots(1, 2, figsize=(11, 4.4))
    _draw_group(listing, rows, "listing")
    for row in rows:
        if row["group"] == "baseline":
            listing.axhline(row["wall_seconds_median"], color="grey", linestyle="--", linewidth=0.8,
                            label=f"{row['label']} ({row['wall_seconds_median']:.1f} s)")
    listing.legend(fontsize=8, loc="upper left")
    listing.set_title(f"List every task with its details ({latency_ms:g} ms per API request)", fontsize=10)
    listing.set_xlabel("tasks")
    listing.set_ylabel("wall time (s), median")

    _draw_group(fix, rows, "fix")
    fix.set_title(f"Correct and relaunch the tasks in error (among {results['settings']['fix_scenario_tasks']:,})",
                  fontsize=10)
    fix.set_xlabel("tasks in error")
    fix.set_ylabel("wall time (s), median")
    fix.legend(fontsize=8, loc="upper left")

    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)


def main(argv: list[str]) -> int:
    results_path = Path(argv[0]) if argv else DEFAULT_RESULTS
    plot_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PLOT
    write_plot(json.loads(results_path.read_text(encoding="utf-8")), plot_path)
    print(f"Wrote {plot_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
