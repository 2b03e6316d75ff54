"""Admin > Company: view and edit the one row of company settings."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, url_for
from flask_appbuilder import SimpleFormView
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_appbuilder.forms import DynamicForm
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.company.service import CompanyError, company_settings, update_company_settings
from core.extensions import db


class CompanyForm(DynamicForm):
    """The company settings form; the service does the real checking."""

    name = StringField(
        _("Name"), validators=[DataRequired(), Length(max=200)], widget=BS3TextFieldWidget()
    )
    legal_name = StringField(
        _("Legal name"), validators=[Optional(), Length(max=200)], widget=BS3TextFieldWidget()
    )
    tax_id = StringField(
        _("Unified social credit code / tax id"),
        validators=[Optional(), Length(max=32)],
        widget=BS3TextFieldWidget(),
    )
    address = TextAreaField(_("Address"), validators=[Optional(), Length(max=500)])
    phone = StringField(
        _("Phone"), validators=[Optional(), Length(max=50)], widget=BS3TextFieldWidget()
    )
    email = StringField(
        _("E-mail"), validators=[Optional(), Length(max=254)], widget=BS3TextFieldWidget()
    )
    time_zone = StringField(
        _("Time zone"),
        description=_("An IANA time zone name, such as Asia/Shanghai."),
        validators=[DataRequired()],
        widget=BS3TextFieldWidget(),
    )
    currency = StringField(
        _("Currency"),
        description=_("An ISO 4217 currency code, such as CNY."),
        validators=[DataRequired(), Length(min=3, max=3)],
        widget=BS3TextFieldWidget(),
    )
    language = SelectField(
        _("Default language"), choices=lambda: language_choices(), widget=Select2Widget()
    )


def language_choices() -> list[tuple[str, str]]:
    """The configured ``LANGUAGES`` as select choices."""
    languages = current_app.config.get("LANGUAGES") or {"en": {"name": "English"}}
    return [(code, spec.get("name", code)) for code, spec in languages.items()]


class CompanyView(SimpleFormView):
    """Edit the company settings (there is only one row: no add, no delete)."""

    route_base = "/company"
    class_permission_name = "core_company"
    method_permission_name = {"this_form_get": "read", "this_form_post": "write"}
    form = CompanyForm
    form_title = _("Company")

    def form_get(self, form: Any) -> None:
        """Fill the form with the current settings."""
        for name, value in company_settings(db.session).as_dict().items():
            getattr(form, name).data = value

    def form_post(self, form: Any) -> Any:
        """Save through the service; refused values are shown on their fields."""
        values = {name: getattr(form, name).data for name in form._fields if name != "csrf_token"}
        try:
            update_company_settings(db.session, **values)
            db.session.commit()
        except CompanyError as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                if name in form._fields:
                    form[name].errors = [*form[name].errors, message]
            flash(gettext("The company settings were not saved: %(why)s", why=str(exc)), "danger")
            widgets = self._get_edit_widget(form=form)
            return (
                self.render_template(
                    self.form_template,
                    title=self.form_title,
                    widgets=widgets,
                    appbuilder=self.appbuilder,
                ),
                422,
            )
        flash(gettext("Company settings saved."), "success")
        return redirect(url_for(f"{type(self).__name__}.this_form_get"))
