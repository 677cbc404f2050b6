"""Ours' univariate setting chosen on validation plantings, then one run on the real labelled series (issue #14).

    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=.:bench:/work/venvs/deepod python bench/anomaly_univariate.py --stage tune
    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=.:bench:/work/venvs/deepod python bench/anomaly_univariate.py --stage real

The real series (MIT-BIH excerpt, UCR #135) have one labelled event each, in their test part; their labels may not
choose a setting. Stage `tune` uses only the steps *before* each series' test part (the same split as
bench/anomaly_scores.py: MIT-BIH steps 0-5,250, UCR #135 its known-normal steps 0-1,200), their labels never read:
those steps are split again 50/20/30 (inner train / inner validation / planted part), and `plant_anomalies` writes
events of the kinds that make sense on one channel (spike, level shift, drift, frozen; not the broken correlation,
which on one channel is a replay of the series' own past) into the planted part, planting seeds 601-610 (never used
before; 8 events per seed on MIT-BIH, 3 on UCR #135's shorter stretch). Every method is trained once on the inner
train/validation steps (a planting touches only the planted part) and scored on each planting.

The search, the same for everyone: smoothing m of the step score in {1, 4, 16} x threshold in {POT(0.98, 1e-3),
validation quantile 0.99, 0.995, 0.999, 1.0}, chosen per series family by pooled range-F1 over the plantings (ties:
the first in grid order), the criterion of the multichannel search (bench/anomaly_fair.py). Ours also searches its
window L in {32, 64} and hidden length h in {1, 4, 16}; the GRU alone (the ablation) takes ours' chosen L and h and
searches m and the threshold; the peers keep their fixed windows (LSTM-AD, USAD: 50) as in the multichannel bench.
Stage `real` freezes the choices (bench/results/anomaly_univariate_settings.json), trains every method once on the
real train/validation steps and scores the real test part once: bench/results/anomaly_univariate.csv|md.
"""
import argparse, itertools, json, subprocess, time, warnings
from dataclasses import replace
from pathlib import Path
import numpy as np, pandas as pd, torch
from gru_hybrids.anomaly import (ANOMALY_QUICK, KINDS, AnomalyDetector, SensorSeries, plant_anomalies, split_series, iforest_scores,
                                 naive_scores, anomaly_metrics, fit_gru_only, _fractions)
from gru_hybrids.data import load_dataset
from gru_hybrids.train import ResultRow, write_results
from anomaly import sklearn_peers, OURS, IF, NAIVE_NAME
from anomaly_scores import deep_scores, GRU
from anomaly_fair import flagged, THRESH, METRICS

warnings.filterwarnings("ignore")
RES = Path(__file__).parent / "results"
CHOSEN = RES / "anomaly_univariate_settings.json"
CACHE = Path.home() / ".cache" / "gru_hybrids" / "anomaly_univariate"
SERIES = ("mitdb", "ucr_135")
UNI_KINDS = tuple(k for k in KINDS if k != "broken_correlation")
WINDOWS, HIDES, SMOOTHS = (32, 64), (1, 4, 16), (1, 4, 16)
BUDGETS = ((4, 5), (1, 5), (1, 20))   # (training-window stride, epochs): ANOMALY_QUICK's, 4x and 16x the gradient steps
SEEDS = tuple(range(601, 611))
N_EVENTS = {"mitdb": 8, "ucr_135": 3}
CONTEXT = max(WINDOWS)   # steps of history before each scored step, the same for every method and setting
PEERS = (NAIVE_NAME, IF, "LOF (lagged readings)", "PCA reconstruction (lagged readings)", "PyOD LSTM-AD", "deepod USAD")
PREV = "ours, previous setting (L=64, h=16, m=16, 0.995; fixed a priori)"
VALID_FRAC, TEST_FRAC = 0.2, 0.3   # the real split's fractions (bench/anomaly_scores.py), reused for the inner split

def real_split(name: str):
    "The real evaluation's split (as bench/anomaly_scores.py: context 64, 20% validation, last 30% or all after train_end tested)."
    return split_series(load_dataset(name), CONTEXT, VALID_FRAC, TEST_FRAC)

def tuning_splits(name: str) -> list:
    "One split per planting seed of the steps before the real test part, labels dropped; events planted in its last 30%."
    s = load_dataset(name); b = _fractions(len(s), s.train_end, VALID_FRAC, TEST_FRAC)[1]
    normal = SensorSeries(s.values[:b], s.channels, s.time[:b])   # no labels, no train_end: nothing of the real labels is kept
    start = int(b * (1 - TEST_FRAC))
    return [split_series(plant_anomalies(normal, start, N_EVENTS[name], ps, kinds=UNI_KINDS), CONTEXT, VALID_FRAC, TEST_FRAC)
            for ps in SEEDS]

