"""``python -m bench``: run a benchmark and print its figures."""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="benchmark", required=True)
    list_api = sub.add_parser("list-api", help="the audit log list API against bare SQLAlchemy")
    list_api.add_argument("--records", type=int, default=100_000)
    list_api.add_argument(
        "--page-sizes", default="10,25,100", help="comma-separated page sizes (default 10,25,100)"
    )
    list_api.add_argument("--repeat", type=int, default=50, help="timed requests per page size")
    list_api.add_argument(
        "--database",
        default=os.environ.get("AFTERSALES_BENCH_DATABASE_URL"),
        help="database URL (default: a temporary SQLite file)",
    )
    list_api.add_argument("--json", action="store_true", help="print JSON")
    contracts = sub.add_parser(
        "contracts", help="contract list API and coverage check against bare SQLAlchemy"
    )
    contracts.add_argument("--contracts", type=int, default=100_000)
    contracts.add_argument("--page-sizes", default="10,100", help="comma-separated page sizes")
    contracts.add_argument("--repeat", type=int, default=50, help="timed requests per figure")
    contracts.add_argument(
        "--database",
        default=os.environ.get("AFTERSALES_BENCH_DATABASE_URL"),
        help="database URL of an empty database (default: a temporary SQLite file)",
    )
    contracts.add_argument("--json", action="store_true", help="print JSON")
    from bench import inventory, maintenance

    inventory.add_parser(sub)
    maintenance.add_parser(sub)
    args = parser.parse_args(argv)
    if args.benchmark == "inventory":
        return inventory.main(parser, args)
    if args.benchmark == "maintenance":
        return maintenance.main(parser, args)
    if args.benchmark == "contracts":
        return run_contracts(parser, args)

    from bench.list_api import run

    sizes = page_sizes(parser, args.page_sizes, args.records, "--records")
    results = run(args.records, sizes, args.repeat, args.database)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"audit log list API, {args.records:,} records, {args.repeat} requests per page size")
    header = (
        f"{'page size':>9} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8} "
        f"{'bare ms':>8} {'bare SQL':>9} {'ratio':>6}"
    )
    print(header)
    for row in results:
        print(
            f"{row['page_size']:>9} {row['api_median_ms']:>10.2f} {row['api_p95_ms']:>8.2f} "
            f"{row['statements_per_request']:>8.1f} {row['bare_median_ms']:>8.2f} "
            f"{row['bare_statements']:>9.1f} {row['ratio']:>6}"
        )
    return 0


def page_sizes(parser: argparse.ArgumentParser, text: str, rows: int, option: str) -> list[int]:
    """The comma-separated page sizes of ``text``, each allowed by the API, and ``rows`` (the
    value of ``option``) enough for 4 pages of the largest; else a usage error."""
    sizes = [int(s) for s in text.split(",") if s.strip()]
    if any(s < 1 or s > 100 for s in sizes):
        parser.error("--page-sizes: each must be between 1 and 100 (FAB_API_MAX_PAGE_SIZE)")
    if rows < max(sizes) * 4:
        parser.error(f"{option}: must be at least 4 pages of the largest page size")
    return sizes


def run_contracts(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``python -m bench contracts``: print the contracts benchmark's figures."""
    from bench.contracts import run

    sizes = page_sizes(parser, args.page_sizes, args.contracts, "--contracts")
    results = run(args.contracts, sizes, args.repeat, args.database)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"contracts, {args.contracts:,} contracts, {args.repeat} requests per figure")
    print(
        f"{'measurement':<32} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8} "
        f"{'bare ms':>8} {'bare SQL':>9} {'ratio':>6}"
    )
    for row in results:
        print(
            f"{row['measurement']:<32} {row['median_ms']:>10.2f} {row['p95_ms']:>8.2f} "
            f"{row['statements_per_request']:>8.1f} {row['bare_median_ms']:>8.2f} "
            f"{row['bare_statements']:>9.1f} {row['ratio']:>6}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
