"""Validation-only sweep on one dataset (default MNI152, where ours trails AttentionUnet): the learning rate for every
method and the number of ConvGRU refinement steps for ours, one seed, the bench budget. Writes validation Dice only
(no test numbers) to bench/results/segmentation_sweep_<dataset>.csv|md; a setting that wins here is what a later
bench run would take for that dataset.

    nice -n 10 python bench/segmentation_sweep.py --dataset mni152_tissue --lrs 5e-3 --steps 3
"""
import argparse, os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
from dataclasses import replace
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from segmentation import OURS, LABEL, LR   # also registers R2U-Net
from gru_hybrids.data import load_dataset
from gru_hybrids.train import ResultRow, write_results
from gru_hybrids.segmentation import SegConfig, Segmenter, split_images, fit_peer

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="mni152_tissue"); ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lrs", nargs="+", type=float, default=[5e-3]); ap.add_argument("--steps", nargs="+", type=int, default=[3])
    ap.add_argument("--epochs", type=int, default=6); ap.add_argument("--tiles-per-epoch", type=int, default=96)
    ap.add_argument("--peers", nargs="+", default=["UNet", "AttentionUnet", "R2UNet"])
    ap.add_argument("--out", default="bench/results/segmentation_sweep")
    a = ap.parse_args(); torch.set_num_threads(1)
    cfg = replace(SegConfig(), epochs=a.epochs, tiles_per_epoch=a.tiles_per_epoch)
    train, valid, _ = split_images(load_dataset(a.dataset)); rows = []
    def add(method, setting, model, t0):
        print(f"{time.strftime('%H:%M:%S')} {method} {setting}: valid Dice {model.valid_dice:.4f}", flush=True)
        rows.append(ResultRow(a.dataset, "validation part of the slab split", method, "validation Dice", float(model.valid_dice), seed=a.seed,
                              seconds=time.time() - t0, chosen_on=f"validation sweep ({setting}; {a.epochs} epochs x {a.tiles_per_epoch} tiles)"))
    for steps in a.steps:            # ours: other refinement step counts at its bench learning rate
        t0 = time.time(); m = Segmenter.fit(train, valid, replace(cfg, steps=steps, lr=LR[OURS]), a.seed, "cpu"); add(OURS, f"steps={steps}, lr={LR[OURS]}", m, t0)
    for lr in a.lrs:                 # every method at the other learning rates
        t0 = time.time(); m = Segmenter.fit(train, valid, replace(cfg, lr=lr), a.seed, "cpu"); add(OURS, f"steps={cfg.steps}, lr={lr}", m, t0)
        n = sum(p.numel() for p in m.net.parameters())
        for p in a.peers:
            t0 = time.time(); add(LABEL[p], f"lr={lr}", fit_peer(p, train, valid, replace(cfg, lr=lr), n, a.seed, "cpu"), t0)
    write_results(rows, f"{a.out}_{a.dataset}", title=f"Segmentation, {a.dataset}: validation sweep (validation Dice, seed {a.seed})",
                  notes=f"Validation Dice of the kept epoch; the bench's own settings ({', '.join(f'{k}: lr {v}' for k, v in LR.items())}, "
                        f"steps {cfg.steps}) are in bench/results/segmentation_{a.dataset}_seeds.md (seed {a.seed}, validation Dice column of "
                        "its seed spread). No test numbers here.")

if __name__ == "__main__": main()
