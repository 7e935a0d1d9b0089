"""Joining the processes of a distributed job: ``jax.distributed`` set up from the environment.

MXNet's distributed training (``kvstore='dist_sync'``) runs one worker
process per machine (or per GPU group), started by ``tools/launch.py``, which
tells each process its role and where to meet through ``DMLC_*`` variables.
mxjax keeps that contract but joins the workers with JAX's own distributed
runtime (``jax.distributed.initialize``): process 0 hosts the coordinator,
every process contributes its devices to one global device list, and
cross-process sums are XLA collectives (gloo on CPU, NCCL on GPU). There are
no parameter servers.

Environment read by :func:`initialize` (``python -m mxjax.launch`` sets all of them):

==========================  =========================================  ==========================
meaning                     mxjax variable                             MXNet (DMLC) equivalent
==========================  =========================================  ==========================
coordinator ``host:port``   ``MXJAX_COORDINATOR_ADDRESS``              ``DMLC_PS_ROOT_URI`` +
                                                                       ``DMLC_PS_ROOT_PORT``
number of workers           ``MXJAX_NUM_WORKERS``                      ``DMLC_NUM_WORKER``
this worker's rank          ``MXJAX_RANK``                             ``DMLC_TASK_ID``
role                        --                                         ``DMLC_ROLE``
==========================  =========================================  ==========================

``DMLC_ROLE=server`` or ``scheduler`` (processes MXNet's launcher starts for
its parameter servers) have nothing to do here: :func:`exit_if_not_worker`
prints a message and exits with status 0, as MXNet's server processes exit
after serving. The mxjax variable wins where both are set.

The collectives used by the kvstore live here too: :func:`allreduce_sum`
(every worker gets the sum of all workers' arrays), :func:`broadcast_from_root`
(every worker gets rank 0's arrays), :func:`check_same` (all workers agree on a
piece of metadata) and :func:`barrier`. Each is one jitted ``shard_map`` over
a mesh holding the first local device of every process.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from .base import MXNetError

__all__ = [
    "DistEnv",
    "EXIT_PEER_LOST",
    "PeerLostError",
    "read_env",
    "role",
    "exit_if_not_worker",
    "initialize",
    "auto_initialize",
    "is_initialized",
    "rank",
    "num_workers",
    "barrier",
    "allreduce_sum",
    "broadcast_from_root",
    "check_same",
    "shutdown",
]

_log = logging.getLogger(__name__)

#: Exit status of a worker that failed only because another worker went away (its
#: collective lost the connection). The launcher uses it to name the worker that failed first.
EXIT_PEER_LOST = 86


class PeerLostError(MXNetError):
    """A collective failed because another worker exited or crashed."""


# What gloo / NCCL / the coordination service say when a peer process is gone.
_PEER_LOST_SIGNS = ("Connection closed by peer", "Connection reset by peer", "Broken pipe",
                    "remote process exited", "another task died")

_ROLES = ("worker", "server", "scheduler")
# Set in os.environ once this process has joined: a child process that inherits the
# launcher's variables (a data-loading subprocess) must not join again under the same rank.
_OWNER_VAR = "MXJAX_DISTRIBUTED_PID"


@dataclass(frozen=True)
class DistEnv:
    """Where and as whom this worker joins: ``coordinator_address`` is ``'host:port'``."""

    coordinator_address: str
    num_workers: int
    rank: int


def _int_var(environ: Mapping[str, str], names: Sequence[str]) -> tuple[int | None, str | None]:
    """The first of ``names`` that is set, as an int (a clear error names a bad value)."""
    for name in names:
        raw = environ.get(name)
        if raw is None or raw.strip() == "":
            continue
        try:
            return int(raw), name
        except ValueError:
            raise MXNetError(f"environment variable {name}={raw!r} is not an integer") from None
    return None, None


def role(environ: Mapping[str, str] | None = None) -> str:
    """This process's role: ``DMLC_ROLE`` (worker, server or scheduler), default worker."""
    environ = os.environ if environ is None else environ
    value = environ.get("DMLC_ROLE", "worker").strip().lower() or "worker"
    if value not in _ROLES:
        raise MXNetError(f"environment variable DMLC_ROLE={value!r} is not one of {_ROLES}")
    return value


