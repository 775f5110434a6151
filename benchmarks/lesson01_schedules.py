"""Lesson 01: does training longer help? W1 / floor per seed for several step budgets, with and
without a final phase at a lower learning rate.

    python benchmarks/lesson01_schedules.py --seeds 0 1 2 3 4 --samples 1000 2000

Each schedule is "STEPS" (constant learning rate) or "STEPS:FINAL_STEPS:FACTOR" (then FINAL_STEPS
more at learning_rate * FACTOR). Prints one row per seed and schedule, and the worst ratio.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from gan_lessons import recipes, toy, toy_metrics  # noqa: E402


def parse_schedule(text: str) -> tuple[int, int, float]:
    parts = text.split(":")
    if len(parts) == 1:
        return int(parts[0]), 0, 1.0
    steps, final, factor = parts
    return int(steps), int(final), float(factor)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--samples", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--schedules", nargs="+", default=["6000", "20000", "6000:2000:0.1"])
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    args = parser.parse_args()
    curve = toy.QuadraticCurve()
    scaler = curve.scaler()
    sample_real = toy.curve_sampler(curve, scaler)
    evaluators = {n: toy_metrics.toy_evaluator(sample_real, n=n, residual=curve.residual,
                                               to_data_units=scaler.inverse_transform) for n in args.samples}
    print(f"load average {os.getloadavg()[0]:.2f}; learning rate {args.learning_rate}")
    print(f"{'schedule':>14} {'seed':>4} " + " ".join(f"{'W1/floor n=' + str(n):>15}" for n in args.samples)
          + f" {'seconds':>8}")
    for schedule in args.schedules:
        steps, final, factor = parse_schedule(schedule)
        ratios = {n: [] for n in args.samples}
        for seed in args.seeds:
            start = time.perf_counter()
            trainer = recipes.curve_trainer(seed=seed, learning_rate=args.learning_rate, track_features=False)
            trainer.train(steps, progress=False)
            if final:
                rate = args.learning_rate * factor
                trainer.set_learning_rates(d=rate, g=rate)
                trainer.train(final, progress=False)
            row = []
            for n, evaluate in evaluators.items():
                ratio = evaluate(trainer)["w1_ratio"]
                ratios[n].append(ratio)
                row.append(f"{ratio:>15.2f}")
            print(f"{schedule:>14} {seed:>4} " + " ".join(row) + f" {time.perf_counter() - start:>8.1f}",
                  flush=True)
        print(f"{schedule:>14} {'max':>4} " + " ".join(f"{max(ratios[n]):>15.2f}" for n in args.samples))


if __name__ == "__main__":
    main()
