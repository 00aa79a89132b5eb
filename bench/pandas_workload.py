"""A data-frame workload run unchanged in wasm (`pinnace python`) and natively by
bench/stacks.py: on 200,000 rows, a CSV written and read back, a groupby aggregation, a merge,
a pivot table and a time-zone conversion.  Prints one JSON line: operation -> best of 5, in ms."""

import io
import json

import numpy as np
import pandas as pd
from best_of import best

rng = np.random.default_rng(0)
n = 200_000
df = pd.DataFrame({
    "store": rng.integers(0, 50, n),
    "item": rng.integers(0, 500, n),
    "qty": rng.integers(1, 10, n),
    "price": rng.random(n) * 100,
    "at": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 365 * 86400, n), "s"),
})  # fmt: skip
stores = pd.DataFrame({"store": np.arange(50), "city": [f"city{i % 7}" for i in range(50)]})
text = df.drop(columns="at").to_csv(index=False)
back = pd.read_csv(io.StringIO(text))
assert back.shape == (n, 4) and int(back["qty"].sum()) == int(df["qty"].sum())
by_store = df.groupby("store")["qty"].sum()
assert int(by_store.sum()) == int(df["qty"].sum())


def revenue_by_city() -> pd.Series:
    merged = df.merge(stores, on="store")
    return (merged["qty"] * merged["price"]).groupby(merged["city"]).sum()


assert len(revenue_by_city()) == 7
print(
    json.dumps(
        {
            "to_csv, 200k rows": best(lambda: df.drop(columns="at").to_csv(index=False)),
            "read_csv, 200k rows": best(lambda: pd.read_csv(io.StringIO(text))),
            "groupby sum/mean": best(lambda: df.groupby(["store", "item"]).agg(qty=("qty", "sum"), price=("price", "mean"))),
            "merge + groupby": best(revenue_by_city),
            "pivot_table": best(lambda: df.pivot_table(index="store", columns=df["at"].dt.month, values="qty", aggfunc="sum")),
            "tz_convert + month": best(lambda: df["at"].dt.tz_convert("Europe/Paris").dt.month.value_counts()),
        }
    )
)
