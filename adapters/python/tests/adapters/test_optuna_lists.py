"""Optuna with the real built-in lists: each list trains its own NAdamW variant (list and non-list trials
alike), list and non-list trials carry the same parameter names, and pruners leave list points alone
unless told otherwise. The lists come from the real ``nadir lists show --json``, whose top-level
``variant`` (written by @nadir/core) is the reference."""

from __future__ import annotations

import json
import subprocess

import optuna
import pytest
from optuna.trial import TrialState

from _e2e import CLI
from nadir_worker.adapters import list_from_cli, load_list, optimizer_spec_from_point
from nadir_worker.adapters.optuna import (
    LIST_INDEX_ATTR,
    ListPointPruner,
    ListSampler,
    enqueue_list,
    export_study,
    list_attrs,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)

NODE_CLI = ["node", str(CLI)]
STEPS = 100
LISTS = ["medapati2025-nadamw@1", "algoperf-v0.5-nadamw-baseline@1"]


def cli_variant(name: str) -> str:
    raw = json.loads(subprocess.run([*NODE_CLI, "lists", "show", name, "--steps", str(STEPS), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    return raw["variant"]


def objective_recording(seen: dict[int, dict]):
    """The documented path: suggest the searched names, build the spec with the trial's list attributes."""

    def objective(trial: optuna.Trial) -> float:
        params = {
            "learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-2, log=True),
            "beta1": trial.suggest_float("beta1", 0.5, 0.999),
            "beta2": trial.suggest_float("beta2", 0.5, 0.9999),
            "weight_decay": trial.suggest_float("weight_decay", 1e-3, 1.0, log=True),
            "warmup_steps": trial.suggest_int("warmup_steps", 0, STEPS // 4),
            "label_smoothing": trial.suggest_categorical("label_smoothing", [0.0, 0.1, 0.2]),
            "dropout_rate": trial.suggest_categorical("dropout_rate", [0.0, 0.1]),
        }
        spec = optimizer_spec_from_point(params, STEPS, list_attrs=list_attrs(trial))
        seen[trial.number] = {"variant": spec.nadamw.variant.value, "epsilon": spec.nadamw.epsilon}
        return params["learning_rate"]

    return objective


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("path", ["enqueue", "sampler"])
def test_each_list_trains_its_own_variant_on_every_trial(name: str, path: str) -> None:
    expected = cli_variant(name)
    points = list_from_cli(name, STEPS, NODE_CLI)
    assert {p.variant for p in points} == {expected}
    base = optuna.samplers.RandomSampler(seed=0)
    study = optuna.create_study(sampler=ListSampler(points, base) if path == "sampler" else base)
    if path == "enqueue":
        enqueue_list(study, points)
    seen: dict[int, dict] = {}
    study.optimize(objective_recording(seen), n_trials=len(points) + 3)
    # The list trials and the sampler's trials after them all train the list's rule.
    assert {v["variant"] for v in seen.values()} == {expected}
    for t in study.trials[: len(points)]:
        attrs = list_attrs(t, study)
        assert attrs["variant"] == expected and attrs["index"] == t.number
        assert attrs["extras"]["epsilon"] == points[t.number].params["epsilon"] == seen[t.number]["epsilon"]
        assert attrs["extras"]["cosine_steps"] == points[t.number].params["cosine_steps"]
    for t in study.trials[len(points):]:
        assert list_attrs(t, study) == {"variant": expected}


@pytest.mark.parametrize("path", ["enqueue", "sampler"])
def test_list_and_other_trials_carry_the_same_parameter_names(path: str) -> None:
    points = list_from_cli("medapati2025-nadamw@1", STEPS, NODE_CLI)
    base = optuna.samplers.RandomSampler(seed=1)
    study = optuna.create_study(sampler=ListSampler(points, base) if path == "sampler" else base)
    if path == "enqueue":
        enqueue_list(study, points)
    study.optimize(objective_recording({}), n_trials=len(points) + 2)
    records = export_study(study._storage, study.study_name)  # noqa: SLF001
    names = {frozenset(r.params) for r in records}
    assert len(names) == 1, names  # epsilon, cosine_steps, warmup_fraction... stay out of params
    assert "epsilon" not in next(iter(names)) and "cosine_steps" not in next(iter(names))
    assert [r.list_index for r in records] == [*range(len(points)), None, None]


def test_a_study_variant_is_not_mixed() -> None:
    a = list_from_cli("medapati2025-nadamw@1", STEPS, NODE_CLI)
    b = list_from_cli("algoperf-v0.5-nadamw-baseline@1", STEPS, NODE_CLI)
    with pytest.raises(ValueError, match="mix NAdamW variants"):
        ListSampler([*a[:1], *b[1:2]])
    with pytest.raises(ValueError, match="mix NAdamW variants"):
        enqueue_list(optuna.create_study(), [*a[:1], *b[1:2]])


# ------------------------------------------------------------------------------------------------ pruning

# Point 0 is best at every step; points 1-3 are worse, so a median pruner with no warmup prunes them at
# their first report unless list points are protected. Non-list trials (lr = 0.5) are worse still.
PRUNE_POINTS = [{"lr": 0.01}, {"lr": 0.2}, {"lr": 0.3}, {"lr": 0.4}]


def prunable(trial: optuna.Trial) -> float:
    lr = trial.suggest_float("lr", 1e-3, 1.0)
    for step in range(1, 5):
        trial.report(lr + 1.0 / step, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return lr


def _pruned_study(path: str, protect: bool) -> optuna.Study:
    pts = load_list(PRUNE_POINTS)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0)
    sampler = optuna.samplers.RandomSampler(seed=0)
    if path == "sampler":
        fixed = optuna.samplers.PartialFixedSampler({"lr": 0.6}, optuna.samplers.RandomSampler(seed=0))
        sampler = ListSampler(pts, fixed, protect=protect)
    study = optuna.create_study(sampler=sampler, pruner=pruner)
    if path == "enqueue":
        enqueue_list(study, pts, protect=protect)
        for lr in (0.5, 0.6, 0.7):
            study.enqueue_trial({"lr": lr})
    study.optimize(prunable, n_trials=7)
    return study


@pytest.mark.parametrize("path", ["enqueue", "sampler"])
def test_pruners_leave_list_points_alone_by_default(path: str) -> None:
    study = _pruned_study(path, protect=True)
    assert isinstance(study.pruner, ListPointPruner)
    states = [t.state for t in study.trials]
    assert states[:4] == [TrialState.COMPLETE] * 4
    # The pruner still acts on the other trials, comparing them with the list trials' reports.
    assert states[4:] == [TrialState.PRUNED] * 3


@pytest.mark.parametrize("path", ["enqueue", "sampler"])
def test_protect_false_lets_the_pruner_prune_list_points(path: str) -> None:
    study = _pruned_study(path, protect=False)
    assert not isinstance(study.pruner, ListPointPruner)
    states = [t.state for t in study.trials]
    assert states[0] == TrialState.COMPLETE and states[1:4] == [TrialState.PRUNED] * 3
    assert all(LIST_INDEX_ATTR in t.user_attrs or LIST_INDEX_ATTR in t.system_attrs for t in study.trials[:4])
