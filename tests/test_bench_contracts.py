"""The contracts benchmark runs, and its list request's SQL count does not grow with the page."""

from bench.contracts import run


def test_contracts_benchmark_runs_and_list_statements_do_not_grow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = run(contracts=200, page_sizes=[10, 40], repeat=2, database_url=None)
    names = [r["measurement"] for r in rows]
    assert names == [
        "contract list, page of 10",
        "contract list, page of 40",
        "coverage check (API)",
        "coverage check (service call)",
    ]
    assert rows[0]["statements_per_request"] == rows[1]["statements_per_request"]
    for row in rows:
        assert row["median_ms"] > 0 and row["bare_median_ms"] > 0
