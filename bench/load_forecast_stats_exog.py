#!/usr/bin/env python
"""A statistical load forecaster with temperature regressors, on the vic_elec day-ahead protocol (issue #12).

statsforecast's MSTL removes the daily and weekly seasonal patterns (STL, periods 48 and 336); its trend forecaster,
an ARIMA, then models the deseasonalised series (trend + remainder) as a regression with ARIMA errors on
exogenous regressors -- the half-hour's temperature, its square (demand rises both for heating and for cooling) and
the holiday flag -- so it is an ARIMAX on the seasonally adjusted load. The forecast adds the seasonal-naive
continuation of the seasonal components back. Refit at every origin on a recent window; the window length (4 or 8
weeks) and the ARIMA order ((1,0,0) or (2,0,1)) are chosen on the validation origins only. (AutoARIMA's own order
search took 12-36 s per origin on this shared machine, against about 5 s for a fixed order: 112 origins x 4
candidates did not fit the CPU time this run had.)

Temperature: the forecast day's *observed* temperature, and (the noise scenario of `load_forecast_common.py`) the
same temperature plus one seeded error per day, sd 2 deg C, the draws every other temperature-aware method gets.

Runs in the peers env (`bash bench/setup_env.sh peers`):

    ~/.cache/gru_hybrids/peers-venv/bin/python bench/load_forecast_stats_exog.py [--quick]

Writes bench/results/load_forecast_stats_exog_forecasts.csv.gz (method, split, noise, origin_time, step 1..48, y_true,
y_pred, seconds) and _meta.json; `load_forecast_fair.py` reads it."""
from __future__ import annotations
import argparse, json, os, sys, time
for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"): os.environ.setdefault(_v, "1")
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
import numpy as np
import pandas as pd
from load_forecast_peers import H, RESULTS, load_vic_elec, make_origins, truth, metrics, log
from load_forecast_common import NOISE_SEEDS, day_offsets

METHOD = "statsforecast MSTL(48, 336) + ARIMA errors on temperature, temperature² and holiday"
GRID = [(w, order) for w in (4, 8) for order in ((1, 0, 0), (2, 0, 1))]

def regressors(df: pd.DataFrame, temp: np.ndarray) -> np.ndarray:
    "[rows x 3]: temperature and its square (centred on 18 deg C, the usual heating/cooling balance point), holiday."
    t = temp - 18.0
    return np.c_[t, t ** 2 / 10.0, df.holiday.to_numpy(float)]

def forecast_one(df: pd.DataFrame, o: int, window: int, order: tuple, offset: float = 0.0) -> np.ndarray:
    "Fit on rows [o - window, o) and forecast rows o..o+47; the forecast day's temperature shifted by `offset`."
    from statsforecast.models import MSTL, ARIMA
    temp = df.temp.to_numpy().copy(); temp[o:o + H] += offset
    X = regressors(df, temp)
    X = X[:, X[o - window:o].std(0) > 0]          # a holiday-free window drops the holiday column (else rank-deficient)
    model = MSTL(season_length=[48, 336], trend_forecaster=ARIMA(order=order))
    out = model.forecast(y=df.y.to_numpy()[o - window:o], h=H, X=X[o - window:o], X_future=X[o:o + H])
    return np.asarray(out["mean"], float)

def run(df, origins, window: int, order: tuple, offsets=None) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    P = np.stack([forecast_one(df, int(o), window, order, 0.0 if offsets is None else float(d))
                  for o, d in zip(origins, np.zeros(len(origins)) if offsets is None else offsets)])
    return P, time.perf_counter() - t0

def frame(df, split, noise, origins, P, secs) -> pd.DataFrame:
    n = len(origins)
    return pd.DataFrame({"method": METHOD, "split": split, "noise": noise,
                         "origin_time": np.repeat(df.time.to_numpy()[origins], H), "step": np.tile(np.arange(1, H + 1), n),
                         "y_true": truth(df.y.to_numpy(), origins).ravel(), "y_pred": P.ravel(), "seconds": secs})

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: 3 origins per split")
    a = ap.parse_args(argv)
    df = load_vic_elec(); valid, test = make_origins(df)
    if a.quick: valid, test = valid[-3:], test[-3:]
    y = df.y.to_numpy(); scan, cand = {}, {}
    for w, order in GRID:
        P, secs = run(df, valid, w * 336, order)
        scan[(w, order)] = metrics(truth(y, valid), P)["MAPE"]; cand[(w, order)] = (P, secs)
        log(f"window {w} weeks, ARIMA{order}: valid MAPE {scan[(w, order)]:.2f}% ({secs:.0f}s)")
    best = min(scan, key=scan.get); w, order = best
    parts = [frame(df, "valid", -1, valid, *cand[best])]
    P, secs = run(df, test, w * 336, order); parts.append(frame(df, "test", -1, test, P, secs))
    log(f"test, observed temperature: MAPE {metrics(truth(y, test), P)['MAPE']:.2f}% ({secs:.0f}s)")
    for seed in NOISE_SEEDS:   # the noise scenario is scored on the test days only
        P, secs = run(df, test, w * 336, order, day_offsets(test, seed)); parts.append(frame(df, "test", seed, test, P, secs))
        log(f"noise draw {seed}: test MAPE {metrics(truth(y, test), P)['MAPE']:.2f}%")
    tag = "load_forecast_stats_exog" + ("_quick" if a.quick else "")
    pd.concat(parts, ignore_index=True).to_csv(RESULTS / f"{tag}_forecasts.csv.gz", index=False, float_format="%.3f")
    (RESULTS / f"{tag}_meta.json").write_text(json.dumps({
        "method": METHOD, "window_weeks": w, "order": order, "quick": a.quick,
        "valid_MAPE": {f"{k[0]} weeks, ARIMA{k[1]}": v for k, v in scan.items()},
        "chosen_on": "validation days: window (4 or 8 weeks) x ARIMA order ((1,0,0) or (2,0,1)) on MAPE, observed temperature"}, indent=1))
    log(f"wrote {tag}_forecasts.csv.gz (window {w} weeks, ARIMA{order})")

if __name__ == "__main__": main()
