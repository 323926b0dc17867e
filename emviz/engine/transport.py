"""Messages between the window's process and the EM child process, with big arrays in named
shared memory (no Qt here; Linux, macOS and Windows alike).

Frames go through the child's stdin and stdout: an 8-byte little-endian length, then a
pickle. Arrays of SHARED_MIN_BYTES or more travel out of band (pickle protocol 5): the
receiver maps them read-only and its arrays are views of that memory, not copies.

- Child → window: the child's responsibilities are *allocated* in one of its shared blocks
  (``ChildChannel.allocate``, the core's allocator in the child), so the E-step writes r_nk
  straight into memory the window maps: the state is sent by naming its block, and neither
  side ever holds a second copy. Blocks ("slots") are reused once neither side has a view
  of them any more (fresh shared pages cost more than the E-step's writing: measured here at
  10⁶ x 5, 90 ms to fill fresh pages, 12 ms to fill reused ones); free ones are given back
  after IDLE_SECONDS without a message.
- Window → child: a buffer in one of the child's slots (the r_nk of a state it sent, to
  continue from) is sent by naming the slot; any other big buffer (the points of a new run)
  goes in a fresh block that the child maps and unlinks.

Clean-up (no name left in /dev/shm): the child unlinks a window block once it has mapped it,
and its own slots when it gives them back or exits; the window unlinks, when the child has
died or is stopped, every name it made or was told of (the child announces a slot's name
before it creates it) and was not told is gone; if the window dies, the child reads the end
of its input and unlinks its own. Unlinking a name keeps the memory for those who map it.

multiprocessing.shared_memory is not used: before Python 3.13 it registers every block, even
one only attached to, with a resource-tracker process that unlinks it again and warns at
exit; the primitives here are the ones it uses.
"""

from __future__ import annotations

import collections
import itertools
import math
import mmap
import os
import pickle
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

try:
    import _posixshmem  # what multiprocessing.shared_memory uses on POSIX
except ImportError:  # Windows (named mappings need no module), or a build without it
    _posixshmem = None

#: Buffers at least this big go through shared memory rather than the pipe.
SHARED_MIN_BYTES = 1 << 16
#: Free slots the child keeps for reuse while it is being asked for states.
KEEP_FREE = 2
#: Seconds without a message after which the child gives back its free slots.
IDLE_SECONDS = 2.0

#: The longest shared-memory name made here: macOS refuses a POSIX name longer than 31
#: characters with its leading "/" (PSHMNAMLEN). Names are short by construction (see
#: ``block_name`` and ``parent.channel_prefix``): 27 characters for Linux's largest pid
#: (2**22) after a million children and a million blocks each, 29 after a billion blocks.
MAX_NAME_CHARS = 30

_WINDOWS = os.name == "nt"
_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    """``n`` (a whole number, at least 0) in base 36, lower case: 10⁶ is "lfls"."""
    if n < 0:
        raise ValueError(f"base36 takes whole numbers from 0, not {n}")
    digits = ""
    while True:
        n, digit = divmod(n, 36)
        digits = _DIGITS36[digit] + digits
        if not n:
            return digits


def block_name(prefix: str, number: int) -> str:
    """The name of a channel's block ``number``: its ``prefix`` (which ends in a letter that
    is not a decimal digit, "c" or "p": see ``parent.channel_prefix``), then the number in
    base 36 (a million blocks: 4 characters)."""
    return f"{prefix}{base36(number)}"
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)  # Linux: map the pages in one call


def available() -> bool:
    """Whether named shared memory works here (Windows, or POSIX with shm_open)."""
    return _WINDOWS or _posixshmem is not None


