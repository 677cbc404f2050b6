#!/usr/bin/env python
"""Pre-train the bidirectional SMILES language model shipped as
`gru_hybrids/shipped/druglikeness/moses_smiles_lm.ckpt` (read by `gru_hybrids.drug_likeness.load_pretrained_lm`).

Molecules: N standardised SMILES drawn (seeded shuffle) from the MOSES training set inside the molsets 0.3.1 wheel
(MIT), skipping any molecule of the shipped classification set (drugs and negatives) and any the tokenizer cannot read.
The tokenizer is fitted on those molecules alone. Training: `pretrain_smiles_lm(..., bidirectional=True)` with
`DrugConfig()` and `lm_epochs=E`, seed 0, one CPU thread (about 25 minutes for 200,000 molecules and 5 epochs).

    python tools/pretrain_drug_lm.py [--n 200000] [--epochs 5]
    python tools/pretrain_drug_lm.py --reuse CHECKPOINT   # ship an already trained run after checking it is this one

`--reuse` takes a `torch.save`d dict with `tokens`, `state`, `valid_loss`, `seconds` (as `bench/drug_likeness.py`
wrote before this tool existed) and ships it only if its vocabulary is the one this tool fits, in the same order.
The wheel comes from `pip download --no-deps molsets==0.3.1 -d ~/.cache/gru_hybrids/wheels`."""
import argparse, hashlib, io, os, time, zipfile
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import pandas as pd

WHEEL = Path("~/.cache/gru_hybrids/wheels/molsets-0.3.1-py3-none-any.whl").expanduser()
MEMBER, MEMBER_SHA256 = "moses/dataset/data/train.csv.gz", "786f0313aa6b9ba5514df685f885742a70ea8d86f1a4fa48115f7f80a634265c"
OUT = Path(__file__).parents[1] / "gru_hybrids" / "shipped" / "druglikeness" / "moses_smiles_lm.ckpt"

def moses_lm_smiles(n: int, exclude: set, seed: int = 0) -> list[str]:
    "n standardised, tokenisable SMILES drawn (seeded) from the MOSES training set, none in `exclude`."
    from gru_hybrids.drug_likeness import standardize_smiles, tokenize_smiles
    with zipfile.ZipFile(WHEEL) as z: raw = z.read(MEMBER)
    if hashlib.sha256(raw).hexdigest() != MEMBER_SHA256: raise ValueError(f"{WHEEL}:{MEMBER} is not the pinned file")
    moses = pd.read_csv(io.BytesIO(raw), compression="gzip")
    out = []
    for s in moses.SMILES.sample(frac=1, random_state=seed):
        s = standardize_smiles(s)
        if s is None or s in exclude: continue
        try: tokenize_smiles(s)
        except ValueError: continue
        out.append(s)
        if len(out) == n: return out
    raise ValueError(f"only {len(out)} usable MOSES molecules")

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=200_000, help="MOSES molecules")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--reuse", type=Path, help="a checkpoint of this very run to ship instead of training again")
    a = p.parse_args()
    import torch; torch.set_num_threads(1)
    from dataclasses import replace, asdict
    from gru_hybrids.drug_likeness import load_drug_likeness, SmilesTokenizer, pretrain_smiles_lm, DrugConfig
    t = time.time(); smiles = moses_lm_smiles(a.n, set(load_drug_likeness().smiles))
    print(f"{len(smiles):,} MOSES molecules in {time.time() - t:.0f} s", flush=True)
    tok, cfg = SmilesTokenizer.fit(smiles), replace(DrugConfig(), lm_epochs=a.epochs)
    if a.reuse:
        run = torch.load(a.reuse, weights_only=True)
        if run["tokens"] != tok.itos[len(tok.specials):]: raise ValueError(f"{a.reuse} has another vocabulary: train again")
        state, valid_loss, seconds = run["state"], run["valid_loss"], run["seconds"]
    else:
        t = time.time(); lm = pretrain_smiles_lm(smiles, tok, cfg, seed=0, bidirectional=True)
        state, valid_loss, seconds = lm.state_dict(), lm.valid_loss, time.time() - t
    about = (f"bidirectional SMILES GRU language model; {len(smiles):,} standardised MOSES training molecules (molsets 0.3.1, "
             f"MIT; none of the shipped classification set), {a.epochs} epochs, seed 0; held-out loss {valid_loss:.3f}; "
             f"{seconds / 60:.0f} min on one CPU thread; written by tools/pretrain_drug_lm.py")
    ship(cfg, tok, state, valid_loss, len(smiles), a.epochs, about)

def ship(cfg, tok, state: dict, valid_loss: float, n_molecules: int, epochs: int, about: str):
    "Write the language model in the library's checkpoint format, and its card."
    from gru_hybrids.drug_likeness import SmilesLanguageModel
    from gru_hybrids.train import write_checkpoint
    lm = SmilesLanguageModel(len(tok), cfg.emb_dim, cfg.hidden, cfg.n_layers, cfg.dropout, bidirectional=True)
    lm.load_state_dict(state)
    write_checkpoint(OUT, lm, "SmilesLanguageModel", dict(tokens=tok.itos[len(tok.specials):], valid_loss=float(valid_loss),
                                                          n_molecules=n_molecules, epochs=epochs, about=about))
    OUT.with_suffix(".md").write_text(CARD.format(about=about, size=OUT.stat().st_size, n=n_molecules, epochs=epochs,
                                                  loss=valid_loss, vocab=" ".join(f"`{t}`" for t in tok.itos[4:])))
    print(f"{OUT}: {OUT.stat().st_size:,} bytes\n{about}")

CARD = """# `moses_smiles_lm.ckpt`: the shipped SMILES language model

Written by `tools/pretrain_drug_lm.py`; rerun it rather than editing this page. Loaded by
`gru_hybrids.drug_likeness.load_pretrained_lm()`.

* What: {about}.
* Size: {size:,} bytes, in the library's checkpoint format (safetensors weights; JSON metadata with the network's
  constructor arguments and `tokens`, `valid_loss`, `n_molecules`, `epochs`, `about`; nothing is unpickled on load).
* Training data: {n:,} molecules of the MOSES training set (`moses/dataset/data/train.csv.gz` in the molsets 0.3.1
  wheel, SHA-256 pinned in the tool), standardised like the shipped data, shuffled with seed 0; molecules of
  `approved_drugs.csv` and `moses_matched_negatives.csv` were skipped, so fine-tuning and testing on the
  classification set never meets a molecule the language model read. No labels were used.
* Vocabulary (fitted on those molecules alone, most frequent first, after `<pad> <unk> <bos> <eos>`): {vocab}.
* Objective: forward GRU predicts each next token, backward GRU each previous token, shared embedding and tied
  output layer; {epochs} epochs of one-cycle Adam (lr 3e-3, batch 128) on randomised SMILES; held-out loss {loss:.3f}
  (5% of the molecules, mean over both directions).
* Licence: MOSES is MIT-licensed (Polykovskiy et al. (2020) Molecular Sets (MOSES), Front. Pharmacol. 11:565644);
  the weights are released with gru_hybrids under its licence.
"""

if __name__ == "__main__": main()
