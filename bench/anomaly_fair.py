"""The same threshold search for every anomaly method (issue #14), then a blind evaluation with the chosen settings.

    PYTHONPATH=.:bench python bench/anomaly_fair.py --stage choose          # validation plantings 201-205 only
    PYTHONPATH=.:bench python bench/anomaly_fair.py --stage blind --plant-seeds 301 302 303 304 305 --out anomaly_blind2

Ours and persistence had a validation search over the smoothing m of the step score and the threshold (a quantile of
the validation scores, or POT) in bench/anomaly_tune.py; the peers had kept an untuned POT threshold. Stage `choose`
gives each peer (Isolation Forest, LOF, PCA, LSTM-AD, USAD) that same grid, m in {1, 3, 6, 12} x threshold in
{POT(0.98, 1e-3), 0.99, 0.995, 0.999, 1.0 quantile}, on the cached scores of the five validation plantings of the
tuning stretch (bench/anomaly_scores.py --where tune), and picks the setting with the best pooled range-F1, the
criterion ours was chosen by. The channel options of ours' grid (largest / mean / Mahalanobis, channel scale) do not
apply: each peer gives one score per step. Stage `blind` rescores the cached test scores of fresh plantings with those
settings (ours, the GRU alone and persistence keep their frozen settings) and writes the table, intervals over events
and the paired tests. Scores do not depend on the threshold: nothing is retrained here.
"""
import argparse, itertools, json, subprocess
from pathlib import Path
import numpy as np, pandas as pd
from gru_hybrids.anomaly import anomaly_metrics, interval_metrics, pot_threshold
from gru_hybrids.metrics import bootstrap_ci, paired_bootstrap, event_units
from gru_hybrids.train import ResultRow, PairedRow, write_results
from anomaly import pooled_rows
from anomaly_scores import load, GRU, PREV, OURS, IF, NAIVE_NAME

RES = Path(__file__).parent / "results"
CHOSEN = RES / "anomaly_peer_settings.json"
PEERS = (IF, "LOF (lagged readings)", "PCA reconstruction (lagged readings)", "PyOD LSTM-AD", "deepod USAD")
SMOOTH, THRESH = (1, 3, 6, 12), ("POT", "0.99", "0.995", "0.999", "1.0")
TUNE_SEEDS = (201, 202, 203, 204, 205)
METRICS = ("AUC-PR", "F1", "PA-F1", "range-F1", "event recall", "median delay")

def smoothed(s: np.ndarray, m: int) -> np.ndarray:
    "Causal mean of the step score over the last m steps (NaN steps stay NaN)."
    out = pd.Series(s).rolling(m, min_periods=1).mean().to_numpy(copy=True); out[np.isnan(s)] = np.nan; return out

def threshold(sv: np.ndarray, rule: str) -> float:
    s = sv[np.isfinite(sv)]
    return pot_threshold(s, .98, 1e-3) if rule == "POT" else float(np.quantile(s, float(rule)))

def flagged(sv, st, m, rule) -> np.ndarray:
    "[T x 2] (score, flag) of the test steps: smoothing m on both, threshold from the smoothed validation scores only."
    sv, st = smoothed(sv, m), smoothed(st, m)
    return np.c_[st, np.nan_to_num(st, nan=-np.inf) > threshold(sv, rule)]

