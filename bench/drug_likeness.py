"""Drug-likeness comparison on 5-fold scaffold and random splits: baselines (size, characters, QED, Morgan
fingerprint + random forest), our bi-GRU + attention (several seeds) and the language-model route, joined with
Chemprop's out-of-fold predictions from `drug_likeness_chemprop.py` on the same folds.

    python bench/drug_likeness.py [--seeds 0 1] [--reuse]
    python bench/drug_likeness.py --qed [--folds 5] [--reuse]   # QED regression on MOSES, separate files
    python bench/drug_likeness.py --pretrain-big [--n-lm 200000] [--lm-epochs 5] [--folds 5]   # LM on many MOSES molecules

Folds: bench/results/drug_likeness_folds.csv (test fold k, validation fold k+1 mod 5, training the other three).
Writes bench/results/drug_likeness_runs.csv and bench/results/drug_likeness.md; with --qed,
bench/results/drug_likeness_qed_folds.csv and bench/results/drug_likeness_qed.md; with --pretrain-big,
bench/results/drug_likeness_pretrain_big.csv and bench/results/drug_likeness_pretrain_big.md."""
import argparse, io, os, time, zipfile
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

MOSES_WHEEL = Path("~/.cache/gru_hybrids/wheels/molsets-0.3.1-py3-none-any.whl").expanduser()  # pip download --no-deps molsets==0.3.1 -d ~/.cache/gru_hybrids/wheels

def moses_lm_smiles(n: int, exclude: set, seed: int = 0) -> list[str]:
    "n standardised SMILES drawn (seeded) from the MOSES training set in the molsets wheel, none in `exclude`, all tokenisable."
    from gru_hybrids.drug_likeness import standardize_smiles, tokenize_smiles
    with zipfile.ZipFile(MOSES_WHEEL) as z: moses = pd.read_csv(io.BytesIO(z.read("moses/dataset/data/train.csv.gz")), compression="gzip")
    out = []
    for s in moses.SMILES.sample(frac=1, random_state=seed):
        s = standardize_smiles(s)
        if s is None or s in exclude: continue
        try: tokenize_smiles(s)
        except ValueError: continue
        out.append(s)
        if len(out) == n: return out
    raise ValueError(f"only {len(out)} usable MOSES molecules")

def run_pretrain_big(n_lm: int, lm_epochs: int, n_folds: int):
    import torch; torch.set_num_threads(1)
    from dataclasses import replace
    from gru_hybrids.drug_likeness import (load_drug_likeness, SmilesTokenizer, pretrain_smiles_lm, DrugLikenessModel,
                                           DrugConfig, QUICK_DRUG, classification_metrics)
    data = load_drug_likeness()
    folds = pd.read_csv(RESULTS / "drug_likeness_folds.csv")
    if not (folds.smiles.tolist() == data.smiles.tolist()): raise ValueError("folds file does not match the shipped data")
    folds = pd.concat([data, folds[["scaffold_fold", "random_fold"]]], axis=1)
    t = time.time(); lm_smiles = moses_lm_smiles(n_lm, set(data.smiles)); print(f"{len(lm_smiles)} MOSES SMILES in {time.time() - t:.0f} s", flush=True)
    tok = SmilesTokenizer.fit(lm_smiles + data.smiles.tolist())
    t = time.time(); lm = pretrain_smiles_lm(lm_smiles, tok, replace(DrugConfig(), lm_epochs=lm_epochs), seed=0); lm_secs = time.time() - t
    print(f"LM: {lm_epochs} epochs, valid loss {lm.valid_loss:.4f}, {lm_secs:.0f} s", flush=True)
    rows = []
    for k in range(n_folds):
        test, valid, train = folds_of("scaffold", k, folds)
        t = time.time(); m = DrugLikenessModel.fit(train, valid, tokenizer=tok, lm=lm, cfg=QUICK_DRUG, seed=0)
        rows.append(dict(split_kind="scaffold", fold=k, seed=0, method="GRU + attention, big pre-trained LM", n_lm=n_lm,
                         lm_epochs=lm_epochs, lm_valid_loss=round(lm.valid_loss, 4), lm_seconds=round(lm_secs, 1),
                         fit_seconds=round(time.time() - t, 1), **classification_metrics(test.label, m.predict(test.smiles, standardize=False))))
        write_pretrain_big(pd.DataFrame(rows)); print("fold", k, round(rows[-1]["AUROC"], 3), flush=True)
    return rows

