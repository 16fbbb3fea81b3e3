"""Ready-made workers that ship with the SDK, so that ``nadir run`` works from an install without a clone.

* :mod:`nadir_worker.examples.digits`: ``python -m nadir_worker.examples.digits --endpoint E`` is the
  worker of ``nadir run``'s default study: a small MLP on scikit-learn's bundled 8x8 digits (no download),
  trained with each trial's exact NAdamW. ``--framework jax`` (default; ``pip install
  'nadir-worker[jax,examples]'``) or ``--framework torch`` (``pip install 'nadir-worker[torch,examples]'``).
* :mod:`~nadir_worker.examples.digits_jax`, :mod:`~nadir_worker.examples.digits_torch`: the model and
  ``train(params, step_budget, seed, on_eval=None, eval_every=50, optimizer=None)`` of each framework,
  usable without a coordinator; :mod:`~nadir_worker.examples.digits_task`: the data split, defaults and
  parameter checks both share.

Nothing here is imported by ``import nadir_worker``: the frameworks are optional extras.
"""