def choose():
    data = {ps: load("tune", ps) for ps in TUNE_SEEDS}
    y = np.concatenate([d["y"][int(d["k"]):] for d in data.values()])
    rows, chosen = [], {}
    for name, m, rule in itertools.product(PEERS, SMOOTH, THRESH):
        o = np.concatenate([flagged(d[f"{name}|sv"], d[f"{name}|st"], m, rule)[int(d["k"]):] for d in data.values()])
        met = anomaly_metrics(y, o)
        rows.append(dict(method=name, smooth=m, threshold=rule, **{k: round(met[k], 4) for k in ("AUC-PR", "range-F1", "F1", "PA-F1", "event recall")}))
    df = pd.DataFrame(rows)
    for name, g in df.groupby("method", sort=False):
        best = g.loc[g["range-F1"].idxmax()]; default = g[(g.smooth == 1) & (g.threshold == "POT")].iloc[0]
        chosen[name] = dict(smooth=int(best.smooth), threshold=best.threshold, valid_range_F1=float(best["range-F1"]),
                            valid_range_F1_untuned_POT=float(default["range-F1"]), valid_AUC_PR=float(best["AUC-PR"]))
    CHOSEN.write_text(json.dumps(chosen, indent=1))
    df.sort_values(["method", "range-F1"], ascending=[True, False]).to_csv(RES / "anomaly_peer_tune.csv", index=False)
    best = df.sort_values("range-F1", ascending=False).groupby("method", sort=False).head(5)
    text = ("# Anomaly detection: the peers' threshold search on validation plantings (not a test result)\n\n"
            "bench/anomaly_fair.py --stage choose, on the cached scores of the tuning stretch (steps 10,080-19,735, planting seeds "
            "201-205, 60 events pooled; bench/anomaly_scores.py --where tune), the same stretch, plantings and criterion (pooled "
            "range-F1) that chose ours' and persistence's settings (bench/anomaly_tune.py). Grid: smoothing m of the step score in "
            f"{list(SMOOTH)} x threshold in {list(THRESH)} (POT: level 0.98, risk 1e-3; otherwise that quantile of the "
            "validation scores). Point estimates, no intervals: this is selection, not evidence. Ties (USAD scores 0 everywhere) go "
            "to the first setting of the grid (m=1, POT). What the search found: on this stretch the peers' validation scores run "
            "higher than their scores on the normal test steps (a calmer test period for point detectors), so at every threshold of "
            "the grid they flag few test steps; the lowest quantile (0.99) wins for all but USAD. The grid is the one ours had; "
            "lower quantiles were not in it for anyone.\n\nChosen:\n\n"
            + pd.DataFrame(chosen).T.to_markdown() + "\n\nBest 5 per method (the full grid is in anomaly_peer_tune.csv):\n\n"
            + best.to_markdown(index=False) + "\n")
    (RES / "anomaly_peer_tune.md").write_text(text); print(text)

def outputs(d, chosen) -> dict:
    "{method: [T x 2]} on the scored test steps: ours, the GRU alone and persistence frozen; the peers with their chosen settings."
    k, out = int(d["k"]), {}
    for name in (OURS, GRU, PREV):
        if f"{name}|st" not in d: continue
        st = d[f"{name}|st"]; out[name] = np.c_[st, np.nan_to_num(st, nan=-np.inf) > float(d[f"{name}|thr"])][k:]
    out[NAIVE_NAME] = flagged(d[f"{NAIVE_NAME}|sv"], d[f"{NAIVE_NAME}|st"], 1, "1.0")[k:]   # its scores are already smoothed (m = 6)
    for name in PEERS:
        if f"{name}|st" in d: out[name] = flagged(d[f"{name}|sv"], d[f"{name}|st"], chosen[name]["smooth"], chosen[name]["threshold"])[k:]
    return out

def how(name, chosen, frozen_note) -> str:
    if name in (OURS, GRU): return frozen_note
    if name == PREV: return FROZEN
    if name == NAIVE_NAME: return "its own settings (m=6, Mahalanobis, validation maximum) chosen on validation plantings 201-205 (bench/anomaly_tune.py)"
    c = chosen[name]
    return (f"smoothing m={c['smooth']}, threshold {'POT' if c['threshold'] == 'POT' else 'validation ' + c['threshold'] + ' quantile'} "
            "chosen on validation plantings 201-205 by the same grid as ours (bench/anomaly_fair.py --stage choose)")

def real_rows(name, chosen, frozen_note) -> list:
    "Point estimates on a real labelled series (one event: no interval), every method with its chosen setting."
    d = load(name, 0)
    if not d: return []
    k = int(d["k"]); y = d["y"][k:]
    return [ResultRow(name, f"test (last {len(y)} steps, 1 event)", m, q, float(anomaly_metrics(y, v)[q]), unit="", n_units=1, seed=0,
                      seconds=round(float(d[f"{m}|secs"]), 1), chosen_on=how(m, chosen, frozen_note) + "; ours: window 64, smoothing 16, h = 16 fixed a priori")
            for m, v in outputs(d, chosen).items() for q in METRICS]

