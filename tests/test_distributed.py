"""mxjax.distributed: MXNet's launch environment (DMLC_*) and mxjax's own, mapped onto
jax.distributed.initialize; non-worker roles exit as MXNet's server processes do."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

import mxjax as mx
from mxjax import distributed, kvstore
from mxjax.base import MXNetError
from mxjax.launch import free_port

LAUNCH_VARS = ("MXJAX_COORDINATOR_ADDRESS", "MXJAX_NUM_WORKERS", "MXJAX_RANK",
               "DMLC_PS_ROOT_URI", "DMLC_PS_ROOT_PORT", "DMLC_NUM_WORKER", "DMLC_TASK_ID",
               "DMLC_ROLE", "DMLC_NUM_SERVER", "MXJAX_DISTRIBUTED_PID")


def test_no_launch_environment_means_a_single_process_run():
    assert distributed.read_env({}) is None


def test_mxjax_variables_give_coordinator_world_size_and_rank():
    env = distributed.read_env({"MXJAX_COORDINATOR_ADDRESS": "10.0.0.1:1234",
                                "MXJAX_NUM_WORKERS": "4", "MXJAX_RANK": "3"})
    assert env == distributed.DistEnv("10.0.0.1:1234", 4, 3)


def test_dmlc_variables_carry_the_same_meaning():
    # MXNet's tools/launch.py (local): DMLC_PS_ROOT_URI/PORT, DMLC_NUM_WORKER, DMLC_TASK_ID
    env = distributed.read_env({"DMLC_ROLE": "worker", "DMLC_PS_ROOT_URI": "10.0.0.2",
                                "DMLC_PS_ROOT_PORT": "9091", "DMLC_NUM_WORKER": "2",
                                "DMLC_NUM_SERVER": "2", "DMLC_TASK_ID": "1"})
    assert env == distributed.DistEnv("10.0.0.2:9091", 2, 1)


def test_mxjax_variables_win_over_dmlc_ones():
    env = distributed.read_env({"DMLC_PS_ROOT_URI": "10.0.0.2", "DMLC_PS_ROOT_PORT": "9091",
                                "DMLC_NUM_WORKER": "8", "DMLC_TASK_ID": "5",
                                "MXJAX_COORDINATOR_ADDRESS": "127.0.0.1:5000",
                                "MXJAX_NUM_WORKERS": "2", "MXJAX_RANK": "0"})
    assert env == distributed.DistEnv("127.0.0.1:5000", 2, 0)


def test_ipv6_root_uri_is_bracketed():
    env = distributed.read_env({"DMLC_PS_ROOT_URI": "::1", "DMLC_PS_ROOT_PORT": "9",
                                "DMLC_NUM_WORKER": "1"})
    assert env is not None and env.coordinator_address == "[::1]:9" and env.rank == 0


@pytest.mark.parametrize("environ,message", [
    ({"MXJAX_NUM_WORKERS": "2", "MXJAX_RANK": "0"}, "no coordinator address"),
    ({"MXJAX_COORDINATOR_ADDRESS": "h:1"}, "number of workers"),
    ({"MXJAX_COORDINATOR_ADDRESS": "h:1", "MXJAX_NUM_WORKERS": "2"}, "rank is unknown"),
    ({"MXJAX_COORDINATOR_ADDRESS": "h:1", "MXJAX_NUM_WORKERS": "two"}, "MXJAX_NUM_WORKERS"),
    ({"MXJAX_COORDINATOR_ADDRESS": "h:1", "MXJAX_NUM_WORKERS": "2", "MXJAX_RANK": "2"},
     "not a valid rank"),
    ({"MXJAX_COORDINATOR_ADDRESS": "nohostport", "MXJAX_NUM_WORKERS": "2"}, "host:port"),
    ({"DMLC_PS_ROOT_URI": "h", "DMLC_NUM_WORKER": "2"}, "DMLC_PS_ROOT_PORT is missing"),
    ({"DMLC_ROLE": "boss"}, "DMLC_ROLE"),
])
def test_partial_or_bad_environment_is_a_clear_error(environ, message):
    with pytest.raises(MXNetError, match=message):
        distributed.read_env(environ)
        distributed.role(environ)


@pytest.mark.parametrize("role", ["server", "scheduler"])
def test_server_and_scheduler_roles_exit_cleanly_with_a_message(role, capsys):
    with pytest.raises(SystemExit) as exc:
        distributed.exit_if_not_worker({"DMLC_ROLE": role})
    assert exc.value.code == 0
    assert f"DMLC_ROLE={role}" in capsys.readouterr().err


def test_worker_role_does_not_exit():
    distributed.exit_if_not_worker({"DMLC_ROLE": "worker"})
    distributed.exit_if_not_worker({})


def test_single_process_has_rank_0_of_1_and_initialize_does_nothing(monkeypatch):
    for var in LAUNCH_VARS:
        monkeypatch.delenv(var, raising=False)
    assert distributed.initialize() is False
    assert (distributed.is_initialized(), distributed.rank(), distributed.num_workers()) == \
        (False, 0, 1)
    distributed.barrier()  # one worker: returns at once


def test_joining_after_jax_already_ran_is_a_clear_error(monkeypatch):
    mx.nd.ones((1,)).asnumpy()  # the JAX backend is running now
    monkeypatch.setenv("MXJAX_COORDINATOR_ADDRESS", "127.0.0.1:1")
    monkeypatch.setenv("MXJAX_NUM_WORKERS", "2")
    monkeypatch.setenv("MXJAX_RANK", "1")
    with pytest.raises(MXNetError, match="before creating any array"):
        distributed.initialize()


WORKER = textwrap.dedent("""
    import numpy as np
    import mxjax as mx
    from mxjax import kvstore
    kv = kvstore.create('dist_sync')
    out = mx.nd.zeros((3,))
    kv.init('g', out)
    kv.pushpull('g', mx.nd.array([1.0, 2.0, 3.0]) * (kv.rank + 1), out=out)
    print('RESULT', kv.rank, kv.num_workers, out.asnumpy().tolist(), flush=True)
