"""Document numbers: readable, restarting yearly, and gap-free even with rollbacks and races."""

import datetime
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.extensions import db
from core.sequences.models import DocumentSequence, SequenceCounter
from core.sequences.service import (
    SequenceError,
    UnknownSequenceError,
    define_sequence,
    next_number,
    preview_next,
    sequence_overview,
    update_sequence,
)

DAY_2026 = datetime.date(2026, 3, 1)
DAY_2027 = datetime.date(2027, 1, 1)


@pytest.fixture
def seq_app(make_app):
    app = make_app(plugins=[])
    with app.app_context():
        yield app


def test_numbers_look_like_prefix_year_and_padded_counter(seq_app):
    define_sequence(db.session, "contracts.contract", "CT")
    numbers = [next_number(db.session, "contracts.contract", on=DAY_2026) for _ in range(3)]
    db.session.commit()
    assert numbers == ["CT-2026-00001", "CT-2026-00002", "CT-2026-00003"]


def test_yearly_sequences_restart_on_january_first(seq_app):
    define_sequence(db.session, "billing.invoice", "INV", padding=4)
    assert next_number(db.session, "billing.invoice", on=datetime.date(2026, 12, 31)) == (
        "INV-2026-0001"
    )
    assert next_number(db.session, "billing.invoice", on=DAY_2027) == "INV-2027-0001"
    assert next_number(db.session, "billing.invoice", on=datetime.date(2026, 12, 31)) == (
        "INV-2026-0002"
    )


def test_sequences_that_never_restart_keep_counting(seq_app):
    define_sequence(db.session, "parts.move", "MV", padding=6, yearly=False)
    assert next_number(db.session, "parts.move", on=DAY_2026) == "MV-000001"
    assert next_number(db.session, "parts.move", on=DAY_2027) == "MV-000002"


def test_defining_twice_keeps_the_first_definition_and_its_edits(seq_app):
    first = define_sequence(db.session, "contracts.contract", "CT")
    update_sequence(db.session, "contracts.contract", prefix="HT", padding=3)
    again = define_sequence(db.session, "contracts.contract", "CT", padding=5)
    db.session.commit()
    assert again.id == first.id
    assert db.session.scalars(select(DocumentSequence)).all() == [first]
    assert next_number(db.session, "contracts.contract", on=DAY_2026) == "HT-2026-001"


def test_a_rolled_back_document_gives_its_number_back(seq_app):
    define_sequence(db.session, "billing.invoice", "INV")
    db.session.commit()
    assert next_number(db.session, "billing.invoice", on=DAY_2026) == "INV-2026-00001"
    db.session.commit()
    assert next_number(db.session, "billing.invoice", on=DAY_2026) == "INV-2026-00002"
    db.session.rollback()  # the invoice failed validation: number 2 is not burnt
    assert next_number(db.session, "billing.invoice", on=DAY_2026) == "INV-2026-00002"
    db.session.commit()
    assert preview_next(db.session, "billing.invoice", on=DAY_2026) == "INV-2026-00003"


def test_unknown_code_is_a_clear_error(seq_app):
    with pytest.raises(UnknownSequenceError, match="no document sequence .* 'nosuch.code'"):
        next_number(db.session, "nosuch.code", on=DAY_2026)


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"code": "Bad Code"}, "code", "lowercase"),
        ({"prefix": "{x}"}, "prefix", "without braces"),
        ({"padding": 0}, "padding", "1 to 12"),
        ({"format": "{prefix}-{number}"}, "format", "must contain {year}"),
        ({"format": "{prefix}-{year}"}, "format", "must contain {number}"),
        ({"format": "{prefix}-{year}-{seq}"}, "format", "only {prefix}"),
        ({"format": "{prefix}-{year}-{number:05q}"}, "format", "not valid"),
    ],
)
def test_bad_definitions_are_refused_naming_the_field(seq_app, kwargs, field, rule):
    args = {"code": "contracts.contract", "prefix": "CT", **kwargs}
    with pytest.raises(SequenceError, match=rule) as error:
        define_sequence(db.session, **args)
    assert error.value.field == field


def test_custom_format_with_explicit_padding(seq_app):
    define_sequence(db.session, "service.ticket", "T", format="{year}/{prefix}{number:04d}")
    assert next_number(db.session, "service.ticket", on=DAY_2026) == "2026/T0001"


