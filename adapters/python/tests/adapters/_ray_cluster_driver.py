"""Driver of test_ray_cluster.py, run as its own process so that it connects to the two-node cluster
without touching the pytest session's local Ray instance.

argv: RAY_ADDRESS ENDPOINT KEYS_DIR OUT_JSON

Connects to the cluster, runs two Nadir workers as Ray tasks (one CPU each; each node has one CPU, so
Ray must put one on each node) against the coordinator over CURVE, and writes the task summaries and
the cluster's node ids to OUT_JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ray

from nadir_worker.adapters.ray_tune import run_nadir_workers
from _ray_cluster_trial import train


def main() -> None:
    address, endpoint, keys, out = sys.argv[1:5]
    k = Path(keys)
    ray.init(address=address, log_to_driver=False, configure_logging=False)
    nodes = {n["NodeID"]: sorted(r for r in n["Resources"] if r.startswith("nadir_node_")) for n in ray.nodes() if n["Alive"]}
    summaries = run_nadir_workers(
        endpoint, train, 2, num_cpus=1, timeout=240, peer_prefix="cluster",
        server_key=(k / "server.public").read_text().strip(),
        public_key=(k / "w.public").read_text().strip(),
        secret_key=(k / "w.secret").read_text().strip(),
    )
    Path(out).write_text(json.dumps({"nodes": nodes, "summaries": summaries}))
    ray.shutdown()


if __name__ == "__main__":
    main()
