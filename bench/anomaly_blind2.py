"""Second blind check of the anomaly detector (issue #14): fresh planting seeds 301-305, run once after every setting was frozen.

    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=.:/work/venvs/deepod python bench/anomaly_blind2.py [--no-transformer]

Seeds 101-105 were spent as a blind set (bench/results/anomaly_blind.md) and then used to diagnose; every change since
(the step score, its smoothing, the threshold rule, persistence's own settings, the peers' early stopping) was chosen
on validation plantings 201-205 in a disjoint stretch of the series (bench/anomaly_tune.py, steps 10,080-19,735).
This runs bench/anomaly.py's methods once on planting seeds 301-305 of the first 10,080 steps, and on the MIT-BIH and
UCR #135 series, and writes bench/results/anomaly_blind2.csv|md (+ _paired.csv: ours against Isolation Forest, the
strongest other row, persistence, LSTM-AD and the GRU alone).

That first run gave the peers an untuned POT threshold. The files now in bench/results/anomaly_blind2.* come from
bench/anomaly_fair.py --stage blind: the same seeds, every peer with the threshold search ours had (on validation
plantings 201-205), on scores cached by bench/anomaly_scores.py. This script is kept to show how the first run was made.
"""
import sys
from anomaly import main

if __name__ == "__main__":
    main(["--plant-seeds", "301", "302", "303", "304", "305", "--out", "anomaly_blind2",
          "--title", "Anomaly detection, second blind check (planting seeds 301-305, settings frozen before the run)", *sys.argv[1:]])
