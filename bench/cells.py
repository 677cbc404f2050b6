"""Speed of the AGRU cell beside nn.GRU of the same size, in the same run: forward + backward, batch 64, 100 steps,
hidden 128, one torch thread. Variants: the fused loop (AGRUScan) eager; `AGRU.compile()` (the C++ kernel, built in a
fresh extension directory so the build time reported is a cold build); `AGRU.compile(kernel="scan")` (each loop one
compiled `scan` over pure step functions, inductor's C++ wrapper: the previous compiled path, kept as the before-row;
compile time reported separately); and the reference step under autograd. The variants alternate within each repeat; each repeat gives a
ratio to nn.GRU's time in that repeat, and the table reports the median ratio (IQR over repeats), in thread CPU time
and in wall time. Writes bench/results/cells_speed.csv|md.
Usage: nice -n 10 python bench/cells.py [--repeats 21] [--device cpu] [--no-compile]"""
import argparse, os, platform, tempfile, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import logging
logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
import numpy as np, torch, torch.nn as nn
from gru_hybrids.cells import AGRU, agru_kernel
from gru_hybrids.train import ResultRow, write_results

def batch(bs, T, D, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    m = (torch.rand(bs, T, D, generator=g) > .3).float()
    return [t.to(device) for t in (torch.randn(bs, T, D, generator=g) * m, m, torch.rand(bs, T, D, generator=g))]

def timer(fn, device):
    "(thread CPU seconds, wall seconds) of one call."
    def run():
        if device.type == "cuda": torch.cuda.synchronize()
        c0, w0 = time.thread_time(), time.perf_counter(); fn()
        if device.type == "cuda": torch.cuda.synchronize()
        return time.thread_time() - c0, time.perf_counter() - w0
    return run

def variants(D, H, dev, x, m, d, compile_):
    "The functions to time (each forward + backward) and the compile seconds of the compiled one."
    torch.manual_seed(0)
    agru, gru = AGRU(D, H).to(dev), nn.GRU(D, H, batch_first=True).to(dev)
    fns = {"nn.GRU": lambda: gru(x)[0].sum().backward(), "AGRU eager": lambda: agru(x, m, d)[0].sum().backward(),
           "AGRU reference step (autograd)": lambda: agru.reference(x, m, d)[0].sum().backward()}
    compile_s = {}
    if compile_ and dev.type == "cpu":                                 # the C++ kernel runs on the CPU only
        kernel = AGRU(D, H).to(dev); kernel.load_state_dict(agru.state_dict())
        if not agru_kernel.cache_info().currsize:                        # a cold build, once per process
            os.environ["TORCH_EXTENSIONS_DIR"] = tempfile.mkdtemp(prefix="agru_kernel_")
        t0 = time.perf_counter(); kernel.compile(); kernel(x, m, d)[0].sum().backward(); compile_s[KERNEL] = time.perf_counter() - t0
        fns[KERNEL] = lambda: kernel(x, m, d)[0].sum().backward()
    if compile_:
        scan = AGRU(D, H).to(dev); scan.load_state_dict(agru.state_dict()); scan.compile(kernel="scan")
        t0 = time.perf_counter(); scan(x, m, d)[0].sum().backward(); compile_s[SCAN] = time.perf_counter() - t0
        fns[SCAN] = lambda: scan(x, m, d)[0].sum().backward()
    return fns, compile_s

def main():
    p = argparse.ArgumentParser(); p.add_argument("--repeats", type=int, default=21); p.add_argument("--device", default="cpu")
    p.add_argument("--features", type=int, nargs="+", default=[11, 37]); p.add_argument("--no-compile", action="store_true")
    p.add_argument("--out", default="bench/results/cells_speed")
    a = p.parse_args(); torch.set_num_threads(1); dev = torch.device(a.device)
    bs, T, H, rows = 64, 100, 128, []
    where = f"{a.device} ({platform.processor() or platform.machine()}, 1 thread)" if a.device == "cpu" else torch.cuda.get_device_name()
    for D in a.features:
        x, m, d = batch(bs, T, D, dev)
        fns, compile_s = variants(D, H, dev, x, m, d, not a.no_compile)
        runs = {k: timer(f, dev) for k, f in fns.items()}
        for f in runs.values(): f()                                   # warm-up
        times = {k: [] for k in runs}                                 # [(cpu, wall)] per repeat
        for _ in range(a.repeats):                                    # alternate the variants: the machine is shared
            for k, f in runs.items(): times[k].append(f())
        split = f"batch {bs}, {T} steps, {D} inputs, hidden {H}, {where}"
        for k, v in times.items():
            v = np.array(v)
            for j, clock in enumerate(("CPU", "wall")):
                rows.append(ResultRow("random batch", split, k, f"fwd+bwd ms ({clock}, median)", 1e3 * np.median(v[:, j]), 1e3 * np.quantile(v[:, j], .25),
                                      1e3 * np.quantile(v[:, j], .75), unit="repeat (IQR)", n_units=a.repeats, chosen_on="fixed"))
                if k == "nn.GRU": continue
                ratio = v[:, j] / np.array(times["nn.GRU"])[:, j]       # per repeat, against nn.GRU in the same repeat
                rows.append(ResultRow("random batch", split, k, f"time / nn.GRU ({clock})", float(np.median(ratio)), float(np.quantile(ratio, .25)),
                                      float(np.quantile(ratio, .75)), unit="repeat (IQR)", n_units=a.repeats, chosen_on="fixed"))
        for k, s_ in compile_s.items():
            rows.append(ResultRow("random batch", split, k, "compile s (first call, wall)", s_, chosen_on="fixed"))
        print(split, {k: round(1e3 * float(np.median(np.array(v)[:, 0])), 1) for k, v in times.items()}, flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    _, md = write_results(rows, a.out, title="AGRU speed beside nn.GRU (forward + backward, same run, alternating)")
    md.write_text(md.read_text() + "\n" + notes(rows, load, a.repeats))

KERNEL, SCAN = "AGRU compiled (C++ kernel)", "AGRU compiled (scan loops)"
TARGETS = {"AGRU eager": 1.5, KERNEL: 1.0}

def notes(rows, load: float, repeats: int) -> str:
    "The verdict against the targets (eager <= 1.5x, compiled <= 1.0x nn.GRU), generated from the rows."
    out = [f"Machine load average (1 min) at the end of the run: {load:.1f}. Ratios: median over {repeats} repeats of the variant's time over "
           "nn.GRU's in the same repeat (variants alternate); CPU = thread CPU time, the clock other jobs on a shared machine disturb least. "
           "Compile s: the first forward + backward in this process; for the C++ kernel, a cold build (a fresh extension directory) at the first "
           "input size and a load of the built kernel after it; for the scans, with whatever inductor's on-disk cache holds from earlier runs.", ""]
    for r in rows:
        if not r.metric.startswith("time / nn.GRU") or r.method not in TARGETS: continue
        t = TARGETS[r.method]
        out.append(f"- {r.split}, {r.metric.split('(')[1][:-1]} time: {r.method} takes {r.value:.2f}x nn.GRU (IQR {r.lo:.2f}-{r.hi:.2f}): "
                   f"target <= {t}x {'met' if r.value <= t else f'NOT met, by {r.value - t:.2f}x'}.")
    return "\n".join(out) + "\n"

if __name__ == "__main__": main()
