"""Full comparison for session-based recommendation (`nbs/17_session_rec.ipynb`), every method on the same split.

    python bench/session_rec.py --part baselines     # SR, item-kNN, SKNN, V-SKNN, STAN, V-STAN (tuned on validation)
    python bench/session_rec.py --part ours          # our SessionNet, three encoders (--seeds 0 1 2)
    python bench/session_rec.py --part recbole       # RecBole's GRU4Rec and SASRec (bash bench/setup_env.sh recbole), after a part
                                                     # that wrote the targets file
    python bench/session_rec.py --part restore       # per-method rank files rebuilt from the committed session_rec_ranks_<dataset>.csv.gz
    python bench/session_rec.py --part table         # bench/results/session_rec.{csv,md} + _paired.csv from the saved ranks

Datasets: Online Retail II (time split: last 14 days of sessions test, the 14 before validation, the 60 days before
those training) and MovieLens-100k (leave-last-out per user). The catalogue is the items seen at least 5 times in the
training sessions (counted there only). Every method is a scorer of `evaluate`, which ranks the whole catalogue for
every test target, once with all items and once with the session's earlier items excluded (`exclude_seen`, applied
alike to every method). Each part writes the per-target ranks of its methods to
bench/results/session_rec_ranks/<dataset>__<method>.csv.gz (columns rank, rank_unseen; one row per test target, in
the order of <dataset>__targets.csv.gz; ranks beyond 20 stored as 21) and its settings and timings to bench/results/session_rec_runs.csv.
`--part table` gathers them into bench/results/session_rec_ranks_<dataset>.csv.gz (one column per method and way of
ranking; committed, so the intervals can be recomputed) and writes the tables with the kit's `write_results`.
"""
import argparse, json, os, subprocess, time
from dataclasses import replace
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import pandas as pd
import torch
from gru_hybrids.data import cache_dir
from gru_hybrids.metrics import bootstrap_ci, paired_bootstrap, ranking_metrics
from gru_hybrids.session_rec import (SessionConfig, SequenceSet, SessionRecommender, MostPopular, ItemKNN, SequentialRules, evaluate,
                                     time_split, leave_last_split, load_online_retail, load_movielens_100k, write_recbole_split)
from gru_hybrids.train import PairedRow, ResultRow, collect_report, write_results
from session_rec_baselines import SessionKNN

RESULTS = Path(__file__).parent / "results"
RANKS = RESULTS / "session_rec_ranks"
RUNS = RESULTS / "session_rec_runs.csv"
RECBOLE_PY = cache_dir() / "recbole-venv" / "bin" / "python"
MODES = {"all items": "rank", "seen items excluded": "rank_unseen"}


def load(name: str):
    "The split and each training sequence's time in seconds (its last interaction)."
    with collect_report():
        log = load_online_retail() if name == "online_retail" else load_movielens_100k()
        split = time_split(log, train_days=60) if name == "online_retail" else leave_last_split(log)
    t = log.frame.groupby("session_id").timestamp.max()
    return split, (t - pd.Timestamp("1970-01-01")).dt.total_seconds().to_dict()


def both(scorer, data) -> pd.DataFrame:
    return evaluate(scorer, data, exclude_seen="both")[1]


def save_ranks(name, method, table):
    RANKS.mkdir(parents=True, exist_ok=True)
    targets = RANKS / f"{name}__targets.csv.gz"
    if not targets.exists(): table[["sequence", "position", "target"]].to_csv(targets, index=False)
    ref = pd.read_csv(targets)
    if not (ref.to_numpy() == table[["sequence", "position", "target"]].to_numpy()).all(): raise RuntimeError("targets differ from the saved order")
    # ranks beyond 20 are stored as 21: the metrics (Recall@20, MRR@20, NDCG@10) and their intervals need no more
    table[["rank", "rank_unseen"]].clip(upper=21).astype("int32").to_csv(RANKS / f"{name}__{method}.csv.gz", index=False)


def save_runs(rows: list[dict]):
    "Merge `rows` into the runs file (re-read now: another bench process may have written since), replacing equal keys."
    new = pd.DataFrame(rows)
    runs = pd.read_csv(RUNS) if RUNS.exists() else pd.DataFrame(columns=new.columns)
    key = lambda d: d.dataset + "|" + d.method
    pd.concat([runs[~key(runs).isin(key(new))], new], ignore_index=True).to_csv(RUNS, index=False)


