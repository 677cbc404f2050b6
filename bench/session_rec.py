"""Full comparison for session-based recommendation (`nbs/17_session_rec.ipynb`), every method on the same split.

    python bench/session_rec.py                      # our models and baselines, both datasets, seed 0
    python bench/session_rec.py --recbole            # also RecBole's GRU4Rec and SASRec (bash bench/setup_env.sh recbole)
    python bench/session_rec.py --reuse              # rebuild the table from bench/results/session_rec_runs.csv

Datasets: Online Retail II (time split: last 14 days test, 14 before validation, the `--train-days` (60) before that
for training: RecBole's GRU4Rec takes about a minute per epoch on 100k targets on one core, SASRec three) and MovieLens-100k (leave-last-out per user). Methods: most popular, item-kNN, and our SessionNet with the
three encoders (GRU alone = GRU4Rec-style, Transformer alone = SASRec-style, hybrid), each with the epoch chosen on
validation MRR@20; with --recbole, RecBole's GRU4Rec and SASRec trained and early-stopped by RecBole on the split that
`write_recbole_split` writes, and re-scored with our metric code from the rank of every test target.
Writes bench/results/session_rec_runs.csv (one row per dataset, method and seed) and bench/results/session_rec.md.
"""
import argparse, os, subprocess, sys, time
from dataclasses import replace
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import pandas as pd
import torch
from gru_hybrids.data import cache_dir
from gru_hybrids.session_rec import (SessionConfig, SessionRecommender, MostPopular, ItemKNN, evaluate, ranking_metrics,
                                     time_split, leave_last_split, load_online_retail, load_movielens_100k,
                                     write_recbole_split)

RESULTS = Path(__file__).parent / "results"
RUNS = RESULTS / "session_rec_runs.csv"
RECBOLE_PY = cache_dir() / "recbole-venv" / "bin" / "python"

def load_split(name: str, train_days: float):
    if name == "online_retail": return time_split(load_online_retail(), train_days=train_days)
    return leave_last_split(load_movielens_100k())


def scored(name, method, seed, metrics, table, extra=None) -> dict:
    table.assign(dataset=name, method=method, seed=seed).to_csv(RESULTS / "session_rec_ranks" / f"{name}-{method}-{seed}.csv.gz", index=False)
    return dict(dataset=name, method=method, seed=seed, **metrics, **(extra or {}))


def run_ours(name, split, args) -> list[dict]:
    rows = []
    for seed in args.seeds:
        for enc in args.encoders:
            cfg = replace(SessionConfig(), encoder=enc, epochs=args.epochs)
            rec = SessionRecommender.fit(split, cfg, seed=seed)
            t0 = time.time(); metrics, table = evaluate(rec.score_positions, split.test); eval_s = time.time() - t0
            hist = rec.valid_history
            rows.append(scored(name, f"ours: {enc}", seed, metrics, table, dict(
                train_s=round(rec.train_seconds, 1), test_eval_s=round(eval_s, 1), epochs=cfg.epochs, lr=cfg.lr,
                best_epoch=int(np.argmax(hist)) + 1, valid_MRR20=round(max(hist), 4))))
            print(rows[-1], flush=True)
    return rows


def run_baselines(name, split) -> list[dict]:
    rows = []
    for method, make in (("most popular", MostPopular), ("item-kNN", ItemKNN)):
        t0 = time.time(); scorer = make(split); fit_s = time.time() - t0
        metrics, table = evaluate(scorer, split.test)
        rows.append(scored(name, method, 0, metrics, table, dict(train_s=round(fit_s, 1))))
        print(rows[-1], flush=True)
    return rows