""")


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARS}
    env["JAX_PLATFORMS"] = "cpu"
    return env


def test_processes_started_with_only_mxnet_dmlc_variables_join_and_servers_exit(tmp_path):
    """What MXNet's tools/launch.py --launcher local gives: 2 workers + 1 server process."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    port = free_port()
    base = _clean_env()
    base.update({"DMLC_PS_ROOT_URI": "127.0.0.1", "DMLC_PS_ROOT_PORT": str(port),
                 "DMLC_NUM_WORKER": "2", "DMLC_NUM_SERVER": "1"})
    procs = []
    start = time.monotonic()
    for role, task in (("server", 2), ("worker", 0), ("worker", 1)):
        env = dict(base, DMLC_ROLE=role, DMLC_TASK_ID=str(task))
        procs.append(subprocess.Popen([sys.executable, str(script)], env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    try:
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert time.monotonic() - start < 120
    (s_out, s_err), *workers = results
    assert procs[0].returncode == 0 and "DMLC_ROLE=server" in s_err and "RESULT" not in s_out
    for rank, (out, err) in enumerate(workers):
        assert procs[rank + 1].returncode == 0, err
        line = [x for x in out.splitlines() if x.startswith("RESULT")]
        assert line == [f"RESULT {rank} 2 [3.0, 6.0, 9.0]"], out + err


def test_auto_initialize_does_nothing_without_a_launcher(monkeypatch, caplog):
    for var in LAUNCH_VARS:
        monkeypatch.delenv(var, raising=False)
    assert distributed.auto_initialize() is False
    monkeypatch.setenv("DMLC_NUM_WORKER", "2")  # partial: warned about, reported at kv.create
    assert distributed.auto_initialize() is False
    assert "not joining" in caplog.text
    with pytest.raises(MXNetError, match="no coordinator address"):
        kvstore.create("dist_sync")


def test_auto_initialize_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("MXJAX_AUTO_INITIALIZE", "0")
    monkeypatch.setenv("MXJAX_COORDINATOR_ADDRESS", "127.0.0.1:1")
    monkeypatch.setenv("MXJAX_NUM_WORKERS", "2")
    monkeypatch.setenv("MXJAX_RANK", "1")
    assert distributed.auto_initialize() is False
    assert distributed.is_initialized() is False


def test_lost_peer_is_recognised_through_exception_chains():
    try:
        try:
            raise ValueError("UNKNOWN: Gloo all-reduce failed: [pair.cc:547] Connection closed "
                             "by peer [127.0.0.1]:4242")
        except ValueError as inner:
            raise RuntimeError("training step failed") from inner
    except RuntimeError as outer:
        assert distributed._is_peer_lost(outer)
    assert distributed._is_peer_lost(distributed.PeerLostError("x"))
    assert not distributed._is_peer_lost(RuntimeError("out of memory"))
