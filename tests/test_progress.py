"""helpers.progress: estimates said in words before a long run, and a progress bar with the time left."""

import re

import pytest

from helpers import progress


def test_fit_seconds_counts_steps_and_a_third_of_a_step_per_validation_batch():
    assert progress.fit_seconds(0.5, epochs=2, n_train=450, batch_size=100) == 2 * 5 * 0.5
    assert progress.fit_seconds(0.3, epochs=1, n_train=100, batch_size=100, n_val=300) == pytest.approx(0.3 * 2)
    with pytest.raises(ValueError, match="step_seconds"):
        progress.fit_seconds(float("nan"), 1, 100, 10)
    with pytest.raises(ValueError, match="batch_size"):
        progress.fit_seconds(1.0, 1, 100, 0)


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "under 10 s"),
        (9.9, "under 10 s"),
        (44, "40 s"),
        (89, "90 s"),
        (95, "1.6 min"),
        (180, "3 min"),
        (599, "10 min"),
        (1500, "25 min"),
        (3600, "1 h"),
        (4800, "1 h 20 min"),
    ],
)
def test_format_duration_reads_like_a_person(seconds, text):
    assert progress.format_duration(seconds) == text


@pytest.mark.parametrize("bad", [-1, float("inf"), "10", None, True])
def test_format_duration_rejects_non_durations(bad):
    with pytest.raises(ValueError, match="seconds"):
        progress.format_duration(bad)


def test_about_hedges_an_estimate_but_not_a_bound():
    assert progress.about(150) == "about 2.5 min"
    assert progress.about(3) == "under 10 s"


def test_announce_says_what_and_how_long(capsys):
    progress.announce("30 epochs of 4,500 images", 150)
    assert (
        capsys.readouterr().out
        == "30 epochs of 4,500 images: about 2.5 min on this machine (estimated from timed steps)\n"
    )


def test_progress_bar_is_off_in_quick_mode_and_shows_an_eta_otherwise(monkeypatch, capsys):
    monkeypatch.setenv("DESCENT_QUICK", "1")
    with progress.progress_bar(3, "trials") as bar:
        bar.update(3)
    assert bar.disable and capsys.readouterr().err == ""
    monkeypatch.delenv("DESCENT_QUICK")
    with progress.progress_bar(3, "trials") as bar:
        bar.update(3)
    err = capsys.readouterr().err
    assert "trials" in err and "3/3" in err and re.search(r"\d\d:\d\d<\d\d:\d\d", err)


def test_in_a_notebook_the_bar_is_one_output_updated_in_place(monkeypatch):
    shown = []

    class Handle:
        def update(self, data, raw):
            shown[-1] = data["text/plain"]

    def display(data, raw, display_id):
        shown.append(data["text/plain"])
        return Handle()

    monkeypatch.setattr("IPython.display.display", display)
    monkeypatch.setattr(progress, "_in_a_notebook", lambda: True)
    with progress.progress_bar(4, "runs", disable=False) as bar:
        bar.update(2)
        bar.refresh()
        bar.update(2)
    assert len(shown) == 1, "one output, redrawn, not one per refresh"
    assert shown[0].startswith("runs: 100%") and "4/4" in shown[0] and "\r" not in shown[0]
