"""Shared helpers for the side-by-side benchmarks: machine description and alternating timing."""
from __future__ import annotations

import datetime
import os
import platform
import time
from typing import Callable, Dict

import torch


def machine() -> str:
    """One line naming the CPU, cores, torch version and threads, for RESULTS.md."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__}, "
            f"{torch.get_num_threads()} threads, {datetime.date.today().isoformat()}")


def alternate(contenders: Dict[str, Callable[[], int]], rounds: int) -> Dict[str, float]:
    """Run each contender once per round, in turn, and return items/s from the summed times.

    Each callable does one timed unit of work and returns how many items it processed. Alternating
    spreads machine noise (other processes, frequency changes) evenly over the contenders.
    """
    seconds = {name: 0.0 for name in contenders}
    items = {name: 0 for name in contenders}
    for _ in range(rounds):
        for name, work in contenders.items():
            start = time.perf_counter()
            items[name] += work()
            seconds[name] += time.perf_counter() - start
    return {name: items[name] / seconds[name] for name in contenders}