# -- named shared memory ------------------------------------------------------------------------
class Segment:
    """One named block of shared memory as this process holds it (a descriptor on POSIX, a
    mapping on Windows, where a block lives while any handle to it is open)."""

    def __init__(self, name: str, size: int, create: bool) -> None:
        self.name, self.size = name, size
        self._fd, self._keeper = -1, None
        if _WINDOWS:
            if create:
                self._keeper = mmap.mmap(-1, size, tagname=name)
            return
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL if create else os.O_RDONLY
        self._fd = _posixshmem.shm_open("/" + name, flags, mode=0o600)
        if create:
            try:
                os.ftruncate(self._fd, size)
            except BaseException:
                self.close()
                unlink(name)
                raise

    def map(self, size: int, writable: bool, populate: bool = True) -> mmap.mmap:
        """A new mapping of the block's first ``size`` bytes (size ≤ the block's), its pages
        made in the one call where ``populate`` and Linux allow (MAP_POPULATE), else as they
        are first touched."""
        if _WINDOWS:
            access = mmap.ACCESS_WRITE if writable else mmap.ACCESS_READ
            return mmap.mmap(-1, size, tagname=self.name, access=access)
        prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
        flags = mmap.MAP_SHARED | (_POPULATE if populate else 0)
        return mmap.mmap(self._fd, size, flags=flags, prot=prot)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None


def unlink(name: str) -> None:
    """Remove a block's name (its memory goes once nobody maps it); a missing name is fine."""
    if not _WINDOWS:
        try:
            _posixshmem.shm_unlink("/" + name)
        except FileNotFoundError:
            pass


def _copy_into(segment: Segment, raw: memoryview) -> None:
    """Copy ``raw`` into the fresh ``segment`` with the GIL let go: in the window's process
    this runs beside the GUI thread, and MAP_POPULATE (the pages made and zeroed in the
    mmap call) and mmap's own slice assignment both held the GIL, 13-43 ms for the points of
    a 10⁶-row file. numpy's copy lets it go, and the pages are made as it writes them."""
    mapping = segment.map(raw.nbytes, writable=True, populate=False)
    try:
        target = np.frombuffer(mapping, dtype=np.uint8)
        target[:] = np.frombuffer(raw, dtype=np.uint8)
        del target  # (a mapping with a view left cannot close)
    finally:
        mapping.close()


def _address(mapping: mmap.mmap | memoryview) -> int:
    return np.frombuffer(mapping, dtype=np.uint8, count=1).ctypes.data


class _Views:
    """The live mappings of one side, each known by a serial number: which block holds a
    buffer, and (through weak finalisers, which only append to a deque, so they are safe in
    any thread and at any moment) which mappings are gone."""

    def __init__(self) -> None:
        self._serials = itertools.count()
        self._live: dict[int, tuple[int, int, int]] = {}  # serial -> (slot, address, length)
        self.released: collections.deque[int] = collections.deque()

    def track(self, slot: int, mapping: mmap.mmap, then: Callable[[], object] | None = None) -> None:
        """Know ``mapping`` (of ``slot``) until it is freed; then call ``then()`` if given."""
        serial = next(self._serials)
        self._live[serial] = (slot, _address(mapping), len(mapping))
        weakref.finalize(mapping, self._release, serial, then).atexit = False

    def _release(self, serial: int, then: Callable[[], object] | None) -> None:
        self.released.append(serial)
        if then is not None:
            then()

    def collect(self) -> list[int]:
        """The slots of the mappings released since the last call, one entry per mapping."""
        slots = []
        while self.released:
            slots.append(self._live.pop(self.released.popleft())[0])
        return slots

    def find(self, raw: memoryview) -> tuple[int, int] | None:
        """(slot, offset) of a live mapping holding ``raw`` whole, the newest if several."""
        start = _address(raw)
        for serial in sorted(self._live, reverse=True):
            slot, address, length = self._live[serial]
            if address <= start and start + raw.nbytes <= address + length:
                return slot, start - address
        return None


