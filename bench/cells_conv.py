"""ConvGRU cell speed: a step against its own two convolutions (the floor fusing cannot remove), eager and compiled,
contiguous (NCHW) and channels-last (NHWC), and the convolutions' FLOP rate against the matrix-multiply peak measured
in the same run. Also the element-wise update alone on precomputed projections (where a layout's extra cost would show)
and one attempt at the compiled-peak goal: the whole step (both convolutions and the update) in one `torch.compile`
graph, default mode (no max-autotune). One torch thread; variants timed alternately, median of `--reps` rounds.

    nice -n 10 python bench/cells_conv.py            # writes bench/results/cells_conv_speed.csv|md
"""
import argparse, os, statistics, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch
from gru_hybrids.cells import ConvGRUCell, gru_update
from gru_hybrids.train import ResultRow, write_results

def timeit(fn, n):
    t0 = time.perf_counter()
    for _ in range(n): fn()
    return (time.perf_counter() - t0) / n

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=8); p.add_argument("--ch", type=int, default=32)
    p.add_argument("--size", type=int, default=64); p.add_argument("--k", type=int, default=3)
    p.add_argument("--reps", type=int, default=7); p.add_argument("--inner", type=int, default=5)
    p.add_argument("--out", default="bench/results/cells_conv_speed")
    a = p.parse_args()
    torch.set_num_threads(1); torch.manual_seed(0)
    B, C, S, k = a.batch, a.ch, a.size, a.k
    flops = 2 * 2 * B * S * S * k * k * C * 3 * C          # two convolutions, C -> 3C channels each
    A, M = torch.randn(1024, 1024), torch.randn(1024, 1024)
    cells = {}
    for cl in (False, True):
        eager = ConvGRUCell(C, C, k, channels_last=cl)
        comp = ConvGRUCell(C, C, k, channels_last=cl, compile=True); comp.load_state_dict(eager.state_dict())
        cells[cl] = (eager, comp)
    x, h = torch.randn(B, C, S, S), torch.randn(B, C, S, S)
    xl, hl = (t.contiguous(memory_format=torch.channels_last) for t in (x, h))
    variants = {}
    with torch.no_grad():
        for cl, (eager, comp) in cells.items():
            xi, hi = (xl, hl) if cl else (x, h)
            tag = "channels-last" if cl else "contiguous"
            variants[f"convolutions only, {tag}"] = lambda e=eager, xi=xi, hi=hi: (e.conv_x(xi), e.conv_h(hi))
            variants[f"cell step eager, {tag}"] = lambda e=eager, xi=xi, hi=hi: e(xi, hi)
            t0 = time.time(); comp(xi, hi); print(f"compile ({tag}): {time.time() - t0:.1f} s", flush=True)
            variants[f"cell step compiled, {tag}"] = lambda c=comp, xi=xi, hi=hi: c(xi, hi)
            gx, gh = eager.conv_x(xi), eager.conv_h(hi)
            variants[f"update only, {tag}"] = lambda gx=gx, gh=gh, hi=hi: gru_update(gx, gh, hi)
            whole = torch.compile(lambda xi, hi, e=eager: gru_update(e.conv_x(xi), e.conv_h(hi), hi))
            t0 = time.time(); whole(xi, hi); print(f"compile whole step ({tag}): {time.time() - t0:.1f} s", flush=True)
            variants[f"whole step compiled, {tag}"] = lambda w=whole, xi=xi, hi=hi: w(xi, hi)
        variants["matmul 1024^3 (peak reference)"] = lambda: A @ M
        for f in variants.values(): f()                      # warm-up
        times = {name: [] for name in variants}
        for _ in range(a.reps):
            for name, f in variants.items(): times[name].append(timeit(f, a.inner))
    med = {n: statistics.median(t) for n, t in times.items()}
    peak = 2 * 1024 ** 3 / med["matmul 1024^3 (peak reference)"] / 1e9
    rows, cfg = [], f"B={B}, C_in=C={C}, {S}x{S}, k={k}, 1 thread, forward"
    for tag in ("contiguous", "channels-last"):
        floor = med[f"convolutions only, {tag}"]
        for name in (f"cell step eager, {tag}", f"cell step compiled, {tag}", f"whole step compiled, {tag}"):
            t = med[name]
            rows.append(ResultRow(cfg, "n/a (speed)", name, "time / its convolutions' time", t / floor, seconds=t, chosen_on="fixed"))
            rows.append(ResultRow(cfg, "n/a (speed)", name, "share of matmul peak", flops / t / 1e9 / peak, seconds=t, chosen_on="fixed"))
        t = med[f"update only, {tag}"]
        rows.append(ResultRow(cfg, "n/a (speed)", f"update only, {tag}", "time / contiguous convolutions' time", t / med["convolutions only, contiguous"], seconds=t, chosen_on="fixed"))
        rows.append(ResultRow(cfg, "n/a (speed)", f"convolutions only, {tag}", "share of matmul peak", flops / floor / 1e9 / peak, seconds=floor, chosen_on="fixed"))
    rows.append(ResultRow(cfg, "n/a (speed)", "matmul 1024^3", "GFLOP/s", peak, seconds=med["matmul 1024^3 (peak reference)"], chosen_on="fixed"))
    for r in rows: print(f"{r.method:40s} {r.metric:32s} {r.value:.3f}")
    cl_conv = med["convolutions only, contiguous"] / med["convolutions only, channels-last"]
    notes = (f"Channels-last against contiguous in this run: convolutions {cl_conv:.2f}x as fast, element-wise update "
             f"{med['update only, contiguous'] / med['update only, channels-last']:.2f}x, eager step "
             f"{med['cell step eager, contiguous'] / med['cell step eager, channels-last']:.2f}x (above 1: channels-last faster). "
             "Timings on a shared 2-core machine under load from other jobs: ratios within this run only.")
    write_results(rows, a.out, title=f"ConvGRU cell speed ({cfg}; median of {a.reps} alternating rounds of {a.inner})", notes=notes)

if __name__ == "__main__": main()
