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

Usage::

    nice -n 10 /work/venvs/chemprop-lm/bin/python bench/drug_likeness_chemprop_lm.py --epochs 50 --variants shipped none nci
    nice -n 10 /work/venvs/chemprop-lm/bin/python bench/drug_likeness_chemprop_lm.py --variants none --folds 0   # one fold's grid
    /work/venvs/chemprop-lm/bin/python bench/drug_likeness_chemprop_lm.py --cached-only   # rewrite the files from the cache

``--variants``/``--settings``/``--folds`` say which fits to run; every finished fit in the cache (any variant, setting,
fold) is collected into the output files, so runs can be split and resumed. A fresh fit records the 1-minute load
average at its end (``load.json`` in its folder, column ``load1_at_end``): the seconds depend on the shared machine.
    cd bench && PYTHONPATH=.. /work/main/.venv/bin/python drug_likeness_chemprop_lm.py --report 50   # the md, library env

Environment: ``bench/setup_env.sh chemprop``'s venv (``~/.cache/gru_hybrids/chemprop-venv``) was found half-installed
(no chemprop, a partial torch), so the results here came from ``/work/venvs/chemprop-lm``: a plain venv whose
``.pth`` adds the library env's site-packages (torch 2.14.1, numpy 2.4.6, pandas 3.1.1, scikit-learn 1.9.1, as pinned in
``bench/requirements-chemprop.txt``), plus ``--no-deps`` installs of that file's chemprop 2.3.1, rdkit 2026.3.6,
lightning / pytorch-lightning 2.6.6, torchmetrics 1.9.0, ConfigArgParse 1.9.0, descriptastorus 2.8.0, astartes 1.3.3
and chemprop's import-time deps found in the old venv (multiprocess 0.70.19, dill 0.4.1, lightning-utilities 0.15.3,
cuik-molmaker-pin 2026.3.6, myerson 1.0.1, aimsim-core 2.2.3, mhfp 1.9.6, mordredcommunity 2.0.7, padelpy 0.1.17,
xarray, pandas-flavor).
"""

from __future__ import annotations

import argparse
import json
import os
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
VARIANTS = ["shipped", "nci", "none"]  # LM_SCORES keys and "none" (Chemprop alone)
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


DEFAULT = "depth3"


def method_name(key: str, tuned: bool = True, epochs: int = 15) -> str:
    "The scores file's method name of variant `key` (an `LM_SCORES` key, or 'none')."
    how = "tuned" if tuned else f"its defaults, {epochs} epochs"
    return f"Chemprop 2.3.1, {how}" if key == "none" else f"Chemprop 2.3.1 + score of {LM_SCORES[key][0]}, {how}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variants", nargs="+", default=VARIANTS, choices=VARIANTS, help="variants to fit (cached fits of all are collected)")
    ap.add_argument("--settings", nargs="+", default=list(GRID), choices=list(GRID), help="settings to fit (cached fits of all are collected)")
    ap.add_argument("--folds", type=int, nargs="+", default=list(range(N_FOLDS)), help="folds to fit (cached fits of all are collected)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--torch-threads", type=int, default=1)
    ap.add_argument("--keep-models", action="store_true")
    ap.add_argument("--work-dir", type=Path, default=Path.home() / ".cache" / "gru_hybrids" / "chemprop-lm-runs")
    ap.add_argument("--cached-only", action="store_true", help="only collect finished fits, start none")
    args = ap.parse_args()
    df = pd.read_csv(FOLDS_CSV)
    work = args.work_dir / f"epochs{args.epochs}"
    work.mkdir(parents=True, exist_ok=True)
    fits, preds = [], {}
    for v in VARIANTS:  # fit the asked (variant, setting) pairs; collect every other cached fit, so each run's files hold all
        data_csv = work / f"data_{v}.csv"
        cols = df[["smiles", "label"]].copy()
        desc = []
        if v != "none":
            cols["lm_score"] = lm_score_column(df, v).to_numpy()
            desc = ["--descriptors-columns", "lm_score"]
        if not data_csv.exists() or not pd.read_csv(data_csv).equals(cols): cols.to_csv(data_csv, index=False)
        for name in GRID:
            for k in range(N_FOLDS):
                fit_dir = work / f"{v}_{name}_scaffold_fold{k}_seed{args.seed}"
                cached = (fit_dir / "fit.json").exists() and (fit_dir / "preds.csv").exists()
                if not cached and (args.cached_only or v not in args.variants or name not in args.settings
                                   or k not in args.folds): continue
                p, r = run_fit(df, data_csv, "scaffold", k, args.seed, args, work, extra=[*GRID[name], *desc],
                               name=f"{v}_{name}_")
                if not cached: (fit_dir / "load.json").write_text(json.dumps(dict(load1_at_end=os.getloadavg()[0])))
                load = json.loads((fit_dir / "load.json").read_text())["load1_at_end"] if (fit_dir / "load.json").exists() else float("nan")
                fits.append(dict(variant=v, setting=name, fold=k, seed=args.seed, val_AUROC=r["val_AUROC"],
                                 test_AUROC=r["AUROC"], fit_seconds=r["fit_seconds"], best_epoch=r["best_epoch"],
                                 fit_epochs=args.epochs, load1_at_end=load))
                preds[(v, name, k)] = p
                pd.DataFrame(fits).to_csv(RESULTS / "drug_likeness_chemprop_lm_fits.csv", index=False, float_format="%.4f")
                write_scores(pd.DataFrame(fits), preds, list(GRID), args.epochs)


def write_scores(fits: pd.DataFrame, preds: dict, settings: list[str], epochs: int) -> None:
    """The scores file: per variant and fold, the default setting's test predictions (method "..., its defaults,
    N epochs"), and once every setting of the grid is fitted, the one with the best validation AUROC (", tuned")."""
    rows, cols = [], ["fold", "seed", "method", "smiles", "label", "score", "chosen", "fit_seconds"]
    for (v, k), g in fits.groupby(["variant", "fold"]):
        d = g[g.setting == DEFAULT]
        if len(d):
            rows.append(preds[(v, DEFAULT, k)].assign(method=method_name(v, tuned=False, epochs=epochs),
                        chosen=f"Chemprop's defaults ({DEFAULT}), {epochs} epochs (validation AUROC {d.val_AUROC.iloc[0]:.3f})",
                        fit_seconds=float(d.fit_seconds.iloc[0]))[cols])
        if set(g.setting) != set(settings) or len(settings) < 2: continue
        best = g.loc[g.val_AUROC.idxmax()]
        rows.append(preds[(v, best.setting, k)].assign(method=method_name(v), fit_seconds=float(g.fit_seconds.sum()),
                    chosen=f"{best.setting} (validation AUROC {best.val_AUROC:.3f})")[cols])
    if rows: pd.concat(rows).to_csv(RESULTS / "drug_likeness_chemprop_lm_scores.csv.gz", index=False, float_format="%.6g")


