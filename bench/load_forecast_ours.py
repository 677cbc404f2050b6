"""Our network on vic_elec with and without temperature, several seeds, and with the noisy-temperature scenario:
per-origin forecasts of the validation and test days, for the intervals and paired tests of
`bench/load_forecast_fair.py`.

    nice -n 10 python bench/load_forecast_ours.py [--configs full full-notemp quick-season-day] [--seeds 0 1 2] [--jobs 2]

A configuration is a base (quick, full) and options: notemp (no temperature), season (the day of the year as a
covariate), day (each query reads the forecast day's min, mean and max of every covariate).

Writes bench/results/load_forecast_ours_forecasts.csv.gz: method, seed, split, noise (-1: observed temperature,
k: noise draw k), origin (row), step, y_pred."""
import argparse, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).parent))
import numpy as np
import pandas as pd

RESULTS = Path(__file__).parent / "results"
OUT = RESULTS / "load_forecast_ours_forecasts.csv.gz"

def config(name):
    from gru_hybrids.load_forecast import QUICK, FULL
    base = QUICK if name.startswith("quick") else FULL
    parts = name.split("-")                                            # e.g. quick-notemp, quick-season-day
    return replace(base, use_temperature="notemp" not in parts, season="season" in parts, day_summary="day" in parts)

def frame(method, seed, split, noise, origins, pred):
    H = pred.shape[1]
    return pd.DataFrame(dict(method=method, seed=seed, split=split, noise=noise, origin=np.repeat(origins, H),
                             step=np.tile(np.arange(H), len(origins)), y_pred=pred.ravel().astype("float32")))

def run_one(job):
    import torch; torch.set_num_threads(1)
    from gru_hybrids.load_forecast import DayAheadForecaster, method_name
    from load_forecast_common import vic_and_split, day_offsets, noisy_series, NOISE_SEEDS
    name, seed = job
    vic, split = vic_and_split(); cfg = config(name)
    t = time.time(); model = DayAheadForecaster.fit(vic, cfg, seed=seed); secs = time.time() - t
    method = method_name(cfg) + f" ({name.split('-')[0]})"
    parts = []
    for sp in ("valid", "test"):
        o = getattr(split, sp)
        parts.append(frame(method, seed, sp, -1, o, model.predict(vic, o)))
        if cfg.use_temperature:
            for k in NOISE_SEEDS:
                off = day_offsets(o, k)
                pred = np.concatenate([model.predict(noisy_series(vic, oi, d), [oi]) for oi, d in zip(o, off)])
                parts.append(frame(method, seed, sp, k, o, pred))
    out = pd.concat(parts).assign(train_seconds=round(secs, 1))
    print(f"{method} seed {seed}: {secs:.0f}s", flush=True)
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--configs", nargs="+", default=["full", "full-notemp"])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", type=Path, default=OUT, help="forecasts file; runs of other configurations or seeds already in it are kept")
    a = p.parse_args()
    jobs = [(c, s) for s in a.seeds for c in a.configs]
    with ProcessPoolExecutor(a.jobs) as ex: parts = list(ex.map(run_one, jobs))
    new = pd.concat(parts)
    if a.out.exists():  # keep runs of other configurations / seeds
        old = pd.read_csv(a.out); key = set(zip(new.method, new.seed))
        new = pd.concat([old[[k not in key for k in zip(old.method, old.seed)]], new])
    a.out.parent.mkdir(exist_ok=True); new.to_csv(a.out, index=False, float_format="%.2f")
    print("wrote", a.out, len(new))

if __name__ == "__main__": main()