def blind(seeds, out_name, title, notes, frozen_note, n_boot=1000, where="blind", real=()):
    "Per-seed and pooled rows (95% bootstrap over events), attribution, paired tests; from cached scores only."
    chosen = json.loads(CHOSEN.read_text())
    rows, ys, units, outs_all, secs_all, hits, off = [], [], [], {}, {}, [], 0
    for ps in seeds:
        d = load(where, ps); k = int(d["k"]); y = d["y"][k:]; u = event_units(y); o = outputs(d, chosen)
        for m, v in o.items():
            est, s = anomaly_metrics(y, v), float(d[f"{m}|secs"])
            rows += [ResultRow(f"appliance_energy (planted seed {ps})", f"test, {u.max() + 1} events", m, q, float(est[q]), n_units=int(u.max()) + 1,
                               seed=0, seconds=round(s, 1), chosen_on=how(m, chosen, frozen_note)) for q in METRICS]
            outs_all.setdefault(m, []).append(v); secs_all.setdefault(m, []).append(s)
        ys.append(y); units.append(u + off); off += int(u.max()) + 1; hits.append(d[f"{OURS}|hits"])
        print(ps, {m: round(anomaly_metrics(y, v)["range-F1"], 3) for m, v in o.items()}, flush=True)
    pr, y, units, outs, ds, sp = pooled_rows(outs_all, secs_all, ys, units, seeds, n_boot, lambda m: how(m, chosen, frozen_note)); rows += pr
    h = np.concatenate(hits); hci = bootstrap_ci(lambda a: float(a.mean()), h, n_boot=n_boot, seed=0)
    rows.append(ResultRow(ds, sp, OURS, "attribution top-1", float(h.mean()), hci.lo, hci.hi, "single-channel event", len(h), 0, None,
                          "frozen before the run; chance 0.1"))
    best = max((m for m in outs if m != OURS), key=lambda m: anomaly_metrics(y, outs[m])["range-F1"])
    best_auc = max((m for m in outs if m != OURS), key=lambda m: anomaly_metrics(y, outs[m])["AUC-PR"])
    paired = []
    for other in dict.fromkeys([IF, best, best_auc, NAIVE_NAME, "PyOD LSTM-AD", GRU, PREV]):
        if other not in outs: continue
        pb = paired_bootstrap(interval_metrics, y, outs[OURS], outs[other], units=units, n_boot=n_boot, seed=0)
        paired += [PairedRow.from_test(pb.loc[q], ds, sp, OURS, other, "event", off) for q in ("range-F1", "AUC-PR", "F1", "event recall")]
    for name in real: rows += real_rows(name, chosen, frozen_note)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    text = (f"Code at commit {commit}. Strongest other row by pooled range-F1: {best}; by AUC-PR: {best_auc}. " + notes +
            f" Peers' settings, chosen on validation plantings 201-205 only (bench/results/anomaly_peer_tune.md): {chosen}.")
    write_results(rows, RES / out_name, title, paired=paired, notes=text)
    print((RES / out_name).with_suffix(".md").read_text()[:3000]); return rows, paired

FROZEN = ("frozen before the run; scoring (Mahalanobis, m=1) and threshold (validation 0.995 quantile) chosen on validation "
          "plantings 201-205 (bench/anomaly_tune.py)")
