"""Raw step scores of every anomaly method on one planting, cached, so a threshold or smoothing search rescores and never retrains.

    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=.:bench:/work/venvs/deepod python bench/anomaly_scores.py \
        --where tune --plant-seeds 201 202 203 204 205 [--methods ours peers previous]

`--where tune`: the tuning stretch (steps 10,080-19,735, bench/anomaly_tune.py's split); `--where blind`: the first
10,080 steps (bench/anomaly.py's split); `--where mitdb|ucr_135 --plant-seeds 0`: the real univariate series (their
own labels, bench/anomaly.py's split, window 64 and smoothing 16 for ours). A planting touches only the test part, so
the train and validation steps are the same for every planting seed of a stretch (checked): each method is trained
once, exactly as bench/anomaly.py trains it (training seed 0; LSTM-AD and USAD early-stopped under the same caps),
and scored on each planting's test part. It saves, per method, its validation scores, its test scores (with the
`context` first steps, unscored) and its training seconds; for ours and the GRU alone also the raw per-step,
per-channel errors (validation and test) and, for ours, the attribution hits. No label is read except to be stored
beside the scores (`y`) for the evaluation that comes later.
Cache: ~/.cache/gru_hybrids/anomaly_scores/<where>_<seed>.npz (one file per planting; methods already there are kept).
"""
import argparse, time, warnings
from dataclasses import replace
from pathlib import Path
import numpy as np, torch
from gru_hybrids.anomaly import (ANOMALY_QUICK, AnomalyDetector, split_series, load_appliance_energy, load_dataset, iforest_scores, naive_scores,
                                 fit_gru_only, event_channels)
from anomaly import sklearn_peers, standardised, lstmad_stopped, usad_stopped, STOP, OURS, IF, NAIVE_NAME

warnings.filterwarnings("ignore")
STOP["max_seconds"] = {"PyOD LSTM-AD": 600, "deepod USAD": 600}   # patience decides: the 150 s / 90 s caps of bench/anomaly.py cut epochs short on a loaded CPU
CACHE = Path.home() / ".cache" / "gru_hybrids" / "anomaly_scores"
STRETCH = {"tune": (10080, 19735), "blind": (0, 10080)}
GRU = "GRU alone (no CNN)"
PREV = "ours, previous scoring (h = 12)"   # ANOMALY_QUICK as frozen for the second blind check: h = L/4 hidden steps

REAL = ("mitdb", "ucr_135")

def config(where: str):
    "ANOMALY_QUICK; on the univariate series window 64, smoothing 16 and h = L/4 hidden steps (fixed a priori, as in bench/anomaly.py)."
    return replace(ANOMALY_QUICK, window=64, smooth=16, n_rows=None, hide=None) if where in REAL else ANOMALY_QUICK

def planting(where: str, ps: int, cfg=ANOMALY_QUICK):
    if where in REAL: return split_series(load_dataset(where), cfg.window, cfg.valid_frac, 0.3, cfg.n_events, cfg.plant_seed)
    return split_series(load_appliance_energy().slice(*STRETCH[where]), cfg.window, n_events=cfg.n_events, plant_seed=ps)

def load(where: str, ps: int) -> dict:
    f = CACHE / f"{where}_{ps}.npz"
    return dict(np.load(f, allow_pickle=True)) if f.exists() else {}

def ours_scores(splits, cfg, seed, use_conv=True) -> list[dict]:
    "Ours (or the GRU alone), trained once: per planting its raw errors, frozen step scores and threshold, and (ours) attribution hits."
    sp0, t0 = splits[0], time.time()
    m = AnomalyDetector.fit(sp0.train, sp0.valid, cfg, seed, device="cpu") if use_conv else fit_gru_only(sp0, cfg, seed, "cpu")
    secs, ev = time.time() - t0, m.errors(sp0.valid)
    outs = []
    for split in splits:
        et = m.errors(split.test)
        out = dict(ev=ev, et=et, sv=m._step_scores(ev), st=m._step_scores(et), thr=m.threshold, secs=secs)
        if use_conv and split.test.events is not None:
            a = m.channel_scores(split.test)
            out["hits"] = np.array([event_channels(m, split.test, r.start, r.end, a).index[0] == r.channels[0]
                                    for r in split.test.events.itertuples() if len(r.channels) == 1], float)
        outs.append(out)
    return outs

