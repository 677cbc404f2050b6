"""Drug-likeness comparison on 5-fold scaffold and random splits: baselines (size, characters, QED, Morgan
fingerprint + random forest), our bi-GRU + attention from scratch and from the shipped language model (several
seeds, with and without test-time augmentation), joined with
Chemprop's out-of-fold predictions from `drug_likeness_chemprop.py` on the same folds.

    python bench/drug_likeness.py [--seeds 0 1] [--reuse]
    python bench/drug_likeness.py --qed [--folds 5] [--reuse]   # QED regression on MOSES, separate files
    python bench/drug_likeness.py --pretrain [--folds 5] [--views 8]   # the shipped LM's start against scratch

Folds: bench/results/drug_likeness_folds.csv (test fold k, validation fold k+1 mod 5, training the other three).
Writes bench/results/drug_likeness_runs.csv and bench/results/drug_likeness.md; with --qed,
bench/results/drug_likeness_qed_folds.csv and bench/results/drug_likeness_qed.md; with --pretrain,
bench/results/drug_likeness_pretrain_bi.csv and bench/results/drug_likeness_pretrain_bi.md.
(bench/results/drug_likeness_pretrain_big.* is the earlier one-directional run, from commit e0bdb63.)"""
import argparse, os, time
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import pandas as pd

RESULTS = Path(__file__).parent / "results"

def shipped_data_with_folds() -> pd.DataFrame:
    "The shipped classification set with its committed scaffold_fold and random_fold columns."
    from gru_hybrids.drug_likeness import load_drug_likeness
    data, folds = load_drug_likeness(), pd.read_csv(RESULTS / "drug_likeness_folds.csv")
    if not (folds.smiles.tolist() == data.smiles.tolist()): raise ValueError("folds file does not match the shipped data")
    return pd.concat([data, folds[["scaffold_fold", "random_fold"]]], axis=1)

def folds_of(kind: str, k: int, folds: pd.DataFrame):
    col = folds[f"{kind}_fold"]
    return folds[col == k], folds[col == (k + 1) % 5], folds[~col.isin([k, (k + 1) % 5])]

ROUTES = {"bi-GRU + attention, from scratch": False, "bi-GRU + attention, from the shipped LM": True}

def run(seeds, n_views: int = 8):
    import torch; torch.set_num_threads(1)
    from gru_hybrids.drug_likeness import (load_pretrained_lm, DrugLikenessModel, QUICK, baseline_scores,
                                           classification_metrics)
    folds = shipped_data_with_folds()
    lm, tok = load_pretrained_lm()  # its vocabulary serves both routes
    rows = []
    def add(kind, k, seed, method, test, scores, secs):
        rows.append(dict(split_kind=kind, fold=k, seed=seed, method=method, fit_seconds=round(secs, 1),
                         **classification_metrics(test.label, scores, threshold=None)))
    for kind in ("scaffold", "random"):
        for k in range(5):
            test, valid, train = folds_of(kind, k, folds)
            t = time.time(); base = baseline_scores(train, test, seed=0); secs = time.time() - t
            for name, s in base.items(): add(kind, k, 0, name, test, s, secs if "forest" in name else 0.)
            for seed in seeds:
                for method, from_lm in ROUTES.items():
                    t = time.time(); m = DrugLikenessModel.fit(train, valid, tokenizer=tok, lm=lm if from_lm else None, cfg=QUICK, seed=seed)
                    secs = time.time() - t
                    add(kind, k, seed, method, test, m.predict(test.smiles, standardize=False), secs)
                    add(kind, k, seed, f"{method}, {n_views} writings averaged", test,
                        m.predict(test.smiles, standardize=False, n_views=n_views), secs)
            print(kind, k, {r["method"][-30:]: round(r["AUROC"], 3) for r in rows[-4 * len(seeds) - 4:]}, flush=True)
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
    lines.append("Fit seconds: one CPU thread on a shared 2-core machine. The shipped language model's pre-training (24 minutes, "
                 "once, on 200,000 MOSES molecules; `tools/pretrain_drug_lm.py`) is not included. \"8 writings averaged\": the "
                 "same fitted model, its probability averaged over the canonical SMILES and 8 random writings "
                 "(`predict(..., n_views=8)`). Size and QED need no fitting.\n")
    return "\n".join(lines)

