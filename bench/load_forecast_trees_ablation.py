"""What LightGBM exploits on vic_elec (issue #12): the temperature-aware LightGBM of `load_forecast_trees.py` refitted
with one feature group removed at a time, beside the full feature set, at one fixed setting (learning rate 0.1, 31
leaves: the fastest of its grid, within 0.03 points of the chosen one on validation; trees by early stopping on the
validation days, as there). Each row's MAPE on the validation days and on the test days, 95% bootstrap over days, and
the paired difference to the full set on the same days. Nothing here is chosen: the rows say which inputs the trees'
accuracy rests on, to compare with what our network reads (7 days of history through a GRU and attention, each
forecast step's own temperature and calendar; no 14-day lag, no day of the year, no forecast-day temperature
extremes). Also the full model's split-gain importance summed by group (the calendar group holds the three below it).

    nice -n 10 python bench/load_forecast_trees_ablation.py [--jobs 2]

Writes bench/results/load_forecast_trees_ablation.csv|md (and _paired.csv)."""
import os, sys, time
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).parent))
import numpy as np
import pandas as pd
from load_forecast_trees import features, fit_lgbm, train_origins, H, RESULTS
from load_forecast_common import vic_and_split

GROUPS = {  # feature group -> columns of `features(..., use_temperature=True)`
    "own half-hour lags 1-7 days": [f"lag_{d}d" for d in range(1, 8)],
    "lag 14 days": ["lag_14d"],
    "last value, previous day and week statistics": ["last", "prev_mean", "prev_min", "prev_max", "week_mean"],
    "calendar and holidays": ["dow", "holiday", "holiday_prev", "doy_sin", "doy_cos"],
    "day of the week": ["dow"],
    "holidays (the target day's and the previous day's)": ["holiday", "holiday_prev"],
    "day of the year": ["doy_sin", "doy_cos"],
    "the step's own temperature": ["temp"],
    "forecast day's temperature min, mean, max": ["temp_day_min", "temp_day_mean", "temp_day_max"],
    "past temperature (a day earlier, previous day's mean, max)": ["temp_lag_1d", "temp_prev_tmean", "temp_prev_tmax"],
}
LR, LEAVES = 0.1, 31

def job(drop: str):
    "Fit without group `drop` ('' = the full set); MAPE inputs for the validation and test days, and gain by group."
    vic, split = vic_and_split(); tr = train_origins(vic, split)
    cols = lambda X: X.drop(columns=GROUPS.get(drop, []))
    y_of = lambda o: vic.demand[np.asarray(o)[:, None] + np.arange(H)].ravel()
    X, Xv = cols(features(vic, tr, True)), cols(features(vic, split.valid, True))
    t0 = time.time(); m = fit_lgbm(X, y_of(tr), Xv, y_of(split.valid), LR, LEAVES); secs = time.time() - t0
    out = {sp: (np.repeat(np.asarray(getattr(split, sp)), H), y_of(getattr(split, sp)), m.predict(cols(features(vic, getattr(split, sp), True))))
           for sp in ("valid", "test")}
    gain = pd.Series(m.booster_.feature_importance("gain"), index=X.columns)
    print(drop or "full", m.best_iteration_, round(secs), flush=True)
    return drop, out, gain, m.best_iteration_, secs

def main():
    import argparse
    from concurrent.futures import ProcessPoolExecutor
    from gru_hybrids.metrics import bootstrap_ci, paired_bootstrap
    from gru_hybrids.train import ResultRow, PairedRow, write_results
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0]); p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args()
    with ProcessPoolExecutor(a.jobs) as ex: res = list(ex.map(job, [""] + list(GROUPS)))
    mape = lambda y, p: 100 * np.mean(np.abs(p - y) / y)
    name = lambda d: "LightGBM, all features" if not d else f"LightGBM without {d}"
    full = res[0][1]; rows, paired = [], []
    for drop, out, gain, trees, secs in res:
        for sp, (day, y, pred) in out.items():
            ds = "vic_elec" if sp == "test" else "vic_elec, validation"
            ci = bootstrap_ci(mape, y, pred, units=day)
            rows.append(ResultRow(ds, f"{sp} days (56), day ahead from midnight", name(drop), "MAPE", ci.estimate, ci.lo, ci.hi,
                                  "day", len(np.unique(day)), 0, round(secs, 1), f"fixed: lr {LR}, {LEAVES} leaves, {trees} trees (early stopping on the validation days)"))
            if drop:
                t = paired_bootstrap(lambda y, p: {"MAPE": mape(y, p)}, y, pred, full[sp][2], units=day, lower_is_better=True)
                paired.append(PairedRow.from_test(t.loc["MAPE"], ds, f"{sp} days", name(drop), name(""), "day", len(np.unique(day))))
    g = res[0][2]; share = {k: g[v].sum() / g.sum() for k, v in GROUPS.items()}; share["the forecast step"] = g["step"] / g.sum()
    notes = (__doc__.split("\n\n")[0] + "\n\nSplit-gain share of each group in the full model: "
             + "; ".join(f"{k} {100 * v:.1f}%" for k, v in sorted(share.items(), key=lambda kv: -kv[1])) + ".")
    write_results(rows, RESULTS / "load_forecast_trees_ablation", title="What LightGBM exploits: one feature group removed at a time",
                  paired=paired, notes=notes)

if __name__ == "__main__": main()
