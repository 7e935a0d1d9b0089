"""``python -m mxjax.launch``: start the workers of a distributed job (MXNet's tools/launch.py).

::

    python -m mxjax.launch -n 2 -- python train.py --kv-store dist_sync
    python -m mxjax.launch -n 4 -H hosts --launcher ssh python train.py   # MXNet's form

Starts ``N`` worker processes running the command, each with the
environment :mod:`mxjax.distributed` reads (``MXJAX_COORDINATOR_ADDRESS``,
``MXJAX_NUM_WORKERS``, ``MXJAX_RANK`` and MXNet's ``DMLC_ROLE=worker``,
``DMLC_PS_ROOT_URI``, ``DMLC_PS_ROOT_PORT``, ``DMLC_NUM_WORKER``,
``DMLC_NUM_SERVER=0``, ``DMLC_TASK_ID``). Rank 0 hosts the coordinator.

* Local (default, no host file): all workers on this machine, coordinator on
  ``127.0.0.1`` at ``--port`` (default: a free port).
* ssh (``-H FILE`` / ``--hosts FILE``, one ``host[:ssh_port]`` per line, as
  MXNet's): worker ``i`` runs on host ``i mod len(hosts)`` through
  ``ssh -tt`` (so the remote worker is hung up when the launcher stops it),
  in the current directory (or ``--sync-dst-dir``); the coordinator is the
  first host. ``-n`` defaults to the number of hosts.

Each output line of a worker is printed as ``[rank i] line`` (stdout to
stdout, stderr to stderr) as soon as it is written. When a worker exits with a
non-zero status (or is killed), the launcher names its rank, sends SIGTERM to
the other workers (their whole process groups), SIGKILL after
``--grace-period`` seconds, and exits with the failed worker's status. Ctrl-C
(SIGINT) or SIGTERM to the launcher stops all workers the same way. Exit
status 0 means every worker exited 0.

MXNet's parameter servers (``-s``) are not needed: workers sum gradients with
collectives, so no server process is started. ``--launcher mpi/sge/yarn`` are
not supported. The command is run directly, not through a shell (use
``bash -c '...'`` for shell syntax).
"""

from __future__ import annotations

import argparse
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

# Same value as mxjax.distributed.EXIT_PEER_LOST (not imported: the launcher needs no JAX).
EXIT_PEER_LOST = 86

__all__ = ["main", "build_parser", "worker_env", "read_hosts", "free_port"]

_PREFIX = "mxjax.launch"


def build_parser() -> argparse.ArgumentParser:
    """The command line (MXNet's tools/launch.py options plus ``--hosts``/``--port``)."""
    p = argparse.ArgumentParser(
        prog="python -m mxjax.launch",
        description="Start the workers of a distributed mxjax job (kvstore='dist_sync').")
    p.add_argument("-n", "--num-workers", type=int, default=None,
                   help="number of worker processes (default: the number of hosts)")
    p.add_argument("-s", "--num-servers", type=int, default=None,
                   help="accepted for MXNet compatibility; mxjax needs no server processes")
    p.add_argument("-H", "--hostfile", "--hosts", dest="hostfile", default=None,
                   help="file with one host[:ssh_port] per line; runs workers over ssh")
    p.add_argument("--launcher", default=None, choices=["local", "ssh", "mpi", "sge", "yarn"],
                   help="local (default without a host file) or ssh (default with one)")
    p.add_argument("-p", "--port", type=int, default=None,
                   help="coordinator port on rank 0's host (default: a free port)")
    p.add_argument("--coordinator-host", default=None,
                   help="address the workers use to reach rank 0 (default: 127.0.0.1 "
                        "locally, the first host with ssh)")
    p.add_argument("--grace-period", type=float, default=5.0,
                   help="seconds between SIGTERM and SIGKILL when stopping workers")
    p.add_argument("--env-worker", action="append", default=[], metavar="NAME:VALUE",
                   help="set an environment variable for the workers (repeatable)")
    p.add_argument("--env", action="append", default=[], metavar="NAME",
                   help="pass this launcher's value of NAME to the workers (ssh; local "
                        "workers inherit the whole environment)")
    p.add_argument("--env-server", action="append", default=[], help=argparse.SUPPRESS)
    p.add_argument("--sync-dst-dir", default=None,
                   help="working directory of the workers on the remote hosts (ssh)")
    p.add_argument("command", nargs=argparse.REMAINDER,
                   help="the worker command, optionally after --")
    return p


