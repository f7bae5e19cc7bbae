"""Brute-force k-nearest-neighbour baselines for bench/audit_knn.bench.ts.

Reads row-major float32 query and candidate files written by the TypeScript side,
times scikit-learn's NearestNeighbors(algorithm="brute") and a chunked NumPy search on
them, writes the first neighbour of each query (int32) for a cross-check, and prints
the timings as one JSON line. Needs Debian's python3-sklearn (which brings NumPy).
"""
import argparse
import json
import os
import time

import numpy as np
import sklearn
from sklearn.neighbors import NearestNeighbors


def numpy_knn(queries, candidates, k, chunk=2048):
    """Squared distances |q|^2 - 2 q.c + |c|^2 per chunk of queries, k smallest sorted."""
    norms = np.einsum("ij,ij->i", candidates, candidates)
    out = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        q = queries[start:start + chunk]
        d2 = norms[None, :] - 2.0 * (q @ candidates.T) + np.einsum("ij,ij->i", q, q)[:, None]
        part = np.argpartition(d2, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(d2, part, axis=1).argsort(axis=1, kind="stable")
        out[start:start + chunk] = np.take_along_axis(part, order, axis=1)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", required=True)
    parser.add_argument("--candidates", required=True)
    parser.add_argument("--columns", type=int, required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--first-out", required=True, help="int32 file for the first neighbour of each query")
    args = parser.parse_args()

    queries = np.fromfile(args.queries, dtype=np.float32).reshape(-1, args.columns)
    candidates = np.fromfile(args.candidates, dtype=np.float32).reshape(-1, args.columns)

    started = time.perf_counter()
    model = NearestNeighbors(n_neighbors=args.k, algorithm="brute").fit(candidates)
    _, sklearn_indices = model.kneighbors(queries)
    sklearn_seconds = time.perf_counter() - started

    started = time.perf_counter()
    numpy_knn(queries, candidates, args.k)
    numpy_seconds = time.perf_counter() - started

    sklearn_indices[:, 0].astype(np.int32).tofile(args.first_out)
    print(json.dumps({
        "sklearn": {"seconds": sklearn_seconds, "version": sklearn.__version__},
        "numpy": {"seconds": numpy_seconds, "version": np.__version__},
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
