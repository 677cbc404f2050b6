"""Temperature-aware baselines on the vic_elec day-ahead origins, in the library's env (lightgbm, numpy):

* **LightGBM** (the kind of model that wins load-forecasting competitions): one model for all 48 steps, one row per
  (origin, step). Features, all known at the origin's midnight: the step; the target's weekday, holiday flag and
  day of the year; demand at the target's own half-hour 1..7 and 14 days earlier; the last half-hour before
  midnight; the previous day's mean, min and max and the previous week's mean; the previous day's holiday flag;
  with temperature also the target half-hour's temperature, the forecast day's min, mean and max, the same
  half-hour's temperature a day earlier and the previous day's mean and max. Learning rate (0.05, 0.1) and leaves (31, 63) chosen on
  the validation origins, for each temperature setting (a grid capped by the CPU of a shared 2-core machine) (the number of trees by early
  stopping on them); trained on the origins whose day ends before the first validation origin, like our network.
* **Linear regression with temperature regressors**: Hong's vanilla benchmark (Hong 2010; the GEFCom2012
  benchmark), the library's `LinearDayAhead`: trend, month, weekday x half-hour, and temperature, its square and
  cube, each also by month and by half-hour; least squares on the training days. It reads no lags; a second row
  adds demand at the target's half-hour 1, 2 and 7 days earlier and the previous day's mean (known at midnight).

Both are scored with observed temperature and with the noisy-temperature scenario of `load_forecast_common`.

    nice -n 10 python bench/load_forecast_trees.py

Writes bench/results/load_forecast_trees_forecasts.csv.gz (method, seed, split, noise, origin, step, y_pred) and
bench/results/load_forecast_trees_search.csv (the validation search)."""
import itertools, os, sys, time
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).parent))
import numpy as np
import pandas as pd
from load_forecast_common import vic_and_split, day_offsets, noisy_series, NOISE_SEEDS

RESULTS = Path(__file__).parent / "results"
H, LAGS = 48, (1, 2, 3, 4, 5, 6, 7, 14)
GRID = dict(learning_rate=(0.1, 0.05), num_leaves=(31, 63))

def features(vic, origins, use_temperature: bool, offsets=None) -> pd.DataFrame:
    "One row per (origin, step): the features above; `offsets` (deg C per origin) perturb the forecast day's temperature."
    o = np.asarray(origins); r = o[:, None] + np.arange(H)           # [n x H] target rows
    y, t = vic.demand, vic.temperature
    prev = y[o[:, None] - H + np.arange(H)]                            # [n x H] the day before the origin
    f = {"step": np.broadcast_to(np.arange(H), r.shape), "dow": vic.time.day_of_week.to_numpy()[r],
         "holiday": vic.holiday[r].astype(float), "holiday_prev": np.broadcast_to(vic.holiday[o - 1, None], r.shape).astype(float),
         "doy_sin": np.sin(2 * np.pi * vic.time.day_of_year.to_numpy()[r] / 365.25), "doy_cos": np.cos(2 * np.pi * vic.time.day_of_year.to_numpy()[r] / 365.25)}
    for d in LAGS: f[f"lag_{d}d"] = y[r - d * H]
    week = y[o[:, None] - 7 * H + np.arange(7 * H)]
    for k, v in dict(last=y[o - 1], prev_mean=prev.mean(1), prev_min=prev.min(1), prev_max=prev.max(1), week_mean=week.mean(1)).items():
        f[k] = np.broadcast_to(v[:, None], r.shape)
    if use_temperature:
        tf = t[r] + (0 if offsets is None else np.asarray(offsets)[:, None])   # forecast day (perturbed in the noise scenario)
        tp = t[o[:, None] - H + np.arange(H)]                              # previous day: observed
        f.update(temp=tf, temp_lag_1d=t[r - H])
        for k, v in dict(day_min=tf.min(1), day_mean=tf.mean(1), day_max=tf.max(1), prev_tmean=tp.mean(1), prev_tmax=tp.max(1)).items():
            f["temp_" + k] = np.broadcast_to(v[:, None], r.shape)
    return pd.DataFrame({k: np.asarray(v, float).ravel() for k, v in f.items()})

def train_origins(vic, split):
    from gru_hybrids.load_forecast import midnight_origins
    o = midnight_origins(vic, max(LAGS) * H, H)
    return o[o + H <= split.fit_end]

