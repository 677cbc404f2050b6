"""Peers GRU4Rec and SASRec from RecBole 1.2.1 on a next-item split that we write out ourselves.

    bash bench/setup_env.sh recbole      # once: builds ~/.cache/gru_hybrids/recbole-venv
    ~/.cache/gru_hybrids/recbole-venv/bin/python bench/session_rec_recbole.py SPLIT_DIR \\
        --models GRU4Rec SASRec --out OUT_CSV [--epochs N] [--seed S] [--datasets NAME ...]

SPLIT_DIR/NAME/ holds NAME.train.inter, NAME.valid.inter, NAME.test.inter (RecBole benchmark files, tab-separated,
header `session_id:token  item_id_list:token_seq  item_id:token`; one row per session prefix, items oldest first,
the next item as target). Every NAME found there is run (or only those given with --datasets).

Each model is trained by RecBole itself (Config -> create_dataset -> data_preparation -> model -> Trainer, built by
hand because recbole.quick_start imports ray) with full-ranking evaluation (no sampled negatives), cross-entropy loss
over all items, early stopping on validation MRR@20 (patience --stopping-step epochs, default 10 as RecBole's; at most
--epochs, default 300 as RecBole's), optionally inside a CPU-time budget (--budget: no epoch starts whose predicted end,
the previous training + validation cycle's CPU time again, is past it; --wall-limit does the same on wall clock), and
otherwise the models' documented defaults of RecBole 1.2.1 (properties/overall.yaml and properties/model/*.yaml):
  GRU4Rec: embedding_size 64, hidden_size 128, num_layers 1, dropout_prob 0.3;
  SASRec:  n_layers 2, n_heads 2, hidden_size 64, inner_size 256, hidden/attn dropout 0.5, gelu, layer_norm_eps 1e-12,
           initializer_range 0.02;
  both:    Adam, learning_rate 1e-3, train_batch_size 2048, weight_decay 0, MAX_ITEM_LIST_LENGTH 50.

The best-validation checkpoint is then scored on every test row IN FILE ORDER (we score the test Interaction ourselves
in batches, and check it token by token against the file, instead of trusting a data loader's order), giving the
rank of the target among all real catalogue items (RecBole's [PAD] id 0 excluded) with the conservative tie rule
rank = 1 + #(other items whose score >= the target's score).

Writes OUT_CSV (model, dataset, row, rank; row = 0-based row of NAME.test.inter) and OUT_CSV with suffix
`_summary.csv` (per model and dataset: RecBole's own test evaluator for Recall@20 / MRR@20 / NDCG@10, the same
metrics recomputed from our ranks, CPU and wall seconds of the fit and per epoch, the load average, epochs run, best epoch
(0-based, as RecBole counts), why it stopped, the validation curve, number of catalogue items).

Two environmental fixes, not model settings (see the comments at the imports): anomaly detection, which RecBole's SINE
module switches on for the whole process when the sequential models are imported, is switched off again; and glibc's
mmap threshold is raised so that large activations are not page-faulted in afresh on every batch.
"""
import argparse
import os
import sys
import tempfile
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
# glibc serves every allocation above its mmap threshold (at most 32 MB by default) with a fresh mmap, so each of SASRec's
# 26-105 MB activations is page-faulted in again on every batch (4.5 M minor faults in 4 batches measured here): keep freed
# memory in the heap instead. The setting is read when the process starts, so the driver re-executes itself once.
if "MALLOC_MMAP_THRESHOLD_" not in os.environ and __name__ == "__main__":
    os.environ.update(MALLOC_MMAP_THRESHOLD_=str(16 << 30), MALLOC_TRIM_THRESHOLD_=str(16 << 30))
    os.execv(sys.executable, [sys.executable] + sys.argv)
import numpy as np

# RecBole 1.2.1 still uses aliases that numpy 2 removed.
np.float_, np.complex_, np.unicode_ = np.float64, np.complex128, np.str_
import pandas as pd
import torch
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.model.sequential_recommender import GRU4Rec, SASRec
from recbole.trainer import Trainer
from recbole.utils import init_logger, init_seed

# Importing recbole.model.sequential_recommender imports its SINE model, whose module runs
# torch.autograd.set_detect_anomaly(True) at import time: every later backward pass then checks each gradient for NaN
# (aten::ne/any, 35% of a SASRec batch's CPU time in torch's profiler here) and every forward op records a Python
# traceback. That is a side effect of an unrelated model, not a setting of GRU4Rec or SASRec: switch it off again.
torch.autograd.set_detect_anomaly(False)

