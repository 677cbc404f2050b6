"""Full load-forecasting comparison on vic_elec: our network (with and without attention, quick and full
configurations, several seeds) and the seasonal naive baselines on the validation and test origins, joined with
the peers' forecasts (statsforecast, neuralforecast) from `load_forecast_peers.py` on the same origins.

    python bench/load_forecast.py [--seeds 0 1 2] [--jobs 2] [--reuse]

Writes bench/results/load_forecast_runs.csv (one row per method, seed and split) and bench/results/load_forecast.md
(the table the docs show)."""
import argparse, os, time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import pandas as pd

RESULTS = Path(__file__).parent / "results"
CONFIGS = ("quick", "quick, no attention", "full", "full, no attention")

def config(name):
    from gru_hybrids.load_forecast import QUICK, ForecastConfig
    base = QUICK if name.startswith("quick") else ForecastConfig()
    return replace(base, attention="no attention" not in name)

def run_one(job):
    "Train one configuration with one seed; score it on the validation and test origins."
    import torch; torch.set_num_threads(1)
    from gru_hybrids.load_forecast import load_vic_elec, day_ahead_split, DayAheadForecaster, actuals, lag_attention_share
    from gru_hybrids.metrics import error_metrics
    name, seed = job
    vic = load_vic_elec(); split = day_ahead_split(vic)
    t = time.time(); model = DayAheadForecaster.fit(vic, config(name), seed=seed); secs = time.time() - t
    rows = []
    for split_name, origins in (("valid", split.valid), ("test", split.test)):
        pred, attn = model.forecast_with_attention(vic, origins)
        row = dict(method=f"GRU + temporal attention ({name})" if "no attention" not in name else f"GRU, no attention ({name.split(',')[0]})",
                   seed=seed, split=split_name, train_seconds=round(secs, 1),
                   **{k: float(v) for k, v in error_metrics(actuals(vic, origins, 48), pred).items()})
        if attn is not None:
            for label, lags, width in (("daily_1", 48 * np.arange(1, 8), 1), ("daily_4", 48 * np.arange(1, 8), 4), ("weekly_4", [336], 4)):
                share, chance = lag_attention_share(attn, lags, width)
                row[f"attn_{label}"], row[f"chance_{label}"] = share, chance
        rows.append(row)
    print(f"{name} seed {seed}: {secs:.0f}s, test MAPE {rows[1]['MAPE']:.2f}%", flush=True)
    return rows

def baselines():
    from gru_hybrids.load_forecast import load_vic_elec, day_ahead_split, baseline_forecasts, actuals
    from gru_hybrids.metrics import error_metrics
    vic = load_vic_elec(); split = day_ahead_split(vic); rows = []
    for split_name, origins in (("valid", split.valid), ("test", split.test)):
        for name, f in baseline_forecasts(vic, origins).items():
            rows.append(dict(method=name, seed=0, split=split_name, train_seconds=0.0,
                             **{k: float(v) for k, v in error_metrics(actuals(vic, origins, 48), f).items()}))
    return rows

def peers():
    "Score the peers' forecasts with our metric code, after checking their origins and actuals are ours."
    from gru_hybrids.load_forecast import load_vic_elec, day_ahead_split, actuals
    from gru_hybrids.metrics import error_metrics
    path = RESULTS / "load_forecast_peers_forecasts.csv.gz"
    if not path.exists(): print("no peer forecasts: run bench/load_forecast_peers.py in the peers environment"); return []
    f = pd.read_csv(path)
    summary = pd.read_csv(RESULTS / "load_forecast_peers_summary.csv")
    vic = load_vic_elec(); split = day_ahead_split(vic); rows = []
    f = f[~f.method.str.match(r"sf_MSTL_AutoETS\[")]  # window candidates, used only to choose the window on validation
    for (method, split_name), g in f.groupby(["method", "split"]):
        origins = getattr(split, split_name)
        g = g.sort_values(["origin_time", "step"])
        want = pd.DatetimeIndex(vic.time[origins]).tz_convert("UTC")
        got = pd.DatetimeIndex(pd.to_datetime(g.origin_time.unique(), utc=True))
        if len(got) != len(want) or (got != want).any(): raise ValueError(f"{method}/{split_name}: origins differ from ours")
        y = actuals(vic, origins, 48)
        pred = g.y_pred.to_numpy().reshape(len(origins), 48)
        if not np.allclose(g.y_true.to_numpy().reshape(len(origins), 48), y): raise ValueError(f"{method}: actuals differ")
        secs = summary.query("method == @method and split == @split_name").fit_predict_seconds
        name, seed = peer_name(method)
        rows.append(dict(method=name, seed=seed, split=split_name, train_seconds=float(secs.iloc[0]) if len(secs) else np.nan,
                         **{k: float(v) for k, v in error_metrics(y, pred).items()}))
    return rows