def fit_lgbm(X, y, Xv, yv, lr, leaves, seed=0):
    import lightgbm as lgb
    m = lgb.LGBMRegressor(n_estimators=4000, learning_rate=lr, num_leaves=leaves, min_child_samples=20, subsample=0.8, subsample_freq=1,
                          colsample_bytree=0.8, random_state=seed, n_jobs=1, verbose=-1)
    m.fit(X, y, eval_X=(Xv,), eval_y=(yv,), eval_metric="l1", callbacks=[lgb.early_stopping(100, verbose=False)])
    return m

def lgbm_job(job):
    "Fit one LightGBM setting on the training origins, early-stopped on the validation origins; its search row and forecasts."
    use_t, lr, leaves = job
    vic, split = vic_and_split(); tr = train_origins(vic, split)
    y_of = lambda o: vic.demand[np.asarray(o)[:, None] + np.arange(H)].ravel()
    t0 = time.time(); m = fit_lgbm(features(vic, tr, use_t), y_of(tr), features(vic, split.valid, use_t), y_of(split.valid), lr, leaves)
    secs = time.time() - t0
    pv = m.predict(features(vic, split.valid, use_t)); mape = 100 * np.mean(np.abs(pv - y_of(split.valid)) / y_of(split.valid))
    row = dict(temperature=use_t, learning_rate=lr, num_leaves=leaves, trees=m.best_iteration_, valid_MAPE=mape, seconds=round(secs, 1))
    name = "LightGBM, lags + calendar" + (" + temperature" if use_t else " (no temperature)")
    out = [frame(name, sp, noise, getattr(split, sp), m.predict(features(vic, getattr(split, sp), use_t, None if noise < 0 else day_offsets(getattr(split, sp), noise))), secs)
           for sp in ("valid", "test") for noise in ((-1,) + NOISE_SEEDS if use_t else (-1,))]
    print(row, flush=True)
    return row, out

def linear_job(_=None): return linear_runs(*vic_and_split())

def all_runs(jobs: int):
    "The linear regressions and LightGBM's validation search (every setting, with and without temperature), in parallel."
    from concurrent.futures import ProcessPoolExecutor
    settings = [(t, lr, nl) for t in (True, False) for lr, nl in itertools.product(GRID["learning_rate"], GRID["num_leaves"])]
    with ProcessPoolExecutor(jobs) as ex:
        linear = ex.submit(linear_job); res = list(ex.map(lgbm_job, settings)); linear = linear.result()
    search = pd.DataFrame([r for r, _ in res])
    chosen = search.groupby("temperature").valid_MAPE.idxmin()
    return linear + [f for i in chosen for f in res[i][1]], search.assign(chosen=search.index.isin(chosen))

def linear_runs(vic, split):
    "Hong's vanilla regression (`LinearDayAhead`), without and with the recency terms, on observed and noisy temperature."
    from gru_hybrids.load_forecast import LinearDayAhead
    out = []
    for recency, name in ((False, "linear regression with temperature (Hong's vanilla benchmark)"),
                          (True, "linear regression with temperature + demand lags")):
        t0 = time.time(); m = LinearDayAhead.fit(vic, split, recency); secs = time.time() - t0
        for sp in ("valid", "test"):
            o = getattr(split, sp)
            for noise in (-1,) + NOISE_SEEDS:
                pred = m.predict(vic, o) if noise < 0 else np.concatenate([m.predict(noisy_series(vic, oi, d), [oi]) for oi, d in zip(o, day_offsets(o, noise))])
                out.append(frame(name, sp, noise, o, pred, secs))
    return out

def frame(method, split, noise, origins, pred, secs):
    return pd.DataFrame(dict(method=method, seed=0, split=split, noise=noise, origin=np.repeat(origins, H), step=np.tile(np.arange(H), len(origins)),
                             y_pred=np.asarray(pred, float).ravel(), train_seconds=round(secs, 1)))

def main():
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=9, help="parallel fits (one thread each)")
    a = p.parse_args()
    forecasts, search = all_runs(a.jobs)
    RESULTS.mkdir(exist_ok=True)
    pd.concat(forecasts).to_csv(RESULTS / "load_forecast_trees_forecasts.csv.gz", index=False, float_format="%.2f")
    search.to_csv(RESULTS / "load_forecast_trees_search.csv", index=False, float_format="%.4f")

if __name__ == "__main__": main()
