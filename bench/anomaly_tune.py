"""Choose the anomaly detector's scoring settings on validation plantings only (never the test stretch).

    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=. python bench/anomaly_tune.py --stage fit [--hide 12 1]
    ... --stage score [--hide 12 1 24 48]; ... --stage md

The tuning stretch is steps 10,080-19,735 of the appliance-energy sensors: disjoint from the first 10,080 steps that
the bench and the blind checks use (their test part is steps 8,064-10,080). On it: chronological 60/20/20 split,
12 events planted in its last 20% with planting seeds 201-205 (validation plantings; never used for a figure).
Stage `fit` trains ours (ANOMALY_QUICK, training seed 0) for each hidden length h and saves the raw per-step,
per-channel errors on the stretch's validation and planted parts; stage `score` compares scoring settings on those
errors (channel scale, how channels are combined: largest, mean or Mahalanobis distance; smoothing, threshold, a hybrid with persistence) by pooled range-F1 and
writes bench/results/anomaly_tune.md|csv.
"""
import argparse, itertools, time, warnings
from dataclasses import replace
from pathlib import Path
import numpy as np, pandas as pd, torch
from gru_hybrids.anomaly import (ANOMALY_QUICK, AnomalyDetector, split_series, load_appliance_energy, anomaly_metrics,
                                 error_scale, pot_threshold)
from gru_hybrids.metrics import bootstrap_ci, event_units

warnings.filterwarnings("ignore")
TMP, OUT = Path("/tmp/anom_tune"), Path(__file__).parent / "results" / "anomaly_tune"
SEEDS, STRETCH = (201, 202, 203, 204, 205), (10080, 19735)

def tuning_split(ps, cfg):
    return split_series(load_appliance_energy().slice(*STRETCH), cfg.window, n_events=cfg.n_events, plant_seed=ps)

def fit_stage(hides, conv):
    for h, ps in itertools.product(hides, SEEDS):
        f = TMP / f"err_h{h}_c{int(conv)}_{ps}.npz"
        if f.exists(): continue
        cfg = replace(ANOMALY_QUICK, hide=h, use_conv=conv); sp = tuning_split(ps, cfg)
        t0 = time.time(); m = AnomalyDetector.fit(sp.train, sp.valid, cfg, 0, device="cpu"); secs = time.time() - t0
        np.savez(f, ev=m.errors(sp.valid), et=m.errors(sp.test), y=sp.test.labels, k=sp.context, secs=secs)
        print(f"h={h} conv={conv} seed {ps}: {secs:.0f}s", flush=True)

def persistence_err(ps, cfg):
    sp = tuning_split(ps, cfg); mu, sd = sp.train.values.mean(0), sp.train.values.std(0) + 1e-9
    e = lambda s: np.r_[np.full((1, s.values.shape[1]), np.nan), np.diff((s.values - mu) / sd, axis=0)]
    return e(sp.valid), e(sp.test)

def channel_scores(err, scale, smooth, pool):
    sq = (err / scale) ** 2
    return pd.DataFrame(sq).rolling(smooth, min_periods=1).agg(pool).to_numpy()

def mahalanobis(ev, et, smooth):
    "d_t = (e_t - mu)' S^-1 (e_t - mu), mu and S from the validation errors, averaged over the last `smooth` steps."
    ok = np.isfinite(ev).all(1); mu = ev[ok].mean(0); P = np.linalg.inv(np.cov((ev[ok] - mu).T).reshape(ev.shape[1], -1) + 1e-6 * np.eye(ev.shape[1]))
    f = lambda e: pd.Series(np.einsum("ti,ij,tj->t", e - mu, P, e - mu)).rolling(smooth, min_periods=1).mean().to_numpy()
    return f(ev), f(et)

def score(ev, et, how, smooth, pool, agg):
    if agg == "maha": return mahalanobis(ev, et, smooth)
    sc = error_scale(ev) if how == "std" else np.maximum(1.4826 * np.nanmedian(np.abs(ev - np.nanmedian(ev, 0)), 0), 1e-6)
    f = (lambda a: np.nanmax(a, 1)) if agg == "max" else (lambda a: np.nanmean(a, 1))
    return f(channel_scores(ev, sc, smooth, pool)), f(channel_scores(et, sc, smooth, pool))

def flag(sv, st, thr):
    sv_ = sv[np.isfinite(sv)]
    t = pot_threshold(sv_, .98, 1e-3) if thr == "POT" else np.quantile(sv_, float(thr))
    return np.c_[st, np.nan_to_num(st, nan=-np.inf) > t]

