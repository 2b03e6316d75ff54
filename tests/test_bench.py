"""The benchmark harness runs, and a list request's SQL count does not grow with page size."""

from bench.list_api import run


def test_list_api_statements_do_not_grow_with_page_size(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = run(records=400, page_sizes=[10, 100], repeat=2, database_url=None)
    assert [r["page_size"] for r in rows] == [10, 100]
    small, large = rows
    assert small["statements_per_request"] == large["statements_per_request"]
    assert small["statements_per_request"] <= 8
    for row in rows:
        assert row["api_median_ms"] > 0 and row["bare_median_ms"] > 0