BLIND2_TITLE = "Anomaly detection, second blind check (planting seeds 301-305), every method with the same threshold search"
BLIND2_NOTES = (
    "Every row had the same search: the smoothing m of the step score and the threshold (POT or a validation quantile) were chosen "
    "for each method on validation plantings 201-205 (steps 10,080-19,735, disjoint from these) by pooled range-F1: ours and "
    "persistence in bench/anomaly_tune.py (also over channel combination and scale), the peers in bench/anomaly_fair.py --stage "
    "choose. Ours, the GRU alone and persistence are frozen as at commit 9badedd (h = 12); the first version of this file (same "
    "seeds, commit 92a8f25) gave the peers an untuned POT threshold. Scores: bench/anomaly_scores.py --where blind, each method "
    "trained once on the train/validation part (a planting touches only the test part, so it is the same for every seed) and "
    "scored on each planting's test part; ours and the GRU alone (training seed 0, deterministic on CPU) reproduce the first "
    "run's numbers exactly (pooled range-F1 0.249 and 0.244). LSTM-AD and USAD were retrained, early-stopped on validation loss "
    "(patience 3) with the wall-clock caps raised to 600 s so that patience, not the load on this shared CPU, ends training "
    "(at the first run's 150 s / 90 s caps a loaded machine cut USAD to 4 epochs). The scores were thresholded once with the "
    "settings chosen on validation. Planted set: the first 10,080 steps of the appliance-energy sensors, 12 events planted in the "
    "test part per seed; pooled rows put the seeds' test steps side by side, 95% bootstrap over events (1,000 resamples). Peers: "
    "Isolation Forest on [z_t, z_t - z_{t-1}], LOF and PCA on each step's standardised readings with 3 lags, LSTM-AD (window 50) "
    "and USAD (window 50) with their defaults. The Anomaly Transformer is left out (185 s per epoch on this CPU). Real series "
    "(mitdb, ucr_135; one labelled event each: point estimates only): the same methods and settings (peers' from the planted "
    "validation search; ours with window 64, smoothing 16 and h = 16 fixed a priori, its 0.995 quantile threshold). "
    "`seconds`: training time, CPU, one thread, on a machine shared with other jobs. Training seed 0.")

FROZEN3 = ("frozen before the run; the whole window hidden (h = L = 48), Mahalanobis, m=1, validation 0.995 quantile, chosen on "
           "validation plantings 201-205 (bench/anomaly_tune.py, h in {1, 12, 24, 48})")
BLIND3_TITLE = "Anomaly detection, third blind check (planting seeds 401-405): the new score, frozen before the run"
BLIND3_NOTES = (
    "Ours' new setting, hiding the scored channel over the whole window (h = L = 48: each channel inferred from the other sensors "
    "only), was chosen on validation plantings 201-205 (bench/anomaly_tune.py --stage score --hide 12 1 24 48: pooled AUC-PR 0.466 "
    "against 0.288 for h = 12, range-F1 0.386 against 0.305, the rest of the scoring unchanged) and frozen in ANOMALY_QUICK before "
    "this run; seeds 401-405 were never used before, and this table was made once. The GRU alone is the same change without the "
    "convolution; 'ours, previous scoring (h = 12)' is the setting frozen for the second blind check, for the paired comparison. "
    "Every other method has its setting from the same validation search as in the second blind check (peers: "
    "bench/anomaly_fair.py --stage choose; persistence: bench/anomaly_tune.py). Each method was trained once on the train/validation "
    "part (the same for every planting seed) and scored on each planting's test part (bench/anomaly_scores.py --where blind). "
    "Planted set: the first 10,080 steps of the appliance-energy sensors, 12 events planted in the test part per seed; pooled rows "
    "put the seeds' test steps side by side, 95% bootstrap over events (1,000 resamples). LSTM-AD and USAD early-stopped on validation "
    "loss (patience 3; wall-clock caps 600 s, so that patience ends training on this shared CPU). The Anomaly Transformer is left out "
    "(185 s per epoch on this CPU). Training seed 0.")

if __name__ == "__main__":
    p = argparse.ArgumentParser(); p.add_argument("--stage", choices=["choose", "blind", "blind3"], required=True)
    p.add_argument("--plant-seeds", nargs="+", type=int, default=[301, 302, 303, 304, 305]); p.add_argument("--out", default="anomaly_blind2")
    p.add_argument("--n-boot", type=int, default=1000)
    a = p.parse_args()
    if a.stage == "choose": choose()
    elif a.stage == "blind": blind(a.plant_seeds, a.out, BLIND2_TITLE, BLIND2_NOTES, FROZEN, a.n_boot, real=("mitdb", "ucr_135"))
    else: blind([401, 402, 403, 404, 405], "anomaly_blind3", BLIND3_TITLE, BLIND3_NOTES, FROZEN3, a.n_boot)