def read_env(environ: Mapping[str, str] | None = None) -> DistEnv | None:
    """The launch environment (see module docstring), or None when none is set.

    Returns None when no coordinator and no worker count are given (a plain,
    single-process run). Raises :class:`MXNetError` naming the missing or bad
    variable when the environment is only partly set.
    """
    environ = os.environ if environ is None else environ
    address = environ.get("MXJAX_COORDINATOR_ADDRESS", "").strip() or None
    if address is None:
        uri = environ.get("DMLC_PS_ROOT_URI", "").strip()
        port = environ.get("DMLC_PS_ROOT_PORT", "").strip()
        if uri and port:
            host = f"[{uri}]" if ":" in uri and not uri.startswith("[") else uri
            address = f"{host}:{port}"
        elif uri or port:
            missing = "DMLC_PS_ROOT_PORT" if uri else "DMLC_PS_ROOT_URI"
            raise MXNetError(f"DMLC_PS_ROOT_URI and DMLC_PS_ROOT_PORT must be set together; "
                             f"{missing} is missing")
    n, n_var = _int_var(environ, ("MXJAX_NUM_WORKERS", "DMLC_NUM_WORKER"))
    if address is None and n is None:
        return None
    if address is None:
        raise MXNetError(f"{n_var} is set but no coordinator address: set "
                         "MXJAX_COORDINATOR_ADDRESS=host:port (or DMLC_PS_ROOT_URI and "
                         "DMLC_PS_ROOT_PORT), or start the job with python -m mxjax.launch")
    if address.rpartition(":")[0] == "" or not address.rpartition(":")[2].isdigit():
        raise MXNetError(f"coordinator address {address!r} is not of the form host:port")
    if n is None:
        raise MXNetError("a coordinator address is set but not the number of workers: set "
                         "MXJAX_NUM_WORKERS (or DMLC_NUM_WORKER)")
    if n < 1:
        raise MXNetError(f"{n_var}={n}: the number of workers must be at least 1")
    r, r_var = _int_var(environ, ("MXJAX_RANK", "DMLC_TASK_ID"))
    if r is None:
        if n == 1:
            r = 0
        else:
            raise MXNetError(f"{n_var}={n} but this worker's rank is unknown: set MXJAX_RANK "
                             "(or DMLC_TASK_ID), or start the job with python -m mxjax.launch")
    if not 0 <= r < n:
        raise MXNetError(f"{r_var}={r} is not a valid rank for {n} workers (0..{n - 1})")
    return DistEnv(address, n, r)


def exit_if_not_worker(environ: Mapping[str, str] | None = None) -> None:
    """Exit (status 0, with a message) when ``DMLC_ROLE`` is ``server`` or ``scheduler``.

    MXNet's ``import mxnet`` turns such processes into parameter servers; mxjax
    needs none (workers sum gradients with collectives), so they stop cleanly.
    """
    r = role(environ)
    if r != "worker":
        print(f"mxjax: DMLC_ROLE={r}: mxjax workers synchronise with jax.distributed "
              f"collectives and need no {r} process; this process exits.", file=sys.stderr,
              flush=True)
        sys.exit(0)


def is_initialized() -> bool:
    """Whether this process has joined a distributed runtime (``jax.distributed``)."""
    return bool(jax.distributed.is_initialized())


def _backend_started() -> bool:
    try:  # not public API; without it jax.distributed.initialize reports the same problem
        from jax._src import xla_bridge

        return bool(xla_bridge.backends_are_initialized())
    except (ImportError, AttributeError):
        return False


def initialize(coordinator_address: str | None = None, num_workers: int | None = None,
               rank: int | None = None, *, timeout: int = 300) -> bool:
    """Join the distributed job: ``jax.distributed.initialize`` from arguments or environment.

    Arguments left None are read from the environment (:func:`read_env`).
    Non-worker ``DMLC_ROLE`` processes exit (:func:`exit_if_not_worker`). On
    CPU, cross-process collectives use gloo. Idempotent: a second call returns
    at once. Returns True when this process is now part of a runtime of more
    than one process, False for a single worker (nothing is started then).

    Must run before any JAX computation in the process (JAX's rule); otherwise
    :class:`MXNetError` says so.
    """
    exit_if_not_worker()
    if is_initialized():
        return int(jax.process_count()) > 1
    env = read_env()
    if coordinator_address is None and env is not None:
        coordinator_address = env.coordinator_address
    if num_workers is None:
        num_workers = env.num_workers if env is not None else 1
    if rank is None:
        rank = env.rank if env is not None else 0
    if num_workers < 1 or not 0 <= rank < num_workers:
        raise MXNetError(f"invalid rank {rank} for {num_workers} workers")
    if num_workers == 1:
        return False
    if coordinator_address is None:
        raise MXNetError(f"{num_workers} workers but no coordinator address: pass "
                         "coordinator_address='host:port' or set MXJAX_COORDINATOR_ADDRESS")
    if os.environ.get(_OWNER_VAR, str(os.getpid())) != str(os.getpid()):
        raise MXNetError(f"this process was started by distributed worker (pid "
                         f"{os.environ[_OWNER_VAR]}) and inherited its rank {rank}; it cannot "
                         "join the job a second time")
    if _backend_started():
        raise MXNetError(
            f"cannot join the distributed job (rank {rank} of {num_workers}): JAX already ran a "
            "computation in this process, and jax.distributed must be initialised before that. "
            "Create the kvstore (mx.kv.create('dist_sync')) or call "
            "mx.distributed.initialize() before creating any array")
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    # JAX's preemption notifier would catch SIGTERM; the launcher stops workers with it.
    jax.config.update("jax_enable_preemption_service", False)
    _log.info("joining distributed job at %s as rank %d of %d", coordinator_address, rank,
              num_workers)
    try:
        jax.distributed.initialize(coordinator_address=coordinator_address,
                                   num_processes=num_workers, process_id=rank,
                                   initialization_timeout=timeout)
    except Exception as err:  # a clear message, not a deep runtime traceback
        raise MXNetError(f"rank {rank} of {num_workers} could not join the distributed job at "
                         f"{coordinator_address}: {err}") from err
    os.environ[_OWNER_VAR] = str(os.getpid())
    _exit_at_once_on_crash(rank)
    return True


