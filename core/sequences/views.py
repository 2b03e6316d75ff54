"""The admin's Sequences screen: every document sequence, its look and its next number."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from core.extensions import db
from core.sequences.models import DocumentSequence
from core.sequences.service import (
    SequenceError,
    default_format,
    preview_next,
    sequence_overview,
    update_sequence,
)


class SequencesView(BaseView):
    """List sequences with their next number; edit a sequence's name, prefix, padding, format."""

    route_base = "/sequences"
    default_view = "list"
    class_permission_name = "core_sequence"
    method_permission_name = {"list": "read", "edit": "write"}

    @expose("/")
    @has_access
    def list(self) -> Any:
        """Render the table of sequences (two queries, whatever their number)."""
        return self.render_template("aftersales/sequences.html", rows=sequence_overview(db.session))

    @expose("/<int:pk>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: int) -> Any:
        """Show the edit form; on POST save it, or show the error (422) and keep the input."""
        seq = db.session.get(DocumentSequence, pk)
        if seq is None:
            abort(404)
        values = {
            "name": seq.name,
            "prefix": seq.prefix,
            "padding": str(seq.padding),
            "format": seq.format or "",
        }
        error_field = None
        if request.method == "POST":
            values = {key: request.form.get(key, "").strip() for key in values}
            try:
                padding = int(values["padding"])
            except ValueError:
                padding = -1  # refused below with the rule
            try:
                update_sequence(
                    db.session,
                    seq.code,
                    name=values["name"],
                    prefix=values["prefix"],
                    padding=padding,
                    format=values["format"] or None,
                )
                db.session.commit()
            except SequenceError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                error_field = exc.field
            else:
                flash(gettext("Sequence %(code)s saved.", code=seq.code), "success")
                return redirect(url_for("SequencesView.list"))
        seq = db.session.get(DocumentSequence, pk)
        page = self.render_template(
            "aftersales/sequence_edit.html",
            seq=seq,
            values=values,
            error_field=error_field,
            default_format=default_format(seq.yearly),
            next_number=preview_next(db.session, seq.code),
        )
        return (page, 422) if error_field is not None else page
