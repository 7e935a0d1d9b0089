"""python -m mxjax.launch: MXNet's tools/launch.py in spirit, on loopback.

Two workers run kvstore 'dist_sync' over jax.distributed (gloo on CPU); when one fails the
launcher names it, stops the other and exits non-zero within a bounded time.
"""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from mxjax import launch
from mxjax.launch import free_port

LAUNCH_VARS = ("MXJAX_COORDINATOR_ADDRESS", "MXJAX_NUM_WORKERS", "MXJAX_RANK",
               "DMLC_PS_ROOT_URI", "DMLC_PS_ROOT_PORT", "DMLC_NUM_WORKER", "DMLC_TASK_ID",
               "DMLC_ROLE", "DMLC_NUM_SERVER", "MXJAX_DISTRIBUTED_PID")
BOUND_S = 30  # a failed job must be torn down within this many seconds


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARS}
    env["JAX_PLATFORMS"] = "cpu"
    return env


def _launch(args: list[str], timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "mxjax.launch", *args], env=_env(), text=True,
                         capture_output=True, timeout=timeout)
    return res, time.monotonic() - start


def _lines(text: str, rank: int, marker: str) -> list[str]:
    prefix = f"[rank {rank}] {marker}"
    return [line[len(f"[rank {rank}] "):] for line in text.splitlines()
            if line.startswith(prefix)]


# ------------------------------------------------------------ dist_sync on loopback
DIST_WORKER = textwrap.dedent("""
    from mxjax import distributed
    distributed.auto_initialize()  # what `import mxjax` does in a launched worker
    import numpy as np
    import mxjax as mx
    from mxjax import kvstore

    early = mx.nd.ones((2,)) * 2  # JAX runs before the kvstore exists (NDArrayIter before fit)
    kv = kvstore.create('dist_sync')
    r, n = kv.rank, kv.num_workers
    print('WORLD', r, n, kv.type, flush=True)
    # init: rank 0's value wins on every worker (MXNet's dist init)
    kv.init('w', mx.nd.full((2, 3), 10.0 * (r + 1)))
    out = mx.nd.zeros((2, 3))
    kv.pull('w', out=out)
    print('INIT', out.asnumpy().ravel().tolist(), flush=True)
    # push/pushpull: each worker pushes a different array (and 2 device copies on rank 1)
    mine = mx.nd.array(np.arange(6, dtype=np.float32).reshape(2, 3) * (r + 1))
    vals = [mine] if r == 0 else [mine, mx.nd.ones((2, 3))]
    kv.pushpull('w', vals, out=out)
    print('SUM', out.asnumpy().ravel().tolist(), flush=True)
    # list of keys in one call, int keys on a second store
    kv2 = kvstore.create('dist_device_sync')
    kv2.init([3, 1], [mx.nd.zeros((2,)), mx.nd.zeros((1,))])
    a, b = mx.nd.full((2,), r + 1.0), mx.nd.full((1,), 100.0 * (r + 1))
    kv2.pushpull([3, 1], [a, b])
    print('KEYS', a.asnumpy().tolist(), b.asnumpy().tolist(), flush=True)
    # an optimizer on a dist store: every worker applies it to the global sum
    kv3 = kvstore.create('dist_sync')
    from mxjax import optimizer
    kv3.set_optimizer(optimizer.SGD(learning_rate=0.1))
    kv3.init(0, mx.nd.ones((2,)))
    kv3.push(0, mx.nd.full((2,), float(r + 1)))
    w = mx.nd.zeros((2,))
    kv3.pull(0, out=w)
    print('SGD', w.asnumpy().tolist(), flush=True)
    # workers that disagree on an init's shapes get a clear error, not a hang
    try:
        kv.init('bad', mx.nd.zeros((2,) if r == 0 else (3,)))
    except mx.MXNetError as err:
        print('MISMATCH', 'workers disagree' in str(err), flush=True)
    kv._barrier()
    print('DONE', early.asnumpy().tolist(), flush=True)
""")