def read_hosts(path: str) -> list[tuple[str, str]]:
    """``[(host, ssh_port)]`` from a host file (``host[:port]`` lines; ``#`` comments)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as err:
        raise SystemExit(f"{_PREFIX}: cannot read host file {path!r}: {err}") from None
    hosts = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        host, _, port = line.partition(":")
        hosts.append((host, port or "22"))
    if not hosts:
        raise SystemExit(f"{_PREFIX}: host file {path!r} lists no hosts")
    return hosts


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _parse_pairs(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in pairs:
        sep = ":" if ":" in item and ("=" not in item or item.index(":") < item.index("=")) \
            else "="
        name, found, value = item.partition(sep)
        if not found or not name:
            raise SystemExit(f"{_PREFIX}: --env-worker expects NAME:VALUE, got {item!r}")
        out[name] = value
    return out


def worker_env(rank: int, num_workers: int, host: str, port: int,
               cluster: str = "local") -> dict[str, str]:
    """The variables a worker gets: mxjax's own and MXNet's DMLC equivalents."""
    return {
        "MXJAX_COORDINATOR_ADDRESS": f"{host}:{port}",
        "MXJAX_NUM_WORKERS": str(num_workers),
        "MXJAX_RANK": str(rank),
        "DMLC_ROLE": "worker",
        "DMLC_PS_ROOT_URI": host,
        "DMLC_PS_ROOT_PORT": str(port),
        "DMLC_NUM_WORKER": str(num_workers),
        "DMLC_NUM_SERVER": "0",
        "DMLC_TASK_ID": str(rank),
        "DMLC_JOB_CLUSTER": cluster,
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class _Worker:
    rank: int
    proc: subprocess.Popen
    threads: list[threading.Thread] = field(default_factory=list)


class _Output:
    """Line-by-line copying of worker output with a ``[rank i]`` prefix."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def pump(self, stream: IO[bytes], dest: IO[str], rank: int) -> None:
        prefix = f"[rank {rank}] ".encode()
        raw = getattr(dest, "buffer", None)
        try:
            for line in iter(stream.readline, b""):
                line = line.replace(b"\r\n", b"\n")
                if not line.endswith(b"\n"):
                    line += b"\n"
                with self._lock:
                    try:
                        if raw is not None:
                            dest.flush()
                            raw.write(prefix + line)
                            raw.flush()
                        else:
                            dest.write((prefix + line).decode("utf-8", "replace"))
                            dest.flush()
                    except (BrokenPipeError, ValueError):
                        pass
        finally:
            stream.close()

    def say(self, msg: str) -> None:
        with self._lock:
            print(f"{_PREFIX}: {msg}", file=sys.stderr, flush=True)


def _describe(rc: int) -> str:
    if rc == EXIT_PEER_LOST:
        return f"lost contact with another worker (exit code {rc})"
    if rc < 0:
        try:
            return f"was killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"was killed by signal {-rc}"
    return f"exited with code {rc}"


def _exit_status(rc: int) -> int:
    return 128 - rc if rc < 0 else (rc if 0 < rc < 256 else 1)