def grids(split, times):
    "Each baseline's candidate settings (few, as in the authors' framework); the kNN family's are read on a validation sample."
    yield "SR", [dict(steps=s, pruning=p) for s in (1, 2, 3, 5, 10) for p in (0, 20)], lambda **kw: SequentialRules(split, **kw)
    knn = lambda **kw: SessionKNN(split, times, **kw)
    yield "SKNN", [dict(k=k) for k in (100, 500)], knn
    yield "V-SKNN", [dict(k=100, weighting=w, idf=i) for w in ("linear", "div") for i in (False, True)], knn
    yield "STAN", [dict(k=100, l1=2, l2=b, l3=c) for b in (7, 1e6) for c in (2, 10)], knn


def valid_sample(data, n: int):
    "The first `n` validation sessions (all their targets): the kNN family's settings are chosen on these (time)."
    return SequenceSet(data.sequences[:n], data.first_target[:n], data.ids[:n])


def choose(name, method, grid, make, data) -> tuple[list[dict], list[dict]]:
    "Validation MRR@20 of every setting, both ways."
    val = []
    for kw in grid:
        v = both(make(**kw), data)
        val.append({mode: ranking_metrics(v[col])["MRR@20"] for mode, col in MODES.items()})
        print(name, method, kw, {m: round(x, 4) for m, x in val[-1].items()}, flush=True)
    return grid, val


def part_baselines(name, split, times, only=None, n_valid=200):
    rows = []
    for method, make in (("most popular", MostPopular), ("item-kNN", ItemKNN)):
        if only and method not in only: continue
        t0 = time.time(); table = both(make(split), split.test)
        save_ranks(name, method, table)
        rows.append(dict(dataset=name, method=method, settings="{}", chosen_on="nothing to choose", seconds=round(time.time() - t0, 1)))
    chosen = {}
    for method, grid, make in grids(split, times):
        if only and method not in only and not (method == "STAN" and "V-STAN" in only): continue
        data = split.valid if method == "SR" else valid_sample(split.valid, n_valid)
        what = "all validation sessions" if method == "SR" else f"the first {min(n_valid, len(split.valid))} validation sessions"
        t0 = time.time(); grid, val = choose(name, method, grid, make, data)
        if method == "STAN":   # V-STAN: STAN's best setting (each way), with and without IDF weighting
            extra = [dict(grid[int(np.argmax([v[m] for v in val]))], idf=True) for m in MODES]
            g2, v2 = choose(name, "V-STAN", extra, make, data)
            chosen["V-STAN"] = (grid + g2, val + v2, what)
        chosen[method] = (grid, val, what)
        for m in [method] + (["V-STAN"] if method == "STAN" else []):
            if only and m not in only: continue
            g, v, w = chosen[m]
            rows += test_rows(name, m, g, v, w, make, split, t0)
    save_runs(rows)


def test_rows(name, method, grid, val, what, make, split, t0) -> list[dict]:
    "Test ranks of the best validation setting for each way of ranking."
    rows, tables = [], {}
    for mode, col in MODES.items():
        j = int(np.argmax([v[mode] for v in val])); key = json.dumps(grid[j])
        if key not in tables: tables[key] = both(make(**grid[j]), split.test)
        label = method if mode == "all items" else f"{method} [unseen]"
        save_ranks(name, label, tables[key])
        rows.append(dict(dataset=name, method=label, settings=key, valid_MRR20=round(val[j][mode], 4),
                         chosen_on=f"validation MRR@20 ({mode}) over {len(grid)} settings, on {what}", seconds=round(time.time() - t0, 1)))
        print(rows[-1], flush=True)
    return rows


def part_ours(name, split, seeds, encoders, epochs):
    rows = []
    for seed in seeds:
        for enc in encoders:
            cfg = replace(SessionConfig(), encoder=enc, epochs=epochs)
            rec = SessionRecommender.fit(split, cfg, seed=seed)
            method = f"ours: {enc}" + (f" (seed {seed})" if seed else "")
            save_ranks(name, method, both(rec.score_positions, split.test))
            (cache_dir() / "session_rec_models").mkdir(parents=True, exist_ok=True)
            rec.save(cache_dir() / "session_rec_models" / f"{name}-{enc}-{seed}.ckpt")   # the shipped model is the hybrid's (tools/train_shipped_session_rec.py --from)
            hist = rec.valid_history
            rows.append(dict(dataset=name, method=method, settings=json.dumps(dict(lr=cfg.lr, bs=cfg.bs, epochs=epochs)),
                             chosen_on=f"epoch on validation MRR@20 (all items); lr and bs from the notebook's validation search",
                             seconds=round(rec.train_seconds, 1), best_epoch=int(np.argmax(hist)) + 1, valid_MRR20=round(max(hist), 4)))
            print(rows[-1], flush=True)
            save_runs(rows[-1:])