QED_TITLE = "QED regression (5-fold scaffold)"

def run_qed(n_folds: int, n_mols: int = 5000):
    import numpy as np, torch; torch.set_num_threads(1)
    from dataclasses import replace
    from sklearn.ensemble import RandomForestRegressor
    from gru_hybrids.drug_likeness import (load_moses_qed, kfold_ids, morgan_fingerprints, regression_metrics, load_drug_likeness,
                                           DrugLikenessModel, QUICK, SmilesTokenizer, load_pretrained_lm)
    data = load_moses_qed().iloc[15_000:15_000 + n_mols].reset_index(drop=True)  # the notebook's molecules
    data["scaffold_fold"] = kfold_ids(data.smiles.tolist(), 5, seed=0)
    lm, lm_tok = load_pretrained_lm()
    data["lm_read"] = data.smiles.isin(lm_molecules(set(load_drug_likeness().smiles)))  # text only: the LM never saw QED
    rows = []
    for k in range(n_folds):
        test, valid, train = folds_of("scaffold", k, data)
        unread = ~test.lm_read.to_numpy()
        def add(method, pred, secs):
            rows.append(dict(fold=k, method=method, n_train=len(train), n_valid=len(valid), n_test=len(test),
                             fit_seconds=round(secs, 1), **regression_metrics(test.qed, pred),
                             n_unread=int(unread.sum()), R2_unread=regression_metrics(test.qed[unread], pred[unread])["R2"]))
        add("predict the training mean", np.full(len(test), train.qed.mean()), 0.)
        t = time.time(); rf = RandomForestRegressor(200, n_jobs=1, random_state=0).fit(morgan_fingerprints(train.smiles), train.qed)
        add("Morgan fingerprint + random forest", rf.predict(morgan_fingerprints(test.smiles)), time.time() - t)
        t = time.time(); m = DrugLikenessModel.fit(train, valid, target="qed", tokenizer=SmilesTokenizer.fit(train.smiles),
                                                   cfg=replace(QUICK, epochs=15), seed=0, task="regression")
        add("bi-GRU + attention, from scratch", m.predict(test.smiles, standardize=False), time.time() - t)
        t = time.time(); m = DrugLikenessModel.fit(train, valid, target="qed", tokenizer=lm_tok, lm=lm,
                                                   cfg=replace(QUICK, epochs=15), seed=0, task="regression")
        add("bi-GRU + attention, from the shipped LM", m.predict(test.smiles, standardize=False), time.time() - t)
        write_qed(pd.DataFrame(rows)); print("fold", k, {r["method"][-20:]: (round(r["R2"], 3), r["fit_seconds"]) for r in rows[-4:]}, flush=True)
    return rows

def lm_molecules(exclude: set) -> set:
    "The molecules the shipped language model read (redrawn exactly as `tools/pretrain_drug_lm.py` drew them)."
    import sys; sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))
    from pretrain_drug_lm import moses_lm_smiles
    return set(moses_lm_smiles(200_000, exclude))