PEER_NAMES = {"sf_SeasonalNaive48": "statsforecast SeasonalNaive(48)", "sf_SeasonalNaive336": "statsforecast SeasonalNaive(336)",
              "sf_MSTL_AutoETS": "statsforecast MSTL(48, 336) + AutoETS, 8-week window",
              "nf_GRU_exog": "neuralforecast GRU, future covariates", "nf_GRU_noexog": "neuralforecast GRU, no covariates"}

def peer_name(method: str) -> tuple[str, int]:
    "Readable name and seed of a peer method written as `name[seedN]` or `name[seed-avg]`."
    base, _, tag = method.partition("[")
    name = PEER_NAMES.get(base, base)
    if tag.startswith("seed-avg"): return name + " (ensemble of 3 seeds)", 0
    return name, int(tag.strip("seed]")) if tag else 0

def table(runs: pd.DataFrame) -> str:
    "Markdown: mean (and std over seeds) of each metric per method, test and validation origins."
    agg = runs.groupby(["split", "method"]).agg(n=("seed", "nunique"), MAE=("MAE", "mean"), MAE_sd=("MAE", "std"),
        RMSE=("RMSE", "mean"), MAPE=("MAPE", "mean"), MAPE_sd=("MAPE", "std"), seconds=("train_seconds", "mean"))
    lines = []
    for split_name, title in (("test", "Test origins (last 56 days, 2014-11-06 to 2014-12-31)"),
                              ("valid", "Validation origins (2014-09-11 to 2014-11-05)")):
        sub = agg.loc[split_name].sort_values("MAPE")
        lines += [f"**{title}**: day-ahead forecasts from local midnight, 48 half-hours, metrics over all origins x steps; "
                  "mean ± std over seeds.", "",
                  "| method | seeds | MAPE % | MAE MW | RMSE MW | fit s (per run) |", "|---|---|---|---|---|---|"]
        for m, r in sub.iterrows():
            sd = lambda v, f: f" ± {v:{f}}" if r.n > 1 and np.isfinite(v) else ""
            lines.append(f"| {m} | {int(r.n)} | {r.MAPE:.2f}{sd(r.MAPE_sd, '.2f')} | {r.MAE:.0f}{sd(r.MAE_sd, '.0f')} | "
                         f"{r.RMSE:.0f} | {r.seconds:.0f} |")
        lines.append("")
    lines.append("Fit seconds: wall time of one training on one CPU thread, two trainings running at once on a shared "
                 "2-core machine (peers: fit and predict over all origins); compare within a row group, not across machines.\n")
    return "\n".join(lines)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    p.add_argument("--jobs", type=int, default=2, help="parallel trainings (one thread each)")
    p.add_argument("--reuse", action="store_true", help="keep our runs from the last results file; refresh peers and tables")
    a = p.parse_args()
    if a.reuse:
        last = pd.read_csv(RESULTS / "load_forecast_runs.csv")
        ours = last[last.method.str.startswith("GRU")].to_dict("records")
    else:
        jobs = [(c, s) for c in a.configs for s in a.seeds]
        with ProcessPoolExecutor(a.jobs) as ex: ours = [r for rows in ex.map(run_one, jobs) for r in rows]
    runs = pd.DataFrame(baselines() + ours + peers())
    RESULTS.mkdir(exist_ok=True)
    runs.to_csv(RESULTS / "load_forecast_runs.csv", index=False, float_format="%.4f")
    md = table(runs)
    attn = runs.dropna(subset=["attn_daily_4"]).groupby(["split", "method"])[
        ["attn_daily_1", "chance_daily_1", "attn_daily_4", "chance_daily_4", "attn_weekly_4", "chance_weekly_4"]].mean()
    md += "\n**Attention near daily lags** (share of attention within 1 or 4 steps of 1..7 whole days before the target; weekly: within 4 steps of 7 days) against uniform attention:\n\n"
    md += "| split | method | ±1 step of days | uniform | ±4 steps of days | uniform | ±4 steps of a week | uniform |\n"
    md += "|---|---|---|---|---|---|---|---|\n"
    for (sp, m), r in attn.iterrows(): md += f"| {sp} | {m} | " + " | ".join(f"{v:.1%}" for v in r) + " |\n"
    (RESULTS / "load_forecast.md").write_text(md)
    print(md)

if __name__ == "__main__": main()