def part_recbole(name, split, configs, budget: float, models, patience: int = 10, wall_limit: float | None = None,
                 chosen_from: str | None = None):
    """RecBole's GRU4Rec / SASRec on our split, each (lr, batch size) trained with RecBole's early stopping (`patience` epochs
    on validation MRR@20) within `budget` s of CPU time (training and validation passes; no epoch starts whose predicted end is
    past it); the setting best on validation MRR@20 is kept. A setting whose summary file exists is not run again (delete it
    to re-run). `chosen_from`: how `configs` were picked, when they are not the whole search (said in `chosen_on`)."""
    split_dir = cache_dir() / "session_rec_split"
    write_recbole_split(split, split_dir, name)
    targets = pd.read_csv(RANKS / f"{name}__targets.csv.gz")
    seen = split_dir / name / f"{name}.test.seen"   # the whole prefix of every test row, for exclude_seen
    seen.write_text("".join(" ".join(split.items[split.test.sequences[i][:t]]) + "\n" for i, t in zip(targets.sequence, targets.position)))
    rows = []
    for model in models:
        best, outs = None, []
        for lr, bs in configs:
            out = RANKS / f"recbole-{name}-{model}-{lr:g}-{bs:g}.csv"
            if not out.with_name(out.stem + "_summary.csv").exists(): subprocess.run([str(RECBOLE_PY), str(Path(__file__).parent / "session_rec_recbole.py"), str(split_dir), "--datasets", name,
                            "--models", model, "--out", str(out), "--epochs", "300", "--stopping-step", str(patience), "--learning-rate", str(lr),
                            "--batch-size", str(int(bs)), "--budget", str(budget), "--seen", str(seen), "--seed", "0"]
                            + (["--wall-limit", str(wall_limit)] if wall_limit else []), check=True)
            summ = pd.read_csv(out.with_name(out.stem + "_summary.csv")).iloc[0]; outs.append(out)
            print(model, lr, bs, summ.to_dict(), flush=True)
            if best is None or summ["valid_mrr@20"] > best[1]["valid_mrr@20"]: best = (out, summ)
        search = pd.concat([pd.read_csv(o.with_name(o.stem + "_summary.csv")) for o in outs], ignore_index=True)
        keep = RESULTS / "session_rec_recbole_search.csv"   # every setting of the search: validation score, epochs, seconds, why it stopped
        old = pd.read_csv(keep) if keep.exists() else search.iloc[:0]
        key = lambda d: d.dataset + "|" + d.model + "|" + d.learning_rate.map("{:g}".format) + "|" + d.train_batch_size.map("{:g}".format)
        pd.concat([old[~key(old).isin(key(search))], search], ignore_index=True).to_csv(keep, index=False, float_format="%.6g")
        out, summ = best
        ranks = pd.read_csv(out).sort_values("row")
        if len(ranks) != len(targets): raise RuntimeError(f"RecBole {model} ranked {len(ranks)} rows, the split has {len(targets)}")
        method = f"RecBole {model}"
        save_ranks(name, method, targets.assign(rank=ranks["rank"].to_numpy(), rank_unseen=ranks["rank_unseen"].to_numpy()))
        grid = ", ".join(f"{lr:g}/{int(bs)}" for lr, bs in configs)
        rows.append(dict(dataset=name, method=method, settings=json.dumps(dict(lr=float(summ["learning_rate"]), bs=int(summ["train_batch_size"]))),
                         valid_MRR20=round(float(summ["valid_mrr@20"]), 4), best_epoch=int(summ["best_epoch"]) + 1,
                         chosen_on=(chosen_from or f"validation MRR@20 (all items) over lr/batch {{{grid}}}")
                                   + f"; RecBole's early stopping (patience {int(summ['stopping_step'])}) within {budget:.0f} CPU s; "
                                   f"best epoch {int(summ['best_epoch']) + 1} of {int(summ['epochs_run'])}, stopped by {summ['stopped_by']}",
                         seconds=round(float(summ["fit_cpu_seconds"]), 1)))
        print(rows[-1], flush=True)
        save_runs(rows[-1:])