def ours_cfg(window: int, hide: int, smooth: int=1, rule: str="0.995", stride: int=ANOMALY_QUICK.stride, epochs: int=ANOMALY_QUICK.epochs):
    "ANOMALY_QUICK on one channel: window L, h hidden steps, smoothing m, a threshold rule (POT or a quantile), training stride and epochs."
    thr = dict(threshold="pot") if rule == "POT" else dict(threshold="quantile", quantile=float(rule))
    return replace(ANOMALY_QUICK, window=window, hide=hide, smooth=smooth, stride=stride, epochs=epochs, n_rows=None, **thr)

def detector_scores(splits, cfg, conv: bool=True) -> dict:
    "Raw (m = 1) step scores of ours (or the GRU alone), trained once on the shared train/validation steps."
    sp0, t0 = splits[0], time.time(); cfg = replace(cfg, smooth=1)
    m = AnomalyDetector.fit(sp0.train, sp0.valid, cfg, 0, device="cpu") if conv else fit_gru_only(sp0, cfg, 0, "cpu")
    secs = time.time() - t0
    return dict(sv=m._step_scores(m.errors(sp0.valid)), st=[m._step_scores(m.errors(sp.test)) for sp in splits], secs=secs)

def peer_scores(splits) -> dict:
    "{peer: raw step scores (validation, one test array per split, seconds)}; every peer trained on the shared train/validation steps."
    out, t0 = {}, time.time()
    sv = naive_scores(splits[0], smooth=1)[0]
    out[NAIVE_NAME] = dict(sv=sv, st=[naive_scores(sp, smooth=1)[1] for sp in splits], secs=time.time() - t0)
    got = {}
    for sp in splits:   # deterministic (seed 0) and the same training steps: the same fit for every planting
        t0 = time.time(); v, t = iforest_scores(sp, 0); got.setdefault(IF, []).append((v, t, time.time() - t0))
        for name, v in sklearn_peers(sp, 0).items(): got.setdefault(name, []).append(v)
    log = {}; got.update(deep_scores(splits, 0, log)); print("early stopping:", log, flush=True)
    for name, vals in got.items(): out[name] = dict(sv=vals[0][0], st=[v[1] for v in vals], secs=vals[0][2])
    out["log"] = log
    return out

def cached(key: str, make) -> dict:
    "Scores are cached per series and method (a threshold or smoothing search never retrains)."
    f = CACHE / f"{key}.npz"
    if f.exists():
        d = np.load(f, allow_pickle=True); return dict(sv=d["sv"], st=list(d["st"]), secs=float(d["secs"]))
    out = make(); CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(f, sv=out["sv"], st=np.stack(out["st"]), secs=out["secs"]); return out

def search(scores: dict, ys: list, extra: dict) -> list[dict]:
    "Pooled metrics over the plantings for every (m, threshold) of the grid; `extra` names the setting (method, L, h)."
    y, rows = np.concatenate(ys), []
    for m, rule in itertools.product(SMOOTHS, THRESH):
        o = np.concatenate([flagged(scores["sv"], st, m, rule)[CONTEXT:] for st in scores["st"]])
        met = anomaly_metrics(y, o)
        rows.append(dict(**extra, smooth=m, threshold=rule, **{k: round(met[k], 4) for k in ("range-F1", "AUC-PR", "F1", "PA-F1", "event recall")}))
    return rows

def best_of(rows: list[dict]) -> dict:
    "The row with the best pooled range-F1 (ties: the first in grid order)."
    return max(enumerate(rows), key=lambda ir: (ir[1]["range-F1"], -ir[0]))[1]