DATASET = "drug-likeness (425 drugs, 425 MOSES)"


PLAIN_FOREST = "Morgan fingerprint + random forest"


def ours(key: str) -> str:
    "Our fine-tuned GRU from LM `key`, as named in the fair bench's score files."
    return f"bi-GRU + attention, from {LM_SCORES[key][0]}"


def references(m: str, epochs: int) -> list[str]:
    """What Chemprop variant `m` is paired against: Chemprop's committed defaults; (tuned) its own untuned setting;
    with an LM score: the forest given the same score, the same Chemprop without it, the score alone and ours from the
    same LM; without one: the plain forest and ours from each LM."""
    key = next((k for k in LM_SCORES if LM_SCORES[k][0] in m), "none")
    against = [CHEMPROP_REF] + ([method_name(key, tuned=False, epochs=epochs)] if m.endswith("tuned") else [])
    if key == "none": return against + [PLAIN_FOREST] + [ours(k) for k in LM_SCORES]
    return against + [f"Morgan forest + score of {LM_SCORES[key][0]}", m.replace(f" + score of {LM_SCORES[key][0]}", ""),
                      LM_SCORES[key][2], ours(key)]


CHEMPROP_REF = "Chemprop 2.3.1 (D-MPNN), its defaults"  # = drug_likeness_fair.CHEMPROP (checked in `report`)