def deep_scores(splits, seed, log) -> dict:
    "LSTM-AD and USAD as bench/anomaly.py fits them (early-stopped, capped), trained once: {name: [(valid, test scores, secs) per planting]}."
    tr, va, _ = standardised(splits[0]); out = {}
    for name, make in {"PyOD LSTM-AD": lambda: lstmad_stopped(va, log), "deepod USAD": lambda: usad_stopped(seed, log)}.items():
        torch.manual_seed(seed); np.random.seed(seed)
        t0 = time.time(); det = make(); det.fit(tr); secs = time.time() - t0
        sv = np.asarray(det.decision_function(va), float).ravel()
        out[name] = [(sv, np.asarray(det.decision_function(standardised(sp)[2]), float).ravel(), secs) for sp in splits]
    return out

def run(where, seeds, methods, seed=0) -> list[dict]:
    "Every method trained once on the stretch's train/validation part (the same for every planting seed), scored on each planting's test part."
    cfg = config(where); splits = [planting(where, ps, cfg) for ps in seeds]
    for sp in splits[1:]:   # plantings touch the test part only: one training serves every seed
        assert np.array_equal(sp.train.values, splits[0].train.values) and np.array_equal(sp.valid.values, splits[0].valid.values)
    ds = [{**load(where, ps), "y": sp.test.labels, "k": sp.context} for ps, sp in zip(seeds, splits)]
    have = lambda m: all(f"{m}|st" in d for d in ds)
    put = lambda name, vals: [d.update({f"{name}|{k}": v for k, v in o.items()}) for d, o in zip(ds, vals)]
    if "ours" in methods:
        for name, conv in ((OURS, True), (GRU, False)):
            if not have(name): put(name, ours_scores(splits, cfg, seed, conv))
        if "previous" in methods and not have(PREV): put(PREV, ours_scores(splits, replace(cfg, hide=None), seed, True))
        if not have(NAIVE_NAME):
            vals = []
            for sp in splits: t0 = time.time(); sv, st = naive_scores(sp); vals.append(dict(sv=sv, st=st, secs=time.time() - t0))
            put(NAIVE_NAME, vals)
    if "peers" in methods:
        got = {}
        if not have(IF):
            for sp in splits: t0 = time.time(); sv, st = iforest_scores(sp, seed); got.setdefault(IF, []).append((sv, st, time.time() - t0))
        if not have("PCA reconstruction (lagged readings)"):
            for sp in splits:
                for name, v in sklearn_peers(sp, seed).items(): got.setdefault(name, []).append(v)
        if not (have("PyOD LSTM-AD") and have("deepod USAD")):
            log = {}; got.update(deep_scores(splits, seed, log)); print(log)
            for d in ds: d["deep_log"] = np.array(repr(log))
        for name, vals in got.items(): put(name, [dict(sv=sv, st=st, secs=s) for sv, st, s in vals])
    CACHE.mkdir(parents=True, exist_ok=True)
    for ps, d in zip(seeds, ds): np.savez(CACHE / f"{where}_{ps}.npz", **d)
    return ds

if __name__ == "__main__":
    p = argparse.ArgumentParser(); p.add_argument("--where", choices=[*STRETCH, *REAL], required=True)
    p.add_argument("--plant-seeds", nargs="+", type=int, required=True); p.add_argument("--methods", nargs="+", default=["ours", "peers"])
    a = p.parse_args(); torch.set_num_threads(1)
    t0 = time.time(); ds = run(a.where, a.plant_seeds, a.methods)
    print(f"{a.where} {a.plant_seeds}: {time.time() - t0:.0f}s, methods {sorted({k.split('|')[0] for k in ds[0] if '|' in k})}", flush=True)