def write_qed(runs: pd.DataFrame):
    runs.to_csv(RESULTS / "drug_likeness_qed_folds.csv", index=False, float_format="%.4f")
    agg = runs.groupby("method").agg(folds=("R2", "size"), R2=("R2", "mean"), R2_sd=("R2", "std"), MAE=("MAE", "mean"),
                                     MAE_sd=("MAE", "std"), R2_unread=("R2_unread", "mean"), secs=("fit_seconds", "mean"))
    n, folds = runs.fold.nunique(), sorted(runs.fold.unique())
    lines = [f"## {QED_TITLE}", "", f"RDKit's QED of 5,000 MOSES molecules (rows 15,000-19,999 of `load_moses_qed()`, as in the "
             "notebook), 5-fold Bemis-Murcko scaffold split (`kfold_ids`, seed 0): test fold k, validation fold k+1 mod 5, "
             "training the other three. Mean ± sd over folds; one seed. bi-GRU: `replace(QUICK, epochs=15)`; from scratch "
             "with a tokenizer fitted on the training SMILES, or from the shipped language model with its tokenizer. "
             "Forest: 200 trees on 2048-bit Morgan (radius 2) fingerprints. The language model read "
             f"{1 - runs.n_unread.sum() / runs.n_test.sum():.0%} of the test molecules as text during pre-training (never "
             "their QED); \"R², unread\" scores every method on the other test molecules only.", ""]
    if n < 5: lines += [f"**Only {n} of the 5 folds were run** (folds {folds}): time limit.", ""]
    lines += ["| method | folds | R² | MAE | R², unread | fit s |", "|---|---|---|---|---|---|"]
    for m, r in agg.sort_values("R2", ascending=False).iterrows():
        lines.append(f"| {m} | {int(r.folds)} | {r.R2:.3f} ± {r.R2_sd:.3f} | {r.MAE:.4f} ± {r.MAE_sd:.4f} | {r.R2_unread:.3f} | {r.secs:.0f} |")
    order = agg.sort_values("R2", ascending=False).index
    r2, mae = (runs.pivot(index="method", columns="fold", values=v).loc[order] for v in ("R2", "MAE"))
    lines += ["", "R² / MAE per test fold:", "", "| method | " + " | ".join(f"fold {k}" for k in r2.columns) + " |",
              "|---|" + "---|" * len(r2.columns)]
    lines += [f"| {m} | " + " | ".join(f"{a:.3f} / {b:.4f}" for a, b in zip(r2.loc[m], mae.loc[m])) + " |" for m in order]
    lines += ["", "Fit seconds: one CPU thread on a shared 2-core machine (forest: fingerprints + fit; GRU: training).", ""]
    md = "\n".join(lines); (RESULTS / "drug_likeness_qed.md").write_text(md); return md

PRETRAIN_ROUTES = {"bi-GRU + attention, from scratch": dict(lm=False),
                   "bi-GRU + attention, from the LM, same schedule": dict(lm=True),
                   "bi-GRU + attention, from the LM, gradual unfreezing": dict(lm=True, gradual_unfreeze=True)}

def run_pretrain(n_folds: int, seeds: list, n_views: int):
    "Scratch against language-model start, same network (bi-GRU) and schedule; canonical and test-time-augmented predictions."
    import torch; torch.set_num_threads(1)
    from dataclasses import replace
    from gru_hybrids.drug_likeness import load_pretrained_lm, DrugLikenessModel, QUICK, classification_metrics
    folds = shipped_data_with_folds()
    lm, tok = load_pretrained_lm()
    rows = []
    for k in range(n_folds):
        test, valid, train = folds_of("scaffold", k, folds)
        for seed in seeds:
            for method, route in PRETRAIN_ROUTES.items():
                cfg = replace(QUICK, gradual_unfreeze=route.get("gradual_unfreeze", False))
                t = time.time(); m = DrugLikenessModel.fit(train, valid, tokenizer=tok, lm=lm if route["lm"] else None, cfg=cfg, seed=seed)
                secs = time.time() - t
                for views in (0, n_views):
                    rows.append(dict(fold=k, seed=seed, method=method, views=views, fit_seconds=round(secs, 1),
                                     **classification_metrics(test.label, m.predict(test.smiles, standardize=False, n_views=views), threshold=None)))
            write_pretrain(pd.DataFrame(rows))
            print("fold", k, "seed", seed, {r["method"][-14:] + f"/{r['views']}": round(r["AUROC"], 3) for r in rows[-6:]}, flush=True)
    return rows

