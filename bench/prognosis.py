"""Clinical prognosis on PBC2 (death within 5 years of the 2-year landmark): the AGRU model beside landmark logistic
regression, gradient-boosted trees, a Cox model and a plain GRU with forward fill, on the same patient-grouped,
outcome-stratified 5-fold cross-validation, repeated over seeds. Pooled test predictions, 95% bootstrap intervals
over patients, paired bootstrap against the logistic regression. Writes bench/results/prognosis.csv|md and the
per-patient predictions (prognosis_predictions.csv).  Usage: nice -n 10 python bench/prognosis.py [--seeds 0 1] [--table-only]; --seeds 1 keeps the saved predictions of the
other seeds and adds seed 1's. GRU-D (PyPOTS, its own venv: bench/prognosis_grud.py) joins the table from its
predictions file when present."""
import argparse, os, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np, pandas as pd, torch
from dataclasses import replace
from pathlib import Path
from gru_hybrids.prognosis import PBC2, landmark_samples, patient_folds, PrognosisModel, PrognosisConfig, fit_baselines
from gru_hybrids.metrics import classification_metrics, bootstrap_ci, paired_bootstrap
from gru_hybrids.train import ResultRow, write_results, collect_report

OURS, BAR, GRUD = "ours: AGRU", "landmark logistic regression", "GRU-D (PyPOTS 1.5)"

def run_fold(cohort, main, stacked, fold_of, f, cfg, seed):
    train = stacked.subset(np.array([fold_of[p] != f for p in stacked.ids]))
    test = main.subset(np.array([fold_of[p] == f for p in main.ids]))
    preds, secs = {}, {}
    for name, c in ((OURS, cfg), ("plain GRU, forward fill", replace(cfg, cell="gru"))):
        t0 = time.time(); preds[name] = PrognosisModel.fit(train, c, seed=seed, device="cpu").predict(test); secs[name] = time.time() - t0
    t0 = time.time(); base = fit_baselines(train, seed, cfg.horizon)
    for name, fn in base.items(): preds[name] = fn(test); secs[name] = (time.time() - t0) / len(base)
    return pd.DataFrame({"repeat": seed, "fold": f, "id": test.ids, "label": test.label, **preds}), secs

def main():
    p = argparse.ArgumentParser(); p.add_argument("--seeds", type=int, nargs="+", default=[0, 1]); p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--out", default="bench/results/prognosis")
    p.add_argument("--table-only", action="store_true", help="write the table from the saved predictions (complete repeats only)")
    a = p.parse_args(); torch.set_num_threads(1)
    cfg = replace(PrognosisConfig(), epochs=a.epochs)
    saved = Path(a.out).parent / "prognosis_predictions.csv"
    if a.table_only: return write_table(complete(pd.read_csv(saved)), {}, a, cfg)
    with collect_report():
        cohort = PBC2.loader()
        main = landmark_samples(cohort, (cfg.main_landmark,), cfg.horizon)
        stacked = landmark_samples(cohort, cfg.landmarks, cfg.horizon, keep_unlabelled=True)
        parts, secs = ([] if not saved.exists() else [complete(pd.read_csv(saved)).query("repeat not in @a.seeds")]), {}
        for seed in a.seeds:
            fold_of = patient_folds(cohort.ids, dict(zip(main.ids, main.label)), k=5, seed=seed)
            for f in range(5):
                df, s = run_fold(cohort, main, stacked, fold_of, f, cfg, seed); parts.append(df)
                for k, v in s.items(): secs.setdefault(k, []).append(v)
                print(f"repeat {seed} fold {f}:", {k: round(classification_metrics(df.label, df[k], threshold=None)["AUROC"], 3) for k in s}, flush=True)
                pd.concat(parts)[[c for c in parts[-1].columns]].to_csv(saved, index=False)   # our methods only
    write_table(complete(pd.concat(parts)), secs, a, cfg)

def complete(pred: pd.DataFrame) -> pd.DataFrame:
    "The repeats with all 5 folds, joined with GRU-D's predictions for the same (repeat, fold, patient) when saved."
    done = pred.groupby("repeat").fold.nunique(); pred = pred[pred.repeat.isin(done.index[done == 5])]
    pred = pred[[c for c in pred.columns if not c.startswith(GRUD)]]          # joined afresh below, never saved with ours
    grud = Path(__file__).parent / "results" / "prognosis_grud_predictions.csv"
    if not grud.exists(): return pred
    g = pd.read_csv(grud); gd = g.groupby("repeat").fold.nunique(); g = g[g.repeat.isin(gd.index[gd == 5])]
    out = pred.merge(g, on=["repeat", "fold", "id"], how="left", suffixes=("", "_grud"))
    seen = out[GRUD].notna()
    if not (out.label[seen] == out.label_grud[seen]).all(): raise ValueError("GRU-D's labels differ from ours for the same patients")
    if seen.any() and not out[seen].groupby("repeat").size().eq(out.groupby("repeat").size()[out[seen].repeat.unique()]).all():
        raise ValueError("GRU-D's predictions cover only part of a repeat")
    return out.drop(columns="label_grud")