def write_pretrain_big(big: pd.DataFrame) -> str:
    big.to_csv(RESULTS / "drug_likeness_pretrain_big.csv", index=False, float_format="%.4f")
    old = pd.read_csv(RESULTS / "drug_likeness_runs.csv")
    old = old[(old.split_kind == "scaffold") & (old.seed == 0) & old.fold.isin(big.fold)]
    scratch, small = (old[old.method == m] for m in ("bi-GRU + attention, from scratch", "GRU + attention, pre-trained LM"))
    b = big.iloc[0]; folds = sorted(big.fold)
    rows = [("bi-GRU + attention, from scratch", scratch, "-", "-", "-", "-"),
            ("GRU + attention, small LM (`drug_likeness_runs.csv`)", small, "15,000", "2", "not recorded", "in fit s"),
            ("GRU + attention, big LM (new)", big, f"{int(b.n_lm):,}", str(int(b.lm_epochs)), f"{b.lm_valid_loss:.3f}", f"{b.lm_seconds:.0f}")]
    lines = ["## Drug-likeness: does a bigger SMILES pre-training help? (5-fold scaffold, seed 0)", "",
             "Language model pre-trained once with `pretrain_smiles_lm` (`replace(DrugConfig(), lm_epochs=E)`, seed 0) on N "
             "standardised SMILES drawn (seeded shuffle) from the MOSES training set inside the molsets 0.3.1 wheel, dropping any "
             "equal to a molecule of the classification set; tokenizer fitted on those SMILES plus the classification SMILES. "
             "Then fine-tuned on each scaffold fold exactly as the main bench's pre-trained route (`DrugLikenessModel.fit(..., "
             "lm=lm, cfg=QUICK_DRUG, seed=0)`: 1 epoch head-only, 29 epochs all layers). The other rows are the seed-0 runs "
             "of `drug_likeness_runs.csv` on the same folds.", ""]
    if len(folds) < 5: lines += [f"**Only {len(folds)} of the 5 folds were run** (folds {folds}): time limit.", ""]
    lines += ["| method | folds | AUROC | AUPRC | LM molecules | LM epochs | LM valid loss | LM s | fine-tune s |", "|---|---|---|---|---|---|---|---|---|"]
    for name, r, n, e, vl, ls in rows:
        lines.append(f"| {name} | {len(r)} | {r.AUROC.mean():.3f} ± {r.AUROC.std():.3f} | {r.AUPRC.mean():.3f} ± {r.AUPRC.std():.3f} "
                     f"| {n} | {e} | {vl} | {ls} | {r.fit_seconds.mean():.0f} |")
    lines += ["", "AUROC per test fold:", "", "| method | " + " | ".join(f"fold {k}" for k in folds) + " |", "|---|" + "---|" * len(folds)]
    lines += [f"| {name} | " + " | ".join(f"{a:.3f}" for a in r.sort_values("fold").AUROC) + " |" for name, r, *_ in rows]
    lines += ["", "Seconds: one CPU thread on a shared 2-core machine. The small-LM row's fit seconds include its pre-training "
              "(as in the main table); the big-LM row's do not (LM s, once for all folds). LM valid loss: next-token cross-entropy "
              "on the held-out 5% of the LM's own molecules (randomised SMILES).", ""]
    md = "\n".join(lines); (RESULTS / "drug_likeness_pretrain_big.md").write_text(md); return md

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--reuse", action="store_true", help="keep our runs from the last results file; refresh Chemprop and the table")
    p.add_argument("--qed", action="store_true", help="the QED regression task instead (its own files)")
    p.add_argument("--folds", type=int, default=5, help="--qed, --pretrain-big: run test folds 0 .. FOLDS-1")
    p.add_argument("--pretrain-big", action="store_true", help="pre-train the LM on many MOSES molecules, fine-tune on the scaffold folds")
    p.add_argument("--n-lm", type=int, default=200_000, help="--pretrain-big: MOSES molecules for the LM")
    p.add_argument("--lm-epochs", type=int, default=5, help="--pretrain-big: LM epochs")
    a = p.parse_args()
    if a.pretrain_big:
        big = pd.read_csv(RESULTS / "drug_likeness_pretrain_big.csv") if a.reuse else pd.DataFrame(run_pretrain_big(a.n_lm, a.lm_epochs, a.folds))
        print(write_pretrain_big(big)); return
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