def test_two_workers_dist_sync_sum_across_processes(tmp_path: Path):
    pytest.importorskip("mxjax.optimizer", reason="mxjax.optimizer is not importable yet")
    script = tmp_path / "worker.py"
    script.write_text(DIST_WORKER)
    res, elapsed = _launch(["-n", "2", "--port", str(free_port()), "--", sys.executable,
                            str(script)])
    out = res.stdout
    assert res.returncode == 0, out + res.stderr
    arange = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    for r in (0, 1):
        assert _lines(out, r, "WORLD") == [f"WORLD {r} 2 dist_sync"]
        assert _lines(out, r, "INIT") == ["INIT " + str([10.0] * 6)]
        # rank 0 pushes arange, rank 1 pushes 2*arange + ones: sum = 3*arange + 1
        assert _lines(out, r, "SUM") == ["SUM " + str([3 * x + 1 for x in arange])]
        assert _lines(out, r, "KEYS") == ["KEYS [3.0, 3.0] [300.0]"]
        # SGD lr 0.1 on the summed gradient 1 + 2 = 3: w = 1 - 0.3
        (sgd,) = _lines(out, r, "SGD")
        np.testing.assert_allclose(ast.literal_eval(sgd[4:]), [0.7, 0.7], rtol=1e-6)
        assert _lines(out, r, "MISMATCH") == ["MISMATCH True"]
        assert _lines(out, r, "DONE") == ["DONE [2.0, 2.0]"]
    assert elapsed < 120


# ------------------------------------------------------------ failures are bounded
FAILING_WORKER = textwrap.dedent("""
    import os, signal, sys, time
    import mxjax as mx
    from mxjax import kvstore

    kv = kvstore.create('dist_sync')
    kv.init(0, mx.nd.zeros((4,)))
    out = mx.nd.zeros((4,))
    kv.pushpull(0, mx.nd.ones((4,)), out=out)
    print('STEP1', out.asnumpy().tolist(), flush=True)
    if kv.rank == 1:
        time.sleep(1.0)  # let rank 0 print its STEP1 before this rank fails
        how = sys.argv[1]
        if how == 'exit':
            sys.exit(1)
        if how == 'raise':
            raise RuntimeError('rank 1 fails on purpose')
        os.kill(os.getpid(), signal.SIGKILL)
    kv.pushpull(0, mx.nd.ones((4,)), out=out)  # rank 0 waits for rank 1 here
    print('UNREACHABLE', flush=True)
""")


@pytest.mark.parametrize("how,code,says", [
    ("exit", 1, "worker rank 1 exited with code 1"),
    ("raise", 1, "worker rank 1 exited with code 1"),
    ("kill", 128 + signal.SIGKILL, "worker rank 1 was killed by signal SIGKILL"),
])
def test_a_failing_worker_stops_the_job_and_is_named(tmp_path: Path, how, code, says):
    script = tmp_path / "worker.py"
    script.write_text(FAILING_WORKER)
    res, elapsed = _launch(["-n", "2", "--port", str(free_port()), "--grace-period", "2",
                            "--", sys.executable, str(script), how], timeout=BOUND_S + 30)
    assert res.returncode == code, res.stdout + res.stderr
    assert says in res.stderr
    assert "job failed: " + says in res.stderr
    assert _lines(res.stdout, 0, "STEP1") == ["STEP1 [2.0, 2.0, 2.0, 2.0]"]
    assert "UNREACHABLE" not in res.stdout
    assert elapsed < BOUND_S


# ------------------------------------------------- the launcher alone (no jax)
ENV_DUMP = ("import os; print(' '.join(os.environ.get(k, '-') for k in ('MXJAX_RANK', "
            "'MXJAX_NUM_WORKERS', 'MXJAX_COORDINATOR_ADDRESS', 'DMLC_ROLE', 'DMLC_TASK_ID', "
            "'DMLC_NUM_WORKER', 'DMLC_PS_ROOT_URI', 'DMLC_PS_ROOT_PORT', 'DMLC_NUM_SERVER')))")


def test_workers_get_rank_and_coordinator_and_output_is_streamed_with_rank_prefix():
    code = ENV_DUMP + ("; import sys; r = os.environ['MXJAX_RANK']; "
                       "print('err', r, file=sys.stderr); print('two\\nlines', r)")
    port = free_port()
    res, _ = _launch(["-n", "3", "--port", str(port), "--", sys.executable, "-c", code])
    assert res.returncode == 0, res.stderr
    for r in range(3):
        # MXJAX_RANK NUM_WORKERS COORDINATOR DMLC_ROLE TASK_ID NUM_WORKER ROOT_URI PORT NUM_SERVER
        assert _lines(res.stdout, r, "") == [
            f"{r} 3 127.0.0.1:{port} worker {r} 3 127.0.0.1 {port} 0", "two", f"lines {r}"]
        assert _lines(res.stderr, r, "") == [f"err {r}"]
    assert [x for x in res.stderr.splitlines() if not x.startswith("[rank")] == []


