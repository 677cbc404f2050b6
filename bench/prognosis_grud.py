"""GRU-D from PyPOTS 1.5 (Che et al. 2018) on the PBC2 prognosis task: the same landmark samples, the same
patient-grouped stratified folds (seeds) and the same inner validation fifth as bench/prognosis.py. Run in the bench
venv (bench/requirements-pypots.txt):  PYTHONPATH=. nice -n 10 /work/venvs/pypots/bin/python bench/prognosis_grud.py [--seeds 0 1]
Writes bench/results/prognosis_grud_predictions.csv (repeat, fold, id, label, GRU-D); bench/prognosis.py --table-only
adds it to the table.
Inputs: the visits up to the landmark (standardised with the training folds' scaler, NaN where not measured) and the
static data with age at the landmark (standardised, repeated at every visit: GRU-D has no static input), the
sequences left-padded to a common length so the landmark step is the last. PyPOTS computes GRU-D's time gaps on a
unit grid of steps; we hand it the real gaps (years since each measurement was last observed: GRU-D's definition)."""
import argparse, os, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np, pandas as pd, torch
from pathlib import Path
import pypots
from pypots.classification import GRUD
import pypots.classification.grud.data as grud_data
from pypots.optim import Adam
from gru_hybrids.prognosis import PBC2, landmark_samples, patient_folds, PrognosisConfig, Standardiser, gaps_since_observed, _valid_split
from gru_hybrids.metrics import classification_metrics

NAME = "GRU-D (PyPOTS 1.5)"
_GAPS = []                                                  # the real gaps for the next dataset PyPOTS builds

def _real_gaps(missing_mask):
    "Stands in for PyPOTS's unit-grid gaps: the precomputed real gaps, checked to match the mask's shape."
    gaps = _GAPS.pop(0)
    if tuple(gaps.shape) != tuple(missing_mask.shape): raise ValueError(f"gaps {tuple(gaps.shape)} do not match the mask {tuple(missing_mask.shape)}")
    return gaps
grud_data._parse_delta_torch = _real_gaps

def arrays(s, scale, s_mean, s_std, T):
    "X [N x T x D+S] (NaN: missing; left-padded with NaN to T steps), real gaps [N x T x D+S], labels [N]."
    D, S = len(s.measurements), s.static.shape[1]
    X, gaps = np.full((len(s), T, D + S), np.nan, np.float32), np.zeros((len(s), T, D + S), np.float32)
    for i, (times, values, st) in enumerate(zip(s.times, s.values, s.static)):
        n = min(len(times), T); v = np.hstack([scale(values), np.tile(np.nan_to_num((st - s_mean) / s_std), (len(times), 1))])[-n:]
        X[i, T - n:] = v; gaps[i, T - n:] = gaps_since_observed(times[-n:], (~np.isnan(v)).astype(float))
    return X, torch.tensor(gaps), np.nan_to_num(s.label).astype(int)

def fit_predict(train, test, cfg, seed, epochs, patience):
    "Fit GRU-D on the labelled training samples (early stopping on the validation fifth), P(event) on test."
    train = train.subset(~np.isnan(train.label)); is_valid = _valid_split(train, cfg, seed)
    tr, va = train.subset(~is_valid), train.subset(is_valid)
    scale = Standardiser.fit(np.vstack(tr.values))
    s_mean, s_std = np.nanmean(tr.static, 0), np.nanstd(tr.static, 0) + 1e-6
    T = max(len(t) for part in (tr, va, test) for t in part.times)   # every visit, as our model sees them
    sets = []
    for part in (tr, va, test):
        X, gaps, y = arrays(part, scale, s_mean, s_std, T); _GAPS.append(gaps); sets.append({"X": X, "y": y})
    torch.manual_seed(seed); np.random.seed(seed)
    model = GRUD(n_steps=T, n_features=sets[0]["X"].shape[-1], n_classes=2, rnn_hidden_size=cfg.hidden, batch_size=cfg.bs,
                 epochs=epochs, patience=patience, optimizer=Adam(lr=1e-3), device="cpu", verbose=False)
    model.fit(sets[0], sets[1])
    return model.predict_proba(sets[2])[:, 1], T

def main():
    p = argparse.ArgumentParser(); p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--epochs", type=int, default=100); p.add_argument("--patience", type=int, default=10)
    p.add_argument("--out", default="bench/results/prognosis_grud_predictions.csv")
    a = p.parse_args(); torch.set_num_threads(1); cfg = PrognosisConfig()
    cohort = PBC2.loader()
    main_ = landmark_samples(cohort, (cfg.main_landmark,), cfg.horizon)
    stacked = landmark_samples(cohort, cfg.landmarks, cfg.horizon, keep_unlabelled=True)
    parts = []
    for seed in a.seeds:
        fold_of = patient_folds(cohort.ids, dict(zip(main_.ids, main_.label)), k=5, seed=seed)
        for f in range(5):
            t0 = time.time()
            train = stacked.subset(np.array([fold_of[q] != f for q in stacked.ids])); test = main_.subset(np.array([fold_of[q] == f for q in main_.ids]))
            prob, T = fit_predict(train, test, cfg, seed, a.epochs, a.patience)
            parts.append(pd.DataFrame({"repeat": seed, "fold": f, "id": test.ids, "label": test.label, NAME: prob}))
            print(f"repeat {seed} fold {f}: AUROC {classification_metrics(test.label, prob, threshold=None)['AUROC']:.3f} (T={T}, {time.time() - t0:.0f} s)", flush=True)
            pd.concat(parts).to_csv(a.out, index=False)

if __name__ == "__main__": main()