def test_yearly_restart_cannot_change_once_numbers_exist(seq_app):
    define_sequence(db.session, "parts.move", "MV", yearly=False)
    update_sequence(db.session, "parts.move", yearly=True, format="{prefix}-{year}-{number}")
    next_number(db.session, "parts.move", on=DAY_2026)
    with pytest.raises(SequenceError, match="cannot change") as error:
        update_sequence(db.session, "parts.move", yearly=False, format=None)
    assert error.value.field == "yearly"


def test_overview_shows_next_number_without_taking_it(seq_app):
    define_sequence(db.session, "billing.invoice", "INV")
    define_sequence(db.session, "contracts.contract", "CT")
    next_number(db.session, "billing.invoice", on=DAY_2026)
    db.session.commit()
    rows = {r.code: r.next_number for r in sequence_overview(db.session, on=DAY_2026)}
    assert rows == {"billing.invoice": "INV-2026-00002", "contracts.contract": "CT-2026-00001"}
    assert next_number(db.session, "billing.invoice", on=DAY_2026) == "INV-2026-00002"


def test_admin_sees_and_edits_sequences(seq_app, login_as, client):
    define_sequence(db.session, "billing.invoice", "INV", name="Invoices")
    db.session.commit()
    seq_id = db.session.scalar(select(DocumentSequence.id))
    login_as("Admin")
    page = client.get("/sequences/")
    assert page.status_code == 200
    assert "INV-" in page.text and "billing.invoice" in page.text
    refused = client.post(
        f"/sequences/{seq_id}/edit",
        data={"name": "Invoices", "prefix": "FP", "padding": "99", "format": ""},
    )
    assert refused.status_code == 422
    assert "padding must be a whole number from 1 to 12" in refused.text
    saved = client.post(
        f"/sequences/{seq_id}/edit",
        data={"name": "Invoices", "prefix": "FP", "padding": "3", "format": ""},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    year = datetime.date.today().year
    assert preview_next(db.session, "billing.invoice", on=datetime.date(year, 6, 1)) == (
        f"FP-{year}-001"
    )


def test_users_without_the_permission_cannot_open_sequences(seq_app, login_as, client):
    login_as("Nobody")
    assert client.get("/sequences/").status_code in (302, 403)


# --- concurrency -------------------------------------------------------------------------------


def draw_numbers_in_threads(engine, code, threads=8, per_thread=6):
    """Each thread takes numbers in its own transactions; every third one rolls back.

    Returns the committed numbers and every error met.
    """
    committed, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker(index):
        try:
            start.wait()
            for attempt in range(per_thread):
                with Session(engine) as session:
                    number = next_number(session, code, on=DAY_2026)
                    if (index + attempt) % 3 == 0:
                        session.rollback()
                    else:
                        session.commit()
                        with lock:
                            committed.append(number)
        except Exception as exc:  # reported by the test
            with lock:
                errors.append(repr(exc))

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return committed, errors


def assert_unique_and_gap_free(committed, prefix):
    expected = [f"{prefix}-2026-{n:05d}" for n in range(1, len(committed) + 1)]
    assert sorted(committed) == expected


@pytest.mark.parametrize(
    "threads",
    [6, pytest.param(10, marks=pytest.mark.postgres, id="parallel-on-postgresql")],
)
def test_threads_drawing_numbers_stay_unique_and_gap_free(seq_app, threads):
    # The counter row does not exist yet: the threads also race to create it. Each thread
    # draws 6 numbers and rolls 2 of them back.
    define_sequence(db.session, "billing.invoice", "INV")
    db.session.commit()
    committed, errors = draw_numbers_in_threads(db.engine, "billing.invoice", threads=threads)
    assert errors == []
    assert len(committed) == 4 * threads
    assert_unique_and_gap_free(committed, "INV")
    counter = db.session.scalar(select(SequenceCounter.next_value))
    assert counter == 4 * threads + 1


@pytest.mark.postgres
def test_parallel_first_definitions_on_postgresql_agree(seq_app):
    ids, errors = [], []
    start = threading.Barrier(6)
    engine = db.engine

    def define():
        try:
            start.wait()
            with Session(engine) as session:
                ids.append(define_sequence(session, "service.ticket", "T").id)
                session.commit()
        except Exception as exc:
            errors.append(repr(exc))

    pool = [threading.Thread(target=define) for _ in range(6)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 1
