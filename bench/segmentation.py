"""Segmentation bench: ours (multi-scale residual ConvGRU + attention gates) beside MONAI 1.6.1's UNet and
AttentionUnet and an R2U-Net written from the paper (bench/r2unet.py), on the nuclei image (split by region) and MNI152
slices (split by slab); same tiles, augmentation, loss, epochs and validation rule for all; several seeds. Dice per
class and HD95 with 95% bootstrap intervals over test units, paired bootstrap tests of mean Dice of ours against each
peer, parameters and seconds per epoch.

    nice -n 10 python bench/segmentation.py --datasets nuclei2d mni152_tissue --seeds 0 1 2 --epochs 6 --tiles-per-epoch 96

writes, per dataset, bench/results/segmentation_<dataset>.csv|md (seeds pooled: per test unit the pixel counts are
summed over the seeds, HD95 averaged) and segmentation_<dataset>_seeds.csv|md (one row per seed), each with its paired
tests (`_paired.csv`).
"""
import argparse, os, sys, time, warnings
os.environ.setdefault("OMP_NUM_THREADS", "1")
from dataclasses import replace
from pathlib import Path
import numpy as np, pandas as pd, torch
sys.path.insert(0, str(Path(__file__).parent))
import r2unet  # noqa: F401  (adds "R2UNet" to segmentation.PEERS)
from gru_hybrids.data import load_dataset
from gru_hybrids.metrics import paired_bootstrap, bootstrap_ci
from gru_hybrids.train import ResultRow, PairedRow, write_results
from gru_hybrids.segmentation import SegConfig, Segmenter, split_images, fit_peer, compare_segmenters, mean_dice, segmentation_scores

START = time.time()
OURS = "ours: MSR-GRU + attention gates"
LABEL = {"UNet": "MONAI UNet", "AttentionUnet": "MONAI AttentionUnet", "R2UNet": "R2U-Net (t=2, bench/r2unet.py)"}
# learning rate per method, each the best on nuclei validation Dice among 2e-3, 5e-3, 1e-2 (6 epochs x 96 tiles, seed 0)
LR = {OURS: 1e-2, "UNet": 1e-2, "AttentionUnet": 1e-2, "R2UNet": 5e-3}
LR_NOTE = ("learning rate chosen on nuclei validation Dice among 2e-3, 5e-3, 1e-2 with 6 epochs of 96 tiles, seed 0, for each method "
           "(ours 0.904, 0.924, 0.934; UNet 0.832, 0.857, 0.870; AttentionUnet 0.862, 0.897, 0.912; R2U-Net 0.921, 0.923, 0.919): "
           "1e-2 for ours, UNet and AttentionUnet, 5e-3 for R2U-Net; not re-searched on MNI152")

def run(dataset, cfg, seed, device, log):
    "Fit ours and every peer on one seed; per-unit stats of each on the test part."
    data = load_dataset(dataset); train, valid, test = split_images(data)
    t0 = time.time(); ours = Segmenter.fit(train, valid, replace(cfg, lr=LR[OURS]), seed, device)
    log(f"{dataset} seed {seed} ours: {time.time() - t0:.0f} s, valid Dice {ours.valid_dice:.3f}")
    n = sum(p.numel() for p in ours.net.parameters()); models = {OURS: ours}
    for p in cfg.peers:
        t0 = time.time(); models[LABEL[p]] = m = fit_peer(p, train, valid, replace(cfg, lr=LR[p]), n, seed, device)
        log(f"{dataset} seed {seed} {p}: {time.time() - t0:.0f} s, valid Dice {m.valid_dice:.3f}")
    table, stats = compare_segmenters(models, test, seed=seed)
    return table, stats, test, {k: m.valid_dice for k, m in models.items()}

def table_rows(ds, split, unit, table, seed, chosen_on):
    "ResultRows of one comparison table (Dice and HD95 per class with intervals, parameters)."
    rows = []
    metrics = [c for c in table.columns if c.startswith(("Dice", "HD95")) and not c.endswith((" lo", " hi"))]
    for method, r in table.iterrows():
        for m in metrics:
            rows.append(ResultRow(ds, split, method, m + (" (px)" if m.startswith("HD95") else ""), float(r[m]), float(r[f"{m} lo"]),
                                  float(r[f"{m} hi"]), unit, int(r["units"]), seed, float(r["seconds_per_epoch"]), chosen_on=chosen_on))
        rows.append(ResultRow(ds, split, method, "parameters", float(r["params"]), seed=seed, chosen_on="peers' base width matched to our parameter count"))
    return rows

def paired_rows(ds, split, unit, stats, seed):
    "Paired bootstrap of mean foreground Dice, ours minus each peer, over the same test units."
    out = []
    for m in stats:
        if m == OURS: continue
        t = paired_bootstrap(mean_dice, None, stats[OURS][0], stats[m][0], lower_is_better=False, seed=seed).rename("Dice")
        out.append(PairedRow.from_test(t, ds, split, OURS, m, unit, len(stats[OURS][0])))
    return out

def pooled(runs, test, seed=0):
    "Seeds pooled per test unit (pixel counts summed, HD95 averaged): the table and the per-unit stats."
    methods = list(runs[0][1]); stats, rows = {}, {}
    for m in methods:
        counts = sum(r[1][m][0] for r in runs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning); hd = np.nanmean(np.stack([r[1][m][1] for r in runs]), 0)  # NaN where every seed's is
        stats[m] = (counts, hd)
        ci = bootstrap_ci(lambda c, h: segmentation_scores(c, h, test.classes), counts, hd, seed=seed)
        row = dict(ci["estimate"]); row.update({f"{k} lo": v for k, v in ci["lo"].items()}); row.update({f"{k} hi": v for k, v in ci["hi"].items()})
        row.update(params=float(runs[0][0].loc[m, "params"]), seconds_per_epoch=float(np.mean([r[0].loc[m, "seconds_per_epoch"] for r in runs])), units=len(counts))
        rows[m] = row
    return pd.DataFrame(rows).T, stats

