"""The lessons' smoke-profile runs give the numbers they gave before the one-trainer rewrite: every
per-step metric, every evaluation and the final weights hash as recorded (tests/trainer_scenarios.py)."""

import pytest
import trainer_scenarios

EXPECTED = trainer_scenarios.stored().get(trainer_scenarios.machine_signature())


@pytest.mark.skipif(EXPECTED is None, reason="no fingerprints recorded for this processor and TensorFlow "
                    "(oneDNN picks kernels per CPU): `python tests/trainer_scenarios.py --record` on a "
                    "commit known to be right")
@pytest.mark.parametrize("name", sorted(trainer_scenarios.SCENARIOS))
def test_smoke_run_is_bit_for_bit_what_it_was(name):
    got = trainer_scenarios.run(name)
    changed = sorted(key for key in set(got) | set(EXPECTED[name]) if got.get(key) != EXPECTED[name].get(key))
    assert not changed, f"{name}: these arrays changed: {changed}"
