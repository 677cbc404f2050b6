"""Shared pieces of the vic_elec day-ahead benches: the split, the temperature-noise scenario, per-origin errors.

A day-ahead forecaster does not know tomorrow's temperature; the benches stand in the *observed* temperature for a
weather forecast, and also score every temperature-aware method with a seeded error added to the forecast day's
temperature: one offset per forecast day, normal with standard deviation `NOISE_SD` = 2 deg C (mean absolute
error about 1.6 deg C, the size of a day-ahead forecast's error), the same draws for every method. The history
rows (before the origin) keep their observed temperature: they are measurements by then."""
from dataclasses import replace
import numpy as np

NOISE_SD = 2.0          # deg C, one offset per forecast day
NOISE_SEEDS = (0, 1, 2)  # three draws, the same for every method

def vic_and_split():
    "vic_elec and the notebook's chronological split (56 test, 56 validation origins)."
    from gru_hybrids.load_forecast import load_vic_elec, day_ahead_split
    vic = load_vic_elec()
    return vic, day_ahead_split(vic)

def day_offsets(origins, seed: int) -> np.ndarray:
    "One temperature error (deg C) per origin, drawn from the origin's row number and `seed` (same for every method)."
    return np.array([np.random.default_rng([seed, int(o)]).normal(0, NOISE_SD) for o in origins])

def noisy_series(series, origin: int, offset: float, horizon: int = 48):
    "`series` with `offset` added to the temperature of the forecast day of `origin` (rows origin..origin+horizon-1)."
    t = series.temperature.copy(); t[origin:origin + horizon] += offset
    return replace(series, temperature=t)