def tune_series(name: str) -> tuple[list, dict]:
    splits = tuning_splits(name); ys = [sp.test.labels[CONTEXT:] for sp in splits]
    for sp in splits[1:]: assert np.array_equal(sp.train.values, splits[0].train.values) and np.array_equal(sp.valid.values, splits[0].valid.values)
    rows, chosen = [], {}
    for (st, ep), w, h in itertools.product(BUDGETS, WINDOWS, HIDES):
        t0 = time.time(); sc = cached(f"tune_{name}_ours_L{w}_h{h}_s{st}_e{ep}", lambda: detector_scores(splits, ours_cfg(w, h, stride=st, epochs=ep)))
        rows += search(sc, ys, dict(series=name, method=OURS, window=w, hide=h, stride=st, epochs=ep, seconds=round(sc["secs"], 1)))
        print(name, f"L={w} h={h} stride={st} epochs={ep}", best_of(rows[-len(SMOOTHS) * len(THRESH):]), f"{time.time() - t0:.0f}s", flush=True)
    chosen[OURS] = best_of([r for r in rows if r["method"] == OURS])
    w, h, st, ep = (chosen[OURS][k] for k in ("window", "hide", "stride", "epochs"))
    sc = cached(f"tune_{name}_gru_L{w}_h{h}_s{st}_e{ep}", lambda: detector_scores(splits, ours_cfg(w, h, stride=st, epochs=ep), conv=False))
    g = search(sc, ys, dict(series=name, method=GRU, window=w, hide=h, stride=st, epochs=ep, seconds=round(sc["secs"], 1))); rows += g; chosen[GRU] = best_of(g)
    f = CACHE / f"tune_{name}_peers.npz"
    if f.exists(): peers = np.load(f, allow_pickle=True)["peers"].item()
    else: peers = peer_scores(splits); np.savez(f, peers=np.array(peers, dtype=object))
    for p in PEERS:
        r = search(peers[p], ys, dict(series=name, method=p, window=np.nan, hide=np.nan, stride=np.nan, epochs=np.nan, seconds=round(peers[p]["secs"], 1))); rows += r
        chosen[p] = best_of(r)
    chosen["_planted"] = dict(seeds=list(SEEDS), events=int(sum(len(sp.test.events) for sp in splits)), kinds=list(UNI_KINDS),
                              steps=f"0-{len(splits[0].train) + len(splits[0].valid) + len(splits[0].test) - CONTEXT}",
                              deep_log=repr(peers.get("log", {})))
    return rows, chosen

def tune():
    rows, chosen = [], {}
    for name in SERIES:
        r, c = tune_series(name); rows += r; chosen[name] = c
    df = pd.DataFrame(rows); df.to_csv(RES / "anomaly_univariate_tune.csv", index=False)
    clean = lambda c: {k: (None if isinstance(v, float) and np.isnan(v) else v.item() if hasattr(v, "item") else v) for k, v in c.items()}
    CHOSEN.write_text(json.dumps({n: {m: clean(v) for m, v in c.items()} for n, c in chosen.items()}, indent=1))
    parts = []
    for name in SERIES:
        c = chosen[name]; p = c["_planted"]
        tab = pd.DataFrame({m: v for m, v in c.items() if m != "_planted"}).T.drop(columns=["series", "method"])
        ours = df[(df.series == name) & (df.method == OURS)]
        by_wh = ours.loc[ours.groupby(["stride", "epochs", "window", "hide"], sort=False)["range-F1"].idxmax()]
        parts.append(f"## {name}\n\nPlanted: seeds {p['seeds'][0]}-{p['seeds'][-1]}, {p['events']} events of kinds {p['kinds']} in steps "
                     f"{p['steps']} (before the real test part). Early stopping of the deep peers: {p['deep_log']}.\n\nChosen (pooled range-F1 "
                     "over the plantings):\n\n" + tab.to_markdown() + "\n\nOurs, the best (m, threshold) for each window L and hidden "
                     "length h and training budget (stride, epochs):\n\n" + by_wh.drop(columns=["series", "method"]).to_markdown(index=False) + "\n")
    text = ("# Anomaly detection, univariate series: the settings chosen on validation plantings (not a test result)\n\n"
            "bench/anomaly_univariate.py --stage tune. Only the steps before each real series' test part are used, and their labels "
            "are never read: they are split 50/20/30 into inner train, inner validation and a planted part, where `plant_anomalies` "
            f"writes events of the kinds {list(UNI_KINDS)} (the broken correlation left out: on one channel it replays the series' own "
            "past). Every method is trained once on the inner train/validation steps (training seed 0) and scored on each planting. "
            f"The same grid for every method: smoothing m in {list(SMOOTHS)} x threshold in {list(THRESH)} (POT: level 0.98, risk 1e-3; "
            f"otherwise that quantile of the smoothed validation scores); ours also window L in {list(WINDOWS)} x hidden length h in "
            f"{list(HIDES)} x training budget (window stride, epochs) in {list(BUDGETS)} (ANOMALY_QUICK's (4, 5) gives one channel "
            "~650 training windows on MIT-BIH, ~50 gradient steps, and ~15 on UCR #135); the GRU alone takes ours' chosen L, h and budget. Criterion: pooled range-F1 over the plantings (ties: the first "
            "in grid order). Point estimates, no intervals: this is selection, not evidence. The full grid is in "
            "anomaly_univariate_tune.csv.\n\n" + "\n".join(parts))
    (RES / "anomaly_univariate_tune.md").write_text(text); print(text)