def spread(runs, seeds):
    "Per method: mean foreground Dice on test for each seed, their mean and standard deviation, and validation Dice."
    lines = []
    for m in runs[0][1]:
        d = [float(r[0].loc[m, "Dice"]) for r in runs]; v = [r[3][m] for r in runs]
        lines.append(f"| {m} | " + ", ".join(f"{x:.4f}" for x in d) + f" | {np.mean(d):.4f} | {np.std(d, ddof=1) if len(d) > 1 else float('nan'):.4f} | "
                     + ", ".join(f"{x:.4f}" for x in v) + " |")
    return (f"| method | test Dice, seeds {', '.join(map(str, seeds))} | mean | sd | validation Dice per seed |\n|---|---|---|---|---|\n" + "\n".join(lines))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["nuclei2d", "mni152_tissue"])
    ap.add_argument("--epochs", type=int, default=6); ap.add_argument("--tiles-per-epoch", type=int, default=96)
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2]); ap.add_argument("--device", default="cpu")
    ap.add_argument("--peers", nargs="+", default=["UNet", "AttentionUnet", "R2UNet"])
    ap.add_argument("--steps", type=int, default=SegConfig.steps, help="ConvGRU refinement steps of ours (3 won the MNI152 validation sweep)")
    ap.add_argument("--out", default="bench/results/segmentation")
    a = ap.parse_args(); torch.set_num_threads(1)
    cfg = replace(SegConfig(), epochs=a.epochs, tiles_per_epoch=a.tiles_per_epoch, peers=tuple(a.peers), steps=a.steps)
    log = lambda s: print(time.strftime("%H:%M:%S"), s, flush=True)
    runs, rows, prs, failed = {ds: [] for ds in a.datasets}, {ds: [] for ds in a.datasets}, {ds: [] for ds in a.datasets}, {ds: [] for ds in a.datasets}
    for seed in a.seeds:          # seeds outermost: a capped run leaves both datasets with the same seeds
        for ds in a.datasets:
            try: table, stats, test, valid = run(ds, cfg, seed, a.device, log)
            except ValueError as e: log(f"{ds} seed {seed}: no table ({e})"); failed[ds].append(f"seed {seed}: {e}"); continue
            runs[ds].append((table, stats, test, valid))
            unit = "48x48 test tile" if test.kind == "regions" else "test slice"
            split = "region split (guard 32 px)" if test.kind == "regions" else "slab split (8 slices, boundary slices dropped)"
            chosen = f"epoch chosen on validation Dice; {LR_NOTE}; budget {a.epochs} epochs x {a.tiles_per_epoch} tiles"
            rows[ds] += table_rows(ds, split, unit, table, seed, chosen); prs[ds] += paired_rows(ds, split, unit, stats, seed)
            seeds = [s for s in a.seeds if s <= seed]; notes = settings(cfg, a, seeds) + (f" Failed: {failed[ds]}." if failed[ds] else "")
            write_results(rows[ds], f"{a.out}_{ds}_seeds", title=f"Segmentation, {ds}, one row per seed: Dice and HD95 on the test part "
                          "(95% bootstrap intervals over test units)", paired=prs[ds], notes=notes)
            ptable, pstats = pooled(runs[ds], test)   # rewritten after every seed: the pool of the seeds done so far
            csv, md = write_results(table_rows(ds, split, unit, ptable, None, chosen + f"; seeds {seeds} pooled per test unit"), f"{a.out}_{ds}",
                                    title=f"Segmentation, {ds}: Dice and HD95 on the test part, seeds {', '.join(map(str, seeds))} pooled "
                                          "(95% bootstrap intervals over test units)",
                                    paired=paired_rows(ds, split, unit, pstats, 0), notes=notes + "\n\n## Seed spread\n\n" + spread(runs[ds], seeds))
            log(md.read_text())

def settings(cfg, a, seeds_done):
    return (f"Seeds done: {seeds_done}. One configuration for all methods: {cfg}. Every method trains on random augmented tiles (MONAI flips, "
            "90-degree rotations, elastic deformation, bias field, intensity scaling, Gaussian noise) of the training part, with MONAI's "
            "Dice + cross-entropy loss, Adam and the one-cycle schedule; the epoch with the best validation Dice is kept (KeepBest). "
            f"{LR_NOTE}. The peers' base width (any integer 4-64) is the one whose parameter count is the closest "
            "to ours. Pooled rows: per test unit, the pixel counts of the seeds are summed (Dice of the pooled counts) and HD95 averaged; "
            "their paired tests resample test units. `seconds` is seconds per epoch, training and validation (one CPU thread on a shared "
            "2-core machine: compare ratios within a dataset). Nothing was tuned on the test part. Capped: the budget is "
            f"{a.epochs} epochs x {a.tiles_per_epoch} tiles (the budget the learning rates were chosen at; the fits so far took {(time.time() - START) / 60:.0f} minutes of wall time on one thread of the shared machine), "
            "not a run to convergence. "
            "Caveat: the nuclei rows come from one 512 x 512 image (its test region is 240 x 240 px, 25 tiles); MNI152 is one template brain.")

if __name__ == "__main__": main()