class Blend:
    "A mixture of two next-item distributions: (1 - w) softmax(ours) + w SR (its scores normalised per prefix)."
    def __init__(self, rec, rules, w: float): self.rec, self.rules, self.w = rec, rules, w
    def __call__(self, inputs, lengths, rows, cols):
        p = self.rec.score_positions(inputs, lengths, rows, cols).softmax(-1)
        r = self.rules(inputs, lengths, rows, cols).clamp_min(0)
        return (1 - self.w) * p + self.w * r / r.sum(1, keepdim=True)


def part_blend(name, split, weights=(0.2, 0.4, 0.6, 0.8)):
    "Ours (hybrid, seed 0) mixed with SR (its setting chosen on validation), the weight chosen on validation MRR@20, each way."
    rec = SessionRecommender.load(cache_dir() / "session_rec_models" / f"{name}-hybrid-0.ckpt", device="cpu")
    runs = pd.read_csv(RUNS).set_index(["dataset", "method"])
    rows = []
    for mode, col in MODES.items():
        sr = json.loads(runs.loc[(name, "SR" if mode == "all items" else "SR [unseen]"), "settings"])
        rules = SequentialRules(split, **sr)
        val = [ranking_metrics(both(Blend(rec, rules, w), split.valid)[col])["MRR@20"] for w in weights]
        print(name, mode, dict(zip(weights, np.round(val, 4))), flush=True)
        w = weights[int(np.argmax(val))]
        label = "ours: hybrid + SR" + ("" if mode == "all items" else " [unseen]")
        save_ranks(name, label, both(Blend(rec, rules, w), split.test))
        rows.append(dict(dataset=name, method=label, settings=json.dumps(dict(w=w, **sr)), valid_MRR20=round(max(val), 4),
                         chosen_on=f"weight on validation MRR@20 ({mode}) over {list(weights)}; SR's setting as chosen for SR"))
    save_runs(rows)


