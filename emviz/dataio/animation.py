"""Animations for slides: frames (RGB arrays) encoded as GIF, WebP or APNG by Pillow, or as
MP4 by ffmpeg (the optional ``video`` extra, imageio-ffmpeg), never by an encoder of our own.

No Qt: the window renders the frames, a lane of its job runner encodes them here. Every
file is written atomically: GIF, WebP and APNG are encoded in memory and saved with
``write_atomic``; an MP4, which ffmpeg writes itself, goes to a temporary file in the
target's folder and is renamed over the target only when whole (``commit``), or removed
(``discard``) on a cancel or an error. A cancelled export leaves no file behind.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ._files import NEW_FILE_MODE
from .errors import DataError

#: File suffixes and what they hold.
FORMATS = {".gif": "GIF", ".webp": "WebP", ".png": "APNG", ".mp4": "MP4"}
#: Frames per second an animation may play at.
FPS_RANGE = (1, 60)
#: In-between frames per half-step (glides) an animation may have.
GLIDES_MAX = 12
#: What to install for MP4.
VIDEO_EXTRA = 'the optional "video" extra: pip install "emviz[video]" (imageio-ffmpeg)'


def animation_format(path: str | os.PathLike) -> str:
    """"GIF", "WebP", "APNG" or "MP4" by the suffix of ``path``; ValueError naming the ones
    there are otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ValueError(f"an animation is written as {known} (.png: animated PNG), "
                         f"not {suffix or 'a file without a suffix'!r}")
    return FORMATS[suffix]


def video_available() -> bool:
    """Whether MP4 can be written (imageio-ffmpeg is installed)."""
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def check_options(path: str | os.PathLike, fps: int, glides: int) -> str:
    """The format of ``path``, after checking everything an export needs before any frame is
    drawn; ValueError with a message that names the problem."""
    fmt = animation_format(path)
    if not 0 <= glides <= GLIDES_MAX:
        raise ValueError(f"glides must be 0 to {GLIDES_MAX} in-between frames per half-step, not {glides}")
    if not FPS_RANGE[0] <= fps <= FPS_RANGE[1]:
        raise ValueError(f"the frame rate must be {FPS_RANGE[0]} to {FPS_RANGE[1]} frames per "
                         f"second, not {fps}")
    if fmt == "MP4" and not video_available():
        raise ValueError(f"MP4 needs {VIDEO_EXTRA}; or write .gif, .webp or .png")
    return fmt


def frame_plan(n_states: int, glides: int) -> list[tuple[int, float]]:
    """(half-step i, glide phase s) of every frame: one per half-step from θ₀, and ``glides``
    in-between frames from each to the next (s = 1/(g+1), ..., g/(g+1)). 41 frames for the
    41 half-steps of 20 iterations without glides."""
    plan: list[tuple[int, float]] = []
    for i in range(n_states):
        plan.append((i, 0.0))
        if i + 1 < n_states:
            plan.extend((i, j / (glides + 1)) for j in range(1, glides + 1))
    return plan


def encode(frames: Sequence[np.ndarray], fmt: str, fps: int,
           cancelled: Callable[[], bool] = lambda: False) -> Iterator[int | bytes]:
    """Encode RGB frames, each uint8 (H, W, 3) of one size, as ``fmt`` ("GIF", "WebP" or
    "APNG") at ``fps``: yields the number of frames prepared so far, then the file's bytes.
    Stops early, yielding no bytes, once ``cancelled()``. Pillow stores a frame equal to the
    one before as that one shown longer (the ln p / L plot alone does not glide), so such
    a file plays the same with fewer frames."""
    from PIL import Image

    images = []
    for n, frame in enumerate(frames, 1):
        if cancelled():
            return
        image = Image.fromarray(np.ascontiguousarray(frame), "RGB")
        if fmt == "GIF":  # one palette per frame, as GIF needs; no dithering of flat plots
            image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                   dither=Image.Dither.NONE)
        images.append(image)
        yield n
    if cancelled() or not images:
        return
    duration = round(1000 / fps)
    options: dict = {"save_all": True, "append_images": images[1:], "duration": duration, "loop": 0}
    if fmt == "WebP":
        options.update(lossless=True, quality=80, method=4)
    elif fmt == "APNG":
        options.update(default_image=False)
    out = io.BytesIO()
    images[0].save(out, format="PNG" if fmt == "APNG" else fmt.upper(), **options)
    yield out.getvalue()


def temporary_beside(path: str | os.PathLike) -> str:
    """A new empty temporary file in the folder of ``path`` (for ``commit``); DataError if
    that folder takes no file."""
    target = os.path.realpath(os.fspath(path))
    try:
        fd, temp = tempfile.mkstemp(dir=os.path.dirname(target),
                                    prefix=f".{os.path.basename(target)}.", suffix=".tmp.mp4")
    except OSError as e:
        raise DataError(os.fspath(path), f"cannot write the file: {e.strerror or e}") from None
    os.close(fd)
    return temp


def encode_mp4(frames: Sequence[np.ndarray], temp: str, fps: int,
               cancelled: Callable[[], bool] = lambda: False) -> Iterator[int | str]:
    """Encode RGB frames as H.264 MP4 into the file ``temp`` (from ``temporary_beside``):
    yields frames written so far, then ``temp`` once the file is whole. On a cancel or an
    error the temporary file is removed. Frames are padded to even sizes (H.264 needs them)."""
    import imageio_ffmpeg

    height, width = frames[0].shape[:2]
    even = (height + height % 2, width + width % 2)
    writer = imageio_ffmpeg.write_frames(temp, (even[1], even[0]), fps=fps, codec="libx264",
                                         pix_fmt_out="yuv420p", macro_block_size=1,
                                         output_params=["-movflags", "+faststart"])
    done = False
    try:
        writer.send(None)  # starts ffmpeg
        for n, frame in enumerate(frames, 1):
            if cancelled():
                return
            padded = np.pad(frame, ((0, even[0] - height), (0, even[1] - width), (0, 0)), mode="edge")
            writer.send(np.ascontiguousarray(padded))
            yield n
        writer.close()
        done = not cancelled()
    finally:
        if not done:
            with contextlib.suppress(Exception):
                writer.close()
            discard(temp)
    if done:
        yield temp


def commit(temp: str, path: str | os.PathLike) -> None:
    """Rename the whole temporary file over ``path`` (atomic); DataError if it cannot."""
    try:
        os.chmod(temp, NEW_FILE_MODE)  # as write_atomic: not mkstemp's owner-only 0600
        os.replace(temp, os.path.realpath(os.fspath(path)))
    except OSError as e:
        discard(temp)
        raise DataError(os.fspath(path), f"cannot write the file: {e.strerror or e}") from None


def discard(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)
