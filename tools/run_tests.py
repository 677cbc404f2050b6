"""Run every notebook as `nbdev-test` would and end with one line `N passed, N failed`.

Honours the same things nbdev-test does: `tst_flags` from pyproject.toml (cells flagged `#| notest`/`#| slow` are
skipped unless `--flags` names them), `#| eval: false`, `skip_exec` front matter and `.notest` files. Each notebook
runs in its own worker process with one torch thread (two notebooks at a time on a 2-core machine beats one
notebook on two threads, and small recurrent ops slow down badly when threads compete)."""
import argparse, os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
from fastcore.parallel import parallel
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb, _keep_file

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", nargs="?", default=None, help="a notebook or folder (default: the nbs folder)")
    p.add_argument("--flags", default="", help="space-separated test flags to run that are normally skipped")
    p.add_argument("--n-workers", type=int, default=2)
    p.add_argument("--budget", type=float, default=None, help="fail a notebook that runs longer (seconds)")
    p.add_argument("--cell-timing", type=float, default=None, help="print each cell slower than this (seconds) with its id")
    a = p.parse_args()
    cfg = get_config()
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    files = sorted(f.absolute() for f in nbglob(a.path or cfg.nbs_path, as_path=True) if _keep_file(f, ".notest"))
    if not files:
        print("no notebooks found"); print("0 passed, 1 failed"); sys.exit(1)
    start = time.time()
    os.chdir(cfg.nbs_path)
    results = parallel(test_nb, files, skip_flags=skip, force_flags=a.flags.split(), basepath=cfg.config_path,
                       n_workers=min(a.n_workers, len(files)), cell_timeout=cfg.cell_timeout or None, cell_timing_min=a.cell_timing, pause=0.01)
    n_pass = 0
    for f, (ok, secs) in zip(files, results):
        over = a.budget is not None and secs > a.budget
        verdict = "FAIL" if not ok else ("OVER BUDGET" if over else "ok")
        n_pass += ok and not over
        print(f"{verdict:>11}  {secs:6.1f}s  {f.relative_to(cfg.config_path)}")
    print(f"total {time.time() - start:.0f}s for {len(files)} notebooks")
    print(f"{n_pass} passed, {len(files) - n_pass} failed")
    sys.exit(0 if n_pass == len(files) else 1)

if __name__ == "__main__": main()
