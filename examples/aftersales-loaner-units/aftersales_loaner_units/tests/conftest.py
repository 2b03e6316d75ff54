"""The tests boot an app with only this plugin, contracts and core."""

import pytest


@pytest.fixture
def app(make_app):
    flask_app = make_app(plugins=["loaner_units"], packages=["aftersales_loaner_units"])
    with flask_app.app_context():
        yield flask_app