def _exit_at_once_on_crash(rank: int) -> None:
    """Make a failing worker leave the job at once, so the launcher sees it fail.

    At exit JAX waits at a shutdown barrier for every other worker (up to its
    ``shutdown_timeout``, 5 minutes) while they wait for this one inside a
    collective, so a crashed worker would only be noticed minutes later. So,
    after joining: an uncaught exception (traceback printed first, by the
    previous ``sys.excepthook``) ends the process with status 1, and
    ``sys.exit(status)`` with a failure status ends it with that status, both
    without the barrier. A successful exit still waits at the barrier, which
    is what lets rank 0 finish its last checkpoint while the others wait.
    """
    previous_hook = sys.excepthook
    real_exit = sys.exit

    def leave(code: int, why: str) -> None:
        try:
            print(f"mxjax: rank {rank} {why}; leaving the distributed job now", file=sys.stderr)
            logging.shutdown()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001 - best effort before a hard exit
                    pass
            os._exit(code)

    def hook(exc_type, exc, tb):
        try:
            previous_hook(exc_type, exc, tb)
        finally:
            if issubclass(exc_type, KeyboardInterrupt):
                leave(130, "was interrupted")
            elif _is_peer_lost(exc):
                leave(EXIT_PEER_LOST, f"lost contact with another worker (exit status "
                                      f"{EXIT_PEER_LOST})")
            else:
                leave(1, f"failed with an uncaught {exc_type.__name__}")

    def exit_(status: object = None) -> None:
        if status is not None and status != 0 and \
                threading.current_thread() is threading.main_thread():
            _failed_exit.append(status if isinstance(status, int) else 1)
        real_exit(status)

    def at_exit() -> None:  # registered after JAX's own clean-up, so it runs before it
        if _failed_exit:
            leave(_failed_exit[-1] & 0xFF or 1, f"called sys.exit({_failed_exit[-1]})")

    sys.excepthook = hook
    sys.exit = exit_
    atexit.register(at_exit)


_failed_exit: list[int] = []


def _is_peer_lost(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it came from) says a peer worker is gone."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, PeerLostError) or any(s in str(exc) for s in _PEER_LOST_SIGNS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def auto_initialize() -> bool:
    """What ``import mxjax`` does: exit non-worker roles, join when a launcher set the env.

    Joining at import time (before the user's script creates any array) is
    what lets ``Module.fit(kvstore='dist_sync')`` work after data iterators
    were built. ``MXJAX_AUTO_INITIALIZE=0`` turns it off; a subprocess that
    inherited a joined worker's environment does not join again.
    """
    exit_if_not_worker()
    if os.environ.get("MXJAX_AUTO_INITIALIZE", "1").strip() in ("0", "false", "False"):
        return False
    if os.environ.get(_OWNER_VAR, str(os.getpid())) != str(os.getpid()):
        return False
    if is_initialized():
        return int(jax.process_count()) > 1
    try:
        env = read_env()
    except MXNetError as err:  # a partial environment is reported when a dist kvstore is made
        _log.warning("not joining a distributed job at import: %s", err)
        return False
    if env is None or env.num_workers == 1:
        return False
    return initialize()


def rank() -> int:
    """This worker's rank (``jax.process_index()``; 0 outside a distributed job)."""
    return int(jax.process_index()) if is_initialized() else 0


