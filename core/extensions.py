"""Unbound Flask extensions, bound to each app by :func:`core.app.create_app`."""

from flask_appbuilder import Model
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

# Flask-AppBuilder's Model as the base: FAB's security tables and ours share one metadata.
# FAB's Model does not name tables itself: every model sets ``__tablename__`` with its prefix.
db = SQLAlchemy(model_class=Model)
csrf = CSRFProtect()
