"""End to end with OSS Vizier (a DefaultVizierServer on localhost, in-memory SQL): its first trials are
exactly the list ``nadir lists show --steps`` materialises, trained by the real digits MLP
(examples/vizier), recorded by VizierRecorder and analysed by the real ``nadir analyze``."""

from __future__ import annotations

import json
from pathlib import Path

from vizier._src.service import constants
from vizier.service import clients, servers

from _e2e import LIST_NAME, check_analyze, cli_list, load_example

STEPS = 100


def test_list_first_real_training_recorder_and_analyze(tmp_path: Path) -> None:
    ex = load_example("vizier", "vizier_digits")
    server = servers.DefaultVizierServer(host="localhost", database_url=constants.SQL_MEMORY_URL)
    saved = clients.environment_variables.server_endpoint
    clients.environment_variables.server_endpoint = server.endpoint
    try:
        study, points, trials_file = ex.run(tmp_path, steps=STEPS, trials=7, list_name=LIST_NAME, study_id="e2e")
        records = [json.loads(line) for line in trials_file.read_text().splitlines()]
        trials = list(study.trials().get())
    finally:
        clients.environment_variables.server_endpoint = saved
        server._server.stop(None)  # noqa: SLF001 - DefaultVizierServer has no public stop
    assert len(records) == len(trials) == 7
    ref = cli_list(STEPS)["configs"]
    # The recorder writes trials in the order they completed (one client, so the order Vizier handed them
    # out): the first five are the list points in list order (Vizier hands REQUESTED trials out before its
    # algorithm, last-created first, so request_list queued them in reverse: point k has trial id 5 - k).
    first = records[:5]
    assert [r["list_index"] for r in first] == [0, 1, 2, 3, 4]
    for r in first:
        k = r["list_index"]
        cfg = ref[k]
        hp = cfg["hyperparameters"]
        assert (r["trial"], r["state"]) == (5 - k, "COMPLETED")
        assert r["params"] == {
            "learning_rate": hp["learning_rate"], "beta1": hp["beta1"], "beta2": hp["beta2"],
            "weight_decay": hp["weight_decay"], "warmup_steps": cfg["warmup_steps"],
            "label_smoothing": hp["label_smoothing"], "dropout_rate": hp["dropout_rate"],
        }
        assert [s for s, _ in r["intermediate"]] == [25, 50, 75, 100]
        assert 0 < r["value"] < 1 and r["value"] == r["intermediate"][-1][1]
    trials = {t.id: t for t in trials}
    for r in records:
        assert r["value"] == trials[r["trial"]].final_measurement.metrics["validation/error_rate"].value
    for r in records[5:]:
        assert r["list_index"] is None and r["state"] == "COMPLETED"
    check_analyze(trials_file, records)
