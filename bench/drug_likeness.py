"""Drug-likeness comparison on 5-fold scaffold and random splits: baselines (size, characters, QED, Morgan
fingerprint + random forest), our bi-GRU + attention (several seeds) and the language-model route, joined with
Chemprop's out-of-fold predictions from `drug_likeness_chemprop.py` on the same folds.

    python bench/drug_likeness.py [--seeds 0 1] [--reuse]
    python bench/drug_likeness.py --qed [--folds 5] [--reuse]   # QED regression on MOSES, separate files

Folds: bench/results/drug_likeness_folds.csv (test fold k, validation fold k+1 mod 5, training the other three).
Writes bench/results/drug_likeness_runs.csv and bench/results/drug_likeness.md; with --qed,
bench/results/drug_likeness_qed_folds.csv and bench/results/drug_likeness_qed.md."""
import argparse, os, time
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import pandas as pd

RESULTS = Path(__file__).parent / "results"

def folds_of(kind: str, k: int, folds: pd.DataFrame):
    col = folds[f"{kind}_fold"]
    return folds[col == k], folds[col == (k + 1) % 5], folds[~col.isin([k, (k + 1) % 5])]

def run(seeds):
    import torch; torch.set_num_threads(1)
    from gru_hybrids.drug_likeness import (load_drug_likeness, load_moses_qed, SmilesTokenizer, pretrain_smiles_lm,
                                           DrugLikenessModel, QUICK_DRUG, baseline_scores, classification_metrics)
    data = load_drug_likeness()
    folds = pd.read_csv(RESULTS / "drug_likeness_folds.csv")
    if not (folds.smiles.tolist() == data.smiles.tolist()): raise ValueError("folds file does not match the shipped data")
    folds = pd.concat([data, folds[["scaffold_fold", "random_fold"]]], axis=1)
    lm_smiles = load_moses_qed().smiles[:15_000].tolist()
    tok = SmilesTokenizer.fit(lm_smiles + data.smiles.tolist())  # tokens only (no labels): a fixed vocabulary for all folds
    t = time.time(); lm = pretrain_smiles_lm(lm_smiles, tok, QUICK_DRUG, seed=0); lm_secs = time.time() - t
    rows = []
    def add(kind, k, seed, method, test, scores, secs):
        rows.append(dict(split_kind=kind, fold=k, seed=seed, method=method, fit_seconds=round(secs, 1),
                         **classification_metrics(test.label, scores)))
    for kind in ("scaffold", "random"):
        for k in range(5):
            test, valid, train = folds_of(kind, k, folds)
            t = time.time(); base = baseline_scores(train, test, seed=0); secs = time.time() - t
            for name, s in base.items(): add(kind, k, 0, name, test, s, secs if "forest" in name else 0.)
            for seed in seeds:
                t = time.time(); m = DrugLikenessModel.fit(train, valid, tokenizer=tok, cfg=QUICK_DRUG, seed=seed)
                add(kind, k, seed, "bi-GRU + attention, from scratch", test, m.predict(test.smiles, standardize=False), time.time() - t)
            t = time.time(); m = DrugLikenessModel.fit(train, valid, tokenizer=tok, lm=lm, cfg=QUICK_DRUG, seed=0)
            add(kind, k, 0, "GRU + attention, pre-trained LM", test, m.predict(test.smiles, standardize=False), time.time() - t + lm_secs)
            print(kind, k, {r["method"][:20]: round(r["AUROC"], 3) for r in rows[-7:]}, flush=True)
    return rows

def chemprop_rows():
    path = RESULTS / "drug_likeness_chemprop_summary.csv"
    if not path.exists(): print("no Chemprop results: run bench/drug_likeness_chemprop.py in its environment"); return []
    s = pd.read_csv(path)
    return [dict(split_kind=r.split_kind, fold=int(r.fold), seed=int(r.seed), method="Chemprop 2.3.1 (D-MPNN)",
                 fit_seconds=float(r.fit_seconds), AUROC=float(r.AUROC), AUPRC=float(r.AUPRC)) for r in s.itertuples()]

def table(runs: pd.DataFrame) -> str:
    lines = []
    for kind, title in (("scaffold", "5-fold Bemis-Murcko scaffold split (the honest one)"), ("random", "5-fold random split")):
        sub = runs[runs.split_kind == kind]
        agg = sub.groupby("method").agg(runs_=("AUROC", "size"), AUROC=("AUROC", "mean"), AUROC_sd=("AUROC", "std"),
                                        AUPRC=("AUPRC", "mean"), AUPRC_sd=("AUPRC", "std"), secs=("fit_seconds", "mean"))
        lines += [f"**{title}**: 425 approved drugs against 425 size-matched MOSES molecules; test fold k, validation fold "
                  "k+1, training the other three; mean ± sd over folds (and seeds, where several).", "",
                  "| method | fold x seed runs | AUROC | AUPRC | fit s |", "|---|---|---|---|---|"]
        for m, r in agg.sort_values("AUROC", ascending=False).iterrows():
            lines.append(f"| {m} | {int(r.runs_)} | {r.AUROC:.3f} ± {r.AUROC_sd:.3f} | {r.AUPRC:.3f} ± {r.AUPRC_sd:.3f} | {r.secs:.0f} |")
        lines.append("")
    lines.append("Fit seconds: one CPU thread on a shared 2-core machine; the language-model row includes its pre-training "
                 "(once, on 15,000 MOSES molecules). Size and QED need no fitting.\n")
    return "\n".join(lines)