def test_mxnet_launch_py_style_arguments_are_accepted():
    res, _ = _launch(["-n", "2", "-s", "2", "--launcher", "local", sys.executable, "-c",
                      "import os; print('rank', os.environ['DMLC_TASK_ID'])"])
    assert res.returncode == 0, res.stderr
    assert sorted(line for line in res.stdout.splitlines()) == \
        ["[rank 0] rank 0", "[rank 1] rank 1"]
    assert "-s 2 ignored" in res.stderr


def test_failure_of_one_worker_terminates_the_others_quickly():
    code = ("import os, sys, time; r = int(os.environ['MXJAX_RANK']); "
            "print('pid', os.getpid(), flush=True); time.sleep(0.5 if r == 1 else 120); "
            "sys.exit(7 if r == 1 else 0)")
    res, elapsed = _launch(["-n", "3", "--", sys.executable, "-c", code], timeout=60)
    assert res.returncode == 7
    assert "worker rank 1 (pid" in res.stderr and "exited with code 7" in res.stderr
    assert "stopping the other 2 running worker(s)" in res.stderr
    assert elapsed < 20
    for r in (0, 2):  # the sleeping workers were really stopped
        pid = int(_lines(res.stdout, r, "pid")[0].split()[1])
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_worker_ignoring_sigterm_is_killed_after_the_grace_period():
    code = ("import os, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "r = int(os.environ['MXJAX_RANK']); print('ready', flush=True); "
            "time.sleep(1.0); sys.exit(2) if r == 1 else time.sleep(120)")
    res, elapsed = _launch(["-n", "2", "--grace-period", "1", "--", sys.executable, "-c", code],
                           timeout=60)
    assert res.returncode == 2
    assert "worker rank 1 (pid" in res.stderr
    assert elapsed < 20


def test_ctrl_c_stops_all_workers():
    code = "import os, time; print('pid', os.getpid(), flush=True); time.sleep(120)"
    proc = subprocess.Popen([sys.executable, "-m", "mxjax.launch", "-n", "2", "--", sys.executable,
                             "-c", code], env=_env(), text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    pids = []
    try:
        while len(pids) < 2:  # both workers are up
            line = proc.stdout.readline()
            assert line, "launcher ended early"
            pids.append(int(line.split()[-1]))
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGINT
    assert "received SIGINT; stopping all 2 workers" in err
    assert time.monotonic() - start < 10
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.parametrize("argv,message", [
    (["-n", "2"], "no command given"),
    (["-n", "0", "--", "true"], "at least 1"),
    (["--", "true"], "number of workers"),
    (["-n", "2", "--launcher", "mpi", "--", "true"], "not supported"),
    (["-n", "2", "--launcher", "ssh", "--", "true"], "host file"),
])
def test_bad_command_lines_are_refused_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        launch.main(argv)
    assert message in str(exc.value.code)


def test_host_file_format_is_mxnets(tmp_path: Path):
    hosts = tmp_path / "hosts"
    hosts.write_text("# cluster\nnode1\nnode2:2222\n\n")
    assert launch.read_hosts(str(hosts)) == [("node1", "22"), ("node2", "2222")]


def test_worker_env_has_both_spellings():
    env = launch.worker_env(1, 4, "10.0.0.1", 9000)
    assert env["MXJAX_COORDINATOR_ADDRESS"] == "10.0.0.1:9000"
    assert (env["MXJAX_RANK"], env["DMLC_TASK_ID"], env["MXJAX_NUM_WORKERS"],
            env["DMLC_NUM_WORKER"], env["DMLC_ROLE"]) == ("1", "1", "4", "4", "worker")


def test_launcher_and_workers_agree_on_the_lost_peer_exit_status():
    from mxjax import distributed

    assert launch.EXIT_PEER_LOST == distributed.EXIT_PEER_LOST


def test_a_worker_that_only_lost_its_peer_is_not_named_as_the_cause():
    # rank 0 exits first with EXIT_PEER_LOST (its collective lost rank 1), rank 1 a moment later
    code = ("import os, sys, time; r = int(os.environ['MXJAX_RANK']); "
            f"sys.exit({launch.EXIT_PEER_LOST}) if r == 0 else (time.sleep(0.3), sys.exit(3))")
    res, _ = _launch(["-n", "2", "--", sys.executable, "-c", code], timeout=60)
    assert res.returncode == 3
    assert "job failed: worker rank 1 exited with code 3" in res.stderr