def _signal_group(w: _Worker, sig: int) -> None:
    try:
        os.killpg(w.proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            w.proc.send_signal(sig)
        except ProcessLookupError:
            pass


def _stop(workers: list[_Worker], grace: float) -> None:
    """SIGTERM every running worker's process group, SIGKILL those groups after ``grace`` s."""
    running = [w for w in workers if w.proc.poll() is None]
    for w in running:
        _signal_group(w, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(w.proc.poll() is None for w in running):
        time.sleep(0.05)
    for w in running:  # also whatever the worker started in its group and left behind
        _signal_group(w, signal.SIGKILL)
    for w in running:
        try:
            w.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _commands(args: argparse.Namespace, command: list[str], n: int, host: str, port: int,
              hosts: list[tuple[str, str]] | None) -> list[tuple[list[str], dict[str, str]]]:
    """For each rank: (argv to run here, environment)."""
    extra = _parse_pairs(args.env_worker)
    out = []
    for rank in range(n):
        wenv = worker_env(rank, n, host, port, "ssh" if hosts else "local")
        wenv.update(extra)
        if not hosts:
            env = {k: v for k, v in os.environ.items() if k != "MXJAX_DISTRIBUTED_PID"}
            env.update(wenv)
            out.append((command, env))
            continue
        passed = {k: os.environ[k] for k in args.env if k in os.environ}
        missing = [k for k in args.env if k not in os.environ]
        if missing:
            raise SystemExit(f"{_PREFIX}: --env {missing[0]} is not set in this environment")
        remote_env = {**passed, **wenv}
        workdir = args.sync_dst_dir or os.getcwd()
        remote = (f"cd {shlex.quote(workdir)} && exec env "
                  + " ".join(shlex.quote(f"{k}={v}") for k, v in remote_env.items())
                  + " " + " ".join(shlex.quote(c) for c in command))
        node, ssh_port = hosts[rank % len(hosts)]
        argv = ["ssh", "-tt", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes",
                "-p", ssh_port, node, remote]
        out.append((argv, dict(os.environ)))
    return out


def _start(argv: list[str], env: dict[str, str], rank: int, output: _Output) -> _Worker:
    try:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as err:
        raise SystemExit(f"{_PREFIX}: cannot start worker rank {rank} ({argv[0]!r}): "
                         f"{err}") from None
    w = _Worker(rank, proc)
    for stream, dest in ((proc.stdout, sys.stdout), (proc.stderr, sys.stderr)):
        t = threading.Thread(target=output.pump, args=(stream, dest, rank), daemon=True)
        t.start()
        w.threads.append(t)
    return w


def _watch(w: _Worker, events: queue.Queue) -> None:
    """Report ``(worker, returncode)`` the moment the worker exits (keeps exit order exact)."""
    rc = w.proc.wait()
    events.put((w, rc))


def _first_real_failure(events: queue.Queue, first: tuple[_Worker, int],
                        wait: float) -> tuple[_Worker, int]:
    """The first failure that is not a lost peer, seen within ``wait`` seconds (else ``first``).

    A worker whose collective lost its peer fails too, sometimes a moment before the
    launcher learns that the peer died; that worker must not be named as the cause.
    """
    deadline = time.monotonic() + wait
    pending = []
    found = first
    while time.monotonic() < deadline:
        try:
            w, rc = events.get(timeout=0.05)
        except queue.Empty:
            continue
        pending.append((w, rc))
        if rc not in (0, EXIT_PEER_LOST):
            found = (w, rc)
            break
    for item in pending:  # keep the other exits for the caller's bookkeeping
        if item is not found:
            events.put(item)
    return found


def _supervise(workers: list[_Worker], output: _Output, grace: float,
               interrupted: list[int]) -> int:
    """Wait for all workers; on the first failure (or a signal) stop the rest."""
    events: queue.Queue = queue.Queue()
    for w in workers:
        threading.Thread(target=_watch, args=(w, events), daemon=True).start()
    done = 0
    while done < len(workers):
        if interrupted:
            sig = interrupted[0]
            output.say(f"received {signal.Signals(sig).name}; stopping all "
                       f"{len(workers)} workers")
            _stop(workers, grace)
            return 128 + sig
        try:
            w, rc = events.get(timeout=0.05)
        except queue.Empty:
            continue
        done += 1
        if rc == 0:
            continue
        if rc == EXIT_PEER_LOST:  # a consequence: look briefly for the worker that failed first
            w, rc = _first_real_failure(events, (w, rc), min(grace, 3.0) + 0.5)
        alive = sum(x.proc.poll() is None for x in workers)
        output.say(f"worker rank {w.rank} (pid {w.proc.pid}) {_describe(rc)}; "
                   f"stopping the other {alive} running worker(s)")
        _stop(workers, grace)
        output.say(f"job failed: worker rank {w.rank} {_describe(rc)}")
        return _exit_status(rc)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the launcher; returns the exit status (0 when every worker succeeded)."""
    args = build_parser().parse_args(argv)
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise SystemExit(f"{_PREFIX}: no command given (python -m mxjax.launch -n N -- "
                         "python train.py ...)")
    launcher = args.launcher or ("ssh" if args.hostfile else "local")
    if launcher in ("mpi", "sge", "yarn"):
        raise SystemExit(f"{_PREFIX}: --launcher {launcher} is not supported; use local or ssh")
    hosts = None
    if launcher == "ssh":
        if not args.hostfile:
            raise SystemExit(f"{_PREFIX}: --launcher ssh needs a host file (-H FILE)")
        hosts = read_hosts(args.hostfile)
    n = args.num_workers if args.num_workers is not None else (len(hosts) if hosts else None)
    if n is None:
        raise SystemExit(f"{_PREFIX}: give the number of workers with -n N")
    if n < 1:
        raise SystemExit(f"{_PREFIX}: -n must be at least 1, got {n}")
    if args.grace_period < 0:
        raise SystemExit(f"{_PREFIX}: --grace-period must be >= 0")
    output = _Output()
    if args.num_servers:
        output.say(f"-s {args.num_servers} ignored: mxjax workers need no server processes")
    host = args.coordinator_host or (hosts[0][0] if hosts else "127.0.0.1")
    port = args.port if args.port is not None else free_port(
        "127.0.0.1" if not hosts else "0.0.0.0")
    plans = _commands(args, command, n, host, port, hosts)

    interrupted: list[int] = []

    def on_signal(signum: int, _frame) -> None:
        interrupted.append(signum)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    workers: list[_Worker] = []
    try:
        for rank, (cmd, env) in enumerate(plans):
            workers.append(_start(cmd, env, rank, output))
        status = _supervise(workers, output, args.grace_period, interrupted)
    except BaseException:
        _stop(workers, args.grace_period)
        raise
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    deadline = time.monotonic() + 5  # the last output lines; a leftover grandchild may
    for w in workers:                  # hold a pipe open, so do not wait for it forever
        for t in w.threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
    return status


if __name__ == "__main__":
    sys.exit(main())
