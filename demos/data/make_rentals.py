"""Writes rentals.csv, the demo's sample data (made up, seeded): daily bike rentals at three
stations through 2025, with the day's temperature.  Demand peaks near 22 °C and falls off in
the cold and the heat, a little higher at weekends.  Run once; the CSV is committed."""

import csv
import datetime
import math
import random
from pathlib import Path

STATIONS = {"Riverside": 1.0, "Old Town": 0.8, "University": 0.65}


def main() -> None:
    rng = random.Random(2025)
    with (Path(__file__).parent / "rentals.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "station", "temp_c", "rentals"])
        day = datetime.date(2025, 1, 1)
        while day.year == 2025:
            doy = day.timetuple().tm_yday
            base_t = 12 - 10 * math.cos(2 * math.pi * (doy - 15) / 365)
            for station, scale in STATIONS.items():
                t = round(base_t + rng.gauss(0, 3), 1)
                demand = 420 * math.exp(-(((t - 22) / 11) ** 2)) * scale
                if day.weekday() >= 5:
                    demand *= 1.15
                w.writerow([day.isoformat(), station, t, max(0, round(demand + rng.gauss(0, 25)))])
            day += datetime.timedelta(days=1)


if __name__ == "__main__":
    main()
