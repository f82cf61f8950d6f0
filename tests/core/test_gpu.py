"""core.gpu: the window's CUDA question answered as torch answers it, without importing torch."""
import subprocess
import sys
from pathlib import Path

import torch

from core import gpu

ROOT = Path(__file__).resolve().parents[2]


def test_the_answer_is_torchs():
    assert gpu.torch_has_cuda() == (torch.version.cuda is not None)
    assert gpu.cuda_available() == torch.cuda.is_available()
    if torch.cuda.is_available():
        assert gpu.driver_devices() == torch.cuda.device_count()


def test_no_driver_library_means_no_device(monkeypatch):
    monkeypatch.setitem(gpu.DRIVERS, sys.platform, "libno-such-cuda-driver.so.1")
    assert gpu.driver_devices() == 0 and not gpu.cuda_available()


def test_asking_imports_no_torch():
    code = "import sys; from core.gpu import cuda_available; cuda_available(); assert 'torch' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
