"""Serving many requests: throughput per item of batched calls against one call per item, in one run, for each of
the session-rec, load-forecast, drug-likeness and text architectures; and the day-ahead forecast of one day
against the way it was made before (the covariates of the whole series rebuilt on every call).

    nice -n 10 python bench/serving.py            # -> bench/results/serving.csv and .md (a few minutes on one core)
    python bench/serving.py --device cuda         # the same on a GPU (the md and csv then name it)

Models: the shipped session-rec (Online Retail II) and drug-likeness classifiers; load forecasting and text
classification are trained here with their quick configurations' network sizes for one epoch (what a request
costs depends on the network's size, not on how long it was trained). Requests are real: the last sessions of the
shipped Online Retail log, approved-drug SMILES, vic_elec test days, BBC News documents. Each round times the
batched call over all requests and then one call per request, alternately; the interval is the 95% bootstrap
over rounds; the speed-up is single ms per item / batched ms per item within each round.
"""
import argparse, os, time
from dataclasses import replace
from importlib import resources
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import pandas as pd
import torch
from gru_hybrids.metrics import bootstrap_ci
from gru_hybrids.train import ResultRow, collect_report, resolve_device, write_results

RESULTS = Path(__file__).parent / "results" / "serving"


def rounds_of(batched, single, n_rounds: int) -> tuple[np.ndarray, np.ndarray]:
    "Seconds per item of `batched()` and of `single()` (each serves all the requests), alternating, `n_rounds` times."
    batched(); single()   # warm up
    b, s = [], []
    for _ in range(n_rounds):
        t = time.perf_counter(); n = batched(); b.append((time.perf_counter() - t) / n)
        t = time.perf_counter(); n = single(); s.append((time.perf_counter() - t) / n)
    return np.array(b), np.array(s)


def session_rec_case(n: int, device):
    from gru_hybrids.session_rec import SessionRecommender
    rec = SessionRecommender.load(resources.files("gru_hybrids") / "shipped" / "session_rec" / "online_retail.ckpt", device=device)
    log = pd.read_csv(resources.files("gru_hybrids") / "shipped" / "online_retail" / "online_retail_sessions.csv.gz", dtype=str).tail(50 * n)
    sessions = [list(g) for _, g in log.groupby("session_id", sort=False).item_id][-n:]   # the log's last invoices
    check = rec.recommend(sessions, k=20).items
    assert all((rec.recommend([s], k=20).items[0] == check[j]).all() for j, s in enumerate(sessions[:50])), "batched != single"
    return "session-rec: recommend (shipped Online Retail model)", "session", len(sessions), \
        lambda: rec.recommend(sessions, k=20) and len(sessions), lambda: [rec.recommend([s], k=20) for s in sessions] and len(sessions)


def drug_case(n: int, device):
    from gru_hybrids.drug_likeness import DrugLikenessModel
    model = DrugLikenessModel.load(resources.files("gru_hybrids") / "shipped" / "druglikeness" / "druglikeness_classifier.ckpt", device=device)
    smiles = pd.read_csv(resources.files("gru_hybrids") / "shipped" / "druglikeness" / "approved_drugs.csv").smiles.tolist()[:n]
    np.testing.assert_allclose(model.predict(smiles[:50]), [model.predict([s])[0] for s in smiles[:50]], atol=1e-5)
    return "drug-likeness: predict (shipped classifier)", "molecule", len(smiles), \
        lambda: model.predict(smiles) is not None and len(smiles), lambda: [model.predict([s]) for s in smiles] and len(smiles)


def load_model(device):
    from gru_hybrids.load_forecast import QUICK, DayAheadForecaster, load_vic_elec
    vic = load_vic_elec()
    return vic, DayAheadForecaster.fit(vic, replace(QUICK, epochs=1, min_steps=1), seed=0, device=device)


