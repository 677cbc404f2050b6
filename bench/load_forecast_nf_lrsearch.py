#!/usr/bin/env python
"""neuralforecast's GRU on the vic_elec day-ahead protocol with a validation-only learning-rate search (issue #12).

Runs in the peers env (``bench/setup_env.sh peers``) and reuses `load_forecast_peers.py`'s protocol, data and
`run_gru` (one fit on the rows before the first validation origin, early stopping on neuralforecast's validation
MAE over the validation span, every 100 steps, patience 5, weights of the best check restored). One call trains
one (variant, learning rate, seed) run and stores it in ``results/load_forecast_nf_runs/`` (forecasts + meta),
so the search can be run piece by piece on a shared machine and resumed; ``--combine`` then picks the learning
rate with the lowest best validation MAE of the first seed (validation only: the test days are never read for
it) and writes ``results/load_forecast_peers_nf_lrsearch_forecasts.csv.gz`` (the chosen rate's seeds and, with
more than one seed, their mean forecast) and ``..._meta.json`` (every rate's validation loss, steps, caps),
which `load_forecast_fair.py` reads.

    PY=~/.cache/gru_hybrids/peers-venv/bin/python
    $PY bench/load_forecast_nf_lrsearch.py run --lr 3e-3 --seed 1 --max-steps 2000
    $PY bench/load_forecast_nf_lrsearch.py import-committed      # lr 1e-3, seed 1 from load_forecast_peers.py (see below)
    $PY bench/load_forecast_nf_lrsearch.py combine --max-steps 2000

`import-committed` stores the committed `load_forecast_peers.py` run (lr 1e-3) of a seed as a search run when
that run stopped early (patience), below the search's step cap: training is deterministic on one CPU thread (a
re-run reproduced its validation MAE at steps 100 and 200 to the printed digit), and early stopping does not
depend on the cap, so a re-run with the higher cap would end at the same step with the same weights. Its test
forecasts have no noisy-temperature draws (the committed run predates them)."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_forecast_peers as lfp  # noqa: E402  (sets the thread environment before numpy/torch load)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

RUNS = lfp.RESULTS / "load_forecast_nf_runs"
OUT = "load_forecast_peers_nf_lrsearch"
CFG = dict(layers=1, hidden=64, dec_hidden=128, lr=1e-3, windows_batch_size=128, val_check_steps=100, patience=5,
           torch_threads=1)   # load_forecast_peers.py's configuration; max_steps / max_time from the command line


def run_name(exog: bool, lr: float, seed: int) -> str:
    return f"{'exog' if exog else 'noexog'}_lr{lr:g}_seed{seed}"


def long_frame(df: pd.DataFrame, method: str, split: str, origins: np.ndarray, pred: np.ndarray) -> pd.DataFrame:
    "Forecasts [origins x 48] in load_forecast_peers.py's long format."
    n = len(origins)
    return pd.DataFrame({"method": method, "split": split, "origin_time": np.repeat(df["time"].to_numpy()[origins], lfp.H),
                         "step": np.tile(np.arange(1, lfp.H + 1), n), "y_true": lfp.truth(df["y"].to_numpy(), origins).ravel(),
                         "y_pred": np.asarray(pred, float).ravel()})


def save_run(name: str, fc: pd.DataFrame, meta: dict) -> None:
    RUNS.mkdir(parents=True, exist_ok=True)
    fc.to_csv(RUNS / f"{name}.csv.gz", index=False, float_format="%.2f")
    (RUNS / f"{name}.json").write_text(json.dumps(meta, indent=1, default=float))
    lfp.log(f"wrote {RUNS / name}.*")


def cmd_run(a) -> None:
    df = lfp.load_vic_elec()
    valid, test = lfp.make_origins(df)
    name = run_name(a.exog, a.lr, a.seed)
    if (RUNS / f"{name}.json").exists() and not a.force: return lfp.log(f"{name}: already stored (--force to redo)")
    cfg = {**CFG, "lr": a.lr, "max_steps": a.max_steps, "max_time": a.max_time}
    t0 = time.perf_counter()
    r = lfp.run_gru(df, int(valid[0]), int(test[0]), {"valid": valid, "test": test}, a.exog, a.seed, cfg)
    report = {"valid": valid, "test": test}
    fc = pd.concat([long_frame(df, f"nf_GRU_{'exog' if a.exog else 'noexog'}[seed{a.seed}]", split, report[split.partition("|")[0]], p)
                    for split, (p, _) in r["preds"].items()], ignore_index=True)
    meta = {**{k: v for k, v in r.items() if k != "preds"}, "lr": a.lr, "cfg": cfg, "wall_s": round(time.perf_counter() - t0, 1),
            "hit_step_cap": r["steps_done"] >= a.max_steps, "source": "this script", "versions": lfp.versions()}
    save_run(name, fc, meta)


def cmd_import(a) -> None:
    "Store the committed load_forecast_peers.py run (lr 1e-3) of `seed` as a search run, if it stopped early below the cap."
    meta = json.loads((lfp.RESULTS / "load_forecast_peers_meta.json").read_text())
    key = f"{'exog' if a.exog else 'noexog'}_seed{a.seed}"
    r = next(r for r in meta["gru_runs"] if r["key"] == key)
    cfg = meta["gru_cfg"]
    if r["steps_done"] >= cfg["max_steps"] or r["steps_done"] >= a.max_steps:
        raise SystemExit(f"{key}: the committed run stopped at its step cap ({r['steps_done']}), not early: re-run it instead")
    fc = pd.read_csv(lfp.RESULTS / "load_forecast_peers_forecasts.csv.gz")
    method = f"nf_GRU_{'exog' if a.exog else 'noexog'}[seed{a.seed}]"
    fc = fc[fc.method == method]
    save_run(run_name(a.exog, cfg["lr"], a.seed), fc, {**r, "lr": cfg["lr"], "cfg": {**cfg, "max_steps": a.max_steps},
             "hit_step_cap": False, "source": f"committed load_forecast_peers.py run (step cap {cfg['max_steps']}, stopped early by "
             f"patience at step {r['steps_done']}): identical to a re-run with cap {a.max_steps}; no noisy-temperature forecasts"})


def stop_reason(r: dict) -> str:
    "Why a run ended: early stopping (patience checks without a better validation loss), the step cap, or both at once."
    patience_reached = r["steps_done"] - r["best_step"] >= r["cfg"]["patience"] * r["cfg"]["val_check_steps"]
    if not r["hit_step_cap"]:
        return "stopped early by patience" if patience_reached else f"stopped by the wall-clock cap ({r['cfg']['max_time']}), still improving"
    return "at the step cap, where patience also ran out" if patience_reached else "at the step cap, patience not reached"


def cmd_combine(a) -> None:
    df = lfp.load_vic_elec()
    variant = "exog" if a.exog else "noexog"
    runs = {p.stem: json.loads(p.read_text()) for p in sorted(RUNS.glob(f"{variant}_lr*_seed*.json"))}
    runs = {k: r for k, r in runs.items() if r["cfg"]["max_steps"] == a.max_steps}   # one equal step cap across rates
    first = min(r["seed"] for r in runs.values())
    trial = {r["lr"]: r for r in runs.values() if r["seed"] == first}
    best_lr = min(trial, key=lambda lr: trial[lr]["best_val_loss"])
    chosen = sorted((r for r in runs.values() if r["lr"] == best_lr), key=lambda r: r["seed"])
    parts = [pd.read_csv(RUNS / f"{run_name(a.exog, best_lr, r['seed'])}.csv.gz") for r in chosen]
    fc = pd.concat(parts, ignore_index=True)
    if len(chosen) > 1:   # the seeds' mean forecast, on the splits every seed has
        splits = set.intersection(*(set(p.split) for p in parts))
        g = fc[fc.split.isin(splits)].groupby(["split", "origin_time", "step"], as_index=False, sort=False).agg(y_true=("y_true", "first"), y_pred=("y_pred", "mean"))
        fc = pd.concat([fc, g.assign(method=f"nf_GRU_{variant}[seed-avg]")[fc.columns]], ignore_index=True)
    fc.to_csv(lfp.RESULTS / f"{OUT}_forecasts.csv.gz", index=False, float_format="%.2f")
    search = [{"lr": lr, "seed": r["seed"], "best_val_MAE": round(r["best_val_loss"], 2), "best_step": r["best_step"],
               "steps_done": r["steps_done"], "stopped": stop_reason(r), "fit_s": r["fit_s"], "source": r["source"]}
              for lr, r in sorted(trial.items())]
    meta = {"variant": variant, "step_cap": a.max_steps, "chosen_on": "validation: lowest best validation MAE (neuralforecast's valid loss "
            f"over the 56 validation days), seed {first}", "chosen_lr": best_lr, "search": search,
            "seeds_run_at_chosen_lr": [r["seed"] for r in chosen], "not_run": a.not_run,
            "runs": [{k: r[k] for k in ("key", "lr", "seed", "steps_done", "best_step", "best_val_loss", "hit_step_cap", "fit_s", "val_curve")} for r in runs.values()]}
    (lfp.RESULTS / f"{OUT}_meta.json").write_text(json.dumps(meta, indent=1, default=float))
    lfp.log(f"chosen lr {best_lr:g}; " + "; ".join(f"lr {s['lr']:g}: val MAE {s['best_val_MAE']} at step {s['best_step']} of {s['steps_done']}" for s in search))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for c in ("run", "import-committed", "combine"):
        p = sub.add_parser(c)
        p.add_argument("--noexog", dest="exog", action="store_false", help="the variant without future covariates")
        p.add_argument("--max-steps", type=int, default=2000, help="step cap, equal across the rates searched")
        if c != "combine": p.add_argument("--seed", type=int, default=1)
        else: p.add_argument("--not-run", default="", help="a sentence for the notes: what the search left out and why")
        if c == "run":
            p.add_argument("--lr", type=float, required=True)
            p.add_argument("--max-time", default="00:00:45:00", help="wall-clock safety cap per fit, DD:HH:MM:SS")
            p.add_argument("--force", action="store_true")
    a = ap.parse_args(argv)
    import logging
    for n in ("pytorch_lightning", "lightning", "lightning.pytorch"): logging.getLogger(n).setLevel(logging.ERROR)
    {"run": cmd_run, "import-committed": cmd_import, "combine": cmd_combine}[a.cmd](a)


if __name__ == "__main__":
    main()