warnings.filterwarnings("ignore", category=FutureWarning, module="recbole")  # pandas deprecations inside recbole

MODELS = {"GRU4Rec": GRU4Rec, "SASRec": SASRec}
PARTS = ("train", "valid", "test")
HEADER = "session_id:token\titem_id_list:token_seq\titem_id:token"
# RecBole's default MAX_ITEM_LIST_LENGTH. In benchmark mode RecBole would keep the FIRST items of a longer list (and
# SASRec's position table has only this many rows), so we truncate longer prefixes to their LAST 50 items ourselves.
MAX_LEN = 50
METRICS = ("recall@20", "mrr@20", "ndcg@10")


def read_split_file(path):
    """Rows of one benchmark file as (session token, list of item tokens, target token), in file order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines and lines[0] == HEADER, f"{path}: header must be {HEADER!r}"
    rows = []
    for i, line in enumerate(lines[1:]):
        s, prefix, target = line.split("\t")
        items = prefix.split()
        assert items and target, f"{path}: row {i} has an empty prefix or target"
        rows.append((s, items, target))
    return rows


def stage_split(split_dir, name, work):
    """Copy NAME's three files to WORK/data/ds/ (prefixes cut to their last MAX_LEN items); return the rows by part.

    The staged dataset is called `ds`: RecBole swaps in its bundled example for a dataset called `ml-100k`."""
    out = os.path.join(work, "data", "ds")
    os.makedirs(out, exist_ok=True)
    rows = {}
    for part in PARTS:
        rows[part] = [(s, p[-MAX_LEN:], y) for s, p, y in read_split_file(os.path.join(split_dir, name, f"{name}.{part}.inter"))]
        with open(os.path.join(out, f"ds.{part}.inter"), "w", encoding="utf-8") as f:
            f.write(HEADER + "\n" + "".join(f"{s}\t{' '.join(p)}\t{y}\n" for s, p, y in rows[part]))
    train_items = {i for _, p, y in rows["train"] for i in p + [y]}
    unseen = {i for part in ("valid", "test") for _, p, y in rows[part] for i in p + [y]} - train_items
    if unseen:
        print(f"WARNING {name}: {len(unseen)} valid/test items never occur in train (they join the catalogue)")
    return rows


def make_config(model, work, epochs, seed, stopping_step, learning_rate=None, batch_size=None):
    extra = {} if learning_rate is None else {"learning_rate": learning_rate}
    if batch_size: extra["train_batch_size"] = batch_size
    return Config(model=model, dataset="ds", config_dict={**extra,
        "data_path": os.path.join(work, "data"), "checkpoint_dir": os.path.join(work, "saved"),
        "benchmark_filename": list(PARTS),
        "USER_ID_FIELD": "session_id", "ITEM_ID_FIELD": "item_id", "TIME_FIELD": None,
        "load_col": {"inter": ["session_id", "item_id_list", "item_id"]},
        "alias_of_item_id": ["item_id_list"],  # prefixes and targets share one item id space
        "MAX_ITEM_LIST_LENGTH": MAX_LEN,
        "loss_type": "CE", "train_neg_sample_args": None,
        # split/order are not used with benchmark files (RecBole still insists on order 'TO' for sequential models)
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full"},
        "metrics": ["Recall", "MRR", "NDCG"], "topk": [10, 20],
        "valid_metric": "MRR@20", "epochs": epochs, "stopping_step": stopping_step,
        "seed": seed, "reproducibility": True, "show_progress": False, "worker": 0})


def check_mapping(dataset, part_dataset, rows, part):
    """The RecBole split must hold the file's rows, in file order, with the same item tokens (via field2id_token)."""
    inter = part_dataset.inter_feat
    assert len(inter) == len(rows), f"{part}: RecBole has {len(inter)} rows, the file {len(rows)}"
    id2tok = dataset.field2id_token["item_id"]
    assert np.array_equal(dataset.token2id("item_id", [y for _, _, y in rows]), inter["item_id"].numpy()), \
        f"{part}: targets differ from the file (order or item remapping)"
    seqs, lens = inter["item_id_list"].numpy(), inter["item_length"].numpy()
    for i, (_, p, _) in enumerate(rows):
        assert lens[i] == len(p) and list(id2tok[seqs[i, :lens[i]]]) == p, f"{part} row {i}: prefix differs from the file"


class Budget(Exception):
    "Raised before an epoch would start whose predicted end (the last train + valid cycle's cost again) is past a budget."


def clocks():
    "(CPU seconds of this process, wall seconds): the budget is CPU time, as the machine is shared."
    return time.process_time(), time.perf_counter()