def write_table(pred, secs, a, cfg):
    methods = [c for c in pred.columns if c not in ("repeat", "fold", "id", "label")]
    split = f"PBC2, landmark 2 y, death within 5 y; patient-grouped stratified 5-fold CV x {pred.repeat.nunique()} repeats, pooled"
    metric = lambda y, s: {k: v for k, v in classification_metrics(y, s).items() if k in ("AUROC", "AUPRC", "Brier")}
    rows, lines = [], []
    for seed, g in pred.groupby("repeat"):
        for m in methods:
            if g[m].isna().all(): continue                                   # GRU-D not run on this repeat
            ci = bootstrap_ci(metric, g.label.to_numpy(), g[m].to_numpy(), units=g.id.to_numpy(), seed=seed)
            per_fold = [classification_metrics(h.label, h[m], threshold=None)["AUROC"] for _, h in g.groupby("fold")]
            for name, r in ci.iterrows():
                rows.append(ResultRow("pbc2", f"{split} (repeat {seed})", m, name, r.estimate, r.lo, r.hi, unit="patient", n_units=len(g), seed=seed,
                                      seconds=float(np.mean(secs[m])) if m in secs else None, chosen_on="inner validation / inner grouped CV of the training folds"))
            rows.append(ResultRow("pbc2", f"{split} (repeat {seed})", m, "AUROC per fold: mean", float(np.mean(per_fold)), float(np.min(per_fold)), float(np.max(per_fold)),
                                  unit="fold (min, max)", n_units=len(per_fold), seed=seed, chosen_on="inner validation / inner grouped CV of the training folds"))
            for rival, short in ((BAR, "LR"), (GRUD, "GRU-D")):
                if m == rival or (m != OURS and rival == GRUD) or rival not in g or g[rival].isna().all(): continue
                d = paired_bootstrap(metric, g.label.to_numpy(), g[m].to_numpy(), g[rival].to_numpy(), units=g.id.to_numpy(), seed=seed)
                lines.append(f"| {seed} | {m} | {rival} | " + " | ".join(f"{d.loc[k, 'diff']:+.3f} [{d.loc[k, 'lo']:+.3f}, {d.loc[k, 'hi']:+.3f}] {d.loc[k, 'winner'] or 'tie'}"
                                                           .replace(" a", " this method").replace(" b", " " + short) for k in ("AUROC", "AUPRC", "Brier")) + " |")
    csv, md = write_results(rows, a.out, title="Clinical prognosis on PBC2: death within 5 years of the 2-year landmark")
    head = pd.DataFrame([r.__dict__ for r in rows]); au = head[head.metric == "AUROC per fold: mean"].groupby("method").value.mean().sort_values(ascending=False)
    folds = pd.DataFrame([dict(method=m, repeat=r, fold=f, auroc=classification_metrics(h.label, h[m], threshold=None)["AUROC"])
                          for m in methods for (r, f), h in pred.groupby(["repeat", "fold"]) if h[m].notna().all()])
    spread = folds.groupby("method").auroc.agg(["mean", "std", "min", "max", "count"]).sort_values("mean", ascending=False)
    verdict = ("beats" if au[OURS] > au[BAR] else "does not beat") + f" the landmark logistic regression on the mean AUROC over folds ({au[OURS]:.3f} against {au[BAR]:.3f})"
    md.write_text(md.read_text() + f"""
**Headline (generated from the rows above):** the AGRU {verdict}. Mean AUROC over folds and repeats: {', '.join(f'{k} {v:.3f}' for k, v in au.items())}.

AUROC over the test folds of every repeat (mean, standard deviation, min, max over fold x repeat):

| method | mean | sd | min | max | folds |
|---|---|---|---|---|---|
""" + "\n".join(f"| {m} | {r['mean']:.3f} | {r['std']:.3f} | {r['min']:.3f} | {r['max']:.3f} | {int(r['count'])} |" for m, r in spread.iterrows()) + f"""

Paired bootstrap over patients (pooled test predictions of one repeat), method minus rival (95% interval; the winner where it excludes 0; for Brier, lower is better):

| repeat | method | rival | AUROC | AUPRC | Brier |
|---|---|---|---|---|---|
""" + "\n".join(lines) + f"""

**Settings and how they were chosen.** Folds: `patient_folds` (the kit's `group_kfold` within strata of the patients' label at the 2-year landmark), seeds 0..{pred.repeat.nunique() - 1}; no patient is in two folds. Training stacks landmarks {cfg.landmarks} (years) of the training patients; test is the 2-year landmark. Networks (AGRU and plain GRU): hidden {cfg.hidden}, static embedding {cfg.static_dim}, dropout {cfg.dropout}, lr {cfg.lr}, batch {cfg.bs}, weight decay {cfg.wd}, {cfg.epochs} one-cycle epochs with the best epoch kept on validation AUROC of a fifth of the training patients (grouped, stratified) — the architecture sizes are the library defaults, not tuned on these folds. Logistic regression: L2 strength from 11 values by 3-fold grouped inner CV (AUROC); gradient-boosted trees: depth {{2, 3}} x learning rate {{0.03, 0.1}} by the same inner CV; Cox: ridge alpha {{0.1, 1, 10, 100}} by 3-fold grouped inner CV (concordance), P(death) = 1 - S(5 y). Scalers and the log transform of skewed labs: fitted on the training folds. Every method sees the same information: static data, age at the landmark, the visits up to the landmark (the tabular ones as last values, their age and the visit count).
GRU-D (PyPOTS 1.5, `bench/prognosis_grud.py`, its own venv): the same folds, training samples and validation fifth; hidden 32 (as ours), batch 32, Adam lr 1e-3 (PyPOTS's default), up to 100 epochs with early stopping on the validation fifth's cross-entropy (patience 10); inputs: the standardised visits with NaN where not measured, the static data repeated at every visit (GRU-D has no static input), the real time gaps in place of PyPOTS's unit-grid gaps, every visit (left-padded).
""")
    print(md.read_text())

if __name__ == "__main__": main()
