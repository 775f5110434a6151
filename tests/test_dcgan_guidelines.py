"""Lesson 04's guideline study: every variant switches one guideline, the summary is what the runs say."""

import json

import pytest

from gan_lessons import artifacts, dcgan, dcgan_guidelines


def test_each_variant_switches_one_guideline_the_checker_then_reports():
    assert dcgan_guidelines.VARIANTS["lecture model"] == {}
    for name, settings in dcgan_guidelines.VARIANTS.items():
        assert set(settings) <= set(dcgan.ARCHITECTURE), name
    paper_g = dcgan.dcgan_generator(width=0.25, activation="relu")  # "ReLU in G (the paper)"
    assert dcgan.guideline_violations(paper_g, "generator") == []
    pooled = dcgan.dcgan_discriminator(width=0.25, resampling="pool")  # "pooling and upsampling"
    assert any("pooling" in p for p in dcgan.guideline_violations(pooled))


def _record():
    runs = [{"variant": v, "seed": s, "frechet_distance": f, "classes_covered": 10, "max_class_fraction": 0.2,
             "steps": 100, "diverged": None if f < 90 else "NaN at step 7"}
            for v, values in (("lecture model", (30.0, 34.0)), ("no batch norm in G", (50.0, 95.0)))
            for s, f in enumerate(values)]
    return {"variants": {"lecture model": {}, "no batch norm in G": {"g_batch_norm": False}}, "runs": runs,
            "n": 1000, "floor": {"frechet_distance": 6.0}, "ceiling": {"frechet_distance": 220.0},
            "budget_seconds": 60.0}


def test_summary_takes_mean_and_spread_over_seeds_and_counts_divergences():
    lecture, no_bn = dcgan_guidelines.summary(_record())
    assert lecture["frechet_mean"] == pytest.approx(32.0)
    assert lecture["frechet_std"] == pytest.approx(2.828, abs=1e-3)
    assert lecture["diverged"] == 0 and no_bn["diverged"] == 1
    table = dcgan_guidelines.format_table(_record())
    assert "| lecture model | 2 | 32.0 ± 2.8 |" in table and "Floor (real vs real, n = 1000): 6.00" in table


def test_a_file_that_is_not_the_study_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"runs": []}))
    with pytest.raises(artifacts.ArtifactError, match="not lesson 04's guideline study"):
        dcgan_guidelines.load_results(path)