def load_case(n: int, device, fitted):
    vic, model = fitted
    from gru_hybrids.load_forecast import day_ahead_split
    days = [str(vic.time[o].date()) for o in day_ahead_split(vic, 7).test[:n]]
    batch = model.predict_days(vic, days)
    np.testing.assert_allclose(batch.forecast_MW.to_numpy(), np.concatenate([model.predict_day(vic, d).to_numpy() for d in days]), atol=1e-2)
    return "load-forecast: predict_days vs predict_day (quick-size network)", "day", len(days), \
        lambda: len(model.predict_days(vic, days)) // 48, lambda: [model.predict_day(vic, d) for d in days] and len(days)


def whole_series_predict_day(model, series, day):
    "The day-ahead forecast as it was made before: midnights found by scanning, covariates and windows built for the whole series."
    from gru_hybrids.load_forecast import DayAheadWindows, covariates
    day = pd.Timestamp(day).date()
    rows = np.flatnonzero((series.time.normalize() == series.time) & (series.time.date == day))
    T, H = model.cfg.history_days * model.steps_per_day, model.steps_per_day
    ds = DayAheadWindows((series.demand - model.scaler.demand_mean) / model.scaler.demand_std,
                         covariates(series, model.scaler, model.cfg.use_temperature), rows[:1], T, H)
    hist, fut, _ = ds[0]
    with torch.no_grad(): pred = model.net.eval()(hist[None].to(model.device), fut[None].to(model.device))
    return pred.cpu().numpy()[0] * model.scaler.demand_std + model.scaler.demand_mean


def predict_day_case(n: int, device, fitted):
    vic, model = fitted
    from gru_hybrids.load_forecast import day_ahead_split
    days = [str(vic.time[o].date()) for o in day_ahead_split(vic, 7).test[:n]]
    np.testing.assert_allclose(whole_series_predict_day(model, vic, days[0]), model.predict_day(vic, days[0]).to_numpy(), atol=1e-2)
    hist, fut = model._inputs(vic, [int(np.flatnonzero(vic.time == model.predict_day(vic, days[0]).index[0])[0])])
    def net_only():
        with torch.no_grad():
            for _ in days: model.net(hist, fut)
        return len(days)
    # "batched" here is predict_day as it is now, "single" the whole-series way; the network alone is a third row
    return ("load-forecast: predict_day now vs rebuilding the whole series' covariates", "day", len(days),
            lambda: [model.predict_day(vic, d) for d in days] and len(days),
            lambda: [whole_series_predict_day(model, vic, d) for d in days] and len(days)), net_only


def text_case(n: int, device):
    from gru_hybrids.text_classification import QUICK, TextClassifier, load_bbc_news, split_documents
    train, valid, test = split_documents(load_bbc_news(), valid_frac=0.25, test_frac=0.2, seed=0)
    model = TextClassifier.fit(train, valid, replace(QUICK, epochs=1), 0, device)
    texts = test.text.tolist()[:n]
    np.testing.assert_allclose(model.predict_proba(texts), np.concatenate([model.predict_proba([t]) for t in texts]), atol=1e-5)
    return "text: predict_proba (quick-size network)", "document", len(texts), \
        lambda: len(model.predict_proba(texts)), lambda: [model.predict_proba([t]) for t in texts] and len(texts)


def interval(x: np.ndarray):
    return bootstrap_ci(lambda v: float(np.mean(v)), x, seed=0)


def rows_for(name, unit, n, b, s, device_name, label=("batched", "one at a time")):
    out = []
    for how, x in zip(label, (b, s)):
        ci = interval(x * 1e3)
        out.append(ResultRow(name, f"{n} requests, {len(x)} rounds", f"{how} ({device_name})", "ms per item", ci.estimate, ci.lo, ci.hi,
                             unit="round", n_units=len(x), chosen_on="fixed (no settings)"))
    ci = interval(s / b)
    out.append(ResultRow(name, f"{n} requests, {len(x)} rounds", f"speed-up: {label[1]} / {label[0]} ({device_name})", "ratio", ci.estimate, ci.lo, ci.hi,
                         unit="round", n_units=len(x), chosen_on="fixed (no settings)"))
    return out


