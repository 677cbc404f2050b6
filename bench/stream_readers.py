"""Peak memory of the file readers on large synthetic files: SMILES read in chunks against the in-memory reader, and
the load-series reader (whose output, the model's input, is small).

    nice -n 10 python bench/stream_readers.py          # -> bench/results/stream_readers.csv and .md

SMILES: a `.smi` file of N lines drawn from the shipped drug-likeness molecules, each written as a random valid
SMILES of the molecule (RDKit's random atom order, seeded), so that no two lines are alike in text; every 1,000th
line is an invalid SMILES (reported, skipped). In-memory path: `read_smiles_file` + `SmilesTokenizer.fit` + every
molecule encoded; streamed: `SmilesTokenizer.fit_file` (one pass) + every batch of `smiles_batches` (a second
pass), chunks of 1,000 lines. Load series: a half-hourly CSV of Y years (demand and temperature, a daily and
yearly cycle with noise), read by `read_load_csv`; the `LoadSeries` it returns is measured by its arrays' bytes.
Each measurement runs in a fresh process; peak resident memory is VmHWM above the process's memory after imports.
The streamed path also builds the padded token tensors (the in-memory path stops at the id lists), and torch's
first tensor operations cost tens of MB once, so at small sizes the streamed path peaks higher: what matters is
how each grows with the file. Timed once per size (no interval: these are single passes on a shared machine).
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import pandas as pd

RESULTS = Path(__file__).parent / "results" / "stream_readers"
CACHE = Path(os.environ.get("GRU_HYBRIDS_CACHE", Path.home() / ".cache" / "gru_hybrids")) / "stream_readers"


def peak_mb() -> float:
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024


def smiles_file(n: int) -> Path:
    path = CACHE / f"smiles_{n}.smi"
    if path.exists(): return path
    from gru_hybrids.drug_likeness import load_drug_likeness, randomize_smiles
    base = load_drug_likeness().smiles.tolist(); rng = np.random.default_rng(0)
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        for i in range(n):
            s = "C1CC" if i % 1000 == 999 else randomize_smiles(base[int(rng.integers(len(base)))], i)
            f.write(f"{s} m{i}\n")
    return path


def load_file(years: int) -> Path:
    path = CACHE / f"load_{years}y.csv"
    if path.exists(): return path
    CACHE.mkdir(parents=True, exist_ok=True)
    t = pd.date_range("2000-01-01", periods=years * 365 * 48, freq="30min", tz="UTC")
    h, d = t.hour.to_numpy() + t.minute.to_numpy() / 60, t.dayofyear.to_numpy()
    rng = np.random.default_rng(0)
    demand = 5000 + 800 * np.sin(2 * np.pi * (h - 6) / 24) + 600 * np.cos(2 * np.pi * d / 365) + rng.normal(0, 50, len(t))
    temp = 15 + 8 * np.cos(2 * np.pi * (d - 15) / 365) + 4 * np.sin(2 * np.pi * (h - 9) / 24) + rng.normal(0, 1, len(t))
    pd.DataFrame({"time": t.strftime("%Y-%m-%dT%H:%MZ"), "demand": demand.round(1), "temperature": temp.round(2)}).to_csv(path, index=False)
    return path


def child(kind: str, size: int) -> dict:
    import torch; torch.set_num_threads(1)
    import warnings; warnings.filterwarnings("ignore")
    from gru_hybrids.train import collect_report
    if kind.startswith("smiles"):
        from gru_hybrids.drug_likeness import read_smiles_file, SmilesTokenizer, smiles_batches
        path = smiles_file(size); base = peak_mb(); t = time.time()
        with collect_report() as rep:
            if kind == "smiles_memory":
                df = read_smiles_file(path, on_invalid="skip"); tok = SmilesTokenizer.fit(df.smiles)
                ids = [tok.encode(s) for s in df.smiles]; n, n_tok = len(ids), sum(map(len, ids))
            else:
                tok = SmilesTokenizer.fit_file(path, chunk_rows=1_000, on_invalid="skip"); n = n_tok = 0
                for x, lengths, rows in smiles_batches(path, tok, bs=256, chunk_rows=1_000, on_invalid="skip"): n, n_tok = n + len(rows), n_tok + int(lengths.sum())
        return dict(kind=kind, size=size, seconds=time.time() - t, peak_mb=peak_mb() - base, molecules=n, tokens=n_tok, vocab=len(tok),
                    skipped=sum(e["count"] for e in rep if e["step"] == "dropped"), file_mb=path.stat().st_size / 2**20)
    from gru_hybrids.load_forecast import read_load_csv
    path = load_file(size); base = peak_mb(); t = time.time()
    with collect_report(): s = read_load_csv(path, "time", "demand", "temperature", tz="UTC")
    arrays = s.time.asi8.nbytes + s.demand.nbytes + s.temperature.nbytes
    return dict(kind=kind, size=size, seconds=time.time() - t, peak_mb=peak_mb() - base, steps=len(s.time), series_mb=arrays / 2**20,
                file_mb=path.stat().st_size / 2**20)


def table(results: list[dict], seconds: float):
    from gru_hybrids.train import ResultRow, write_results
    rows = []
    for r in results:
        if r["kind"].startswith("smiles"):
            ds, method = f"synthetic SMILES file: {r['size']:,} lines ({r['file_mb']:.1f} MB)", ("in memory: read_smiles_file + fit + encode" if r["kind"] == "smiles_memory"
                                                                                        else "streamed: fit_file + smiles_batches (chunks of 1,000)")
            extra = [("molecules read (invalid skipped)", r["molecules"]), ("vocabulary size", r["vocab"])]
        else:
            ds, method = f"synthetic half-hourly load CSV: {r['size']} years ({r['file_mb']:.1f} MB)", "read_load_csv (in memory)"
            extra = [("LoadSeries arrays MB (the model's input)", r["series_mb"]), ("steps", r["steps"])]
        for m, v in [("peak resident MB above imports", r["peak_mb"]), ("seconds", r["seconds"])] + extra:
            rows.append(ResultRow(ds, "whole file", method, m, v, chosen_on="fixed (reader bench: no settings chosen)"))
    sm = {(r["kind"], r["size"]): r for r in results if r["kind"].startswith("smiles")}
    sizes = sorted({n for _, n in sm})
    growth = ""
    if len(sizes) > 1:
        a, b = sizes[0], sizes[-1]; per = lambda k: (sm[(k, b)]["peak_mb"] - sm[(k, a)]["peak_mb"]) * 1024 / (b - a)
        growth = (f"From {a:,} to {b:,} lines the in-memory SMILES path's peak grows by {per('smiles_memory'):.1f} KB per line "
                  f"({sm[('smiles_memory', a)]['peak_mb']:.0f} to {sm[('smiles_memory', b)]['peak_mb']:.0f} MB; at that rate a corpus of 10 million "
                  f"molecules would need {per('smiles_memory') * 1e7 / 2**20:.0f} GB), the streamed path's by {per('smiles_streamed'):.2f} KB per line "
                  f"({sm[('smiles_streamed', a)]['peak_mb']:.1f} to {sm[('smiles_streamed', b)]['peak_mb']:.1f} MB: flat). ")
    run = f"Whole run {seconds:.0f} s" if seconds == seconds else "Table rewritten from the raw results of the last run"
    notes = __doc__.split("\n\n", 2)[2] + "\n" + growth + f"\n{run}, on a 2-core machine shared with other jobs (nice 10, one thread)."
    print(write_results(rows, RESULTS, "File readers: peak memory on large synthetic files", digits=2, notes=notes))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--child", nargs=2); p.add_argument("--smiles-sizes", type=int, nargs="*", default=[20_000, 100_000])
    p.add_argument("--load-years", type=int, nargs="*", default=[3, 30]); p.add_argument("--timeout", type=int, default=1200)
    p.add_argument("--table-only", action="store_true", help="rewrite the table from the last run's raw results")
    args = p.parse_args()
    if args.table_only: return table(json.loads((RESULTS.parent / "stream_readers_raw.json").read_text()), float("nan"))
    if args.child: print("RESULT " + json.dumps(child(args.child[0], int(args.child[1])))); return 0
    t0, results = time.time(), []
    jobs = [(k, n) for n in args.smiles_sizes for k in ("smiles_memory", "smiles_streamed")] + [("load", y) for y in args.load_years]
    for kind, size in jobs:
        res = subprocess.run([sys.executable, __file__, "--child", kind, str(size)], capture_output=True, text=True, timeout=args.timeout)
        line = [l for l in res.stdout.splitlines() if l.startswith("RESULT ")]
        if res.returncode or not line: raise RuntimeError(f"{kind} {size}: {res.stderr[-3000:]}")
        results.append(json.loads(line[0][7:])); print(results[-1], flush=True)
    (RESULTS.parent / "stream_readers_raw.json").write_text(json.dumps(results))
    table(results, time.time() - t0)


if __name__ == "__main__":
    sys.exit(main())
