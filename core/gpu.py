"""Whether torch could train on CUDA here, asked without importing torch.

The window offers the CUDA device (and the GPU's larger meta-batch) only where it exists, and
learns that at start-up, when importing torch would cost it ~1.5 s of CPU it otherwise never
needs. torch.cuda.is_available() says yes when torch was built with CUDA and the driver counts
a device: this asks the same two questions of the files and the driver directly.
"""
from __future__ import annotations

import ctypes
import sys
from importlib.util import find_spec
from pathlib import Path

DRIVERS = {"linux": "libcuda.so.1", "win32": "nvcuda.dll"}  # the CUDA driver library, by platform


def torch_has_cuda() -> bool:
    """torch's CUDA build ships its CUDA library (libtorch_cuda); the CPU build does not."""
    spec = find_spec("torch")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        return False
    lib = Path(spec.submodule_search_locations[0]) / "lib"
    return any(lib.glob("*torch_cuda*"))


def driver_devices() -> int:
    """How many CUDA devices the driver sees (0 without a driver, or where it fails to start)."""
    name = DRIVERS.get(sys.platform)
    if name is None:
        return 0
    try:
        driver = ctypes.CDLL(name)
        if driver.cuInit(0) != 0:
            return 0
        count = ctypes.c_int(0)
        return count.value if driver.cuDeviceGetCount(ctypes.byref(count)) == 0 else 0
    except (OSError, AttributeError):
        return 0


def cuda_available() -> bool:
    """torch.cuda.is_available()'s answer, without torch."""
    return torch_has_cuda() and driver_devices() > 0
