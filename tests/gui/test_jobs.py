"""The one job runner (emviz.gui.jobs): lanes drain generators off the GUI thread, a newer
generation cancels an older one, every failure is reported, and one idempotent shutdown
stops every lane and leaves no thread. No test here waits on a clock: each waits for a
signal or an observable state, and a job that must still be running when the test acts is
held by an Event the test releases."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject

from emviz.gui.jobs import Background, Job, JobRunner, Stream, runner_for


@pytest.fixture
def runner(qtbot):
    runner = JobRunner()
    yield runner
    runner.shutdown()


def held(release: threading.Event, started: threading.Event | None = None, items=(1, 2, 3)):
    """A generator that waits for ``release`` before each item (so it is still running when
    the test acts); ``started`` is set when it first runs."""
    for item in items:
        if started is not None:
            started.set()
        release.wait(30)
        yield item


def test_a_stream_drains_its_generator_off_the_gui_thread(runner, qtbot):
    got, ends, threads = [], [], []

    def work():
        for i in range(5):
            threads.append(threading.current_thread())
            yield i

    stream = Stream("test-stream", got.extend, ends.append, runner=runner)
    stream.start(work())
    qtbot.waitUntil(lambda: ends == ["exhausted"])
    assert got == [0, 1, 2, 3, 4] and not stream.busy
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert runner.running_threads == ["test-stream"]  # the lane's thread waits for the next job


def test_a_new_generation_cancels_the_old_one_and_its_late_items_are_dropped(runner, qtbot):
    got, ends = [], []
    release, started = threading.Event(), threading.Event()
    stream = Stream("test-cancel", got.extend, ends.append, runner=runner)
    stream.start(held(release, started, items=("old-1", "old-2", "old-3")))
    qtbot.waitUntil(started.is_set)
    stream.start(iter(["new-1", "new-2"]))  # the newest job wins
    release.set()  # the old job yields once more, then sees its stop flag
    qtbot.waitUntil(lambda: ends == ["exhausted"])
    assert got == ["new-1", "new-2"]  # nothing of the old generation reached the owner
    assert ends == ["exhausted"]  # the cancelled job's end is not reported as the new one's


def test_stop_by_generation_also_drops_queued_jobs(runner, qtbot):
    lane = runner.lane("test-lane")
    finished = []
    lane.finished.connect(lambda g, reason: finished.append((g, reason)))
    release, started = threading.Event(), threading.Event()
    assert lane.submit(Job(held(release, started), 1))
    assert lane.submit(Job(iter([10, 11]), 2))
    assert lane.submit(Job(iter([20]), 3))
    qtbot.waitUntil(started.is_set)
    lane.stop(2)  # the running job 1 and the queued job 2 end; job 3 runs
    release.set()
    qtbot.waitUntil(lambda: len(finished) == 3)
    assert finished == [(1, "stopped"), (2, "stopped"), (3, "exhausted")]
    assert [item for g, item in lane.take() if g == 3] == [20]


@pytest.mark.parametrize("error, text", [(ValueError("singular covariance"), "singular covariance"),
                                         (KeyError("k"), "KeyError: 'k'")])
def test_every_failure_reaches_the_owner_and_the_runners_failed_signal(runner, qtbot, error, text):
    ends, failures = [], []
    runner.failed.connect(lambda lane, message: failures.append((lane, message)))

    def broken():
        yield 1
        raise error

    stream = Stream("test-failing", lambda items: None, ends.append, runner=runner)
    stream.start(broken())
    qtbot.waitUntil(lambda: bool(ends))
    assert ends == [f"error: {text}"]
    assert failures == [("test-failing", text)]


def test_background_keeps_only_the_newest_waiting_request(runner, qtbot):
    done, release, started = [], threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(30)
        return "first"

    background = Background("test-background", lambda key, value: done.append((key, value)),
                            runner=runner)
    background.request(("a",), slow)
    qtbot.waitUntil(started.is_set)
    background.request(("b",), lambda: "second")  # waits...
    background.request(("c",), lambda: "third")  # ...and replaces "b"
    release.set()
    qtbot.waitUntil(lambda: len(done) == 2 and not background.busy)
    assert done == [(("a",), "first"), (("c",), "third")]


def test_shutdown_stops_every_lane_runs_the_hooks_once_and_refuses_new_jobs(qtbot):
    runner = JobRunner()
    # Each lane's job blocks inside next() until its own stop releases it, so every job is
    # still running when the runner shuts down (one shared event let a lane finish or never
    # start, depending on which thread ran first).
    releases = [threading.Event() for _ in range(3)]
    starts = [threading.Event() for _ in range(3)]
    stopped_jobs, hooks = [], []
    lanes = [runner.lane(f"test-{i}") for i in range(3)]
    for i, lane in enumerate(lanes):
        assert lane.submit(Job(held(releases[i], starts[i]), i + 1,
                                on_stop=lambda i=i: (stopped_jobs.append(i), releases[i].set())))
    threads = [lane.thread for lane in lanes]
    runner.at_shutdown(lambda: hooks.append(runner.running_threads))
    qtbot.waitUntil(lambda: all(started.is_set() for started in starts))
    runner.shutdown()
    runner.shutdown()  # idempotent
    assert hooks == [[]]  # once, after every lane's thread had ended
    assert all(not thread.isRunning() for thread in threads)
    assert set(stopped_jobs) == {0, 1, 2}  # every running job was told to stop (at least once)
    assert runner.running_threads == []
    assert not lanes[0].submit(Job(iter([1]), 9))  # a closed window starts no more work
    assert lanes[0].thread is None


def test_a_lane_shut_down_on_its_own_starts_a_new_thread_for_its_next_job(runner, qtbot):
    got = []
    stream = Stream("test-restart", got.extend, runner=runner)
    stream.start(iter([1]))
    qtbot.waitUntil(lambda: got == [1] and not stream.busy)
    stream.shutdown()
    stream.shutdown()  # idempotent
    assert runner.running_threads == []
    stream.start(iter([2]))
    qtbot.waitUntil(lambda: got == [1, 2] and not stream.busy)


def test_an_owner_finds_the_runner_of_the_window_it_belongs_to(qtbot):
    window_like = QObject()
    runner = JobRunner(window_like)
    part = QObject(QObject(window_like))
    assert runner_for(part) is runner
    loose = runner_for(QObject())
    assert loose is not runner and runner_for(None) is loose  # the process-wide one
    runner.shutdown()


def test_closing_the_window_stops_every_lane_it_started(window, qtbot):
    window.controller.step()
    assert window.controller.wait_idle()
    assert "emviz-em-worker" in window.jobs.running_threads
    window.close()
    assert window.jobs.closed and window.jobs.running_threads == []
    window.controller.step()  # a late request after close starts nothing
    assert not window.controller.busy and window.jobs.running_threads == []


def test_an_end_handled_while_items_are_handed_over_comes_after_them(runner, qtbot):
    """A modal QProgressDialog's setValue in ``on_items`` handles pending events, among them
    the generator's end: ``on_end`` then ran before the rest of the items in hand (an
    animation export ended "the frames could not be encoded" with its file's bytes still in
    that list, and a test waited on the message box for good)."""
    from PySide6.QtCore import QCoreApplication

    heard = []

    def take(items):
        for item in items:
            heard.append(item)
            if item == 1:  # as a modal dialog's setValue would
                QCoreApplication.sendPostedEvents()

    stream = Stream("test-reentrant", take, lambda reason: heard.append(reason), runner=runner)
    stream.start(iter([1, 2, "the file's bytes"]))
    assert stream.wait_idle(30)  # all three yielded and the end posted: one list of items
    qtbot.waitUntil(lambda: "exhausted" in heard)
    assert heard == [1, 2, "the file's bytes", "exhausted"]
    assert not stream.busy