QED_TITLE = "QED regression (5-fold scaffold)"

def run_qed(n_folds: int, n_mols: int = 5000):
    import numpy as np, torch; torch.set_num_threads(1)
    from dataclasses import replace
    from sklearn.ensemble import RandomForestRegressor
    from gru_hybrids.drug_likeness import (load_moses_qed, kfold_ids, morgan_fingerprints, regression_metrics,
                                           DrugLikenessModel, QUICK_DRUG, SmilesTokenizer)
    data = load_moses_qed().iloc[15_000:15_000 + n_mols].reset_index(drop=True)  # the notebook's molecules: not in the LM's first 15,000
    data["scaffold_fold"] = kfold_ids(data.smiles.tolist(), 5, seed=0)
    rows = []
    for k in range(n_folds):
        test, valid, train = folds_of("scaffold", k, data)
        def add(method, pred, secs):
            rows.append(dict(fold=k, method=method, n_train=len(train), n_valid=len(valid), n_test=len(test),
                             fit_seconds=round(secs, 1), **regression_metrics(test.qed, pred)))
        add("predict the training mean", np.full(len(test), train.qed.mean()), 0.)
        t = time.time(); rf = RandomForestRegressor(200, n_jobs=1, random_state=0).fit(morgan_fingerprints(train.smiles), train.qed)
        add("Morgan fingerprint + random forest", rf.predict(morgan_fingerprints(test.smiles)), time.time() - t)
        t = time.time(); m = DrugLikenessModel.fit(train, valid, target="qed", tokenizer=SmilesTokenizer.fit(train.smiles),
                                                   cfg=replace(QUICK_DRUG, epochs=15), seed=0, task="regression")
        add("bi-GRU + attention, from scratch", m.predict(test.smiles, standardize=False), time.time() - t)
        write_qed(pd.DataFrame(rows)); print("fold", k, {r["method"][:20]: (round(r["R2"], 3), r["fit_seconds"]) for r in rows[-3:]}, flush=True)
    return rows

def write_qed(runs: pd.DataFrame):
    runs.to_csv(RESULTS / "drug_likeness_qed_folds.csv", index=False, float_format="%.4f")
    agg = runs.groupby("method").agg(folds=("R2", "size"), R2=("R2", "mean"), R2_sd=("R2", "std"),
                                     MAE=("MAE", "mean"), MAE_sd=("MAE", "std"), secs=("fit_seconds", "mean"))
    n, folds = runs.fold.nunique(), sorted(runs.fold.unique())
    lines = [f"## {QED_TITLE}", "", f"RDKit's QED of 5,000 MOSES molecules (rows 15,000-19,999 of `load_moses_qed()`, as in the "
             "notebook), 5-fold Bemis-Murcko scaffold split (`kfold_ids`, seed 0): test fold k, validation fold k+1 mod 5, "
             "training the other three. Mean ± sd over folds; one seed. bi-GRU: `replace(QUICK_DRUG, epochs=15)`, tokenizer "
             "fitted on the training SMILES; forest: 200 trees on 2048-bit Morgan (radius 2) fingerprints.", ""]
    if n < 5: lines += [f"**Only {n} of the 5 folds were run** (folds {folds}): time limit.", ""]
    lines += ["| method | folds | R² | MAE | fit s |", "|---|---|---|---|---|"]
    for m, r in agg.sort_values("R2", ascending=False).iterrows():
        lines.append(f"| {m} | {int(r.folds)} | {r.R2:.3f} ± {r.R2_sd:.3f} | {r.MAE:.4f} ± {r.MAE_sd:.4f} | {r.secs:.0f} |")
    order = agg.sort_values("R2", ascending=False).index
    r2, mae = (runs.pivot(index="method", columns="fold", values=v).loc[order] for v in ("R2", "MAE"))
    lines += ["", "R² / MAE per test fold:", "", "| method | " + " | ".join(f"fold {k}" for k in r2.columns) + " |",
              "|---|" + "---|" * len(r2.columns)]
    lines += [f"| {m} | " + " | ".join(f"{a:.3f} / {b:.4f}" for a, b in zip(r2.loc[m], mae.loc[m])) + " |" for m in order]
    lines += ["", "Fit seconds: one CPU thread on a shared 2-core machine (forest: fingerprints + fit; GRU: training).", ""]
    md = "\n".join(lines); (RESULTS / "drug_likeness_qed.md").write_text(md); return md

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--reuse", action="store_true", help="keep our runs from the last results file; refresh Chemprop and the table")
    p.add_argument("--qed", action="store_true", help="the QED regression task instead (its own files)")
    p.add_argument("--folds", type=int, default=5, help="--qed: run test folds 0 .. FOLDS-1")
    a = p.parse_args()
    if a.qed:
        runs = pd.read_csv(RESULTS / "drug_likeness_qed_folds.csv") if a.reuse else pd.DataFrame(run_qed(a.folds))
        print(write_qed(runs)); return
    if a.reuse:
        last = pd.read_csv(RESULTS / "drug_likeness_runs.csv")
        ours = last[~last.method.str.startswith("Chemprop")].to_dict("records")
    else: ours = run(a.seeds)
    runs = pd.DataFrame(ours + chemprop_rows())
    runs.to_csv(RESULTS / "drug_likeness_runs.csv", index=False, float_format="%.4f")
    md = table(runs); (RESULTS / "drug_likeness.md").write_text(md); print(md)

if __name__ == "__main__": main()
