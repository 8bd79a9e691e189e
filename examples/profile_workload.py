"""A small workload for `rustify.profile()`: nearest neighbours over random points.

Some of it translates (plain numeric loops on lists of floats), some of it does
not (a `collections.Counter` of labels), so the profile shows both kinds of verdict. Used by
examples/profile_notebook.ipynb and the tests.
"""

from __future__ import annotations

import math
import random
from collections import Counter


def distance(p, q):
    total = 0.0
    for i in range(len(p)):
        d = p[i] - q[i]
        total += d * d
    return math.sqrt(total)


def smooth(xs, window):
    out = []
    for i in range(len(xs) - window + 1):
        s = 0.0
        for j in range(i, i + window):
            s += xs[j]
        out.append(s / window)
    return out


def label_counts(labels):
    counts = Counter()
    for label in labels:
        counts[label] += 1
    return counts


class Stats:
    @staticmethod
    def spread(xs):
        lo = xs[0]
        hi = xs[0]
        for x in xs:
            if x < lo:
                lo = x
            if x > hi:
                hi = x
        return hi - lo


def make_data(n_points=40, dim=2000, n_signal=40_000, seed=0):
    """Random points, a noisy signal and a list of labels."""
    rng = random.Random(seed)
    return {
        "points": [[rng.uniform(-1.0, 1.0) for _ in range(dim)] for _ in range(n_points)],
        "signal": [math.sin(i / 50.0) + rng.gauss(0.0, 0.3) for i in range(n_signal)],
        "labels": [f"bucket-{rng.randrange(12)}" for _ in range(8 * n_signal)],
    }


def run_workload(data):
    """Nearest-neighbour distance of every point, a smoothed signal, its spread, label counts."""
    points = data["points"]
    nearest = []
    for i, p in enumerate(points):
        best = math.inf
        for j, q in enumerate(points):
            if i != j:
                best = min(best, distance(p, q))
        nearest.append(best)
    smoothed = smooth(data["signal"], 16)
    return {
        "nearest": nearest,
        "smoothed": smoothed,
        "spread": Stats.spread(smoothed),
        "counts": label_counts(data["labels"]),
    }