SPLITS = {"online_retail": "test: sessions of the last 14 days (60 training days)", "movielens_100k": "test: each user's last item"}
OURS = "ours: hybrid"
NOTES = """
**Split.** Online Retail II: sessions starting in the last 14 days are the test set (the rows here), the 14 days before
validation, the 60 days before those training. The catalogue is the items seen at least 5 times in the training
sessions, counted there only (`time_split(min_item_count=5)`); other items are removed from validation and test
sessions for every method alike. Every next item of a test session is a target (36,534 targets in 1,163 sessions),
ranked over the whole catalogue; ties count against the target. *Dataset "online_retail"* ranks all items;
*"online_retail (seen items excluded)"* removes the session's earlier items from every method's ranking before the
rank is taken (`evaluate(exclude_seen=True)`; an invoice never lists a product twice, so this only helps).

**Intervals.** 95% percentile bootstrap over test sessions (1,000 resamples; a session's targets are resampled
together); the paired tests resample the same sessions for both methods: ours (the hybrid, seed 0) against the
strongest other row on each metric, against SR, and against RecBole's SASRec and GRU4Rec.

**How each setting was chosen.**
- Ours (GRU + causal self-attention, `SessionConfig()`: dim 64, one block, two heads, dropout 0.2, Adam lr 1e-2,
  batches of 32 windows, weight decay 1e-4, 10 epochs): the epoch on validation MRR@20 (all items); the same model
  gives the seen-excluded rows (the epoch is not re-chosen for them). Learning rate and batch size come from the
  notebook's earlier development on a 90-day window (two settings, lr 3e-3 / 64 and 1e-2 / 32); not searched again
  here. One seed (0) per encoder: the earlier three-seed runs varied by 0.001 MRR@20, well inside these intervals.
- SR (`SequentialRules`): steps in {1, 2, 3, 5, 10} x pruning in {0, 20}, on validation MRR@20 over all validation
  sessions, chosen separately for each way of ranking.
- SKNN: k in {100, 500}; V-SKNN: k = 100, position weighting linear or div, IDF weighting on or off; STAN: k = 100,
  lambda1 = 2, lambda2 in {7 days, none}, lambda3 in {2, 10}; V-STAN: STAN's best setting with IDF weighting, or
  STAN's best itself. Chosen on validation MRR@20 over the first 200 validation sessions (about 6,000 targets; the
  kNN family is slow in this implementation and the machine was shared), separately for each way of ranking.
  Neighbours are drawn from all training sessions (no recent-sample cap). V-STAN here is STAN plus IDF weighting;
  the sequential filter of Ludewig et al.'s V-STAN is not implemented.
- Most popular and item-kNN have no settings.
- "seconds": training (ours) or setting search plus test scoring (baselines) on one CPU thread of a heavily shared
  2-core machine: compare them only roughly.

- RecBole 1.2.1's GRU4Rec and SASRec (`bench/session_rec_recbole.py`, in their own venv): the same split written as
  RecBole benchmark files (one row per target, the last 50 items before it), full-ranking cross-entropy, the models'
  documented defaults otherwise. Each is trained with RecBole's own early stopping on validation MRR@20 with its default
  patience of 10 epochs (at most 300 epochs), inside a budget equal to ours: ours' 2,636 s is wall clock (`time.time()`
  around its whole fit, training and validation passes, on this shared machine; its CPU time was not recorded), so
  RecBole gets 2,636 s of **CPU time** of its process over its training and validation passes (CPU time is at most the
  wall time, so this is at least ours' CPU time); no epoch starts whose predicted end (the previous epoch's training +
  validation CPU time again) is past it. The test rows come from the best-validation epoch's checkpoint, both ways of
  ranking from the same model; RecBole's "seconds" are the CPU seconds of that fit.
  **This round neither reached the budget nor early stopping: a wall-clock deadline stopped both** (the same
  predicted-end rule on 4,859 wall seconds from the start, the end of this session): on a machine at load 5-8 on 2 cores
  each fit got about a quarter of a core. SASRec ran 5 epochs (best epoch 5, validation MRR@20 0.1562, still rising: 0.1189, 0.1402, 0.1469, 0.1527, 0.1562) in 1,342 CPU s (4,331 s wall); GRU4Rec 13 epochs (best epoch 13, validation 0.2224, still rising by about 0.001 an epoch at the end) in 1,684 CPU s (4,751 s wall), i.e. 51% and 64% of the budget. The settings were not searched at this budget: GRU4Rec's (lr 3e-3,
  batch 256) is the better of two on validation MRR@20 after one epoch in the earlier round (0.0644 against 0.0165 at
  lr 1e-2 / 2048, below); SASRec's (lr 1e-2, batch 2048) is the only one it tried (one epoch, validation 0.1189); ours
  had two settings (lr 3e-3 / 64 and 1e-2 / 32, from the notebook's development). So these are RecBole rows at about
  half to two thirds of ours' budget, with an unsearched learning rate and batch size, not converged: better than the one-epoch rows
  before them, still not the peers at their best.
- Why a RecBole epoch took 9-21 minutes, and what changed. (1) Importing RecBole's sequential models imports its SINE
  model, whose module runs `torch.autograd.set_detect_anomaly(True)` for the whole process: every backward pass then
  checks each gradient for NaN (aten::ne / aten::any, a third of a SASRec batch's CPU time in torch's profiler) and
  every forward op records a Python traceback. In one process, alternating batch by batch (SASRec, lr 1e-3, batch
  2048, load about 6), a training batch took 7.38 s CPU with it and 4.74 s without (4 batches each): 1.56x. The driver
  switches it off again. (2) glibc serves allocations above 32 MB with a fresh mmap, so SASRec's 26-105 MB activations
  were page-faulted in again every batch (4.5 M minor faults in 4 batches, 16.5 s of system time; 1.3 M and 7.5 s with
  the threshold raised): the driver raises it. (3) The rest is the machine: one thread does about 24 GFLOPS of matrix
  product here, SASRec computes all 50 (padded) positions of every prefix with a 256-wide feed-forward, and the other
  jobs leave each fit a quarter to a third of a core, so wall time is 3-4x the CPU time. One epoch (training pass) now
  costs SASRec about 245 s CPU (800 s wall) and GRU4Rec about 115 s CPU (330 s wall),
  against 1,246 s and 1,029 s wall (CPU time not recorded) in the earlier round at load 6-12. The data loader is not the
  cost (one whole epoch of RecBole's collation: 0.4 s CPU; `worker` 0), nor logging (progress bars off).

RECBOLE_SEARCH

**Not in this table, and why.** RecBole at the full 2,636 CPU s, to its own early stopping, and the validation-only
search over learning rate and batch size at that budget (two settings per model, as ours had: about 4 x 2,636 CPU s,
some 12 hours of wall clock at a quarter of a core each): the session's deadline allowed one setting per model at about
half to two thirds of the budget. MovieLens-100k and the GRU-alone and Transformer-alone encoders were not re-run on the new
catalogue (each ablation would need about as long as ours' 2,636 s); `--part blend` (ours mixed with SR, weight chosen
on validation) was written but not run.
"""