def how(name: str, c: dict) -> str:
    "chosen_on of a row of the real table."
    if name == PREV: return "fixed a priori before any univariate search (the second blind check's row; bench/anomaly_scores.py)"
    rule = "POT" if c["threshold"] == "POT" else f"validation {c['threshold']} quantile"
    wh = (f"window L={c['window']}, h={c['hide']}, training stride {c['stride']} x {c['epochs']} epochs, " if name == OURS else
          f"ours' L={c['window']}, h={c['hide']}, stride {c['stride']} x {c['epochs']} epochs, " if name == GRU else "")
    return (f"{wh}smoothing m={c['smooth']}, threshold {rule}: chosen on validation plantings {SEEDS[0]}-{SEEDS[-1]} in the steps before "
            "the test part, labels unread (bench/anomaly_univariate.py --stage tune); frozen before this run")

def real_series(name: str, chosen: dict) -> tuple[list, dict]:
    "Every method trained once on the real train/validation steps with its frozen setting and scored once on the test part."
    sp, c = real_split(name), chosen[name]; k = sp.context; y = sp.test.labels[k:]
    outs, secs = {}, {}
    co, cg = c[OURS], c[GRU]
    for label, cfg, conv in ((OURS, ours_cfg(co["window"], co["hide"], co["smooth"], co["threshold"], co["stride"], co["epochs"]), True),
                             (GRU, ours_cfg(cg["window"], cg["hide"], cg["smooth"], cg["threshold"], cg["stride"], cg["epochs"]), False),
                             (PREV, ours_cfg(64, 16, 16, "0.995"), True)):
        t0 = time.time()
        m = AnomalyDetector.fit(sp.train, sp.valid, cfg, 0, device="cpu") if conv else fit_gru_only(sp, cfg, 0, "cpu")
        secs[label] = time.time() - t0; outs[label] = np.c_[m.score(sp.test), m.detect(sp.test)][k:]
    peers = peer_scores([sp])
    for p in PEERS:
        outs[p] = flagged(peers[p]["sv"], peers[p]["st"][0], c[p]["smooth"], c[p]["threshold"])[k:]; secs[p] = peers[p]["secs"]
    rows = [ResultRow(name, f"test (last {len(y)} steps, 1 event)", m, q, float(anomaly_metrics(y, v)[q]), unit="", n_units=1, seed=0,
                      seconds=round(secs[m], 1), chosen_on=how(m, c.get(m, {}))) for m, v in outs.items() for q in METRICS]
    for m, v in outs.items(): print(name, m, {q: round(anomaly_metrics(y, v)[q], 3) for q in ("AUC-PR", "range-F1", "event recall")}, flush=True)
    return rows, peers["log"]

def real():
    chosen = json.loads(CHOSEN.read_text()); rows, logs = [], {}
    for name in SERIES: r, logs[name] = real_series(name, chosen); rows += r
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    notes = (f"Code at commit {commit}. bench/anomaly_univariate.py --stage real, run once after every setting was frozen in "
             "bench/results/anomaly_univariate_settings.json (stage tune: validation plantings in the steps before each series' test "
             "part, their labels never read; bench/results/anomaly_univariate_tune.md). Each series has one labelled event, in its "
             "test part: point estimates only, no interval and no paired test (one event is one test unit). Split as in "
             "bench/anomaly_scores.py: MIT-BIH steps 0-3,750 train, 3,750-5,250 validation, 5,250-7,500 test; UCR #135 steps 0-960 "
             "train, 960-1,200 validation (its known-normal steps), 1,200-7,501 test. Every method trained once (training seed 0) on "
             "the train steps, its threshold from its own validation scores only. The previous setting of ours (window 64, h = 16, "
             "m = 16, validation 0.995 quantile, fixed a priori) is rerun as a row. Peers: persistence (its squared standardised "
             "one-step change), Isolation Forest on [z_t, z_t - z_{t-1}], LOF and PCA on each step's reading with 3 lags, LSTM-AD "
             f"(window 50) and USAD (window 50), early-stopped on validation loss (patience 3, wall-clock cap 600 s; epochs: {logs}). "
             "`seconds`: training time, CPU, one thread, on a machine shared with other jobs.")
    write_results(rows, RES / "anomaly_univariate", "Anomaly detection, real labelled univariate series: every method at its "
                  "validation-chosen setting, run once", notes=notes)
    print((RES / "anomaly_univariate.md").read_text()[:2000])

if __name__ == "__main__":
    p = argparse.ArgumentParser(); p.add_argument("--stage", choices=["tune", "real"], required=True)
    a = p.parse_args(); torch.set_num_threads(1); t0 = time.time()
    tune() if a.stage == "tune" else real()
    print(f"stage {a.stage}: {time.time() - t0:.0f}s", flush=True)
