#!/usr/bin/env python
"""Peer model Chemprop (directed message-passing NN) on the gru_hybrids drug-likeness folds.

Runs in its own env (see bench/setup_env.sh chemprop) and drives Chemprop only through its
``chemprop train`` command line, one subprocess per fit, with Chemprop's default architecture
and training schedule except the number of epochs.

Protocol (the one the gru_hybrids drug-likeness benchmark uses):

* data: ``bench/results/drug_likeness_folds.csv`` (850 molecules, label 1 = approved drug,
  label 0 = size-matched MOSES molecule), columns ``scaffold_fold`` and ``random_fold`` in 0..4;
* for split kind in (scaffold, random) and test fold k in 0..4: test = fold k,
  validation = fold (k+1) % 5 (Chemprop's checkpoint selection only: it keeps the epoch with
  the lowest validation loss and predicts the test fold with it), train = the other three folds;
* seed s sets both ``--pytorch-seed`` (weights) and ``--data-seed`` (batch shuffling);
* metrics per fold from the saved test probabilities: AUROC and AUPRC (average precision).

Outputs (in ``bench/results/``)::

    drug_likeness_chemprop_predictions.csv  split_kind, fold, seed, smiles, label, score
    drug_likeness_chemprop_summary.csv      split_kind, fold, seed, AUROC, AUPRC,
                                            fit_seconds, epochs_run, best_epoch

``fit_seconds`` is the wall time of the whole ``chemprop train`` subprocess (start-up,
featurisation, training, test prediction). ``best_epoch`` is 0-based.

Usage::

    bash bench/setup_env.sh chemprop
    ~/.cache/gru_hybrids/chemprop-venv/bin/python bench/drug_likeness_chemprop.py

Finished fits are cached under ``--work-dir``; a re-run reuses them (``--fresh`` discards them).
Self-contained: it does not import gru_hybrids.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
FOLDS_CSV = RESULTS / "drug_likeness_folds.csv"
SPLIT_KINDS = ("scaffold", "random")
N_FOLDS = 5


def chemprop_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("chemprop")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("chemprop")
    if found is None:
        sys.exit("`chemprop` not found: run bench/setup_env.sh chemprop and use its python")
    return [found]


def fold_indices(df: pd.DataFrame, split_kind: str, k: int) -> dict[str, list[int]]:
    f = df[f"{split_kind}_fold"].to_numpy()
    v = (k + 1) % N_FOLDS
    return {
        "train": np.flatnonzero((f != k) & (f != v)).tolist(),
        "val": np.flatnonzero(f == v).tolist(),
        "test": np.flatnonzero(f == k).tolist(),
    }


def epochs_from_logs(fit_dir: Path) -> tuple[int, int]:
    """(epochs run, 0-based best epoch) for a finished fit.

    Primary source: Lightning's per-epoch ``metrics.csv`` (copied into ``fit_dir``): epochs run =
    number of epochs with a validation loss, best = epoch of the lowest validation loss (the
    checkpoint Chemprop predicts with). Fallback for fits cached without it: the run log's
    ``max_epochs=N reached`` line and the ``best-epoch=E`` checkpoint name it prints.
    """
    metrics = fit_dir / "metrics.csv"
    if metrics.exists():
        m = pd.read_csv(metrics).dropna(subset=["val_loss"])
        return int(m["epoch"].nunique()), int(m.loc[m["val_loss"].idxmin(), "epoch"])
    log = (fit_dir / "chemprop.log").read_text()
    hit = re.search(r"`Trainer.fit` stopped: `max_epochs=(\d+)` reached", log)
    epochs_run = int(hit.group(1)) if hit else -1
    best = re.findall(r"best-epoch=(\d+)-", log)
    return epochs_run, int(best[-1]) if best else -1


def val_auroc_from_logs(fit_dir: Path) -> float:
    "Validation AUROC (`val/roc`) at the epoch of the lowest validation loss (the checkpoint used); NaN if not logged."
    m = pd.read_csv(fit_dir / "metrics.csv").dropna(subset=["val_loss"])
    if "val/roc" not in m: return float("nan")
    return float(m.loc[m["val_loss"].idxmin(), "val/roc"])


def run_fit(df, data_csv, split_kind, k, seed, args, work, extra=(), name="") -> tuple[pd.DataFrame, dict]:
    """One `chemprop train` fit of test fold `k`; `extra` are more CLI arguments (e.g. `--depth 5`,
    `--descriptors-columns lm_score`), `name` prefixes the cache folder so settings do not collide."""
    tag = f"{name}{split_kind}_fold{k}_seed{seed}"
    fit_dir = work / tag
    done = fit_dir / "fit.json"
    if done.exists() and (fit_dir / "preds.csv").exists():
        print(f"[cached] {tag}", flush=True)
        row = json.loads(done.read_text())
        row["epochs_run"], row["best_epoch"] = epochs_from_logs(fit_dir)
        return pd.read_csv(fit_dir / "preds.csv"), row

    if fit_dir.exists():
        shutil.rmtree(fit_dir)
    fit_dir.mkdir(parents=True)
    idx = fold_indices(df, split_kind, k)
    (fit_dir / "splits.json").write_text(json.dumps([idx]))
    out_dir = fit_dir / "chemprop"
    cmd = chemprop_cmd() + [
        "train",
        "--data-path", str(data_csv),
        "--smiles-columns", "smiles",
        "--target-columns", "label",
        "--task-type", "classification",
        "--splits-file", str(fit_dir / "splits.json"),
        "--epochs", str(args.epochs),
        "--pytorch-seed", str(seed),
        "--data-seed", str(seed),
        "--accelerator", "cpu",
        "--devices", "1",
        "--num-workers", "0",
        "--output-dir", str(out_dir),
        *extra,
    ]
    env = dict(os.environ)
    for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[v] = str(args.torch_threads)
    env["CUDA_VISIBLE_DEVICES"] = ""
    t0 = time.perf_counter()
    with open(fit_dir / "chemprop.log", "w") as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    fit_seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (fit_dir / "chemprop.log").read_text()[-3000:]
        raise RuntimeError(f"chemprop train failed for {tag} (rc={proc.returncode}):\n{tail}")

    model_dirs = sorted(out_dir.glob("**/model_0"))
    if len(model_dirs) != 1:
        raise RuntimeError(f"{tag}: expected one model_0 dir under {out_dir}, got {model_dirs}")
    model_dir = model_dirs[0]
    pred = pd.read_csv(model_dir / "test_predictions.csv")
    test = df.iloc[idx["test"]]
    if len(pred) != len(test) or not (pred["smiles"].to_numpy() == test["smiles"].to_numpy()).all():
        raise RuntimeError(f"{tag}: test predictions do not line up with the test fold")
    preds = pd.DataFrame({
        "split_kind": split_kind,
        "fold": k,
        "seed": seed,
        "smiles": test["smiles"].to_numpy(),
        "label": test["label"].to_numpy(),
        "score": pred["label"].to_numpy(dtype=float),
    })
    shutil.copy(next(model_dir.glob("trainer_logs/*/metrics.csv")), fit_dir / "metrics.csv")
    epochs_run, best_epoch = epochs_from_logs(fit_dir)
    row = {
        "split_kind": split_kind,
        "fold": k,
        "seed": seed,
        "AUROC": roc_auc_score(preds["label"], preds["score"]),
        "AUPRC": average_precision_score(preds["label"], preds["score"]),
        "fit_seconds": round(fit_seconds, 1),
        "epochs_run": epochs_run,
        "best_epoch": best_epoch,
        "val_AUROC": val_auroc_from_logs(fit_dir),
    }
    preds.to_csv(fit_dir / "preds.csv", index=False)
    done.write_text(json.dumps(row))
    if not args.keep_models:
        shutil.rmtree(out_dir, ignore_errors=True)
    print(f"[fit] {tag}: AUROC {row['AUROC']:.3f} AUPRC {row['AUPRC']:.3f} "
          f"{fit_seconds:.0f}s epochs {epochs_run} best {best_epoch}", flush=True)
    return preds, row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=50,
                    help="max epochs (Chemprop default 50; must exceed its 2 warm-up epochs)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--extra-scaffold-seeds", type=int, nargs="*", default=[1],
                    help="extra seeds run on the scaffold split only")
    ap.add_argument("--split-kinds", nargs="+", default=list(SPLIT_KINDS), choices=SPLIT_KINDS)
    ap.add_argument("--folds", type=int, nargs="+", default=list(range(N_FOLDS)))
    ap.add_argument("--torch-threads", type=int, default=1)
    ap.add_argument("--work-dir", type=Path,
                    default=Path.home() / ".cache" / "gru_hybrids" / "chemprop-runs")
    ap.add_argument("--fresh", action="store_true", help="discard cached fits first")
    ap.add_argument("--keep-models", action="store_true", help="keep Chemprop's output dirs")
    ap.add_argument("--out-prefix", default="drug_likeness_chemprop")
    args = ap.parse_args()
    if args.epochs <= 2:
        ap.error("--epochs must exceed Chemprop's 2 warm-up epochs")

    df = pd.read_csv(FOLDS_CSV)
    work = args.work_dir / f"epochs{args.epochs}"
    if args.fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    data_csv = work / "data.csv"
    df[["smiles", "label"]].to_csv(data_csv, index=False)

    jobs = [(sk, k, s) for s in args.seeds for sk in args.split_kinds for k in args.folds]
    if "scaffold" in args.split_kinds:
        jobs += [("scaffold", k, s) for s in args.extra_scaffold_seeds if s not in args.seeds
                 for k in args.folds]

    all_preds, rows = [], []
    for sk, k, s in jobs:
        p, r = run_fit(df, data_csv, sk, k, s, args, work)
        all_preds.append(p)
        rows.append(r)
        # write after every fit so partial results survive an interrupted run
        pd.concat(all_preds).to_csv(RESULTS / f"{args.out_prefix}_predictions.csv", index=False)
        pd.DataFrame(rows).to_csv(RESULTS / f"{args.out_prefix}_summary.csv", index=False,
                                  float_format="%.6g")

    summ = pd.DataFrame(rows)
    print("\nmean ± sd over folds:")
    agg = summ.groupby(["split_kind", "seed"]).agg(
        AUROC_mean=("AUROC", "mean"), AUROC_sd=("AUROC", "std"),
        AUPRC_mean=("AUPRC", "mean"), AUPRC_sd=("AUPRC", "std"),
        fit_seconds=("fit_seconds", "mean"), n=("fold", "size"))
    print(agg.round(3).to_string())


if __name__ == "__main__":
    main()
