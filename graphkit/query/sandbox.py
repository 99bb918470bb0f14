"""SPARQL layer 3 of the query guard (see :mod:`graphkit.query`): the child process lowers its
priority, caps its address space and installs a seccomp filter that forbids sockets, before it reads
the query."""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import socket
import sys
import threading

#: The child's niceness: a query that keeps every core busy must not slow the server that started it
#: (on 2 cores, two sorting children held /health's event loop up to 60 ms at the same priority).
CHILD_NICENESS = 10


class SandboxUnavailable(RuntimeError):
    """The child could not cap its memory or forbid sockets, so it must not run the query."""


# Linux prctl(2) and seccomp(2) constants (include/uapi/linux/prctl.h, seccomp.h, audit.h).
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_KILL_PROCESS = 0x80000000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_ALLOW = 0x7FFF0000
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000
# struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
_DATA_NR, _DATA_ARCH = 0, 4
# classic BPF instructions used below: load a 32-bit word at an offset, compare with a constant, return
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
#: x86_64 system calls the child may not make: every socket (of any family: the child needs none)
#: and io_uring, whose IORING_OP_SOCKET would create one without the socket() call.
DENIED_SYSCALLS_X86_64 = {"socket": 41, "socketpair": 53, "io_uring_setup": 425}


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def network_filter() -> list[tuple[int, int, int, int]]:
    """The seccomp BPF program, as (code, jump if true, jump if false, constant) instructions.

    A jump skips that many instructions after the next one. Calls of another ABI (i386 through
    int 0x80) kill the process; x32 calls and the denied calls fail with EACCES; the rest run.

    >>> len(network_filter()), network_filter()[-1] == (0x06, 0, 0, 0x00050000 | 13)
    (10, True)
    """
    denied = list(DENIED_SYSCALLS_X86_64.values())
    n = len(denied)
    return [
        (_BPF_LD_W_ABS, 0, 0, _DATA_ARCH),
        (_BPF_JEQ_K, 1, 0, _AUDIT_ARCH_X86_64),  # x86_64: skip the next instruction
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_KILL_PROCESS),
        (_BPF_LD_W_ABS, 0, 0, _DATA_NR),
        (_BPF_JGE_K, n + 1, 0, _X32_SYSCALL_BIT),  # an x32 call: to the EACCES at the end
        *((_BPF_JEQ_K, n - i, 0, nr) for i, nr in enumerate(denied)),  # each denied call: to the EACCES
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.EACCES),
    ]


def forbid_sockets() -> None:
    """Install :func:`network_filter` on this process (all its later threads inherit it) and check
    that a socket can no longer be opened. Raises SandboxUnavailable if any step fails: the caller
    must then not run the query. Call it while the process has one thread."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        raise SandboxUnavailable(
            f"the socket filter is written for Linux x86_64, not {sys.platform} {platform.machine()}"
        )
    if threading.active_count() != 1:
        raise SandboxUnavailable("the socket filter must be installed before any thread starts")
    program = network_filter()
    instructions = (_SockFilter * len(program))(*(_SockFilter(*ins) for ins in program))
    fprog = _SockFprog(len(program), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    ulong = ctypes.c_ulong
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno())}")
    if libc.prctl(_PR_SET_SECCOMP, ulong(_SECCOMP_MODE_FILTER), ctypes.byref(fprog), ulong(0), ulong(0)) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_SECCOMP) failed: {errno.errorcode.get(ctypes.get_errno())}")
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return
    raise SandboxUnavailable("the socket filter was installed but a socket could still be opened")


def cap_memory(memory_mb: int) -> None:
    """Cap this process's address space at ``memory_mb`` and forbid core dumps (an aborted child of
    1.5 GB must not leave one behind). Raises SandboxUnavailable if the limits cannot be set."""
    cap = memory_mb * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError) as exc:
        raise SandboxUnavailable(f"the memory cap could not be set: {exc}") from exc


def enter_sandbox(memory_mb: int) -> None:
    """Everything the child does before it reads the query: a lower CPU priority, the memory cap, then
    the socket filter."""
    os.nice(CHILD_NICENESS)
    cap_memory(memory_mb)
    forbid_sockets()