def score_stage(hides, conv):
    "Every scoring setting on the five validation plantings, pooled; each score computed once, then each threshold."
    cfg, rows = ANOMALY_QUICK, []
    data = {ps: {h: np.load(TMP / f"err_h{h}_c{int(conv)}_{ps}.npz") for h in hides} for ps in SEEDS}
    pers = {ps: persistence_err(ps, cfg) for ps in SEEDS}
    combos = [("persistence", hides[0])] + [(src, h) for src in ("ours", "hybrid") for h in hides]
    for (src, h), how, m, agg in itertools.product(combos, ["std", "mad"], [1, 3, 6, 12], ["max", "mean", "maha"]):
        if agg == "maha" and how == "mad": continue   # scale-free: one row
        per_seed = []
        for ps in SEEDS:
            d = data[ps][h]; k = int(d["k"]); pv, pt = pers[ps]
            sv, st = score(pv, pt, how, m, "mean", agg) if src == "persistence" else score(d["ev"], d["et"], how, m, "mean", agg)
            if src == "hybrid":
                qv, qt = score(pv, pt, how, m, "mean", agg); a, b = np.nanquantile(sv, .99), np.nanquantile(qv, .99)
                sv, st = sv / a + qv / b, st / a + qt / b
            per_seed.append((sv, st, d["y"][k:], k))
        y = np.concatenate([p[2] for p in per_seed])
        for thr in ["POT", "0.99", "0.995", "0.999", "1.0"]:
            o = np.concatenate([flag(sv, st, thr)[k:] for sv, st, _, k in per_seed]); met = anomaly_metrics(y, o)
            rows.append(dict(source=src, hide=h if src != "persistence" else 1, scale=how, smooth=m, channels=agg, threshold=thr,
                             **{k: met[k] for k in ("AUC-PR", "range-F1", "F1", "PA-F1", "event recall")}))
        print(src, h, how, m, agg, round(rows[-5]["AUC-PR"], 3), [round(r["range-F1"], 3) for r in rows[-5:]], flush=True)
    df = pd.DataFrame(rows).sort_values("range-F1", ascending=False)
    df.to_csv(OUT.with_suffix(".csv"), index=False)
    print(df.head(40).to_string()); return df

def md_stage(hides, conv):
    "bench/results/anomaly_tune.md from the csv: what was chosen, and the best 8 rows per source."
    df = pd.read_csv(OUT.with_suffix(".csv")); best = df.groupby("source", sort=False).head(8)
    text = ("# Anomaly detection: scoring settings chosen on validation plantings (not a test result)\n\n"
            "bench/anomaly_tune.py. Tuning stretch: steps 10,080-19,735 of the appliance-energy sensors (disjoint from the blind "
            "sets, which live in steps 0-10,080); chronological 60/20/20 split; 12 events planted in its last 20% per planting seed "
            "201-205 (60 events pooled). Ours (ANOMALY_QUICK, training seed 0) trained for each hidden length h; scoring settings "
            "compared on the saved errors; persistence given the same grid. Sorted by pooled range-F1 (point estimates; no interval: "
            "this is selection, not evidence). First grid (h in {12, 1}, before the second blind check): chosen h = 12, std scale, "
            "m=1, Mahalanobis, 0.995 quantile (range-F1 0.305, AUC-PR 0.288); persistence: m=6, Mahalanobis, threshold at the "
            "validation maximum. Extended grid (h in {1, 12, 24, 48}, after the second blind check, for a better score; the "
            f"rows of the first grid are reproduced exactly): chosen h = 48 = L, the rest unchanged (range-F1 "
            f"{df.iloc[0]['range-F1']:.3f}, AUC-PR {df.iloc[0]['AUC-PR']:.3f}), frozen in ANOMALY_QUICK before the third blind "
            "check (seeds 401-405). 'maha' = Mahalanobis distance; 'mad' = median-based channel scale. Also tried on the same "
            "validation plantings and not kept (a one-off script on the saved errors; pooled AUC-PR / best range-F1 over the threshold "
            "grid): on the h = 12 errors, Mahalanobis of the stacked errors of the last 2 or 4 steps (0.263 / 0.253, 0.248 / 0.247), "
            "Mahalanobis of the 24-step mean error (0.309 / 0.182), the step score plus that term (0.291 / 0.343 with m=12), plus "
            "PCA reconstruction of the lagged readings (0.287 / 0.310), plus persistence's (0.275 / 0.254); two-model combinations "
            "of h = 48 with h = 12 or 24 (sum of the step scores: 0.371 / 0.361, 0.396 / 0.383; joint Mahalanobis over both error "
            "vectors: 0.353 / 0.357, 0.359 / 0.424): each ranks the steps worse than h = 48 alone and needs two trainings.\n\n"
            "Best 8 per source (the full grid is in anomaly_tune.csv):\n\n" + best.round(3).to_markdown(index=False) + "\n")
    OUT.with_suffix(".md").write_text(text); print(text[:1500])

if __name__ == "__main__":
    p = argparse.ArgumentParser(); p.add_argument("--stage", choices=["fit", "score", "md"]); p.add_argument("--hide", nargs="+", type=int, default=[12, 1])
    p.add_argument("--gru-only", action="store_true")
    a = p.parse_args(); torch.set_num_threads(1)
    {"fit": fit_stage, "score": score_stage, "md": md_stage}[a.stage](a.hide, not a.gru_only)
