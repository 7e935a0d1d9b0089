"""The benchmark (bench/) runs: the mxjax side of every workload script for a few batches,
and the runner's bookkeeping (child measurement, failures, medians, baselines, targets,
RESULTS.md sections). No timing is asserted anywhere: this checks the instrument, not speed.
MXNet and PyTorch are not needed.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    sys.modules[name] = mod  # dataclasses look their module up here
    spec.loader.exec_module(mod)
    return mod


run = _load(BENCH / "run.py", "bench_run")
report = run.report


def _run_workload(script: str, args: list[str], tmp_path: Path) -> dict:
    mod = _load(BENCH / "workloads" / script, "bench_" + script.removesuffix(".py"))
    out = tmp_path / "result.json"
    ret = mod.main(["--impl", "mxjax", *args, "--out", str(out)])
    written = json.loads(out.read_text())
    assert written["workload"] == ret["workload"] and written["system"] == "mxjax"
    return written


def _check_epochs(res: dict, epochs: int) -> None:
    assert len(res["epoch_s"]) == epochs and all(t > 0 for t in res["epoch_s"])
    assert res["first_epoch_s"] == res["epoch_s"][0]
    assert res["steady_epoch_s"] == statistics.median(res["epoch_s"][1:])
    assert res["versions"]["jax"] and res["versions"]["mxjax"]


# ----------------------------------------------------------------- workload scripts (mxjax)
def test_w1_tutorial_fit_reports_an_epoch_time_and_validation_accuracy_per_epoch(tmp_path):
    res = _run_workload("w1_tutorial_fit.py", ["--rows", "320", "--epochs", "2"], tmp_path)
    _check_epochs(res, 2)
    assert res["batches_per_epoch"] == 10  # 320 rows / batch 32
    assert 0.0 <= res["final_val_acc"] <= 1.0


def test_w2_intermediate_loop_reports_epochs_and_training_accuracy(tmp_path):
    res = _run_workload("w2_tutorial_loop.py", ["--rows", "320", "--epochs", "2"], tmp_path)
    _check_epochs(res, 2)
    assert res["setup_s"] > 0 and res["epoch_s"][0] >= res["setup_s"]
    assert 0.0 <= res["final_train_acc"] <= 1.0


def test_w3_wide_mlp_pads_the_last_batch_and_reports_samples_per_s(tmp_path):
    res = _run_workload("w3_wide_mlp_fit.py", ["--rows", "200", "--epochs", "2"], tmp_path)
    _check_epochs(res, 2)
    assert res["batches_per_epoch"] == 2  # 200 rows, batch 128: last batch padded
    assert res["samples_per_s"] == pytest.approx(200 / res["steady_epoch_s"])


def test_w6_lstm_bucketing_trains_a_bucketing_module_on_bucket_sentence_iter(tmp_path):
    res = _run_workload("w6_lstm_bucketing.py",
                        ["--rows", "96", "--epochs", "2", "--buckets", "8"], tmp_path)
    assert res["batches_per_epoch"] == 3 and len(res["epoch_s"]) == 2
    assert 1.0 < res["final_train_perplexity"] < 1000.0


def test_w4_lenet_fit_runs(tmp_path):
    res = _run_workload("w4_lenet_fit.py", ["--rows", "128", "--epochs", "2"], tmp_path)
    _check_epochs(res, 2)
    assert res["batches_per_epoch"] == 2


@pytest.mark.parametrize("model,rows", [("mlp", 40), ("lenet", 70)])
def test_w5_predict_returns_every_row_and_reports_throughput(model, rows, tmp_path):
    res = _run_workload("w5_predict.py", ["--model", model, "--rows", str(rows),
                                          "--epochs", "2"], tmp_path)
    assert res["rows"] == rows and len(res["pass_s"]) == 2
    assert res["samples_per_s"] == pytest.approx(rows / res["pass_s"][1])


# ----------------------------------------------------------------------------- the runner
def test_run_child_measures_the_childs_peak_memory_and_exit_status(tmp_path):
    log = tmp_path / "log"
    code = "b = bytearray(120 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    got = run.run_child([sys.executable, "-c", code], {}, 60, tmp_path, log)
    assert got["rc"] == 0 and not got["timed_out"]
    assert got["maxrss_kib"] >= 120 * 1024
    assert got["whole_s"] > 0 and got["cpu_s"] >= 0


def test_a_failing_child_is_reported_with_the_last_line_of_its_output(tmp_path):
    log = tmp_path / "log"
    code = "import sys; print('working'); sys.exit('ValueError: bad shape (3, 4)')"
    got = run.run_child([sys.executable, "-c", code], {}, 60, tmp_path, log)
    assert got["rc"] == 1
    assert run.last_line(log) == "ValueError: bad shape (3, 4)"


def test_a_child_past_its_timeout_is_killed(tmp_path):
    got = run.run_child([sys.executable, "-c", "import time; time.sleep(30)"], {}, 0.5,
                        tmp_path, tmp_path / "log")
    assert got["timed_out"] and got["rc"] != 0 and got["whole_s"] < 20


def test_an_unavailable_system_is_reported_failed_and_the_run_goes_on(tmp_path, capsys):
    results = tmp_path / "RESULTS.md"
    rc = run.main(["--workloads", "W1", "--systems", "mxnet", "--mxnet-threads", "1",
                   "--mxnet-python", str(tmp_path / "no-such-python"), "--reps", "2",
                   "--write-results", "--results-file", str(results),
                   "--json", str(tmp_path / "records.json"),
                   "--runs-dir", str(tmp_path / "runs")])
    assert rc == 0
    out = capsys.readouterr().out
    assert "| W1 | mxnet-omp1 | failed: could not start" in out
    assert ("| W1 steady epoch ≥ 10x MXNet | mxjax vs mxnet-omp1 | not measured (mxjax not run)"
            in out)
    records = json.loads((tmp_path / "records.json").read_text())["records"]
    assert [(r["system"], r["rep"], r["ok"]) for r in records] == [
        ("mxnet-omp1", 0, False), ("mxnet-omp1", 1, False)]
    assert "<!-- bench:begin full -->" in results.read_text()


def test_systems_expand_to_one_variant_per_thread_setting_and_cache_state():
    assert run.expand_systems(["mxjax", "mxnet", "torch"], {"mxnet": [1, 2], "torch": []},
                              "both") == [
        "mxjax", "mxjax-cold", "mxnet-omp1", "mxnet-omp2", "torch"]
    assert run.expand_systems(["mxjax"], {}, "cold") == ["mxjax-cold"]


def test_children_get_thread_count_and_compilation_cache_settings(tmp_path):
    assert run.system_env("mxnet-omp2", {"A": "1"}, tmp_path) == {"OMP_NUM_THREADS": "2"}
    assert run.system_env("mxjax", {"A": "1"}, tmp_path) == {
        "MXJAX_CACHE_DIR": str(tmp_path / "jax-cache"), "A": "1"}
    assert run.system_env("mxjax-cold", {}, tmp_path) == {"MXJAX_COMPILATION_CACHE": "0"}


# ----------------------------------------------------------------------------- the report
def _rec(wl, system, rep, ok=True, steady=None, whole=1.0, sps=None, error=None):
    result = {"steady_epoch_s": steady} if steady is not None else {}
    if sps is not None:
        result = {"steady_pass_s": 1.0, "samples_per_s": sps}
    return {"workload": wl, "system": system, "rep": rep, "ok": ok, "error": error,
            "whole_s": whole, "maxrss_kib": 2048, "cpu_s": 1.0, "result": result}


def test_summary_takes_medians_over_successful_runs_only():
    recs = [_rec("W1", "mxjax", 0, steady=0.3), _rec("W1", "mxjax", 1, steady=0.1),
            _rec("W1", "mxjax", 2, steady=0.2, whole=3.0),
            _rec("W1", "mxjax", 3, ok=False, error="boom")]
    s = report.summarize(recs)[("W1", "mxjax")]
    assert (s.runs, s.failures, s.error) == (3, 1, "boom")
    assert s.steady_s == 0.2 and s.whole_s == 1.0 and s.rss_mib == 2.0


def test_baseline_is_the_faster_thread_setting_and_ratios_are_relative_to_it():
    recs = [_rec("W1", "mxnet-omp1", 0, steady=0.14, whole=2.6),
            _rec("W1", "mxnet-omp2", 0, steady=0.34, whole=3.0),
            _rec("W1", "mxjax", 0, steady=0.014, whole=2.0),
            _rec("W5-mlp", "mxnet-omp1", 0, sps=1000.0),
            _rec("W5-mlp", "mxnet-omp2", 0, sps=3000.0),
            _rec("W5-mlp", "mxjax", 0, sps=6000.0)]
    sums = report.summarize(recs)
    assert report.peer_baseline(sums, "W1", "mxnet").system == "mxnet-omp1"
    assert report.peer_baseline(sums, "W5-mlp", "mxnet").system == "mxnet-omp2"  # samples/s
    assert report.speedup("W1", sums[("W1", "mxjax")], sums[("W1", "mxnet-omp1")]) == \
        pytest.approx(10.0)
    assert report.speedup("W5-mlp", sums[("W5-mlp", "mxjax")],
                          sums[("W5-mlp", "mxnet-omp2")]) == pytest.approx(2.0)
    tg = {t["target"]: t for t in report.targets(sums)}
    assert tg["W1 steady epoch ≥ 10x MXNet"]["met"] is True
    assert tg["W1 whole process faster than MXNet"]["ratio"] == pytest.approx(1.3)
    assert tg["W3 ≥ 2.5x MXNet"]["met"] is None  # not run
    assert tg["W1 whole process faster than MXNet, cold compile cache"]["met"] is None


def test_whole_process_target_needs_strictly_faster():
    recs = [_rec("W1", "mxnet-omp1", 0, steady=1.0, whole=2.0),
            _rec("W1", "mxjax", 0, steady=0.1, whole=2.0)]
    tg = {t["target"]: t for t in report.targets(report.summarize(recs))}
    assert tg["W1 whole process faster than MXNet"]["met"] is False


def test_results_section_is_replaced_in_place_and_other_text_is_kept():
    text = report.replace_section("# Results\n\nnotes\n", "full", "run A")
    text = report.replace_section(text, "quick", "quick run")
    text = report.replace_section(text, "full", "run B")
    assert text.startswith("# Results\n\nnotes\n")
    assert "run A" not in text and text.count("run B") == 1
    assert text.index("run B") < text.index("quick run")  # replaced where it was


def test_after_the_probe_only_the_faster_thread_setting_of_each_peer_runs():
    recs = [_rec("W3", "mxnet-omp1", 0, steady=1.3), _rec("W3", "mxnet-omp2", 0, steady=1.0),
            _rec("W3", "torch-omp1", 0, ok=False, error="x"),
            _rec("W3", "torch-omp2", 0, ok=False, error="y"),
            _rec("W1", "mxnet-omp1", 0, steady=0.1), _rec("W1", "mxnet-omp2", 0, steady=0.3),
            # a later, slow repetition of the winner does not flip the choice
            _rec("W1", "mxnet-omp1", 1, steady=5.0), _rec("W1", "mxnet-omp1", 2, steady=5.0)]
    todo = ["mxjax", "mxnet-omp1", "mxnet-omp2", "torch-omp1", "torch-omp2"]
    # W3: MXNet keeps its 2-thread run; PyTorch has no success yet, so both settings stay.
    assert run.keep_faster_threads(todo, recs, "W3", 1) == [
        "mxjax", "mxnet-omp2", "torch-omp1", "torch-omp2"]
    assert run.keep_faster_threads(todo, recs, "W1", 1)[:2] == ["mxjax", "mxnet-omp1"]
    sums = report.summarize(recs, probe_reps=1)
    assert report.peer_baseline(sums, "W1", "mxnet").system == "mxnet-omp1"
    assert sums[("W1", "mxnet-omp1")].steady_s == 5.0  # the reported median is over all runs


roofline = _load(BENCH / "roofline.py", "bench_roofline")


def test_roofline_counts_w3s_products_forward_weight_and_input_gradients():
    products = roofline.w3_products()
    # 3 forward, 3 weight gradients, 2 input gradients (the data needs none).
    assert len(products) == 8
    per_layer = 784 * 1024 + 1024 * 1024 + 1024 * 10
    expected = 2 * 128 * (per_layer + per_layer + (1024 * 1024 + 1024 * 10))
    assert sum(roofline.flops(m, k, n) for _, m, k, n in products) == expected
    assert roofline.batches_per_epoch() == 79


def test_roofline_measures_xla_and_numpy_gemm_and_reads_baselines_from_a_run(tmp_path):
    res = roofline.measure("numpy", reps=2)
    assert [r["what"] for r in res["rows"]][:2] == ["fc1 forward", "fc1 weight grad"]
    assert all(r["s"] > 0 and r["gflops"] > 0 for r in res["rows"])

    def rec(system, steady, ok=True):
        return {"workload": "W3", "system": system, "ok": ok,
                "result": {"steady_epoch_s": steady}}
    run_json = tmp_path / "run.json"
    run_json.write_text(json.dumps({"meta": {}, "records": [
        rec("mxjax", 0.7), rec("mxjax", 0.8), rec("mxnet-omp1", 2.0), rec("mxnet-omp2", 1.25),
        rec("mxnet-omp2", 1.35), rec("torch-omp2", 0.8), rec("torch-omp1", 0.1, ok=False)]}))
    base = roofline.baselines(run_json)
    assert base == {"mxnet": ("mxnet-omp2", 1.3), "torch": ("torch-omp2", 0.8),
                    "mxjax": ("mxjax", 0.75)}
    text = roofline.report([res], base)
    assert "| mxnet-omp2 | 1.300 | 2.5× | 0.520 |" in text
    assert "| torch-omp2 | 0.800 | 1.5× | 0.533 |" in text
