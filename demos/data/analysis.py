# The data demo's Python: pandas reads and aggregates the CSV, SciPy fits a curve, matplotlib
# plots it.  Nothing is installed up front: these imports fetch pandas, SciPy, matplotlib and
# what they need, in parallel, when this script runs.
import js
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from pinnace.matplotlib_backend import set_target
from scipy.optimize import curve_fit

df = pd.read_csv("/data/rentals.csv", parse_dates=["date"])

# The table: mean daily rentals per month and station.
monthly = df.pivot_table(
    index=df["date"].dt.strftime("%Y-%m").rename("month"),
    columns="station", values="rentals", aggfunc="mean",
).round(1)
js.document.getElementById("table").innerHTML = monthly.to_html(classes="data", border=0)


# The fit: demand peaks at some temperature and falls off on both sides.
def demand(t, peak, best, width):
    return peak * np.exp(-(((t - best) / width) ** 2))


(peak, best, width), _ = curve_fit(demand, df["temp_c"], df["rentals"], p0=[300, 20, 10])

# The plot, shown on the page in the element with id "plot" (plt.show() draws it there).
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for station, rows in df.groupby("station"):
    ax.scatter(rows["temp_c"], rows["rentals"], s=6, alpha=0.45, label=station)
t = np.linspace(df["temp_c"].min(), df["temp_c"].max(), 200)
ax.plot(t, demand(t, peak, best, width), color="#d1242f", linewidth=3, label="fit")
ax.set_xlabel("temperature (°C)")
ax.set_ylabel("rentals per day")
ax.set_title("Bike rentals against temperature, 2025")
ax.legend()
set_target("plot")
plt.show()

f"{len(df)} rows; busiest at {best:.1f} °C (peak {peak:.0f} rentals a day, width {width:.1f} °C)"