def report(epochs: int) -> None:
    """`drug_likeness_chemprop_lm.{csv,md}` from the fits and scores written by `main`: each method with its 95%
    bootstrap interval over the test molecules of the folds it finished (mean of fold AUROCs, as the fair bench), and
    paired tests on the same molecules (`references`). Run in the library env."""
    from drug_likeness_fair import CHEMPROP, chemprop_scores, fold_mean_auroc
    from gru_hybrids.metrics import bootstrap_ci, paired_bootstrap
    from gru_hybrids.train import PairedRow, ResultRow, write_results
    assert CHEMPROP == CHEMPROP_REF, (CHEMPROP, CHEMPROP_REF)
    fits = pd.read_csv(RESULTS / "drug_likeness_chemprop_lm_fits.csv").query("fit_epochs == @epochs")
    tuned = pd.read_csv(RESULTS / "drug_likeness_chemprop_lm_scores.csv.gz")
    fair = pd.concat([pd.read_csv(f) for f in sorted(RESULTS.glob("drug_likeness_fair_scores_*.csv.gz"))])
    fair = fair[fair.method.str.startswith(("Morgan", "zero-shot", "bi-GRU"))].drop_duplicates(["method", "fold", "smiles"])
    allsc = pd.concat([tuned, fair, chemprop_scores(0)], ignore_index=True)
    rows, paired = [], []
    for m, g in tuned.groupby("method"):
        ks = sorted(int(k) for k in g.fold.unique())
        split = ("scaffold 5-fold" if len(ks) == N_FOLDS else f"scaffold test fold(s) {ks} of 5") + " (mean of fold AUROCs)"
        wide = allsc[allsc.fold.isin(ks)].pivot_table(index=["smiles", "label", "fold"], columns="method",
                                                      values="score").reset_index()
        yf = wide[["label", "fold"]].to_numpy(float)
        ci = bootstrap_ci(fold_mean_auroc, yf, wide[m].to_numpy(), n_boot=1000, seed=0)
        how = ("validation fold k+1 (message-passing depth in {3, 5} by validation AUROC" if m.endswith("tuned") else
               "Chemprop defaults, not tuned (validation fold: checkpoint by validation loss") + f"; {epochs} epochs)"
        rows.append(ResultRow(DATASET, split, m, "AUROC", ci.estimate, ci.lo, ci.hi, "molecule", len(wide), 0,
                              float(g.groupby("fold").fit_seconds.first().mean()), how))
        for b in references(m, epochs):
            if b not in wide or wide[b].isna().any(): continue
            t = paired_bootstrap(fold_mean_auroc, yf, wide[m].to_numpy(), wide[b].to_numpy(), n_boot=1000, seed=0)
            t.name = "AUROC"
            paired.append(PairedRow.from_test(t, DATASET, split, m, b, "molecule", len(wide)))
            cb = bootstrap_ci(fold_mean_auroc, yf, wide[b].to_numpy(), n_boot=1000, seed=0)
            rows.append(ResultRow(DATASET, split, b, "AUROC", cb.estimate, cb.lo, cb.hi, "molecule", len(wide), 0,
                                  float(allsc[allsc.method == b].groupby("fold").fit_seconds.first().mean()),
                                  "as in its own bench (the same test molecules, for the paired tests)"))
    rows = list({(r.split, r.method): r for r in rows}.values())  # a reference row once per split
    title = "Chemprop given the language model's score" + (
        ", tuned by nested validation" if tuned.method.str.endswith("tuned").any() else " (nested tuning not run)")
    write_results(rows, RESULTS / "drug_likeness_chemprop_lm", title + " (issue #12)", digits=3, paired=paired,
                  notes=notes(fits, tuned, epochs, allsc))


