"""PyTorch Lightning and Hugging Face Trainer callbacks under the real coordinator. Those packages are
not dependencies of nadir-worker: each test is skipped when its package is absent (the plain JAX and
PyTorch loops are tested unconditionally in test_integrations.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from fixtures_coordinator import serve, toy_study
from nadir_worker import Worker

STEPS = 20
EVERY = 5
RNG = np.random.default_rng(3)
X = torch.from_numpy(RNG.normal(size=(32, 4)).astype(np.float32))
Y = X @ torch.from_numpy(RNG.normal(size=(4, 1)).astype(np.float32))


def test_lightning_callback(tmp_path: Path) -> None:
    pl = pytest.importorskip("lightning.pytorch")
    from nadir_worker.integrations.lightning import NadirCallback, nadamw_optimizers

    class Model(pl.LightningModule):
        def __init__(self, trial) -> None:
            super().__init__()
            self.net = torch.nn.Linear(4, 1)
            self.trial = trial

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = torch.mean((self.net(x) - y) ** 2)
            self.log("loss", loss)
            return loss

        def configure_optimizers(self):
            return nadamw_optimizers(self.trial, self)

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=32)
    study = toy_study("it-lightning", trials=1, steps=STEPS, parallelism=1, reportEverySteps=EVERY)
    with serve(tmp_path, study) as coord:
        with Worker(coord.endpoint, handle_signals=False) as w:
            for trial in w.trials():
                with trial:
                    trainer = pl.Trainer(max_steps=trial.step_budget, callbacks=[NadirCallback(trial)], logger=False,
                                         enable_checkpointing=False, enable_progress_bar=False, accelerator="cpu")
                    trainer.fit(Model(trial), loader)
                    assert trial.outcome == "completed"
        assert coord.wait(30) == 0
    rows = coord.export("jsonl")
    assert [(r["state"], r["steps"]) for r in rows] == [("COMPLETED", STEPS)]
    steps = [c["step"] for c in coord.export("curves-jsonl")]
    assert steps[: STEPS // EVERY] == list(range(EVERY, STEPS + 1, EVERY))


def test_huggingface_trainer_callback(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    from transformers import Trainer, TrainingArguments

    from nadir_worker.integrations.huggingface import NadirTrainerCallback, trainer_kwargs

    class Regressor(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = torch.nn.Linear(4, 1)

        def forward(self, x, labels=None):
            out = self.net(x)
            return {"loss": torch.mean((out - labels) ** 2), "logits": out}

    data = [{"x": X[i], "labels": Y[i]} for i in range(len(X))]
    study = toy_study("it-hf", trials=1, steps=STEPS, parallelism=1, reportEverySteps=EVERY)
    with serve(tmp_path, study) as coord:
        with Worker(coord.endpoint, handle_signals=False) as w:
            for trial in w.trials():
                with trial:
                    model = Regressor()
                    args = TrainingArguments(str(tmp_path / "hf"), max_steps=trial.step_budget, logging_steps=EVERY,
                                             per_device_train_batch_size=32, max_grad_norm=trial.optimizer.grad_clip_norm or 0.0,
                                             report_to=[], save_strategy="no", use_cpu=True)
                    Trainer(model, args, train_dataset=data, callbacks=[NadirTrainerCallback(trial)], **trainer_kwargs(trial, model)).train()
                    assert trial.outcome == "completed"
        assert coord.wait(30) == 0
    rows = coord.export("jsonl")
    assert [(r["state"], r["steps"]) for r in rows] == [("COMPLETED", STEPS)]
