"""Speed of the AGRU cell beside nn.GRU of the same size, in the same run: forward + backward, batch 64, 100 steps,
hidden 128, one torch thread; eager, and the opt-in torch.compile'd step (compile time reported separately).
Writes bench/results/cells_speed.csv|md.  Usage: nice -n 10 python bench/cells.py [--repeats 15] [--device cpu]"""
import argparse, os, platform, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np, torch, torch.nn as nn
from gru_hybrids.cells import AGRU
from gru_hybrids.train import ResultRow, write_results

def batch(bs, T, D, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    m = (torch.rand(bs, T, D, generator=g) > .3).float()
    return [t.to(device) for t in (torch.randn(bs, T, D, generator=g) * m, m, torch.rand(bs, T, D, generator=g))]

def timer(fn, device):
    def run():
        if device.type == "cuda": torch.cuda.synchronize()
        t0 = time.perf_counter(); fn()
        if device.type == "cuda": torch.cuda.synchronize()
        return time.perf_counter() - t0
    return run

def main():
    p = argparse.ArgumentParser(); p.add_argument("--repeats", type=int, default=15); p.add_argument("--device", default="cpu")
    p.add_argument("--features", type=int, nargs="+", default=[11, 37]); p.add_argument("--no-compile", action="store_true")
    p.add_argument("--out", default="bench/results/cells_speed")
    a = p.parse_args(); torch.set_num_threads(1); dev = torch.device(a.device)
    bs, T, H, rows = 64, 100, 128, []
    where = f"{a.device} ({platform.processor() or platform.machine()}, 1 thread)" if a.device == "cpu" else torch.cuda.get_device_name()
    for D in a.features:
        torch.manual_seed(0)
        x, m, d = batch(bs, T, D, dev)
        agru, gru = AGRU(D, H).to(dev), nn.GRU(D, H, batch_first=True).to(dev)
        compiled = AGRU(D, H).to(dev); compiled.load_state_dict(agru.state_dict())
        fns = {"nn.GRU": lambda: gru(x)[0].sum().backward(), "AGRU eager": lambda: agru(x, m, d)[0].sum().backward()}
        if not a.no_compile:
            compiled.compile(dynamic=False)
            t0 = time.perf_counter(); compiled(x, m, d)[0].sum().backward(); compile_s = time.perf_counter() - t0
            fns["AGRU compiled step"] = lambda: compiled(x, m, d)[0].sum().backward()
        runs = {k: timer(f, dev) for k, f in fns.items()}
        for f in runs.values(): f()                                   # warm-up
        times = {k: [] for k in runs}
        for _ in range(a.repeats):                                    # alternate the variants: the machine is shared
            for k, f in runs.items(): times[k].append(f())
        med = {k: float(np.median(v)) for k, v in times.items()}
        split = f"batch {bs}, {T} steps, {D} inputs, hidden {H}, {where}"
        for k, v in med.items():
            rows.append(ResultRow("random batch", split, k, "fwd+bwd ms (median)", 1e3 * v, 1e3 * np.quantile(times[k], .25),
                                  1e3 * np.quantile(times[k], .75), unit="repeat (IQR)", n_units=a.repeats, chosen_on="fixed"))
            if k != "nn.GRU": rows.append(ResultRow("random batch", split, k, "time / nn.GRU", v / med["nn.GRU"], chosen_on="fixed"))
        if not a.no_compile: rows.append(ResultRow("random batch", split, "AGRU compiled step", "compile s (first call)", compile_s, chosen_on="fixed"))
        print(split, {k: round(1e3 * v, 1) for k, v in med.items()}, flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    _, md = write_results(rows, a.out, title="AGRU speed beside nn.GRU (forward + backward, same run, alternating)")
    md.write_text(md.read_text() + "\n" + notes(rows, load))

def notes(rows, load: float) -> str:
    "The verdict against the targets (eager <= 1.5x, compiled <= 1.0x nn.GRU), generated from the rows."
    out = [f"Machine load average (1 min) at the end of the run: {load:.1f} (the ratios come from alternating runs in one process; the absolute times do not transfer).", ""]
    for r in rows:
        if r.metric != "time / nn.GRU": continue
        target = 1.5 if r.method == "AGRU eager" else 1.0
        out.append(f"- {r.split}: {r.method} takes {r.value:.2f}x nn.GRU: target <= {target}x {'met' if r.value <= target else 'NOT met'}.")
    return "\n".join(out) + "\n"

if __name__ == "__main__": main()