def run_recbole(name, split, args) -> list[dict]:
    "Train RecBole's models on our split in their own venv; re-score their test ranks with our metric code."
    split_dir = cache_dir() / "session_rec_split"
    write_recbole_split(split, split_dir, name)
    _, ours = evaluate(MostPopular(split), split.test)   # the test targets in file order, to check the row count
    rows = []
    for seed in args.seeds:
        out = RESULTS / "session_rec_ranks" / f"recbole-{name}-{seed}-{'-'.join(args.recbole_models)}-{args.recbole_lr}.csv"
        subprocess.run([str(RECBOLE_PY), str(Path(__file__).parent / "session_rec_recbole.py"), str(split_dir),
                        "--datasets", name, "--models", *args.recbole_models, "--out", str(out),
                        "--epochs", str(args.recbole_epochs), "--seed", str(seed),
                        *(["--learning-rate", str(args.recbole_lr)] if args.recbole_lr else [])], check=True)
        ranks, summary = pd.read_csv(out), pd.read_csv(out.with_name(out.stem + "_summary.csv"))
        for model, part in ranks.groupby("model"):
            part = part.sort_values("row")
            if len(part) != len(ours): raise RuntimeError(f"RecBole {model} ranked {len(part)} rows, the split has {len(ours)}")
            table = ours.assign(rank=part["rank"].to_numpy())
            s = summary[summary.model == model].iloc[0].to_dict()
            method = f"RecBole {model}" + (f" (lr {args.recbole_lr:g})" if args.recbole_lr else "")
            rows.append(scored(name, method, seed, ranking_metrics(table["rank"]), table, dict(
                train_s=round(s.get("train_seconds", np.nan), 1), epochs=s.get("epochs_run"), best_epoch=s.get("best_epoch") + 1,   # RecBole counts from 0
                recbole_own_MRR20=s.get("recbole_mrr@20"))))
            print(rows[-1], flush=True)
    return rows


def save_runs(new: pd.DataFrame):
    "Merge `new` into the runs file (re-read now: another bench process may have written since), replacing equal keys."
    runs = pd.read_csv(RUNS) if RUNS.exists() else pd.DataFrame(columns=new.columns)
    key = lambda d: d.dataset + "|" + d.method + "|" + d.seed.astype(str)
    pd.concat([runs[~key(runs).isin(key(new))], new], ignore_index=True).to_csv(RUNS, index=False)


def _order(method: str) -> tuple:
    return (["most popular", "item-kNN"].index(method) if method in ("most popular", "item-kNN") else
            2 if method.startswith("RecBole") else 3, method)


def markdown(runs: pd.DataFrame) -> str:
    "One table per dataset: mean ± sd over seeds, training seconds (1 thread) and epochs run (best on validation)."
    cols = ["Recall@20", "MRR@20", "NDCG@10"]
    lines = []
    for name in runs.dataset.unique():
        lines += [f"\n### {name}\n", "| method | seeds | " + " | ".join(cols) + " | train s | epochs (best) |", "|---" * (len(cols) + 4) + "|"]
        part = runs[runs.dataset == name]
        for method in sorted(part.method.unique(), key=_order):
            r = part[part.method == method]
            cells = [f"{r[c].mean():.4f}" + (f" ± {r[c].std():.4f}" if len(r) > 1 else "") for c in cols]
            ep = "" if r.epochs.isna().all() else f"{r.epochs.iloc[0]:.0f} ({', '.join(f'{b:.0f}' for b in r.best_epoch)})"
            lines.append(f"| {method} | {len(r)} | " + " | ".join(cells) + f" | {r.train_s.mean():.0f} | {ep} |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=["online_retail", "movielens_100k"])
    p.add_argument("--encoders", nargs="+", default=["gru", "transformer", "hybrid"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--train-days", type=float, default=60)
    p.add_argument("--skip-ours", action="store_true")
    p.add_argument("--recbole", action="store_true")
    p.add_argument("--recbole-models", nargs="+", default=["GRU4Rec", "SASRec"])
    p.add_argument("--recbole-epochs", type=int, default=10)
    p.add_argument("--recbole-lr", type=float, help="override RecBole's learning rate (default: its 1e-3)")
    p.add_argument("--reuse", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(1)
    (RESULTS / "session_rec_ranks").mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        for name in args.datasets:
            split = load_split(name, args.train_days)
            print(name, split, flush=True)
            new = [] if args.skip_ours else run_baselines(name, split) + run_ours(name, split, args)
            if args.recbole: new += run_recbole(name, split, args)
            save_runs(pd.DataFrame(new))
    runs = pd.read_csv(RUNS)
    text = markdown(runs)
    (RESULTS / "session_rec.md").write_text("# Session-based recommendation: test set, full ranking\n" + text)
    print(text)


if __name__ == "__main__":
    main()