def write_pretrain(runs: pd.DataFrame) -> str:
    runs.to_csv(RESULTS / "drug_likeness_pretrain_bi.csv", index=False, float_format="%.4f")
    n_views = int(runs.views.max())
    agg = runs.groupby(["method", "views"], sort=False).agg(n=("AUROC", "size"), AUROC=("AUROC", "mean"), sd=("AUROC", "std"),
                                                            AUPRC=("AUPRC", "mean"), secs=("fit_seconds", "mean"))
    lines = ["## Drug-likeness: pre-training on equal terms (5-fold scaffold)", "",
             "The language model is the one shipped with the package (`load_pretrained_lm()`; how it was made: "
             "`gru_hybrids/shipped/druglikeness/moses_smiles_lm.md`): bidirectional, its forward GRU predicting each next "
             "token and its backward GRU each previous one, 200,000 MOSES molecules (none in the classification set), 5 epochs. "
             "Every route trains the same bi-GRU + attention network with `QUICK` (30 epochs, one-cycle, lr 3e-3) on the "
             "same folds and seeds; only the start differs (random, or the language model's embedding and GRU), except the "
             "last route, which trains 1 epoch with the embedding and GRU frozen and 29 at lr/3 (ULMFiT's gradual unfreezing). "
             f"views = 0: the canonical SMILES; views = {n_views}: the mean probability over the canonical SMILES and "
             f"{n_views} random writings (`predict(..., n_views={n_views})`). Mean ± sd over folds × seeds.", "",
             "| route | views | runs | AUROC | AUPRC | fit s |", "|---|---|---|---|---|---|"]
    for (m, v), r in agg.iterrows():
        lines.append(f"| {m} | {v} | {int(r.n)} | {r.AUROC:.3f} ± {r.sd:.3f} | {r.AUPRC:.3f} | {r.secs:.0f} |")
    wide = runs[runs.views == 0].pivot_table(index=["fold", "seed"], columns="method", values="AUROC")
    scratch = wide["bi-GRU + attention, from scratch"]
    lines += ["", "Paired against from scratch (same fold and seed, views = 0): mean AUROC difference and wins:", ""]
    for m in wide.columns.drop("bi-GRU + attention, from scratch"):
        d = wide[m] - scratch
        lines.append(f"- {m}: {d.mean():+.3f} (sd {d.std():.3f}), better in {int((d > 0).sum())} of {len(d)}")
    tta = runs.pivot_table(index=["fold", "seed", "method"], columns="views", values="AUROC")
    d = tta[n_views] - tta[0]
    lines += [f"- test-time augmentation ({n_views} views against 0), all routes: {d.mean():+.3f} (sd {d.std():.3f}), "
              f"better in {int((d > 0).sum())} of {len(d)}", "",
              "Seconds: one CPU thread on a shared 2-core machine; fit s excludes the language model's pre-training.", ""]
    md = "\n".join(lines); (RESULTS / "drug_likeness_pretrain_bi.md").write_text(md); return md

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--reuse", action="store_true", help="keep our runs from the last results file; refresh Chemprop and the table")
    p.add_argument("--qed", action="store_true", help="the QED regression task instead (its own files)")
    p.add_argument("--folds", type=int, default=5, help="--qed, --pretrain: run test folds 0 .. FOLDS-1")
    p.add_argument("--pretrain", action="store_true", help="from scratch against a bidirectional LM start, same network and schedule")
    p.add_argument("--views", type=int, default=8, help="--pretrain: random writings averaged at test time")
    a = p.parse_args()
    if a.pretrain:
        runs = pd.read_csv(RESULTS / "drug_likeness_pretrain_bi.csv") if a.reuse else pd.DataFrame(run_pretrain(a.folds, a.seeds, a.views))
        print(write_pretrain(runs)); return
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
