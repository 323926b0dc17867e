"""``emviz --animate``: the run as an animation for slides, written by the real program."""

from __future__ import annotations

import numpy as np
import pytest

from .test_cli import _main_refuses, load_png, meaningful_stderr, run_emviz


def frames_of(path) -> list[np.ndarray]:
    from PIL import Image

    frames = []
    with Image.open(path) as image:
        for i in range(getattr(image, "n_frames", 1)):
            image.seek(i)
            frames.append(np.asarray(image.convert("RGB")))
    return frames


def test_the_first_frame_is_the_screenshot_of_theta_0_and_there_is_one_frame_per_half_step(tmp_path):
    """K = 3 on Old Faithful climbs for longer than 20 iterations: 20 steps are 41
    half-steps (θ₀, then an E and an M per iteration), 41 frames."""
    shot, animation = tmp_path / "theta0.png", tmp_path / "run.png"
    result = run_emviz("--k", "3", "--steps", "0", "--screenshot", str(shot), "--view", "slide")
    assert result.returncode == 0, result.stderr
    result = run_emviz("--k", "3", "--steps", "20", "--animate", str(animation), "--fps", "4")
    assert result.returncode == 0, result.stderr
    assert meaningful_stderr(result.stderr) == []
    frames = frames_of(animation)
    assert len(frames) == 41
    np.testing.assert_array_equal(frames[0], load_png(shot))  # pixel for pixel
    assert all(f.shape == frames[0].shape for f in frames)
    assert np.abs(frames[-1].astype(int) - frames[0]).sum() > 0  # the run moved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.png", "theta0.png"]  # no temp file


@pytest.mark.parametrize("args, fragment", [
    (["--steps", "5", "--animate", "out.avi"], "not '.avi'"),
    (["--steps", "5", "--animate", "out"], "without a suffix"),
    (["--steps", "5", "--animate", "out.gif", "--fps", "0"], "1 to 60 frames per second"),
    (["--steps", "5", "--animate", "out.gif", "--fps", "61"], "1 to 60 frames per second"),
    (["--steps", "5", "--animate", "out.gif", "--glides", "99"], "glides must be 0 to"),
    (["--animate", "out.gif"], "--animate needs --steps N"),
    (["--steps", "5", "--animate", ""], "--animate: needs a file name"),
    (["--fps", "5"], "--fps needs --animate"),
    (["--glides", "2"], "--glides needs --animate"),
    (["--steps", "5", "--animate", "a.gif", "--screenshot", "b.png"], "give one of them"),
    (["--grid", "0,1", "--animate", "a.gif", "--steps", "2"], "--grid needs --screenshot"),
    (["--screenshot", "a.svg", "--view", "slide"], "PNG only"),
])
def test_bad_animation_options_exit_2_with_one_line_before_any_window(args, fragment, capsys):
    assert fragment in _main_refuses(args, capsys)


def test_mp4_without_the_video_extra_names_the_extra(monkeypatch, capsys):
    import emviz.dataio.animation as animation

    monkeypatch.setattr(animation, "video_available", lambda: False)
    line = _main_refuses(["--steps", "2", "--animate", "out.mp4"], capsys)
    assert 'pip install "emviz[video]"' in line and "imageio-ffmpeg" in line
