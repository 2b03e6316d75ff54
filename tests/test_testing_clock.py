"""The clock tools of ``core.testing``: a test on a fixed moment, and a whole run moved ahead."""

import datetime
import time

import pytest
from time_machine import escape_hatch

pytest_plugins = ["pytester"]


@pytest.mark.clock("2031-02-03T10:00:00+00:00")
def test_a_clock_marker_runs_the_test_on_that_moment():
    now = datetime.datetime.now(datetime.UTC)
    assert now.date() == datetime.date(2031, 2, 3)
    before = time.time()
    time.sleep(0.01)
    assert time.time() > before  # the clock ticks on from there


def test_a_run_can_be_moved_days_ahead(pytester, monkeypatch):
    pytester.makepyfile(
        test_moved="""
        import datetime, os

        def test_today_is_moved():
            expected = datetime.date.fromisoformat(os.environ["EXPECTED_DAY"])
            today = datetime.datetime.now(datetime.UTC).date()
            assert abs((today - expected).days) <= 1, today
        """
    )
    # The child process starts on the real clock, even when this run is itself moved.
    real_time = escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()
    real_now = datetime.datetime.fromtimestamp(real_time, datetime.UTC)
    expected = real_now.date() + datetime.timedelta(days=830)
    monkeypatch.setenv("EXPECTED_DAY", expected.isoformat())
    result = pytester.runpytest_subprocess("-p", "core.testing", "--clock-shift-days", "830")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["clock moved 830 days ahead: today is *"])


def test_the_variable_moves_the_run_too(pytester, monkeypatch):
    pytester.makepyfile(
        test_moved="""
        import datetime

        def test_far_ahead():
            assert datetime.date.today().year >= 2028
        """
    )
    monkeypatch.setenv("AFTERSALES_TEST_CLOCK_SHIFT_DAYS", "830")
    result = pytester.runpytest_subprocess("-p", "core.testing")
    result.assert_outcomes(passed=1)


def test_a_shift_that_is_not_a_number_is_a_usage_error(pytester, monkeypatch):
    pytester.makepyfile(test_any="def test_any():\n    pass\n")
    monkeypatch.setenv("AFTERSALES_TEST_CLOCK_SHIFT_DAYS", "soon")
    result = pytester.runpytest_subprocess("-p", "core.testing")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*AFTERSALES_TEST_CLOCK_SHIFT_DAYS must be a whole number*"])