def capped(epochs: int, fits: pd.DataFrame) -> str:
    "What was capped, in words (epochs, the load the fits ran under, and the 15-epoch trial, when there was one)."
    trial = Path.home() / ".cache" / "gru_hybrids" / "chemprop-lm-runs" / "epochs15" / "shipped_depth3_scaffold_fold0_seed0" / "fit.json"
    t = pd.read_json(trial, typ="series") if trial.exists() else None
    old, new = fits[fits.load1_at_end.isna()], fits[fits.load1_at_end.notna()]
    slow = ("on this 2-core machine, shared with other jobs, at nice 10 and one thread, the time per fit followed the load: "
            + (f"the {len(old)} fits of an earlier session (load average 8-11) took {old.fit_seconds.min():.0f}-"
               f"{old.fit_seconds.max():.0f} s; " if len(old) else "")
            + (f"the {len(new)} fits of the last session took {new.fit_seconds.min():.0f}-{new.fit_seconds.max():.0f} s "
               f"(1-minute load average at the end of a fit {new.load1_at_end.min():.1f}-{new.load1_at_end.max():.1f}, "
               "column `load1_at_end` of the fits file); " if len(new) else "")
            + "the committed 50-epoch Chemprop fits took 50 s on a quiet machine. Fits not listed under 'Fits finished' "
              "were not run, for lack of time before the deadline.")
    if epochs != 50:
        return (f"{epochs} epochs per fit (Chemprop's default 50; its learning-rate schedule is scaled to the epochs "
                "given); " + slow)
    note = f"{epochs} epochs per fit, Chemprop's default, as the committed Chemprop row; " + slow
    if t is not None:
        note += (f" A first try at 15 epochs to fit all folds was dropped: on test fold 0 it reached test AUROC "
                 f"{t.AUROC:.3f} (validation {t.val_AUROC:.3f}, best epoch {int(t.best_epoch)} = the last, "
                 f"{t.fit_seconds:.0f} s), far under the 50-epoch fits, so it would have understated Chemprop.")
    return note


def rerun_check(allsc: pd.DataFrame, epochs: int) -> str:
    "How Chemprop alone at its defaults, rerun here, compares with the committed fits of `drug_likeness_chemprop.py`."
    m = method_name("none", tuned=False, epochs=epochs)
    if m not in set(allsc.method): return "- Chemprop alone at depth 3 was not rerun here (no validation AUROC of the committed fits)."
    w = allsc[allsc.method.isin([m, CHEMPROP_REF])].pivot_table(index=["smiles", "fold"], columns="method", values="score").dropna()
    d = (w[m] - w[CHEMPROP_REF]).abs()
    return (f"- Chemprop alone at depth 3 (its defaults) was rerun here, since the committed fits kept no validation "
            f"AUROC for the choice: on the {len(w)} test molecules of its finished folds its scores differ from the "
            f"committed ones by at most {d.max():.2g} (median {d.median():.2g}).")


def fold_aurocs(allsc: pd.DataFrame, methods: list[str]) -> pd.DataFrame:
    "Test AUROC per fold (columns) of each method (rows), with the mean over the folds it has."
    from drug_likeness_fair import auroc
    t = pd.DataFrame({m: {int(k): auroc(g.label.to_numpy(), g.score.to_numpy()) for k, g in allsc[allsc.method == m].groupby("fold")}
                      for m in methods}).T.sort_index(axis=1)
    t["mean"] = t.mean(axis=1)
    return t