def num_workers() -> int:
    """Number of workers (``jax.process_count()``; 1 outside a distributed job)."""
    return int(jax.process_count()) if is_initialized() else 1



def barrier(name: str = "mxjax_barrier") -> None:
    """Block until every worker reaches this point (``sync_global_devices``)."""
    if num_workers() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(name)


# ----------------------------------------------------------------- collectives
@functools.lru_cache(maxsize=1)
def _process_mesh() -> jax.sharding.Mesh:
    """One device per process (its first), in process order: the axis ``'proc'``."""
    first: dict[int, jax.Device] = {}
    for d in sorted(jax.devices(), key=lambda d: (d.process_index, d.id)):
        first.setdefault(d.process_index, d)
    return jax.sharding.Mesh(np.array([first[p] for p in sorted(first)]), ("proc",))


@functools.lru_cache(maxsize=2)
def _collective(kind: str):
    """A jitted shard_map over the process mesh: ``'sum'`` or ``'root'`` (rank 0's value)."""
    mesh = _process_mesh()
    spec = jax.sharding.PartitionSpec("proc")

    def body(blocks):
        out = []
        for b in blocks:
            x = b[0]
            if kind == "root":
                x = jnp.where(jax.lax.axis_index("proc") == 0, x, jnp.zeros_like(x))
            out.append(jax.lax.psum(x, "proc"))
        return out

    fn = jax.shard_map(body, mesh=mesh, in_specs=spec, out_specs=jax.sharding.PartitionSpec())
    return jax.jit(fn)


def _run_collective(kind: str, arrays: Sequence[jax.Array]) -> list[jax.Array]:
    mesh = _process_mesh()
    local = mesh.devices[jax.process_index()]
    sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("proc"))
    n = mesh.devices.size
    with jax.enable_x64(True):
        dtypes = [a.dtype for a in arrays]
        glob = []
        for a in arrays:
            if a.dtype == jnp.bool_:  # psum needs numbers; sum of bools = logical or
                a = a.astype(jnp.int32)
            glob.append(jax.make_array_from_single_device_arrays(
                (n,) + tuple(a.shape), sharding, [jax.device_put(a[None], local)]))
        try:
            out = _collective(kind)(glob)
        except Exception as err:  # gloo/NCCL errors surface as ValueError/XlaRuntimeError
            raise PeerLostError(
                f"rank {jax.process_index()}: the {'all-reduce' if kind == 'sum' else 'broadcast'}"
                f" across {n} workers failed (another worker has probably exited or crashed; "
                f"see its log): {err}") from err
        res = []
        for o, dt, a in zip(out, dtypes, arrays, strict=True):
            r = o.addressable_data(0)
            if dt == jnp.bool_:
                r = r > 0
            res.append(jax.device_put(r, next(iter(a.devices()))))
        return res


def allreduce_sum(arrays: Sequence[jax.Array]) -> list[jax.Array]:
    """Every worker gets, for each array, the sum over all workers (one XLA all-reduce).

    All workers must call it with the same number of arrays, shapes and dtypes,
    in the same order. Each result lives on the device its input was on.
    """
    arrays = list(arrays)
    if num_workers() == 1 or not arrays:
        return arrays
    return _run_collective("sum", arrays)


def broadcast_from_root(arrays: Sequence[jax.Array]) -> list[jax.Array]:
    """Every worker gets rank 0's arrays (same call contract as :func:`allreduce_sum`)."""
    arrays = list(arrays)
    if num_workers() == 1 or not arrays:
        return arrays
    return _run_collective("root", arrays)


def check_same(description: str, what: str) -> None:
    """Raise :class:`MXNetError` on every worker unless all pass the same ``description``.

    Used before a collective whose shapes must agree (kvstore ``init``): a
    mismatch becomes a clear error naming the disagreeing ranks instead of a
    hang inside the collective.
    """
    if num_workers() == 1:
        return
    from jax.experimental import multihost_utils

    digest = np.array([zlib.crc32(description.encode("utf-8"))], dtype=np.int64)
    with jax.enable_x64(True):
        everyone = np.asarray(multihost_utils.process_allgather(digest)).reshape(-1)
    if not np.all(everyone == everyone[0]):
        bad = [i for i, d in enumerate(everyone) if d != everyone[0]]
        raise MXNetError(f"{what}: workers disagree (rank(s) {bad} differ from rank 0); every "
                         f"worker must pass the same keys, shapes and dtypes. This worker "
                         f"(rank {rank()}) passed {description}")


def shutdown() -> None:
    """Leave the distributed job (``jax.distributed.shutdown``); no-op when not joined."""
    if is_initialized():
        jax.distributed.shutdown()