def recbole_search_md() -> str:
    "Every RecBole setting tried (from session_rec_recbole_search.csv), as a Markdown table for the notes."
    f = RESULTS / "session_rec_recbole_search.csv"
    if not f.exists(): return "(RecBole's search was not run.)"
    d = pd.read_csv(f)
    for c in ("budget_cpu_s", "stopping_step", "fit_cpu_seconds", "cpu_s_per_epoch", "seconds_per_epoch", "train_wall_s_per_epoch"):
        if c not in d: d[c] = np.nan
    budget = [f"{b:.0f} CPU s, patience {p:.0f}" if b == b else "600 s wall, patience 3 (earlier round)" for b, p in zip(d.budget_cpu_s, d.stopping_step)]
    t = pd.DataFrame({"dataset": d.dataset, "model": d.model, "lr": d.learning_rate, "batch": d.train_batch_size, "budget": budget,
                      "epochs run": d.epochs_run, "best epoch": d.best_epoch + 1, "stopped by": d.stopped_by,
                      "valid MRR@20": d["valid_mrr@20"].round(4),
                      "CPU s per epoch (train + valid)": d.cpu_s_per_epoch.round(0), "wall s per training epoch": d.seconds_per_epoch.fillna(d.train_wall_s_per_epoch).round(0),
                      "fit CPU s": d.fit_cpu_seconds.round(0), "fit wall s": d.fit_seconds.round(0)})
    return "RecBole's search, every setting (validation MRR@20, all items; the chosen setting per model is the test row):\n\n" + t.to_markdown(index=False)


def rank_sets(name) -> dict[str, dict[str, np.ndarray]]:
    "{mode: {method: ranks}} from the saved files: tuned baselines have one file per mode (`X [unseen]`), the others one."
    files = {f.name.split("__", 1)[1][:-len(".csv.gz")]: f for f in RANKS.glob(f"{name}__*.csv.gz") if not f.name.endswith("__targets.csv.gz")}
    out = {mode: {} for mode in MODES}
    for method, f in files.items():
        if method.endswith(" [unseen]") or "(seed" in method: continue
        out["all items"][method] = pd.read_csv(f)["rank"].to_numpy()
        g = files.get(f"{method} [unseen]", f)
        out["seen items excluded"][method] = pd.read_csv(g)["rank_unseen"].to_numpy()
    return out


def part_restore(datasets):
    "Rebuild the per-method rank files (not committed) from the committed session_rec_ranks_<dataset>.csv.gz; existing files are kept."
    for name in datasets:
        f = RESULTS / f"session_rec_ranks_{name}.csv.gz"
        if not f.exists(): continue
        kept = pd.read_csv(f); RANKS.mkdir(parents=True, exist_ok=True)
        if not (RANKS / f"{name}__targets.csv.gz").exists(): kept[["sequence", "position", "target"]].to_csv(RANKS / f"{name}__targets.csv.gz", index=False)
        for method in sorted({c.split(" | ")[0] for c in kept.columns if " | " in c}):
            out = RANKS / f"{name}__{method}.csv.gz"
            if out.exists() or (RANKS / f"{name}__{method} [unseen].csv.gz").exists(): continue
            pd.DataFrame({"rank": kept[f"{method} | all items"], "rank_unseen": kept[f"{method} | seen items excluded"]}).to_csv(out, index=False)
            print("restored", out, flush=True)