def notes(fits: pd.DataFrame, tuned: pd.DataFrame, epochs: int, allsc: pd.DataFrame) -> str:
    "How each setting was chosen, per-fold choices and AUROCs, seconds, caps."
    if "load1_at_end" not in fits: fits = fits.assign(load1_at_end=float("nan"))
    per = fits.pivot_table(index=["variant", "setting"], columns="fold", values="test_AUROC")
    per["mean"] = per.mean(axis=1)
    val = fits.pivot_table(index=["variant", "setting"], columns="fold", values="val_AUROC")
    ch = tuned.groupby(["method", "fold"]).chosen.first().unstack()
    refs = sorted({b for m in tuned.method.unique() for b in references(m, epochs)} & set(allsc.method))
    return "\n".join([
        "Chemprop 2.3.1 (`chemprop train`, one subprocess per fit, `bench/drug_likeness_chemprop.py`'s `run_fit`) on the 5 "
        "scaffold test folds of `bench/results/drug_likeness_folds.csv` (test fold k, validation fold k+1 mod 5, train "
        "the other three), seed 0 (`--pytorch-seed`, `--data-seed`).",
        "- Variants: Chemprop alone; Chemprop given a language model's score: the shipped LM (read 200,000 MOSES "
        "molecules, the negatives' source) or the NCI LM (read neither source). The score is the LM's zero-shot score "
        "(mean per-token loss, sign chosen on training folds, no label), from the fair bench's score files, as one extra "
        "molecule descriptor (`--descriptors-columns lm_score`); Chemprop scales it on the training molecules and "
        "appends it to the learned molecule vector (the FFN's input grows from 300 to 301, checked in the fit log).",
        "- Grid, chosen on the validation fold only (nested: the test fold chooses nothing): message-passing depth in "
        "{3 (Chemprop's default), 5}; the rest Chemprop's defaults. The choice is the setting with the higher "
        "validation AUROC (Chemprop's `val/roc` at the epoch of lowest validation loss, the checkpoint it predicts "
        "with); that fit's test predictions are the tuned row's. A tuned row exists for a fold only once both settings "
        "finished; 'its defaults' rows are the depth-3 fits alone.",
        f"- **Capped**: {capped(epochs, fits)}",
        rerun_check(allsc, epochs),
        "- Environment: `/work/venvs/chemprop-lm` (chemprop 2.3.1, lightning 2.6.6, rdkit 2026.3.6, torch 2.14.1 from "
        "the library env), one thread.",
        "- Seconds in the table: wall time per fold, mean over folds (a tuned row: all its grid fits of the fold; a "
        "defaults row: its one fit; reference rows: from their own bench).",
        "- Paired tests: each Chemprop row against Chemprop's committed defaults, (tuned rows) its own depth-3 row, and "
        "with an LM score the forest given the same score, the same Chemprop without it, the score alone and ours "
        "fine-tuned from the same LM; Chemprop alone against the plain forest and ours from each LM. Ours and the "
        "forests are the fair bench's (`drug_likeness_fair.md`: forest grid and our writings choice on the validation "
        "fold).",
        "",
        "Test AUROC per fold of each method (Chemprop rows of this bench, then the references):", "",
        fold_aurocs(allsc, sorted(tuned.method.unique()) + refs).round(3).to_markdown(), "",
        "Test AUROC per fold of every fit:", "",
        per.round(3).to_markdown(), "",
        "Validation AUROC per fold (what the choice reads):", "", val.round(3).to_markdown(), "",
        "Choice per fold:", "", ch.to_markdown(), "",
        "Fits finished (of the 3 variants x 2 settings x 5 folds planned; the rest were not run, for lack of time on the "
        "shared CPU): " + "; ".join(f"{v}/{s}: folds {sorted(g.fold)}" for (v, s), g in fits.groupby(["variant", "setting"]))
        + ".", "",
        "Seconds per fit (wall, shared CPU): " + ", ".join(
            f"{v}/{s}: mean {g.fit_seconds.mean():.0f} s (range {g.fit_seconds.min():.0f}-{g.fit_seconds.max():.0f})"
            for (v, s), g in fits.groupby(["variant", "setting"])) + "."])


if __name__ == "__main__":
    if "--report" in sys.argv:
        report(int(sys.argv[sys.argv.index("--report") + 1]))
    else:
        main()