def _dumps(obj: object) -> tuple[bytes, list[memoryview]]:
    """``obj`` pickled, and its big buffers (left out of the pickle)."""
    big: list[memoryview] = []

    def in_band(buffer: pickle.PickleBuffer) -> bool:
        raw = buffer.raw()
        if raw.nbytes < SHARED_MIN_BYTES:
            return True
        big.append(raw)
        return False

    return pickle.dumps(obj, protocol=5, buffer_callback=in_band), big


# -- frames ---------------------------------------------------------------------------------
class Pipe:
    """Length-prefixed frames over a pair of unbuffered binary files (a pipe each way)."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO) -> None:
        self._reader, self._writer = reader, writer

    def send_frame(self, frame: object) -> None:
        data = pickle.dumps(frame, protocol=5)
        view = memoryview(len(data).to_bytes(8, "little") + data)
        while view:
            view = view[self._writer.write(view):]

    def receive_frame(self) -> object:
        size = int.from_bytes(self._read(8), "little")
        return pickle.loads(self._read(size))

    def _read(self, n: int) -> bytearray:
        buffer = bytearray(n)
        view, got = memoryview(buffer), 0
        while got < n:
            count = self._reader.readinto(view[got:])
            if not count:
                raise EOFError("the other process closed the pipe")
            got += count
        return buffer

    def close(self) -> None:
        for end in (self._writer, self._reader):
            try:
                end.close()
            except OSError:
                pass


# -- the child's side -----------------------------------------------------------------------
@dataclass
class _Slot:
    segment: Segment
    window_views: int = 0  # mappings of it sent to the window and not yet reported freed
    child_views: int = 0  # live mappings of it in the child


class ChildChannel:
    """The child's end: replies name the slot holding each big buffer; see the module's
    docstring. Single-threaded, except that a reader thread fills the inbox."""

    def __init__(self, pipe: Pipe, prefix: str) -> None:
        self._pipe, self._prefix = pipe, prefix
        self._names = (block_name(prefix, i) for i in itertools.count())
        self._slots: dict[int, _Slot] = {}
        self._numbers = itertools.count()
        self._views = _Views()
        self._gone: list[str] = []  # names unlinked since the last reply
        self._inbox: collections.deque = collections.deque()
        self._arrived = threading.Semaphore(0)
        self._last_allocated = 0  # bytes of the newest array ``allocate`` made in a slot
        #: While waiting for a message, make one free slot as large as the newest array, its
        #: pages made, for the next one: set by the child's loop while it has a run it may
        #: be asked to go on with.
        self.keep_warm = False
        threading.Thread(target=self._read, name="emviz-engine-inbox", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                frame = self._pipe.receive_frame()
            except (EOFError, OSError, pickle.UnpicklingError):
                frame = None
            self._inbox.append(frame)
            self._arrived.release()
            if frame is None:
                return

    def allocate(self, shape: tuple[int, ...]) -> np.ndarray:
        """A writable float64 array of ``shape`` in a shared slot (small ones in private memory)."""
        count = math.prod(shape)
        if count * 8 < SHARED_MIN_BYTES:
            return np.empty(shape)
        self._last_allocated = count * 8
        return np.frombuffer(self._free_slot_mapping(count * 8), dtype=np.float64, count=count).reshape(shape)

    def receive(self) -> object:
        """The window's next message; EOFError once the window has gone. While none has come,
        makes the warm block if ``keep_warm`` (see ``_warm``); gives back the free slots,
        the warm one too, when nothing has come for IDLE_SECONDS (kept longer, it would
        hold 38 MiB more at rest at 10⁶ x 5: the memory goal, 550 MiB, is not met then)."""
        if not self._arrived.acquire(blocking=False):
            if self.keep_warm:
                self._warm()
            if not self._arrived.acquire(timeout=IDLE_SECONDS):
                self._trim(0)
                self._arrived.acquire()
        frame = self._inbox.popleft()
        if frame is None:
            raise EOFError("the window's process has gone")
        kind, data, layout, freed = frame
        self._collect()
        for slot in freed:
            self._slots[slot].window_views -= 1
        self._trim(KEEP_FREE)
        if kind == "freed":
            return None
        buffers = []
        for kind, *where in layout:
            if kind == "slot":  # r_nk the window had from here: a view of the slot, no copy
                slot, offset, nbytes = where
                mapping = self._slots[slot].segment.map(offset + nbytes, writable=False)
                self._views.track(slot, mapping)
                self._slots[slot].child_views += 1
                buffers.append(memoryview(mapping)[offset:offset + nbytes])
                continue
            name, size = where  # the window's block: map, then unlink (the mapping keeps it)
            segment = Segment(name, size, create=False)
            try:
                buffers.append(segment.map(size, writable=False))
            finally:
                segment.close()
                unlink(name)
                self._gone.append(name)
        return pickle.loads(data, buffers=buffers)

    def send(self, obj: object) -> None:
        data, big = _dumps(obj)
        self._collect()
        layout, copies = [], []
        for raw in big:
            where = self._views.find(raw)
            if where is None:  # not made by allocate(): copied into a slot
                copy = self._free_slot_mapping(raw.nbytes)
                copy[: raw.nbytes] = raw
                copies.append(copy)
                where = self._views.find(memoryview(copy))
            slot, offset = where
            self._slots[slot].window_views += 1
            segment = self._slots[slot].segment
            layout.append((slot, segment.name, segment.size, offset, raw.nbytes))
        gone, self._gone = self._gone, []
        self._pipe.send_frame(("message", data, layout, gone))

    def close(self) -> None:
        """Unlink every slot (the window's mappings keep what it still shows)."""
        for slot in self._slots.values():
            slot.segment.close()
            unlink(slot.segment.name)
        self._slots.clear()
        self._pipe.close()

    def _collect(self) -> None:
        for slot in self._views.collect():
            self._slots[slot].child_views -= 1

    def _free_slot_mapping(self, nbytes: int) -> mmap.mmap:
        self._collect()
        free = [n for n, s in self._slots.items() if not (s.window_views or s.child_views)]
        fitting = [n for n in free if self._slots[n].segment.size >= nbytes]
        if fitting:
            number = min(fitting, key=lambda n: self._slots[n].segment.size)
        else:
            if free:  # a free slot too small for this size is of no more use
                self._retire(free[0])
            name = next(self._names)
            self._pipe.send_frame(("announce", name))  # before it exists: see the docstring
            number = next(self._numbers)
            self._slots[number] = _Slot(Segment(name, nbytes, create=True))
        mapping = self._slots[number].segment.map(nbytes, writable=True)
        self._views.track(number, mapping)
        self._slots[number].child_views += 1
        return mapping

    def _warm(self) -> None:
        """Make a free slot as large as the newest array, unless one is free: the block the
        next E-step will write r_nk into, made while nothing is asked. A fresh block's pages
        are made as it is mapped or first written, which costs more than the E-step's writing
        (at 10⁶ x 5: 25 ms here, up to 270 ms on a virtual machine whose host has not yet
        backed the memory); made now, the next Step (the first one in a new window above
        all: no slot has been freed yet) does not wait for it, if it comes before the idle
        clean-up."""
        nbytes = self._last_allocated
        self._collect()
        if not nbytes or any(s.segment.size >= nbytes and not (s.window_views or s.child_views)
                             for s in self._slots.values()):
            return
        pages = np.frombuffer(self._free_slot_mapping(nbytes), dtype=np.uint8)
        pages[:: mmap.PAGESIZE] = 0  # one write a page: no MAP_POPULATE on macOS and Windows
        del pages  # the mapping goes with its last view; the block keeps its pages
        self._collect()

    def _trim(self, keep: int) -> None:
        self._collect()
        free = [n for n, s in self._slots.items() if not (s.window_views or s.child_views)]
        for number in free[: max(0, len(free) - keep)]:
            self._retire(number)

    def _retire(self, number: int) -> None:
        segment = self._slots.pop(number).segment
        segment.close()
        unlink(segment.name)
        self._gone.append(segment.name)


# -- the window's side ----------------------------------------------------------------------
class ParentChannel:
    """The window's end. ``send`` may be called from any thread, one at a time (the engine
    holds a lock); ``receive`` from one thread at a time. ``on_release`` (no arguments) is
    called, in whatever thread frees it, when an array from the child is gone, so the engine
    can tell the child soon (``send_freed``)."""

    def __init__(self, pipe: Pipe, prefix: str) -> None:
        self._pipe, self._prefix = pipe, prefix
        self._names = (block_name(prefix, i) for i in itertools.count())
        self._lock = threading.Lock()  # the tables below; never taken by a finaliser
        self._views = _Views()
        self._owned: set[str] = set()  # names to unlink if the child cannot
        self._blocks: dict[str, Segment] = {}  # blocks made here, until the child has them
        self.on_release = None
        self.slots_seen: set[int] = set()  # which of the child's slots ever came here
        self.blocks_made = 0  # blocks made here for buffers sent to the child

    def send(self, obj: object) -> None:
        data, big = _dumps(obj)
        layout = []
        with self._lock:
            freed = self._views.collect()
            for raw in big:
                where = self._views.find(raw)
                if where is not None:  # in one of the child's slots (a state it sent)
                    layout.append(("slot", *where, raw.nbytes))
                    continue
                name = next(self._names)
                self.blocks_made += 1
                self._owned.add(name)
                segment = Segment(name, raw.nbytes, create=True)
                self._blocks[name] = segment
                _copy_into(segment, raw)
                layout.append(("block", name, raw.nbytes))
        self._pipe.send_frame(("message", data, layout, freed))

    @property
    def has_freed(self) -> bool:
        """Whether arrays from the child were freed and the child has not been told yet."""
        return bool(self._views.released)

    def send_freed(self) -> bool:
        """Tell the child which of its slots this side no longer maps; False if the channel
        was busy (the next message will tell)."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            freed = self._views.collect()
            if freed:
                self._pipe.send_frame(("freed", None, None, freed))
            return True
        finally:
            self._lock.release()

    def receive(self) -> object:
        """The child's next reply; EOFError (with every name it left unlinked) if it has gone."""
        while True:
            try:
                frame = self._pipe.receive_frame()
            except (EOFError, OSError, pickle.UnpicklingError) as error:
                self.unlink_all()
                raise EOFError("the EM process has gone") from error
            if frame[0] == "announce":
                with self._lock:
                    self._owned.add(frame[1])
                continue
            _, data, layout, gone = frame
            buffers = []
            with self._lock:
                for name in gone:
                    self._owned.discard(name)
                    block = self._blocks.pop(name, None)
                    if block is not None:
                        block.close()
                for slot, name, size, offset, nbytes in layout:
                    segment = Segment(name, size, create=False)
                    try:
                        mapping = segment.map(offset + nbytes, writable=False)
                    finally:
                        segment.close()
                    self._views.track(slot, mapping, self._released)
                    self.slots_seen.add(slot)
                    buffers.append(memoryview(mapping)[offset:offset + nbytes])
            return pickle.loads(data, buffers=buffers)

    def _released(self) -> None:
        callback = self.on_release
        if callback is not None:
            callback()

    def unlink_all(self) -> None:
        """Unlink every name the child or this side made and did not say was gone."""
        with self._lock:
            for name in self._owned:
                unlink(name)
            self._owned.clear()
            for block in self._blocks.values():
                block.close()
            self._blocks.clear()

    def close(self) -> None:
        """Close the channel of a child that has ended: the frames it left unread may
        announce slots it made, so they are read first and every name is unlinked."""
        self.on_release = None
        while True:
            try:
                frame = self._pipe.receive_frame()
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            if frame[0] == "announce":
                with self._lock:
                    self._owned.add(frame[1])
        self.unlink_all()
        self._pipe.close()
