"""Sphinx extension: encrypted transport for the kernels that run the chapters.

ipykernel warns "Kernel is running over TCP without encryption ..." on the
standard error of every kernel started without CurveZMQ keys, so a build
printed the warning once per chapter: lines a reader can do nothing about.
jupyter_client can give each kernel its keys itself
(``KernelManager.transport_encryption = "auto"``: keys for every kernel whose
kernelspec declares support, as ipykernel's does), which is what the warning
asks for. myst-nb starts its kernels through nbclient with no configuration
that the book could pass, so this extension sets that option's default in the
build's own process. Nothing else changes: a kernel that cannot start, a cell
that fails and everything a cell prints are reported as before.
"""

from __future__ import annotations

from typing import Any


def encrypt_kernel_transport() -> bool:
    """Make new kernel managers provision CurveZMQ keys; return whether it did.

    Leaves everything as it is when jupyter_client has no such option (before
    8.9) or libzmq was built without CurveZMQ.
    """
    try:
        import zmq
        from jupyter_client.manager import KernelManager
    except ImportError:
        return False
    trait = KernelManager.class_traits().get("transport_encryption")
    if trait is None or not zmq.has("curve"):
        return False
    trait.default_value = "auto"
    return True


def setup(app: Any) -> dict[str, Any]:
    encrypt_kernel_transport()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
