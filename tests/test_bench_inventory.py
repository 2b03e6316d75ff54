"""The inventory ledger benchmark runs: services and bare SQL post the same moves, on-hand
read both ways agrees, and the ledger checks out."""

from bench.inventory import plan_moves, run


def test_planned_moves_never_take_more_than_is_there():
    moves = plan_moves(500, list(range(1, 21)), [1, 2, 3])
    level = {}
    for _reason, part, source, target, quantity in moves:
        if source is not None:
            level[(part, source)] = level.get((part, source), 0) - quantity
            assert level[(part, source)] >= 0
        if target is not None:
            level[(part, target)] = level.get((part, target), 0) + quantity
    assert len(moves) == 500


def test_inventory_benchmark_runs_small(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(moves=300, parts=30, batch=100, database_url=None)
    assert result["ledger_verified"] is True
    names = [row["measurement"] for row in result["rows"]]
    assert names[0] == "post moves (services)" and len(names) == 4
    posting = result["rows"][0]
    assert posting["operations"] == 300 and posting["seconds"] > 0 and posting["bare_seconds"] > 0
    assert result["rows"][1]["statements"] <= 3  # on-hand of every part: one query
