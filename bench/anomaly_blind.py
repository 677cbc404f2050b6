"""Blind re-check of the anomaly detector's quick configuration on planting seeds never used before (101-105).

    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=. python bench/anomaly_blind.py [--plant-seeds 101 102 103 104 105]

Every setting is frozen as committed before this script was first run (ANOMALY_QUICK, the planting generator, the
error scale, the POT level and risk, the baselines' features); nothing is changed after looking at these results.
Training seed 0 for every planting seed (fixed before the run). Methods: ours (CNN + GRU), the GRU alone, the
persistence forecaster, Isolation Forest, exactly as `method_outputs` in nbs/16_anomaly.ipynb runs them.

Writes bench/results/anomaly_blind.csv|md (+ _paired.csv): per planting seed, and pooled over the seeds with 95%
bootstrap intervals over events (each test step belongs to its nearest planted event; units kept apart per seed).
Attribution: share of single-channel events whose top channel is the planted one, pooled, with a bootstrap interval
over those events, against chance (1/10) and the notebook's 3x-chance bar (0.3).
"""
import argparse, subprocess, time, warnings
from pathlib import Path
import numpy as np, pandas as pd, torch
from gru_hybrids.anomaly import (ANOMALY_QUICK, AnomalyDetector, split_series, load_appliance_energy, method_outputs,
                                 fit_gru_only, event_channels, interval_metrics, anomaly_metrics)
from gru_hybrids.metrics import bootstrap_ci, paired_bootstrap, event_units
from gru_hybrids.train import ResultRow, PairedRow, write_results

warnings.filterwarnings("ignore")
OUT = Path(__file__).parent / "results" / "anomaly_blind"
OURS, METRICS = "ours: CNN + GRU", ("AUC-PR", "F1", "PA-F1", "range-F1", "event recall")

def one_seed(plant_seed: int, seed: int=0):
    "Outputs of every method on the test steps of one planting, training seconds, and the attribution hits."
    cfg = ANOMALY_QUICK
    split = split_series(load_appliance_energy(cfg.n_rows), cfg.window, n_events=cfg.n_events, plant_seed=plant_seed)
    t0 = time.time(); model = AnomalyDetector.fit(split.train, split.valid, cfg, seed, device="cpu"); t_ours = time.time() - t0
    t0 = time.time(); gru = fit_gru_only(split, cfg, seed, "cpu"); t_gru = time.time() - t0
    outs = method_outputs(model, split, seed, gru)
    a, hits = model.channel_scores(split.test), []
    for r in split.test.events.itertuples():
        if len(r.channels) == 1: hits.append(event_channels(model, split.test, r.start, r.end, a).index[0] == r.channels[0])
    return split.test.labels[split.context:], outs, {OURS: t_ours, "GRU alone (no CNN)": t_gru}, np.array(hits, float)

def main():
    p = argparse.ArgumentParser(); p.add_argument("--plant-seeds", nargs="+", type=int, default=[101, 102, 103, 104, 105])
    p.add_argument("--n-boot", type=int, default=1000)
    a = p.parse_args(); torch.set_num_threads(1)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rows, paired, ys, outs_all, units_all, hits_all, off = [], [], [], {}, [], [], 0
    for ps in a.plant_seeds:
        t0 = time.time(); y, outs, secs, hits = one_seed(ps)
        u = event_units(y); n_ev = int(u.max()) + 1
        split = f"planting seed {ps}: test, {n_ev} events"
        for m, o in outs.items():
            est = anomaly_metrics(y, o)
            for k in METRICS: rows.append(ResultRow("appliance_energy (planted)", split, m, k, float(est[k]), unit="", n_units=n_ev, seed=0,
                                                    seconds=round(secs.get(m, np.nan), 1), chosen_on="frozen before the run (ANOMALY_QUICK)"))
        rows.append(ResultRow("appliance_energy (planted)", split, OURS, "attribution top-1", float(hits.mean()), n_units=len(hits), seed=0,
                              chosen_on="frozen before the run"))
        ys.append(y); units_all.append(u + off); off += n_ev; hits_all.append(hits)
        for m, o in outs.items(): outs_all.setdefault(m, []).append(o)
        print(f"seed {ps} done in {time.time() - t0:.0f}s:", {m: round(anomaly_metrics(y, o)['range-F1'], 3) for m, o in outs.items()},
              f"attribution {hits.mean():.2f} of {len(hits)}", flush=True)
    y, units = np.concatenate(ys), np.concatenate(units_all)
    outs = {m: np.concatenate(v) for m, v in outs_all.items()}
    pooled = f"pooled over planting seeds {a.plant_seeds[0]}-{a.plant_seeds[-1]}: {off} events"
    for m, o in outs.items():
        ci = bootstrap_ci(interval_metrics, y, o, units=units, n_boot=a.n_boot, seed=0)
        for k in METRICS: rows.append(ResultRow("appliance_energy (planted)", pooled, m, k, float(ci.loc[k, "estimate"]), float(ci.loc[k, "lo"]),
                                                float(ci.loc[k, "hi"]), "event", off, 0, None, "frozen before the run (ANOMALY_QUICK)"))
    hits = np.concatenate(hits_all)
    hci = bootstrap_ci(lambda h: float(h.mean()), hits, n_boot=a.n_boot, seed=0)
    rows.append(ResultRow("appliance_energy (planted)", pooled, OURS, "attribution top-1", float(hits.mean()), hci.lo, hci.hi,
                          "single-channel event", len(hits), 0, None, "frozen before the run"))
    for other in [m for m in outs if m != OURS]:
        pb = paired_bootstrap(interval_metrics, y, outs[OURS], outs[other], units=units, n_boot=a.n_boot, seed=0)
        paired += [PairedRow.from_test(pb.loc[k], "appliance_energy (planted)", pooled, OURS, other, "event", off) for k in ("AUC-PR", "range-F1", "F1", "event recall")]
    notes = (f"Blind re-check: every setting frozen at commit {commit} before this run (ANOMALY_QUICK: first 10,080 steps, 12 events "
             "planted per seed in the test part, 5 epochs; POT level 0.98, risk 1e-3 on each method's validation scores; training seed 0); "
             "planting seeds never used before. Nothing was changed after looking. Pooled rows: the test steps of all seeds "
             "side by side, 95% bootstrap over events (units never cross seeds). Attribution: share of single-channel planted "
             f"events whose largest channel share is the planted channel; chance 0.1 (10 channels). Code commit {commit}.")
    print(write_results(rows, OUT, "Anomaly detection, blind re-check on fresh planting seeds (quick configuration)", paired=paired, notes=notes)[1].read_text())

if __name__ == "__main__": main()