@torch.no_grad()
def test_ranks(model, inter, seen=None, batch_size=1024):
    """Rank of each row's target among real items 1..n-1 (column 0 is [PAD]); ties count against the target.
    With `seen` (per row, the item ids of the WHOLE prefix), also the rank with those items excluded."""
    model.eval()
    ranks, unseen = [], []
    for start in range(0, len(inter), batch_size):
        batch = inter[start:start + batch_size]
        scores = model.full_sort_predict(batch)[:, 1:]
        target = scores.gather(1, (batch["item_id"] - 1).unsqueeze(1))
        ranks.append((scores >= target).sum(1))  # counts the target itself once: = 1 + #others with score >= it
        if seen is not None:
            rows = [r for r in range(len(target)) for _ in seen[start + r]]
            cols = [i - 1 for r in range(len(target)) for i in seen[start + r]]
            scores[rows, cols] = -torch.inf
            target = scores.gather(1, (batch["item_id"] - 1).unsqueeze(1))
            unseen.append(torch.where(torch.isinf(target[:, 0]), scores.shape[1], (scores >= target).sum(1)))
    return torch.cat(ranks).numpy(), (torch.cat(unseen).numpy() if seen is not None else None)


def rank_metrics(ranks):
    return {"recall@20": np.mean(ranks <= 20), "mrr@20": np.mean(np.where(ranks <= 20, 1.0 / ranks, 0.0)),
            "ndcg@10": np.mean(np.where(ranks <= 10, 1.0 / np.log2(ranks + 1), 0.0))}


