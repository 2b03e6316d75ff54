"""AfterSales' security manager: Flask-AppBuilder's, minus what does not fit here."""

from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager


class AfterSalesSecurityManager(SecurityManager):
    """FAB's database security manager without the "User's Statistics" chart screen.

    That screen draws with Google Charts loaded from the internet; AfterSales serves every
    asset itself and must work offline.
    """

    userstatschartview = None
