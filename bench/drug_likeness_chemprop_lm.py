#!/usr/bin/env python
"""Chemprop given a language model's score, tuned by nested validation (issue #12, drug-likeness (b)).

Each variant is Chemprop 2.3.1 (``chemprop train``, one subprocess per fit, `drug_likeness_chemprop.run_fit`)
on the 5 scaffold test folds of ``bench/results/drug_likeness_folds.csv`` (test fold k, validation fold k+1 mod 5,
train the other three), seed 0, optionally given one molecule-level descriptor: a language model's zero-shot score
(its mean per-token loss, sign chosen on training folds, no label used), read from the fair bench's score files
(``--descriptors-columns lm_score``; Chemprop scales it on the training molecules and concatenates it to the
learned molecule vector before the FFN, whose input width grows from 300 to 301).

Nested tuning: a small grid (``GRID``) is fitted on the training folds; the setting with the best AUROC on the
validation fold (Chemprop's ``val/roc`` at the epoch of the lowest validation loss, i.e. of the checkpoint it
predicts with) is chosen per fold, and that fit's test predictions are reported. Test folds choose nothing.

Outputs (``bench/results/``): ``drug_likeness_chemprop_lm_scores.csv.gz`` (the fair bench's scores format:
fold, seed, method, smiles, label, score, chosen, fit_seconds), ``drug_likeness_chemprop_lm_fits.csv`` (every fit:
variant, setting, fold, validation and test AUROC, seconds) and ``drug_likeness_chemprop_lm.md``.

Usage (its own env, see the report)::

    nice -n 10 /work/venvs/chemprop-lm/bin/python bench/drug_likeness_chemprop_lm.py --variants shipped none nci
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from drug_likeness_chemprop import FOLDS_CSV, N_FOLDS, RESULTS, run_fit  # noqa: E402

# LM key -> (name as in `LMS` of drug_likeness_fair.py, score file(s), zero-shot method name in them)
LM_SCORES = {
    "shipped": ("the shipped LM (MOSES)", [RESULTS / f"drug_likeness_fair_scores_base_shipped_f{k}.csv.gz" for k in range(N_FOLDS)],
                "zero-shot score of the shipped LM (MOSES)"),
    "nci": ("an NCI LM (neither source)", [RESULTS / "drug_likeness_fair_scores_base_nci.csv.gz"],
            "zero-shot score of an NCI LM (neither source)"),
}
GRID = {"depth3": ["--depth", "3"], "depth5": ["--depth", "5"]}  # message-passing steps (3 = Chemprop's default)


def lm_score_column(df: pd.DataFrame, key: str) -> pd.Series:
    """The zero-shot score of LM `key` for every molecule of `df` (by SMILES); error if one is missing or the
    sign differs between folds (then the score would not be one label-free function of the molecule)."""
    _, files, method = LM_SCORES[key]
    sc = pd.concat([pd.read_csv(f) for f in files]).query("method == @method")
    if sc.chosen.nunique() != 1: raise ValueError(f"{key}: sign differs between folds: {sc.chosen.unique()}")
    if sc.smiles.duplicated().any(): raise ValueError(f"{key}: a molecule has two scores in {files}")
    s = df.smiles.map(sc.set_index("smiles").score)
    if s.isna().any():
        raise ValueError(f"{key}: no score for {s.isna().sum()} molecules, e.g. row {s.isna().idxmax()} of {FOLDS_CSV}")
    return s


def method_name(key: str) -> str:
    return "Chemprop 2.3.1, tuned" if key == "none" else f"Chemprop 2.3.1 + score of {LM_SCORES[key][0]}, tuned"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variants", nargs="+", default=["shipped", "none", "nci"], choices=["shipped", "none", "nci"])
    ap.add_argument("--settings", nargs="+", default=list(GRID), choices=list(GRID))
    ap.add_argument("--folds", type=int, nargs="+", default=list(range(N_FOLDS)))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--torch-threads", type=int, default=1)
    ap.add_argument("--keep-models", action="store_true")
    ap.add_argument("--work-dir", type=Path, default=Path.home() / ".cache" / "gru_hybrids" / "chemprop-lm-runs")
    ap.add_argument("--order", choices=["setting", "variant"], default="variant",
                    help="variant: all settings of one variant before the next")
    args = ap.parse_args()
    df = pd.read_csv(FOLDS_CSV)
    work = args.work_dir / f"epochs{args.epochs}"
    work.mkdir(parents=True, exist_ok=True)
    fits, preds = [], {}
    for v in args.variants:
        data_csv = work / f"data_{v}.csv"
        cols = df[["smiles", "label"]].copy()
        desc = []
        if v != "none":
            cols["lm_score"] = lm_score_column(df, v).to_numpy()
            desc = ["--descriptors-columns", "lm_score"]
        cols.to_csv(data_csv, index=False)
        for name in args.settings:
            for k in args.folds:
                p, r = run_fit(df, data_csv, "scaffold", k, args.seed, args, work, extra=[*GRID[name], *desc],
                               name=f"{v}_{name}_")
                fits.append(dict(variant=v, setting=name, fold=k, seed=args.seed, val_AUROC=r["val_AUROC"],
                                 test_AUROC=r["AUROC"], fit_seconds=r["fit_seconds"], best_epoch=r["best_epoch"]))
                preds[(v, name, k)] = p
                pd.DataFrame(fits).to_csv(RESULTS / "drug_likeness_chemprop_lm_fits.csv", index=False, float_format="%.4f")
                write_scores(pd.DataFrame(fits), preds, args.settings)


def write_scores(fits: pd.DataFrame, preds: dict, settings: list[str]) -> None:
    "Per variant and fold with every setting fitted: the setting with the best validation AUROC, its test predictions."
    rows = []
    for (v, k), g in fits.groupby(["variant", "fold"]):
        if set(g.setting) != set(settings): continue
        best = g.loc[g.val_AUROC.idxmax()]
        p = preds[(v, best.setting, k)]
        rows.append(p.assign(method=method_name(v), chosen=f"{best.setting} (validation AUROC {best.val_AUROC:.3f})",
                             fit_seconds=float(g.fit_seconds.sum()))[
            ["fold", "seed", "method", "smiles", "label", "score", "chosen", "fit_seconds"]])
    if rows: pd.concat(rows).to_csv(RESULTS / "drug_likeness_chemprop_lm_scores.csv.gz", index=False, float_format="%.6g")


if __name__ == "__main__":
    main()