def run_one(model_name, name, rows, work, args):
    config = make_config(model_name, work, args.epochs, args.seed, args.stopping_step, args.learning_rate, args.batch_size)
    init_seed(config["seed"], config["reproducibility"])
    init_logger(config)
    dataset = create_dataset(config)
    train_data, valid_data, test_data = data_preparation(config, dataset)
    for part, data in zip(PARTS, (train_data, valid_data, test_data)):
        check_mapping(dataset, data._dataset, rows[part], part)
    init_seed(config["seed"], config["reproducibility"])
    model = MODELS[model_name](config, train_data._dataset).to(config["device"])
    trainer = Trainer(config, model)

    # Per epoch: CPU and wall seconds of the training pass alone, and of the whole cycle (training + validation pass).
    log = {"train_cpu": [], "train_wall": [], "cycle_cpu": [], "cycle_wall": [], "stop": None}
    train_epoch = trainer._train_epoch
    last = {}

    def timed_train_epoch(*a, **k):
        cpu, wall = clocks()
        if last:  # the previous cycle (its training and validation passes) ended now
            log["cycle_cpu"].append(cpu - last["cpu"]); log["cycle_wall"].append(wall - last["wall"])
            if args.budget and cpu - c0 + log["cycle_cpu"][-1] > args.budget: log["stop"] = "budget"
            if args.wall_limit and wall - w0 + log["cycle_wall"][-1] > args.wall_limit: log["stop"] = log["stop"] or "wall limit"
            if log["stop"]: raise Budget()
        last.update(cpu=cpu, wall=wall)
        out = train_epoch(*a, **k)
        c, w = clocks(); log["train_cpu"].append(c - cpu); log["train_wall"].append(w - wall)
        return out

    trainer._train_epoch = timed_train_epoch
    valid_curve, valid_epoch = [], trainer._valid_epoch

    def logged_valid_epoch(*a, **k):
        score, result = valid_epoch(*a, **k)
        valid_curve.append(float(score))
        print(f"epoch {len(valid_curve)}: valid MRR@20 {score:.4f}, train pass {log['train_cpu'][-1]:.0f} s CPU /"
              f" {log['train_wall'][-1]:.0f} s wall, load {os.getloadavg()[0]:.1f}", flush=True)
        return score, result

    trainer._valid_epoch = logged_valid_epoch
    c0, w0 = clocks(); load0 = os.getloadavg()[0]
    try: trainer.fit(train_data, valid_data, saved=True, show_progress=False)
    except Budget: pass
    c1, w1 = clocks()
    if log["stop"] is None:  # fit returned by itself: the last cycle ended now
        log["cycle_cpu"].append(c1 - last["cpu"]); log["cycle_wall"].append(w1 - last["wall"])
    n_run = len(log["train_cpu"])
    stopped_by = log["stop"] or ("epoch cap" if n_run >= args.epochs else f"early stopping (patience {args.stopping_step})")

    # best-validation checkpoint (loaded here: it pickles the Config, which torch.load's weights_only default refuses)
    ckpt = torch.load(trainer.saved_model_file, map_location=config["device"], weights_only=False)
    model.load_state_dict(ckpt["state_dict"])
    model.load_other_parameter(ckpt.get("other_parameter"))
    recbole_test = trainer.evaluate(test_data, load_best_model=False, show_progress=False)
    seen = None
    if args.seen:
        with open(args.seen, encoding="utf-8") as f:
            seen = [list(dataset.token2id("item_id", line.split())) if line.strip() else [] for line in f.read().splitlines()]
    ranks, unseen = test_ranks(model, test_data._dataset.inter_feat.to(config["device"]), seen)
    assert len(ranks) == len(rows["test"]) and (ranks >= 1).all(), "lost test rows or NaN scores"

    summary = {"model": model_name, "dataset": name, "n_items": dataset.item_num - 1, "n_test_rows": len(ranks),
               **{f"recbole_{m}": float(recbole_test[m]) for m in METRICS},
               **{f"rank_{m}": float(v) for m, v in rank_metrics(ranks).items()},
               "epochs_run": n_run, "best_epoch": int(ckpt["epoch"]), "stopped_by": stopped_by,
               "learning_rate": config["learning_rate"], "train_batch_size": config["train_batch_size"],
               "stopping_step": args.stopping_step, "budget_cpu_s": args.budget,
               "valid_mrr@20": float(trainer.best_valid_score),
               "fit_cpu_seconds": c1 - c0, "fit_seconds": w1 - w0,
               "cpu_s_per_epoch": float(np.mean(log["cycle_cpu"])), "wall_s_per_epoch": float(np.mean(log["cycle_wall"])),
               "train_cpu_s_per_epoch": float(np.mean(log["train_cpu"])), "train_wall_s_per_epoch": float(np.mean(log["train_wall"])),
               "load_at_start": load0, "load_at_end": os.getloadavg()[0],
               "valid_curve": " ".join(f"{v:.4f}" for v in valid_curve)}
    ranks_df = pd.DataFrame({"model": model_name, "dataset": name, "row": np.arange(len(ranks)), "rank": ranks})
    if unseen is not None: ranks_df["rank_unseen"] = unseen
    return ranks_df, summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("split_dir")
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--datasets", nargs="+", help="dataset folders under SPLIT_DIR (default: all)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=300, help="cap on training epochs (default 300, RecBole's)")
    ap.add_argument("--stopping-step", type=int, default=10, help="early-stopping patience in epochs (default 10, RecBole's)")
    ap.add_argument("--seed", type=int, default=2020, help="RecBole's default seed")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--learning-rate", type=float, help="override RecBole's default (1e-3)")
    ap.add_argument("--batch-size", type=int, help="override RecBole's train_batch_size (default 2048)")
    ap.add_argument("--budget", type=float, help="CPU-time budget of fit (training and validation passes), seconds: no epoch starts "
                    "whose predicted end (the previous train + valid cycle's CPU time again) is past it")
    ap.add_argument("--wall-limit", type=float, help="the same rule on wall-clock seconds (a deadline, not a fairness budget)")
    ap.add_argument("--seen", help="file with one line per test row: the item tokens of the whole prefix (for exclude_seen)")
    args = ap.parse_args(argv)
    sys.argv = sys.argv[:1]  # recbole's Config would also read `--key=value` arguments from the command line
    torch.set_num_threads(args.threads)
    split_dir, out = os.path.abspath(args.split_dir), os.path.abspath(args.out)
    names = args.datasets or sorted(d for d in os.listdir(split_dir)
                                    if os.path.isfile(os.path.join(split_dir, d, f"{d}.train.inter")))
    assert names, f"no NAME/NAME.train.inter under {split_dir}"

    all_ranks, summaries = [], []
    cwd = os.getcwd()
    for name in names:
        for model_name in args.models:
            with tempfile.TemporaryDirectory(prefix="recbole-") as work:
                os.chdir(work)  # RecBole writes log/ and log_tensorboard/ into the working directory
                try:
                    rows = stage_split(split_dir, name, work)
                    ranks_df, summary = run_one(model_name, name, rows, work, args)
                finally:
                    os.chdir(cwd)
            all_ranks.append(ranks_df)
            summaries.append(summary)
            print(" | ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in summary.items()),
                  flush=True)

    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    pd.concat(all_ranks).to_csv(out, index=False)
    summary_path = os.path.splitext(out)[0] + "_summary.csv"
    pd.DataFrame(summaries).to_csv(summary_path, index=False, float_format="%.6g")
    print(f"wrote {out} and {summary_path}")


if __name__ == "__main__":
    sys.exit(main())