def main():
    with collect_report(): run()   # data and domain reports are collected, not printed for every single call


def run():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu"); p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--n", type=int, default=200, help="requests per architecture (sessions, molecules, days, documents)")
    p.add_argument("--only", nargs="*", default=["session", "drug", "load", "text"])
    args = p.parse_args()
    torch.set_num_threads(1); device = resolve_device(args.device)
    device_name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU, 1 thread"
    rows, t0 = [], time.time()
    cases = []
    if "session" in args.only: cases.append(session_rec_case(args.n, device))
    if "drug" in args.only: cases.append(drug_case(args.n, device))
    if "load" in args.only:
        fitted = load_model(device)
        cases.append(load_case(min(args.n, 60), device, fitted))
        day_case, net_only = predict_day_case(min(args.n, 60), device, fitted)
    if "text" in args.only: cases.append(text_case(args.n, device))
    for name, unit, n, batched, single in cases:
        b, s = rounds_of(batched, single, args.rounds); rows += rows_for(name, unit, n, b, s, device_name)
        print(rows[-1], flush=True)
    if "load" in args.only:
        name, unit, n, now, before = day_case
        b, s = rounds_of(now, before, args.rounds); rows += rows_for(name, unit, n, b, s, device_name, ("predict_day now", "whole series rebuilt"))
        net = np.array([(lambda t: (net_only(), (time.perf_counter() - t) / n)[1])(time.perf_counter()) for _ in range(args.rounds)])
        ci = interval(net * 1e3)
        rows.append(ResultRow(name, f"{n} requests, {len(net)} rounds", f"the network alone ({device_name})", "ms per item", ci.estimate, ci.lo, ci.hi,
                              unit="round", n_units=len(net), chosen_on="fixed (no settings)"))
        print(rows[-1], flush=True)
    notes = (__doc__.split("\n\n", 2)[2] + f"\nDevice: {device_name}; torch {torch.__version__}; {args.rounds} rounds; whole run {time.time() - t0:.0f} s. "
             "The machine was shared with other jobs: absolute times vary between runs, the ratios within a round are the comparison. "
             "Before timing, each case checks that batched and single calls give the same predictions.")
    suffix = "" if device.type == "cpu" else "_" + device.type
    rows, notes = keep_other_rows(rows, Path(str(RESULTS) + suffix), args.only, notes)
    print(write_results(rows, Path(str(RESULTS) + suffix), "Serving many requests: batched against one call per item", digits=3, notes=notes))


PREFIX = {"session": "session-rec", "drug": "drug-likeness", "load": "load-forecast", "text": "text"}


def keep_other_rows(rows: list, path: Path, only: list, notes: str) -> tuple[list, str]:
    "With `--only` some cases, the other cases' rows of the last table are kept (and the notes say which run each comes from)."
    others = [k for k in PREFIX if k not in only]
    if not others or not path.with_suffix(".csv").exists(): return rows, notes
    last = pd.read_csv(path.with_suffix(".csv")).astype(object).where(lambda d: d.notna(), None)
    kept = [ResultRow(**r) for r in last.to_dict("records") if any(str(r["dataset"]).startswith(PREFIX[k]) for k in others)]
    if not kept: return rows, notes
    old = (path.with_suffix(".md").read_text().split("Device: ", 1)[1].split("\n", 1)[0] if path.with_suffix(".md").exists() else "")
    return rows + kept, notes + (f" Rows of {', '.join(PREFIX[k] for k in only)} are from this run; those of {', '.join(PREFIX[k] for k in others)} "
                                 f"from the run before (Device: {old.split('. ')[0]}).")


if __name__ == "__main__":
    main()
