"""Train the session-rec model that ships in the package: `python tools/train_shipped_session_rec.py`.

Online Retail II (shipped with the package, CC BY 4.0) on the bench's time split — the last 14 days of sessions for
test, the 14 before for validation, the 60 days before those for training — with the full configuration (the
hybrid, 10 epochs, the epoch chosen on validation MRR@20), seed 0, one CPU thread. Writes
`gru_hybrids/shipped/session_rec/online_retail.ckpt` and its model card `online_retail.md` beside it, with the test
metrics of the model and of the baselines on the same split (read from this run, not typed).

`--from CKPT` takes the model that `bench/session_rec.py --part ours` trained with exactly this configuration and seed
(it saves it under the cache folder) instead of training it again; its training seconds and best epoch are read from
bench/results/session_rec_runs.csv."""
import argparse, json
import time
from dataclasses import asdict, replace
from pathlib import Path
import pandas as pd
import torch
from gru_hybrids.session_rec import FULL, ItemKNN, MostPopular, SequentialRules, SessionRecommender, evaluate, load_online_retail, time_split
from gru_hybrids.train import collect_report

OUT = Path(__file__).resolve().parents[1] / "gru_hybrids" / "shipped" / "session_rec"

CARD = """# Session-rec model: Online Retail II (`--model online-retail`)

**What it is.** A `SessionRecommender` (GRU + causal self-attention, the hybrid of `gru_hybrids.session_rec`) that
ranks a UK gift-ware wholesaler's {n_items:,} products for the next line of an invoice, given the invoice's lines so
far. Use it with `gru-hybrids predict session-rec --model online-retail --data FILE` (a log with session, item and
time columns) or `SessionRecommender.load(...)`. Built by `tools/train_shipped_session_rec.py`.

**Data and licence.** Chen, D. (2019) *Online Retail II*, UCI Machine Learning Repository, doi:10.24432/C5CG6D,
CC BY 4.0; processed as described in `shipped/online_retail/SOURCES.md` (cancellations, returns, postage and fee
lines dropped). No customer data is used or kept: invoices, stock codes, times and product descriptions only.

**Training.** Sessions starting {train_from} to {valid_from} ({n_train:,} invoices); the epoch chosen on the
validation invoices ({n_valid:,}, from {valid_from}); tested on the {n_test:,} invoices from {test_from}
({n_targets:,} next-item targets, ranked over the whole catalogue). Configuration: {config}. Best epoch {best_epoch} of
{epochs} (validation MRR@20 {best_valid:.4f}); {seconds:.0f} s on one CPU thread of a shared machine.

**Test results** (every target of the test invoices, ranked over all items; items outside the catalogue — unseen or
seen fewer than {min_count} times in the training invoices — removed, as for every method):

{table}

**Limits.** The catalogue is the {n_items:,} products sold at least {min_count} times in the training window (late 2011): other stock codes are
skipped (counted in `n_unknown`), and a session with none known gets the most popular products. It knows one shop's
catalogue and customers (mostly wholesalers) in one period; it says nothing about other shops. Its scores are
probabilities over this catalogue, not calibrated purchase probabilities.
"""

def main():
    torch.set_num_threads(1)
    cfg = replace(FULL, train_days=60)
    with collect_report(): split = time_split(load_online_retail(), cfg.test_days, cfg.valid_days, cfg.train_days, cfg.min_item_count)
    p = argparse.ArgumentParser(); p.add_argument("--from", dest="ckpt"); args = p.parse_args()
    if args.ckpt:
        rec = SessionRecommender.load(args.ckpt, device="cpu")
        if rec.net.encoder != cfg.encoder or list(rec.items) != list(split.items): raise ValueError(f"{args.ckpt} is not the hybrid of this split")
        run = pd.read_csv(Path(__file__).resolve().parents[1] / "bench" / "results" / "session_rec_runs.csv").query("dataset == 'online_retail' and method == 'ours: hybrid'").iloc[0]
        seconds, best, best_valid = float(run.seconds), int(run.best_epoch), float(run.valid_MRR20)
    else:
        t0 = time.time()
        rec = SessionRecommender.fit(split, cfg, seed=0, device="cpu", show_progress="lines")
        seconds = time.time() - t0
        best, best_valid = int(pd.Series(rec.valid_history).idxmax()) + 1, max(rec.valid_history)
    scorers = (("this model", rec.score_positions), ("most popular", MostPopular(split)), ("item-kNN", ItemKNN(split)),
               ("sequential rules (SR)", SequentialRules(split)))
    table = pd.DataFrame({n: evaluate(f, split.test, rec.max_len)[0] for n, f in scorers}).T.round(4)
    OUT.mkdir(parents=True, exist_ok=True)
    rec.save(OUT / "online_retail.ckpt")
    with collect_report(): frame = load_online_retail().frame
    start = frame.groupby("session_id").timestamp.min()
    (OUT / "online_retail.md").write_text(CARD.format(
        n_items=split.n_items, train_from=start[split.train.ids].min(), valid_from=start[split.valid.ids].min(),
        test_from=start[split.test.ids].min(), n_train=len(split.train), n_valid=len(split.valid), n_test=len(split.test),
        n_targets=split.test.n_targets, config=", ".join(f"{k}={v}" for k, v in asdict(cfg).items()), best_epoch=best,
        epochs=cfg.epochs, best_valid=best_valid, seconds=seconds, table=table.to_markdown(), min_count=cfg.min_item_count))
    print(table)

if __name__ == "__main__": main()