def part_table(datasets, n_boot: int = 1000):
    runs = pd.read_csv(RUNS) if RUNS.exists() else pd.DataFrame(columns=["dataset", "method"])
    rows, paired = [], []
    for name in datasets:
        if not (RANKS / f"{name}__targets.csv.gz").exists(): continue
        targets = pd.read_csv(RANKS / f"{name}__targets.csv.gz"); units = targets["sequence"].to_numpy()
        sets = rank_sets(name)
        kept = targets.assign(**{f"{m} | {mode}": np.minimum(r, 21) for mode, ranks in sets.items() for m, r in ranks.items()})
        kept.to_csv(RESULTS / f"session_rec_ranks_{name}.csv.gz", index=False)   # committed: every method's test ranks (> 20 as 21)
        for mode, ranks in sets.items():
            ds = name if mode == "all items" else f"{name} (seen items excluded)"
            split = SPLITS[name] + f"; full ranking, {mode}"
            for method, r in ranks.items():
                ci = bootstrap_ci(ranking_metrics, r, units=units, n_boot=n_boot)
                run = runs[(runs.dataset == name) & (runs.method == (method if mode == "all items" or f"{method} [unseen]" not in set(runs.method) else f"{method} [unseen]"))]
                run = run.iloc[0] if len(run) else pd.Series(dtype=object)
                for metric in ("Recall@20", "MRR@20"):
                    rows.append(ResultRow(ds, split, method, metric, float(ci.loc[metric, "estimate"]), float(ci.loc[metric, "lo"]), float(ci.loc[metric, "hi"]),
                                          "session", len(np.unique(units)), 0, run.get("seconds"), str(run.get("chosen_on", ""))))
            if OURS not in ranks: continue
            extra = [m for m in ranks if m.startswith("ours: hybrid + SR")]
            for metric in ("Recall@20", "MRR@20"):   # ours against the strongest other row, and against SR
                for a in [OURS] + extra:
                    best = max((m for m in ranks if m != a), key=lambda m: ranking_metrics(ranks[m])[metric])
                    for rival in dict.fromkeys([best, "SR", "RecBole SASRec", "RecBole GRU4Rec"]):   # and the two trained peers
                        if rival not in ranks or rival == a: continue
                        test = paired_bootstrap(ranking_metrics, None, ranks[a], ranks[rival], units=units, n_boot=n_boot)
                        paired.append(PairedRow.from_test(test.loc[metric], ds, split, a, rival, "session", len(np.unique(units))))
    return rows, paired


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", required=True, choices=["baselines", "ours", "blend", "recbole", "table", "restore"])
    p.add_argument("--datasets", nargs="+", default=["online_retail", "movielens_100k"])
    p.add_argument("--only", nargs="+", help="baselines: only these methods")
    p.add_argument("--encoders", nargs="+", default=["hybrid", "gru", "transformer"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--recbole-models", nargs="+", default=["GRU4Rec", "SASRec"])
    p.add_argument("--recbole-configs", nargs="+", default=["0.001,2048", "0.01,2048"], help="lr,batch pairs searched on validation")
    p.add_argument("--budget", type=float, default=2636, help="RecBole: CPU-time budget per setting (training and validation passes), "
                   "seconds; default ours' training time (2,636 s wall clock, so at least ours' CPU time)")
    p.add_argument("--wall-limit", type=float, help="RecBole: also stop a setting before an epoch that would end past this many wall seconds")
    p.add_argument("--patience", type=int, default=10, help="RecBole: early-stopping patience, epochs without a better validation MRR@20 (RecBole's default 10)")
    p.add_argument("--recbole-chosen-from", help="RecBole: how --recbole-configs were picked, when they are not the whole search (goes into chosen_on)")
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.part == "restore": part_restore(args.datasets); return
    if args.part == "table":
        rows, paired = part_table(args.datasets)
        write_results(rows, RESULTS / "session_rec", "Session-based recommendation: test set, full ranking", paired=paired, notes=NOTES.replace("RECBOLE_SEARCH", recbole_search_md()))
        print((RESULTS / "session_rec.md").read_text()); return
    for name in args.datasets:
        split, times = load(name)
        print(name, split, flush=True)
        if args.part == "baselines": part_baselines(name, split, times, args.only)
        if args.part == "ours": part_ours(name, split, args.seeds, args.encoders, args.epochs)
        if args.part == "blend": part_blend(name, split)
        if args.part == "recbole": part_recbole(name, split, [tuple(map(float, c.split(","))) for c in args.recbole_configs], args.budget, args.recbole_models,
                                                args.patience, args.wall_limit, args.recbole_chosen_from)


if __name__ == "__main__":
    main()
