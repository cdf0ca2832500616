"""DDP plumbing shared by both recipes (omnisparse.train, omnisparse.stream_train): process-group setup from the
torchrun environment, the collectives the v1 loop uses, and a local launcher that needs no torchrun."""
from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from typing import Any, Callable, Optional

import torch
import torch.distributed as dist


@dataclass
class Dist:
    world: int = 1
    rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def main(self) -> bool:
        return self.rank == 0


def init_distributed(threads: Optional[int] = None) -> Dist:
    """torchrun sets WORLD_SIZE/RANK/LOCAL_RANK. With several processes each gets one thread (unless `threads`):
    on a 2-core machine two 2-thread processes would oversubscribe the cores."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        torch.set_num_threads(threads or os.cpu_count() or 1)
        return Dist(device=torch.device("cuda" if torch.cuda.is_available() else "cpu"))
    torch.set_num_threads(threads or 1)
    cuda = torch.cuda.is_available()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}") if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    return Dist(world=dist.get_world_size(), rank=dist.get_rank(), device=device)


def all_sum(d: Dist, values: list[float]) -> list[float]:
    if d.world == 1:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=d.device)
    dist.all_reduce(t)
    return t.tolist()


def gather(d: Dist, obj: Any) -> list[Any]:
    if d.world == 1:
        return [obj]
    out: list[Any] = [None] * d.world
    dist.all_gather_object(out, obj)
    return out



def _spawned(rank: int, world: int, port: int, entry: Callable[[Optional[list[str]]], Any],
             argv: Optional[list[str]]) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE=str(world), RANK=str(rank),
                      LOCAL_RANK=str(rank))
    entry(argv)


def launch_local(world: int, argv: Optional[list[str]], entry: Callable[[Optional[list[str]]], Any]) -> None:
    """`--nproc N`: N local DDP ranks without torchrun (Debian's torch 1.13 torchrun breaks on Python 3.11 unless
    given `--redirects 1 --tee 1`), each running `entry(argv)` (a module-level function: it is pickled by name).
    SIGTERM/SIGINT to this parent are forwarded so every rank stops cleanly."""
    import socket

    import torch.multiprocessing as mp

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The ranks re-import torch (spawn): OpenBLAS (Debian's libopenblas0-pthread) starts a worker per core at load,
    # which torch.set_num_threads(1) does not stop, so every rank also ran GEMMs on a second, spinning thread: 4
    # compute threads on 2 cores, half the throughput (5 audio-s/s instead of 12 on the supernet stage).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    ctx = mp.spawn(_spawned, args=(world, port, entry, argv), nprocs=world, join=False)

    def forward(signum: int, frame: Any) -> None:
        for proc in ctx.processes:
            if proc.pid is not None and proc.is_alive():
                os.kill(proc.pid, signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, forward)
    while not ctx.join():
        pass
